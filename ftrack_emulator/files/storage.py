"""Where the ``ftrack.server`` location keeps component data on disk.

Everything lives under one root directory (the emulator's ``--storage``)::

    components/<id[:2]>/<id>            the data of one resource identifier
    components/<id[:2]>/<id>.meta.json  its file name, content type, MD5
    uploads/<upload id>/                parts of a multipart upload
    cache/thumbnails/<id[:2]>/<id>/     scaled thumbnails
    tmp/                                files still being written

Data only ever appears under ``components`` by an atomic rename of a
complete, verified file from ``tmp`` (same file system), so a reader sees
either the whole file or nothing. Identifiers are checked against a strict
pattern before they become part of a path, and every path is checked to lie
inside the root, so no request can reach outside the storage directory.
"""

import base64
import dataclasses
import hashlib
import json
import logging
import mimetypes
import os
import re
import shutil
import tempfile
import typing
import uuid

logger = logging.getLogger(__name__)

#: What an identifier used in a path may look like: ftrack ids are UUIDs;
#: letters, digits, ``-`` and ``_`` are allowed, dots and slashes never.
IDENTIFIER_PATTERN = re.compile(r'[A-Za-z0-9][A-Za-z0-9_-]{0,127}\Z')

#: Content type of data whose file name says nothing.
DEFAULT_CONTENT_TYPE = 'application/octet-stream'

_META_SUFFIX = '.meta.json'

#: Python's built-in table only: the same answer on every machine, whatever
#: the system's own MIME tables say.
_MIME_TYPES = mimetypes.MimeTypes(filenames=())


class InvalidIdentifierError(ValueError):
    """A resource identifier or upload id that cannot name stored data."""


def check_identifier(value, what='resource identifier'):
    """Return *value* when it may name stored data; raise
    InvalidIdentifierError saying what is wrong otherwise."""
    if not isinstance(value, str) or not value:
        raise InvalidIdentifierError(
            'A {0} is required (got {1}).'.format(what, _describe(value))
        )
    if not IDENTIFIER_PATTERN.match(value):
        raise InvalidIdentifierError(
            'Invalid {0} {1!r}: use 1 to 128 letters, digits, "-" or "_" '
            '(such as a component id).'.format(what, value[:200])
        )
    return value


def _describe(value):
    if value is None:
        return 'nothing'
    if isinstance(value, str):
        return 'an empty string'
    return 'a {0}'.format(type(value).__name__)


def guess_content_type(file_name):
    """Return the MIME type a file named *file_name* most likely has."""
    if not file_name:
        return DEFAULT_CONTENT_TYPE
    content_type, _ = _MIME_TYPES.guess_type(file_name, strict=False)
    return content_type or DEFAULT_CONTENT_TYPE


def base64_md5(digest):
    """Return the raw MD5 *digest* the way ``Content-MD5`` carries it."""
    return base64.b64encode(digest).decode('ascii')


@dataclasses.dataclass
class StoredFile:
    """Data held for one resource identifier."""

    identifier: str
    path: str
    size: int
    modified: float
    file_name: typing.Optional[str] = None
    content_type: str = DEFAULT_CONTENT_TYPE
    md5: typing.Optional[str] = None


class PendingFile:
    """A file being written in the temporary area, hashed as it grows.

    Call :meth:`commit` to move it into place or :meth:`discard` to drop
    it; discarding after a commit does nothing, so ``discard`` belongs in a
    ``finally`` clause.
    """

    def __init__(self, storage, path, handle):
        self._storage = storage
        self.path = path
        self._handle = handle
        self._md5 = hashlib.md5()
        self.size = 0
        self._done = False

    def write(self, data):
        self._handle.write(data)
        self._md5.update(data)
        self.size += len(data)

    def digest(self):
        """The raw MD5 of what was written so far."""
        return self._md5.digest()

    def close(self):
        if not self._handle.closed:
            self._handle.close()

    def commit(self, identifier, file_name=None, content_type=None):
        """Make the written bytes the data of *identifier* (replacing any)
        and return its :class:`StoredFile`."""
        self.close()
        stored = self._storage.adopt(
            self.path, identifier, file_name=file_name,
            content_type=content_type, md5=self._md5.hexdigest(),
        )
        self._done = True
        return stored

    def move_to(self, destination):
        """Move the written file to *destination* (inside the storage)."""
        self.close()
        os.replace(self.path, destination)
        self._done = True

    def discard(self):
        self.close()
        if not self._done:
            self._done = True
            _remove_quietly(self.path)


