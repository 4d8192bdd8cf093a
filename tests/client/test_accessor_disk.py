"""ftrack_api.accessor.disk: data on a file system, under a prefix."""

import errno
import os

import pytest

import ftrack_api.data
import ftrack_api.exception as exception
from ftrack_api.accessor.disk import DiskAccessor, error_handler

OUTSIDE = (
    "Could not determine access path for resource_identifier outside of "
    "configured prefix: b'{0}'."
)


@pytest.fixture
def root(tmp_path):
    """A prefix holding ``dir/file.txt`` (with ``hello``) and ``dir/sub``."""
    (tmp_path / 'dir' / 'sub').mkdir(parents=True)
    (tmp_path / 'dir' / 'file.txt').write_text('hello')
    return str(tmp_path)


@pytest.fixture
def accessor(root):
    return DiskAccessor(root)


@pytest.fixture
def bare():
    """An accessor without prefix: identifiers are paths."""
    return DiskAccessor('')


# -- prefix -------------------------------------------------------------------

def test_prefix_is_made_absolute_and_normalised(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert DiskAccessor('rel/x/').prefix == str(tmp_path / 'rel' / 'x')
    assert DiskAccessor('/a/b/../c/').prefix == '/a/c'


def test_prefix_expands_user_and_variables(monkeypatch):
    monkeypatch.setenv('HOME', '/home/someone')
    monkeypatch.setenv('STORAGE_ROOT', '/mnt/storage')
    assert DiskAccessor('~/x').prefix == '/home/someone/x'
    assert DiskAccessor('$STORAGE_ROOT/x').prefix == '/mnt/storage/x'


@pytest.mark.parametrize('prefix', ['', None])
def test_empty_prefix_is_kept(prefix):
    assert DiskAccessor(prefix).prefix == prefix


def test_unknown_keyword_arguments_are_rejected():
    with pytest.raises(TypeError):
        DiskAccessor('/a', foo=1)


# -- get_filesystem_path ------------------------------------------------------

@pytest.mark.parametrize('identifier, relative', [
    ('', ''), ('.', ''), ('dir', '/dir'), ('dir/', '/dir'),
    ('dir/../dir/file.txt', '/dir/file.txt'), ('a/../b', '/b'),
    ('dir/./sub', '/dir/sub'), ('dir//sub', '/dir/sub'), ('./dir', '/dir'),
])
def test_filesystem_path_under_prefix(accessor, root, identifier, relative):
    assert accessor.get_filesystem_path(identifier) == root + relative


def test_absolute_paths_inside_the_prefix_are_accepted(accessor, root):
    assert accessor.get_filesystem_path(root) == root
    assert accessor.get_filesystem_path(root + '/dir/') == root + '/dir'


@pytest.mark.parametrize('identifier', [
    '/dir', '..', '../x', '/etc/passwd', '/',
])
def test_paths_outside_the_prefix_are_refused(accessor, identifier):
    with pytest.raises(exception.AccessorFilesystemPathError) as caught:
        accessor.get_filesystem_path(identifier)
    assert str(caught.value) == OUTSIDE.format(identifier)
    assert caught.value.details == {'resource_identifier': identifier}


def test_a_sibling_sharing_the_prefix_name_is_outside(root):
    accessor = DiskAccessor(root + '/di')
    with pytest.raises(exception.AccessorFilesystemPathError):
        accessor.get_filesystem_path('../dir/file.txt')
    with pytest.raises(exception.AccessorFilesystemPathError):
        accessor.get_filesystem_path(root + '/dir')


def test_outside_checks_apply_to_every_operation(accessor):
    for method in ['exists', 'is_file', 'is_container', 'list', 'remove',
                   'open', 'make_container', 'get_container']:
        with pytest.raises(exception.AccessorFilesystemPathError):
            getattr(accessor, method)('../x')


@pytest.mark.parametrize('identifier, path', [
    ('', ''), ('.', '.'), ('dir', 'dir'), ('rel/x', 'rel/x'),
    ('/a/b/', '/a/b'), ('/a/../b', '/b'), ('/', '/'),
])
def test_filesystem_path_without_prefix(bare, identifier, path):
    assert bare.get_filesystem_path(identifier) == path
    assert DiskAccessor(None).get_filesystem_path(identifier) == path


def test_filesystem_path_needs_text(accessor):
    with pytest.raises(TypeError):
        accessor.get_filesystem_path(None)


# -- queries ------------------------------------------------------------------

def test_exists_is_file_is_container(accessor):
    assert [accessor.exists(name) for name in
            ['dir', 'dir/file.txt', 'nope', '']] == [True, True, False, True]
    assert [accessor.is_file(name) for name in
            ['dir', 'dir/file.txt', 'nope']] == [False, True, False]
    assert [accessor.is_container(name) for name in
            ['dir', 'dir/file.txt', 'nope']] == [True, False, False]


def test_is_sequence_is_unsupported(accessor):
    with pytest.raises(exception.AccessorUnsupportedOperationError) as caught:
        accessor.is_sequence('dir')
    assert caught.value.details['operation'] == 'is_sequence'
    assert caught.value.details['resource_identifier'] is None


def test_get_url_is_unsupported(accessor):
    with pytest.raises(exception.AccessorUnsupportedOperationError) as caught:
        accessor.get_url('dir/file.txt')
    assert caught.value.details['resource_identifier'] == 'dir/file.txt'


def test_list_joins_children_onto_the_identifier(accessor, bare, root):
    assert sorted(accessor.list('dir')) == ['dir/file.txt', 'dir/sub']
    assert accessor.list('') == ['dir']
    assert sorted(bare.list(root + '/dir')) == [
        root + '/dir/file.txt', root + '/dir/sub'
    ]


@pytest.mark.parametrize('identifier, error', [
    ('nope', exception.AccessorResourceNotFoundError),
    ('dir/file.txt', exception.AccessorResourceInvalidError),
])
def test_list_errors(accessor, identifier, error):
    with pytest.raises(error) as caught:
        accessor.list(identifier)
    assert caught.value.details == {
        'operation': 'list', 'resource_identifier': identifier
    }


# -- open ---------------------------------------------------------------------

def test_open_reads_through_a_data_file(accessor):
    data = accessor.open('dir/file.txt')
    assert type(data) is ftrack_api.data.File
    assert data.read() == b'hello'
    data.close()
    text = accessor.open('dir/file.txt', 'r')
    assert text.read() == 'hello'
    text.close()


def test_open_writes(accessor, root):
    data = accessor.open('dir/new.bin', 'wb')
    data.write(b'\x00\x01')
    data.close()
    with open(os.path.join(root, 'dir', 'new.bin'), 'rb') as handle:
        assert handle.read() == b'\x00\x01'


@pytest.mark.parametrize('identifier, mode, error', [
    ('nope.txt', 'rb', exception.AccessorResourceNotFoundError),
    ('nodir/x.txt', 'wb', exception.AccessorResourceNotFoundError),
    ('dir', 'rb', exception.AccessorResourceInvalidError),
])
def test_open_errors(accessor, identifier, mode, error):
    with pytest.raises(error) as caught:
        accessor.open(identifier, mode)
    assert caught.value.details == {
        'operation': 'open', 'resource_identifier': identifier
    }
    assert isinstance(caught.value.__context__, OSError)


def test_open_without_prefix(bare, root):
    data = bare.open(root + '/dir/file.txt')
    assert data.read() == b'hello'
    data.close()


# -- remove -------------------------------------------------------------------

def test_remove_file_and_empty_directory(accessor, root):
    accessor.remove('dir/file.txt')
    assert not os.path.exists(os.path.join(root, 'dir', 'file.txt'))
    accessor.remove_container('dir/sub')
    assert not os.path.exists(os.path.join(root, 'dir', 'sub'))
    accessor.remove('dir')
    assert os.listdir(root) == []


def test_remove_missing(accessor):
    with pytest.raises(exception.AccessorResourceNotFoundError) as caught:
        accessor.remove('nope')
    assert str(caught.value) == "Resource not found: b'nope'"
    assert caught.value.details == {
        'operation': '', 'resource_identifier': 'nope'
    }


@pytest.mark.parametrize('method', ['remove', 'remove_container'])
def test_remove_non_empty_directory(accessor, root, method):
    with pytest.raises(exception.AccessorContainerNotEmptyError) as caught:
        getattr(accessor, method)('dir')
    assert caught.value.details == {
        'operation': 'remove', 'resource_identifier': 'dir'
    }
    assert os.path.isdir(os.path.join(root, 'dir', 'sub'))


def test_remove_permission_denied(accessor, monkeypatch):
    # Permissions cannot be denied to root, which runs these tests: have
    # the operating system call fail as it would.
    def refuse(path):
        raise PermissionError(errno.EPERM, 'Operation not permitted', path)

    monkeypatch.setattr(os, 'remove', refuse)
    with pytest.raises(exception.AccessorPermissionDeniedError) as caught:
        accessor.remove('dir/file.txt')
    assert str(caught.value) == (
        "Cannot b'remove' b'dir/file.txt'. Permission denied."
    )


# -- make_container -----------------------------------------------------------

def test_make_container_recursive(accessor, root):
    accessor.make_container('a/b/c')
    assert os.path.isdir(os.path.join(root, 'a', 'b', 'c'))
    accessor.make_container('a/b/c')  # already there: fine


def test_make_container_non_recursive(accessor, root):
    accessor.make_container('dir/new', recursive=False)
    assert os.path.isdir(os.path.join(root, 'dir', 'new'))
    accessor.make_container('dir', recursive=False)


def test_make_container_non_recursive_needs_the_parent(accessor, root):
    with pytest.raises(
        exception.AccessorParentResourceNotFoundError
    ) as caught:
        accessor.make_container('x/y/z', recursive=False)
    assert str(caught.value) == "Parent resource is missing: b'x/y/z'"
    assert caught.value.details['operation'] == ''
    assert not os.path.exists(os.path.join(root, 'x'))


@pytest.mark.parametrize('recursive', [True, False])
def test_make_container_where_a_file_is(accessor, root, recursive):
    # Something already exists there, so nothing is done.
    accessor.make_container('dir/file.txt', recursive=recursive)
    assert os.path.isfile(os.path.join(root, 'dir', 'file.txt'))


@pytest.mark.parametrize('recursive', [True, False])
def test_make_container_below_a_file(accessor, recursive):
    with pytest.raises(exception.AccessorResourceInvalidError) as caught:
        accessor.make_container('dir/file.txt/x', recursive=recursive)
    assert caught.value.details == {
        'operation': 'makeContainer', 'resource_identifier': 'dir/file.txt/x'
    }


# -- get_container ------------------------------------------------------------

@pytest.mark.parametrize('identifier, container', [
    ('test/a', 'test'), ('test', ''), ('a/b/c/', 'a/b'), ('a/../b', ''),
])
def test_get_container_with_prefix(accessor, identifier, container):
    assert accessor.get_container(identifier) == container


def test_get_container_of_absolute_path_inside_prefix(accessor, root):
    assert accessor.get_container(root + '/x') == ''
    assert accessor.get_container(root + '/dir/x') == 'dir'


@pytest.mark.parametrize('identifier', ['', '.', 'ROOT'])
def test_container_of_the_prefix_is_outside(accessor, root, identifier):
    identifier = identifier.replace('ROOT', root)
    with pytest.raises(
        exception.AccessorParentResourceNotFoundError
    ) as caught:
        accessor.get_container(identifier)
    assert str(caught.value) == (
        "Could not determine container for b'{0}' as container falls "
        "outside of configured prefix.".format(identifier)
    )


def test_get_container_with_root_prefix():
    accessor = DiskAccessor('/')
    assert accessor.get_filesystem_path('') == '/'
    assert accessor.get_container('a/b') == 'a'
    assert accessor.get_container('a') == ''


@pytest.mark.parametrize('identifier, container', [
    ('/test/a', '/test'), ('/test', '/'), ('/', '/'), ('', ''), ('rel', ''),
    ('rel/x', 'rel'), ('/a/b/', '/a'),
])
def test_get_container_without_prefix(bare, identifier, container):
    assert bare.get_container(identifier) == container


# -- error_handler ------------------------------------------------------------

def raise_inside(error, **kw):
    with error_handler(**kw):
        raise error


@pytest.mark.parametrize('code, error_class', [
    (errno.ENOENT, exception.AccessorResourceNotFoundError),
    (errno.EPERM, exception.AccessorPermissionDeniedError),
    (errno.ENOTEMPTY, exception.AccessorContainerNotEmptyError),
    (errno.ENOTDIR, exception.AccessorResourceInvalidError),
    (errno.EISDIR, exception.AccessorResourceInvalidError),
    (errno.EINVAL, exception.AccessorResourceInvalidError),
    (errno.EACCES, exception.AccessorOperationFailedError),
    (errno.EEXIST, exception.AccessorOperationFailedError),
    (errno.EIO, exception.AccessorOperationFailedError),
    (None, exception.AccessorOperationFailedError),
])
def test_error_handler_maps_os_errors(code, error_class):
    original = OSError(code, 'boom')
    with pytest.raises(error_class) as caught:
        raise_inside(original, operation='op', resource_identifier='ri')
    assert type(caught.value) is error_class
    assert caught.value.details['operation'] == 'op'
    assert caught.value.details['resource_identifier'] == 'ri'
    assert caught.value.__context__ is original


def test_error_handler_passes_the_original_error_on():
    original = OSError(errno.EACCES, 'boom')
    with pytest.raises(exception.AccessorOperationFailedError) as caught:
        raise_inside(original, operation='op', resource_identifier='ri')
    assert caught.value.details['error'] is original
    assert str(caught.value) == "Operation b'op' failed: [Errno 13] boom"


def test_error_handler_without_arguments():
    with pytest.raises(exception.AccessorResourceNotFoundError) as caught:
        raise_inside(OSError(errno.ENOENT, 'gone'))
    assert caught.value.details == {
        'operation': '', 'resource_identifier': None
    }


@pytest.mark.parametrize('error', [ValueError('v'), KeyError('k')])
def test_error_handler_lets_other_errors_through(error):
    with pytest.raises(type(error)):
        raise_inside(error, operation='op')


def test_error_handler_takes_keywords_only():
    with pytest.raises(TypeError):
        error_handler('op')
    with pytest.raises(TypeError):
        raise_inside(OSError(errno.ENOENT, 'x'), operation='op', foo=1)


def test_error_handler_is_silent_without_errors():
    with error_handler(operation='op', resource_identifier='ri'):
        value = 5
    assert value == 5
