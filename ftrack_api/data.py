"""File-like wrappers that accessors hand out and consume.

Accessors read and write through these small objects so that local files,
temporary buffers and remote streams share one interface.
"""

import abc
import os
import tempfile


class Data(metaclass=abc.ABCMeta):
    """The interface every data object offers.

    Only :meth:`read` and :meth:`write` are required; seeking and telling
    are optional abilities and raise :class:`NotImplementedError` here.
    """

    def __init__(self):
        self.closed = False

    @abc.abstractmethod
    def read(self, limit=None):
        """Return up to *limit* bytes, or everything left when None."""

    @abc.abstractmethod
    def write(self, content):
        """Write *content* at the current position."""

    def close(self):
        """Flush and mark the data closed."""
        self.flush()
        self.closed = True

    def flush(self):
        """Push buffered writes through; nothing is buffered here."""

    def seek(self, offset, whence=os.SEEK_SET):
        """Move the current position (unsupported unless overridden)."""
        raise NotImplementedError('Seek not supported.')

    def tell(self):
        """Return the current position (unsupported unless overridden)."""
        raise NotImplementedError('Tell not supported.')


class FileWrapper(Data):
    """Present an open file object through the :class:`Data` interface."""

    def __init__(self, wrapped_file):
        super().__init__()
        self.wrapped_file = wrapped_file
        # Files opened for update must be re-positioned between a read and
        # a following write; remember whether that is needed.
        self._read_since_last_write = False

    def read(self, limit=None):
        """Return up to *limit* items from the file, or the rest when None."""
        if limit is None:
            limit = -1
        content = self.wrapped_file.read(limit)
        self._read_since_last_write = True
        return content

    def write(self, content):
        """Write *content* where the last read or write left off."""
        wrapped_file = self.wrapped_file
        if self._read_since_last_write:
            wrapped_file.seek(wrapped_file.tell(), os.SEEK_SET)
        wrapped_file.write(content)
        self._read_since_last_write = False

    def close(self):
        """Flush and close the wrapped file; later calls do nothing."""
        if not self.closed:
            super().close()
            self.wrapped_file.close()

    def tell(self):
        """Return the wrapped file's position."""
        return self.wrapped_file.tell()

    def seek(self, offset, whence=os.SEEK_SET):
        """Move the wrapped file's position."""
        self.wrapped_file.seek(offset, whence)

    def flush(self):
        """Flush the wrapped file."""
        self.wrapped_file.flush()


class File(FileWrapper):
    """Data read from (or written to) a file on disk."""

    def __init__(self, path, mode='rb'):
        super().__init__(open(path, mode))


class String(FileWrapper):
    """In-memory data that reads back as it was written.

    Bytes in give bytes out. Once any text (:class:`str`) has been written
    (or given as initial *content*) the data is treated as UTF-8 text and
    reads return :class:`str`. The content lives in an anonymous temporary
    file, so large payloads need not fit in memory.
    """

    def __init__(self, content=None):
        self.is_binary = True
        super().__init__(tempfile.TemporaryFile())
        if content is not None:
            self.write(content)
            self.wrapped_file.seek(0, os.SEEK_SET)

    def write(self, content):
        """Write bytes, or text encoded as UTF-8."""
        if not isinstance(content, bytes):
            if not isinstance(content, str):
                # The reference fails here with AttributeError too.
                raise AttributeError(
                    'String data accepts str or bytes, not {0}.'.format(
                        type(content).__name__
                    )
                )
            self.is_binary = False
            content = content.encode('utf-8')
        super().write(content)

    def read(self, limit=None):
        """Return up to *limit* bytes, decoded when the data is text."""
        content = super().read(limit)
        if not self.is_binary:
            content = content.decode('utf-8')
        return content