class Storage:
    """The files of one emulator's server location."""

    def __init__(self, root):
        os.makedirs(root, exist_ok=True)
        self.root = os.path.realpath(root)
        for name in ('components', 'uploads', 'tmp', 'cache'):
            os.makedirs(os.path.join(self.root, name), exist_ok=True)

    # Paths ----------------------------------------------------------------

    def _inside(self, *parts):
        """Join *parts* under the root and make sure the result stays
        there (symbolic links included)."""
        path = os.path.join(self.root, *parts)
        real = os.path.realpath(path)
        if os.path.commonpath([self.root, real]) != self.root or \
                real == self.root:
            raise InvalidIdentifierError(
                'The path {0!r} is outside the storage directory.'.format(
                    os.path.join(*parts)
                )
            )
        return path

    def data_path(self, identifier):
        """The path of the data of *identifier* (which may not exist)."""
        check_identifier(identifier)
        return self._inside('components', identifier[:2], identifier)

    def _meta_path(self, identifier):
        return self._inside(
            'components', identifier[:2], identifier + _META_SUFFIX
        )

    def upload_directory(self, upload_id):
        check_identifier(upload_id, 'upload id')
        return self._inside('uploads', upload_id)

    def cache_path(self, kind, identifier, name):
        """A path for derived data of *identifier* (e.g. a scaled
        thumbnail); *name* is chosen by the emulator, never by a client."""
        check_identifier(identifier)
        return self._inside('cache', kind, identifier[:2], identifier, name)

    @property
    def temporary_directory(self):
        return os.path.join(self.root, 'tmp')

    # Writing --------------------------------------------------------------

    def new_file(self, suffix=''):
        """Return a :class:`PendingFile` open for writing in the temporary
        area."""
        handle = tempfile.NamedTemporaryFile(
            dir=self.temporary_directory, prefix='incoming-', suffix=suffix,
            delete=False,
        )
        return PendingFile(self, handle.name, handle)

    def new_work_directory(self, prefix='work-'):
        """Return a fresh directory in the temporary area (the caller
        removes it)."""
        return tempfile.mkdtemp(prefix=prefix, dir=self.temporary_directory)

    def temporary_path(self, suffix=''):
        """Return an unused path in the temporary area."""
        return os.path.join(
            self.temporary_directory, 'tmp-{0}{1}'.format(uuid.uuid4().hex,
                                                          suffix)
        )

    def adopt(self, path, identifier, file_name=None, content_type=None,
              md5=None):
        """Move the finished file *path* (in the temporary area) into place
        as the data of *identifier* and return its :class:`StoredFile`."""
        target = self.data_path(identifier)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if md5 is None:
            md5 = file_md5(path)
        meta = {
            'file_name': file_name,
            'content_type': content_type or guess_content_type(file_name),
            'md5': md5,
        }
        meta_temporary = self.temporary_path('.json')
        with open(meta_temporary, 'w', encoding='utf-8') as handle:
            json.dump(meta, handle)
        os.replace(meta_temporary, self._meta_path(identifier))
        os.replace(path, target)
        self._drop_cache(identifier)
        logger.debug('Stored data of %s.', identifier)
        return self.stat(identifier)

    # Reading --------------------------------------------------------------

    def stat(self, identifier):
        """Return the :class:`StoredFile` of *identifier*, or None when no
        data is stored for it."""
        path = self.data_path(identifier)
        try:
            status = os.stat(path)
        except FileNotFoundError:
            return None
        meta = {}
        try:
            with open(self._meta_path(identifier), encoding='utf-8') as handle:
                meta = json.load(handle)
        except (OSError, ValueError):
            pass
        return StoredFile(
            identifier=identifier, path=path, size=status.st_size,
            modified=status.st_mtime, file_name=meta.get('file_name'),
            content_type=meta.get('content_type') or DEFAULT_CONTENT_TYPE,
            md5=meta.get('md5'),
        )

    def exists(self, identifier):
        """True when data is stored for *identifier*."""
        return os.path.exists(self.data_path(identifier))

    # Removing -------------------------------------------------------------

    def remove(self, identifier):
        """Delete the data of *identifier*; return False when there was
        none."""
        path = self.data_path(identifier)
        try:
            os.remove(path)
        except FileNotFoundError:
            return False
        _remove_quietly(self._meta_path(identifier))
        self._drop_cache(identifier)
        logger.debug('Removed data of %s.', identifier)
        return True

    def _drop_cache(self, identifier):
        cache = os.path.join(self.root, 'cache')
        for kind in os.listdir(cache):
            directory = os.path.join(cache, kind, identifier[:2], identifier)
            if os.path.isdir(directory):
                shutil.rmtree(directory, ignore_errors=True)

    def clear_temporary(self):
        """Remove whatever an earlier run left half-written."""
        directory = self.temporary_directory
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                _remove_quietly(path)


def file_md5(path, chunk_size=1024 * 1024):
    """Return the hexadecimal MD5 of the file at *path*."""
    digest = hashlib.md5()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(chunk_size), b''):
            digest.update(block)
    return digest.hexdigest()


def _remove_quietly(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        logger.warning('Could not remove %s: %s', path, error)
