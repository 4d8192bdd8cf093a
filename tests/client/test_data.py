"""File-like data objects of ftrack_api.data."""

import io

import pytest

import ftrack_api.data


class Recording(io.BytesIO):
    """A BytesIO noting the calls made to it."""

    def __init__(self, content=b''):
        super().__init__(content)
        self.calls = []

    def read(self, *args):
        self.calls.append(('read',) + args)
        return super().read(*args)

    def write(self, content):
        self.calls.append(('write', content))
        return super().write(content)

    def seek(self, *args):
        self.calls.append(('seek',) + args)
        return super().seek(*args)

    def tell(self):
        self.calls.append(('tell',))
        return super().tell()

    def flush(self):
        self.calls.append(('flush',))
        return super().flush()

    def close(self):
        self.calls.append(('close',))
        return super().close()


class Minimal(ftrack_api.data.Data):
    def __init__(self):
        super().__init__()
        self.flushed = 0

    def read(self, limit=None):
        return b''

    def write(self, content):
        pass

    def flush(self):
        self.flushed += 1


def test_data_is_abstract():
    with pytest.raises(TypeError, match='abstract'):
        ftrack_api.data.Data()


def test_data_defaults():
    data = Minimal()
    assert data.closed is False
    with pytest.raises(NotImplementedError, match='Seek not supported.'):
        data.seek(0)
    with pytest.raises(NotImplementedError, match='Tell not supported.'):
        data.tell()
    assert ftrack_api.data.Data.flush(data) is None


def test_data_close_flushes_and_marks_closed():
    data = Minimal()
    data.close()
    assert data.closed is True
    assert data.flushed == 1


def test_file_wrapper_reads_everything_or_a_limit():
    wrapper = ftrack_api.data.FileWrapper(io.BytesIO(b'abcdef'))
    assert wrapper.read(2) == b'ab'
    assert wrapper.read() == b'cdef'
    assert wrapper.read() == b''
    assert wrapper.read(None) == b''


def test_file_wrapper_passes_none_limit_as_minus_one():
    wrapped = Recording(b'abc')
    ftrack_api.data.FileWrapper(wrapped).read()
    assert wrapped.calls == [('read', -1)]


def test_file_wrapper_repositions_before_a_write_that_follows_a_read():
    wrapped = Recording(b'abcdef')
    wrapper = ftrack_api.data.FileWrapper(wrapped)
    wrapper.read(2)
    wrapper.write(b'ZZ')
    wrapper.write(b'!')
    assert wrapped.calls == [
        ('read', 2), ('tell',), ('seek', 2, 0), ('write', b'ZZ'),
        ('write', b'!'),
    ]
    assert wrapped.getvalue() == b'abZZ!f'


def test_file_wrapper_writes_without_seeking_when_nothing_was_read():
    wrapped = Recording(b'abcdef')
    wrapper = ftrack_api.data.FileWrapper(wrapped)
    wrapper.write(b'Q')
    assert wrapper.read(1) == b'b'
    wrapper.write(b'R')
    assert wrapped.getvalue() == b'QbRdef'
    assert wrapped.calls[0] == ('write', b'Q')


def test_file_wrapper_delegates_seek_tell_and_flush():
    wrapped = Recording(b'abcdef')
    wrapper = ftrack_api.data.FileWrapper(wrapped)
    assert wrapper.seek(4) is None
    assert wrapper.tell() == 4
    wrapper.seek(-1, io.SEEK_END)
    assert wrapper.read() == b'f'
    wrapper.flush()
    assert ('seek', 4, 0) in wrapped.calls
    assert ('seek', -1, 2) in wrapped.calls
    assert wrapped.calls[-1] == ('flush',)


def test_file_wrapper_close_is_once_only():
    wrapped = Recording(b'abc')
    wrapper = ftrack_api.data.FileWrapper(wrapped)
    wrapper.close()
    wrapper.close()
    assert wrapper.closed is True
    assert wrapped.closed is True
    assert wrapped.calls == [('flush',), ('close',)]


def test_file_wrapper_fails_after_close():
    wrapper = ftrack_api.data.FileWrapper(io.BytesIO(b'abc'))
    wrapper.close()
    with pytest.raises(ValueError, match='closed file'):
        wrapper.read()
    with pytest.raises(ValueError, match='closed file'):
        wrapper.write(b'x')


def test_file_wrapper_works_with_text_files():
    wrapper = ftrack_api.data.FileWrapper(io.StringIO('abc'))
    assert wrapper.read() == 'abc'
    wrapper.seek(0)
    assert wrapper.read(1) == 'a'


def test_file_reads_a_path(tmp_path):
    path = tmp_path / 'data.bin'
    path.write_bytes(b'0123456789')
    data = ftrack_api.data.File(str(path))
    assert data.read(3) == b'012'
    with pytest.raises(io.UnsupportedOperation):
        data.write(b'x')
    data.close()
    assert data.wrapped_file.closed


def test_file_updates_in_place_with_read_write_mode(tmp_path):
    path = tmp_path / 'data.bin'
    path.write_bytes(b'0123456789')
    data = ftrack_api.data.File(str(path), 'r+b')
    assert data.read(3) == b'012'
    data.write(b'XY')
    assert data.tell() == 5
    assert data.read(2) == b'56'
    data.close()
    assert path.read_bytes() == b'012XY56789'
    with pytest.raises(ValueError, match='closed file'):
        data.read()


def test_file_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError):
        ftrack_api.data.File(str(tmp_path / 'missing'))


def test_file_bad_mode(tmp_path):
    path = tmp_path / 'data.bin'
    path.write_bytes(b'')
    with pytest.raises(ValueError, match='mode'):
        ftrack_api.data.File(str(path), 'zz')


def test_string_bytes_in_bytes_out():
    data = ftrack_api.data.String(b'abc')
    assert data.is_binary is True
    assert data.read() == b'abc'
    data.seek(0)
    assert data.read(2) == b'ab'


def test_string_starts_empty():
    data = ftrack_api.data.String()
    assert data.read() == b''
    data.write(b'abc')
    assert data.read() == b''
    assert data.tell() == 3
    data.seek(0)
    assert data.read() == b'abc'


def test_string_text_in_text_out():
    data = ftrack_api.data.String('héllo')
    assert data.is_binary is False
    assert data.read() == 'héllo'
    # Positions count encoded bytes.
    assert data.tell() == 6


def test_string_becomes_text_once_text_is_written():
    data = ftrack_api.data.String(b'abc')
    data.write('x')
    data.seek(0)
    assert data.read() == 'xbc'


def test_string_stays_text_when_bytes_are_written_later():
    data = ftrack_api.data.String('abc')
    data.write(b'x')
    data.seek(0)
    assert data.read() == 'xbc'


def test_string_empty_text_makes_it_text():
    data = ftrack_api.data.String('')
    assert data.read() == ''


def test_string_write_after_partial_read_continues_from_there():
    data = ftrack_api.data.String(b'hello world')
    assert data.read(5) == b'hello'
    data.write(b'XX')
    data.seek(0)
    assert data.read() == b'helloXXorld'


def test_string_partial_reads_of_multibyte_text_fail_to_decode():
    data = ftrack_api.data.String('é')
    with pytest.raises(UnicodeDecodeError):
        data.read(1)


def test_string_limits():
    data = ftrack_api.data.String('hello')
    assert data.read(2) == 'he'
    assert data.read(0) == ''
    assert data.read(-1) == 'llo'


def test_string_is_backed_by_a_temporary_file():
    data = ftrack_api.data.String(b'abc')
    assert 'b' in data.wrapped_file.mode
    data.close()
    assert data.closed
    assert data.wrapped_file.closed
    data.close()


@pytest.mark.parametrize('content', [5, ['a'], bytearray(b'ab')])
def test_string_rejects_other_content_naming_the_type(content):
    with pytest.raises(AttributeError, match=type(content).__name__):
        ftrack_api.data.String(content)


def test_string_write_rejects_none():
    data = ftrack_api.data.String()
    with pytest.raises(AttributeError, match='str or bytes'):
        data.write(None)
    assert data.is_binary is True
