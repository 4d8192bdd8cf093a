"""Access data stored in the ftrack server's own location (``ftrack.server``).

Data is addressed by component id. Downloads and removals go to the
server's ``/component/get`` and ``/component/remove`` endpoints with the
user's credentials; uploads go where ``get_upload_metadata`` says, with
the headers it gives and no credentials (the URL authorises itself).
"""

import base64
import concurrent.futures
import hashlib
import logging
import math
import os
import threading

import requests

import ftrack_api.accessor.base
import ftrack_api.data
import ftrack_api.exception

logger = logging.getLogger(__name__)

#: Bytes read at a time when hashing, uploading and downloading.
_BLOCK_SIZE = 1024 * 1024

#: Files at least this large go up in parts when the server offers it.
#: Below it one PUT is as fast (measured against the emulator, where a
#: multipart upload also pays for the server putting the parts together)
#: and is what the reference client does; above it parts keep each
#: request within storage limits and let several go up at once.
_MULTIPART_THRESHOLD = 1024 ** 3

#: Part size by file size (up to and including the first value), as the
#: ftrack web client splits uploads.
_PART_SIZES = (
    (128 * 1024 ** 2, 8 * 1024 ** 2),
    (1024 ** 3, 16 * 1024 ** 2),
    (8 * 1024 ** 3, 32 * 1024 ** 2),
    (64 * 1024 ** 3, 64 * 1024 ** 2),
)
_LARGEST_PART_SIZE = 128 * 1024 ** 2


def _part_size_for(file_size):
    """Return the part size to split a file of *file_size* bytes into."""
    for limit, size in _PART_SIZES:
        if file_size <= limit:
            return size
    return _LARGEST_PART_SIZE


class _OperationFailedResourceNotFoundError(
    ftrack_api.exception.AccessorOperationFailedError,
    ftrack_api.exception.AccessorResourceNotFoundError,
):
    """The server has no data for the resource.

    Reads and reads like the reference's operation failure, and is also a
    :exc:`~ftrack_api.exception.AccessorResourceNotFoundError`, so that
    locations can tell missing data apart (sequences hold none of their
    own and can then be removed).
    """

    default_message = (
        ftrack_api.exception.AccessorOperationFailedError.default_message
    )

    def __init__(
        self, operation='', resource_identifier=None, error=None, **kw
    ):
        # Both bases fill the details; set them once, as the operation
        # failure does.
        details = kw.pop('details', None)
        if details is None:
            details = {}
        details.update(
            operation=operation, resource_identifier=resource_identifier,
            error=error,
        )
        ftrack_api.exception.Error.__init__(self, details=details, **kw)


# Shown as the reference's class name in messages and tracebacks.
_OperationFailedResourceNotFoundError.__name__ = 'AccessorOperationFailedError'
_OperationFailedResourceNotFoundError.__qualname__ = (
    'AccessorOperationFailedError'
)


def _failure(text, response=None):
    """Return the accessor error for a failed request described by *text*."""
    if response is not None and response.status_code == 404:
        return _OperationFailedResourceNotFoundError(text)
    # As with the reference client, the text goes in the operation field.
    return ftrack_api.exception.AccessorOperationFailedError(text)


class _RangeSource(object):
    """Reads byte ranges of an open file; several threads may share it.

    Positional reads (``os.pread``) leave the file's own position alone;
    where they are unavailable, reads take turns.
    """

    def __init__(self, file_object):
        self._file = file_object
        self._lock = threading.Lock()
        self._descriptor = None
        if hasattr(os, 'pread'):
            try:
                file_object.flush()
                self._descriptor = file_object.fileno()
            except (AttributeError, OSError, ValueError):
                self._descriptor = None

    def read(self, offset, size):
        if self._descriptor is not None:
            return os.pread(self._descriptor, size, offset)
        with self._lock:
            self._file.seek(offset)
            return self._file.read(size)

    def digest(self, offset, length):
        """Return the raw MD5 digest of *length* bytes from *offset*."""
        digest = hashlib.md5()
        end = offset + length
        while offset < end:
            block = self.read(offset, min(_BLOCK_SIZE, end - offset))
            if not block:
                raise IOError('The file is shorter than expected.')
            digest.update(block)
            offset += len(block)
        return digest.digest()


class _SliceBody(object):
    """A streamed request body: one byte range of a :class:`_RangeSource`,
    handed out in blocks of :data:`_BLOCK_SIZE`.

    It has a length (so requests sends ``Content-Length``) and is iterated
    rather than read, so that large blocks go out in few calls. *on_read*
    is called with the size of every block handed out; *stop* (an event)
    aborts the body when set.
    """

    def __init__(self, source, offset, length, on_read=None, stop=None):
        self._source = source
        self._offset = offset
        self._length = length
        self._on_read = on_read
        self._stop = stop

    def __len__(self):
        return self._length

    def __iter__(self):
        position = self._offset
        remaining = self._length
        while remaining > 0:
            if self._stop is not None and self._stop.is_set():
                raise IOError('The upload was stopped.')
            block = self._source.read(position, min(_BLOCK_SIZE, remaining))
            if not block:
                raise IOError(
                    'The file ended {0} bytes early while being uploaded.'
                    .format(remaining)
                )
            position += len(block)
            remaining -= len(block)
            if self._on_read is not None:
                self._on_read(len(block))
            yield block


def _file_size(file_object):
    file_object.seek(0, os.SEEK_END)
    return file_object.tell()


class ServerFile(ftrack_api.data.String):
    """The data of one component in the server location.

    Opened for reading, the first :meth:`read` downloads the whole file
    (into a temporary file, so memory use stays flat). Opened for writing
    (*mode* ``'wb'``), what is written is uploaded on :meth:`flush` and
    :meth:`close`: the component must exist in the session (it need not be
    committed yet).

    Files of at least :attr:`multipart_threshold` bytes are uploaded in
    parts of :attr:`multipart_part_size` bytes (None: by file size) when the
    server offers multipart uploads.
    """

    #: Files at least this large are uploaded in parts (None: never).
    multipart_threshold = _MULTIPART_THRESHOLD
    #: Size of each part of a multipart upload (None: by file size).
    multipart_part_size = None
    #: Parts uploaded at the same time.
    multipart_concurrency = 4

    def __init__(self, resource_identifier, session, mode='rb'):
        self.mode = mode
        self.resource_identifier = resource_identifier
        self._session = session
        self._has_read = False
        self._meter = None
        self._local_file = None
        self._uploaded = False
        self._meter_lock = threading.Lock()
        super().__init__()

    @property
    def _timeout(self):
        return self._session.request_timeout

    def flush(self):
        """Upload what was written (in write mode)."""
        super().flush()
        if 'w' in self.mode and not self._uploaded:
            self._write()

    def write(self, content):
        """Add *content* to what will be uploaded."""
        super().write(content)
        self._uploaded = False

    def read(self, limit=None):
        """Return up to *limit* bytes (all when None), downloading the file
        on the first call."""
        if not self._has_read:
            self._read()
            self._has_read = True
        return super().read(limit)

    # Downloads.

    def _read(self):
        """Download the component's data into the temporary file."""
        self._download(self.wrapped_file)
        self.wrapped_file.seek(0)

    def _download_into(self, file_object):
        """Stream the data straight into *file_object* (used by transfers);
        return False when the data was already read."""
        if self._has_read:
            return False
        self._download(file_object)
        self._has_read = True
        return True

    def _download(self, file_object):
        url = _component_url(self._session, 'get', self.resource_identifier)
        meter = self._meter
        received = 0
        try:
            response = requests.get(url, stream=True, timeout=self._timeout)
            with response:
                response.raise_for_status()
                for block in response.iter_content(_BLOCK_SIZE):
                    file_object.write(block)
                    received += len(block)
                    if meter is not None:
                        meter.advance(len(block))
                expected = response.headers.get('Content-Length')
                encoded = response.headers.get('Content-Encoding')
                if expected is not None and not encoded and \
                        received != int(expected):
                    raise IOError(
                        'received {0} of {1} bytes'.format(received, expected)
                    )
        except requests.exceptions.HTTPError as error:
            raise _failure(
                'Failed to read data: {0}.'.format(error), error.response
            )
        except (requests.exceptions.RequestException, IOError) as error:
            raise _failure('Failed to read data: {0}.'.format(error))

    # Uploads.

    def _report_progress_to(self, meter):
        """Count the bytes this file moves over the network."""
        if 'w' in self.mode or not self._has_read:
            self._meter = meter
            return True
        return False

    def _upload_from_local_file(self, file_object):
        """Upload *file_object* (an open local file) instead of what was
        written here, without copying it first."""
        self._local_file = file_object
        self._uploaded = False

    def _discard(self):
        """Close without uploading (after a failed transfer)."""
        self._uploaded = True
        self._local_file = None
        if not self.closed:
            self.closed = True
            self.wrapped_file.close()

    def _write(self):
        """Upload the data to the server location."""
        source = self._local_file
        if source is None:
            source = self.wrapped_file
        position = source.tell()
        try:
            self._upload(source)
        finally:
            source.seek(position)
        self._uploaded = True

    def _upload(self, source):
        session = self._session
        component = session.get('FileComponent', self.resource_identifier)
        if not component:
            raise ftrack_api.exception.AccessorOperationFailedError(
                'Unable to retrieve component with id: {0}.'.format(
                    self.resource_identifier
                )
            )
        file_name = _upload_file_name(component)
        size = _file_size(source)

        part_size = self._part_size(size)
        if part_size is not None:
            metadata = session.call([{
                'action': 'get_upload_metadata',
                'component_id': component['id'],
                'file_name': file_name,
                'file_size': size,
                'parts': int(math.ceil(size / float(part_size))),
            }])[0]
            if metadata.get('urls'):
                self._put_parts(_RangeSource(source), size, part_size,
                                metadata)
                return
            logger.debug(
                'The server offered no multipart upload; uploading %s in '
                'one request.', file_name
            )

        ranges = _RangeSource(source)
        checksum = base64.b64encode(ranges.digest(0, size)).decode('ascii')
        metadata = session.get_upload_metadata(
            component_id=component['id'],
            file_name=file_name,
            file_size=size,
            checksum=checksum,
        )
        body = _SliceBody(ranges, 0, size, self._advance) if size else b''
        self._put(metadata['url'], metadata['headers'], body)

    def _part_size(self, size):
        threshold = self.multipart_threshold
        if threshold is None or size < threshold:
            return None
        part_size = self.multipart_part_size or _part_size_for(size)
        if size <= part_size:
            return None
        return part_size

    def _advance(self, byte_count):
        if self._meter is not None:
            # Parts may go up on several threads; the meter is fed one
            # count at a time.
            with self._meter_lock:
                self._meter.advance(byte_count)

    def _put(self, url, headers, body):
        """PUT *body* to *url* with exactly *headers*; return the
        response."""
        try:
            response = requests.put(
                url, data=body, headers=headers, timeout=self._timeout
            )
            response.raise_for_status()
        except requests.exceptions.HTTPError as error:
            raise _failure(
                'Failed to put file to server: {0}.'.format(error)
            )
        except requests.exceptions.RequestException as error:
            raise _failure(
                'Failed to put file to server: {0}.'.format(error)
            )
        return response

    def _put_parts(self, source, size, part_size, metadata):
        """Upload *source* (a :class:`_RangeSource`) in the parts *metadata*
        offers, :attr:`multipart_concurrency` at a time, each with its own
        checksum; then ask the server to put them together."""
        urls = sorted(metadata['urls'], key=lambda item: item['part_number'])
        stop = threading.Event()

        def put_part(index, item):
            offset = index * part_size
            length = min(part_size, size - offset)
            checksum = base64.b64encode(
                source.digest(offset, length)).decode('ascii')
            response = self._put(
                item['signed_url'], {'Content-MD5': checksum},
                _SliceBody(source, offset, length, self._advance, stop),
            )
            e_tag = response.headers.get('ETag', '').strip().strip('"')
            return {'part_number': item['part_number'], 'e_tag': e_tag}

        workers = max(1, min(self.multipart_concurrency or 1, len(urls)))
        with concurrent.futures.ThreadPoolExecutor(workers) as executor:
            futures = [executor.submit(put_part, index, item)
                       for index, item in enumerate(urls)]
            try:
                parts = [future.result() for future in futures]
            except BaseException:
                stop.set()
                for future in futures:
                    future.cancel()
                raise
        self._session.call([{
            'action': 'complete_multipart_upload',
            'upload_id': metadata['upload_id'],
            'component_id': metadata.get(
                'component_id', self.resource_identifier
            ),
            'parts': parts,
        }])


def _upload_file_name(component):
    """Return ``<name>.<file type without its dot>``, or the bare name
    when there is no file type."""
    name = component['name']
    file_type = component['file_type']
    if file_type:
        return '{0}.{1}'.format(name, file_type.lstrip('.'))
    return name


def _component_url(session, endpoint, resource_identifier, size=None):
    """Return ``<server>/component/<endpoint>?id=..&username=..&apiKey=..``.

    The values are not URL-encoded, as with the reference client.
    """
    url = '{0}/component/{1}?id={2}&username={3}&apiKey={4}'.format(
        session.server_url, endpoint, resource_identifier,
        session.api_user, session.api_key,
    )
    if size:
        url += '&size={0}'.format(size)
    return url


class _ServerAccessor(ftrack_api.accessor.base.Accessor):
    """The accessor of the ``ftrack.server`` location.

    Only what the server's file endpoints allow is supported: opening,
    removing and URLs. Listing and type checks raise
    :exc:`NotImplementedError`; containers need no creating.
    """

    def __init__(self, session, **kw):
        super().__init__(**kw)
        self._session = session
        #: Files at least this large are uploaded in parts.
        self.multipart_threshold = ServerFile.multipart_threshold
        #: Size of each part (None: by file size).
        self.multipart_part_size = ServerFile.multipart_part_size
        #: Parts uploaded at the same time.
        self.multipart_concurrency = ServerFile.multipart_concurrency

    def open(self, resource_identifier, mode='rb'):
        """Return the :class:`ServerFile` of *resource_identifier*."""
        data = ServerFile(resource_identifier, self._session, mode=mode)
        data.multipart_threshold = self.multipart_threshold
        data.multipart_part_size = self.multipart_part_size
        data.multipart_concurrency = self.multipart_concurrency
        return data

    def remove(self, resource_identifier):
        """Delete the data of *resource_identifier* from the server."""
        url = _component_url(self._session, 'remove', resource_identifier)
        try:
            response = requests.get(url, timeout=self._session.request_timeout)
            response.raise_for_status()
        except requests.exceptions.HTTPError as error:
            raise _failure(
                'Failed to remove file: {0}.'.format(error), error.response
            )
        except requests.exceptions.RequestException as error:
            raise _failure('Failed to remove file: {0}.'.format(error))

    def exists(self, resource_identifier):
        """Return False: the server cannot be asked, and a new component's
        data never exists yet."""
        return False

    def get_container(self, resource_identifier):
        """Return None: server data lives in no container."""
        return None

    def make_container(self, resource_identifier, recursive=True):
        """Do nothing: the server needs no containers."""

    def _unsupported(self, operation):
        raise NotImplementedError(
            'The ftrack server location cannot {0}.'.format(operation)
        )

    def list(self, resource_identifier):
        """Not supported by the server."""
        self._unsupported('list its contents')

    def is_file(self, resource_identifier):
        """Not supported by the server."""
        self._unsupported('tell files apart')

    def is_container(self, resource_identifier):
        """Not supported by the server."""
        self._unsupported('tell containers apart')

    def is_sequence(self, resource_identifier):
        """Not supported by the server."""
        self._unsupported('tell sequences apart')

    def get_url(self, resource_identifier):
        """Return a URL downloading the data (it carries the user's API
        key)."""
        return _component_url(self._session, 'get', resource_identifier)

    def get_thumbnail_url(self, resource_identifier, size=None):
        """Return a URL of the data as a thumbnail, scaled to *size* pixels
        when given."""
        return _component_url(
            self._session, 'thumbnail', resource_identifier, size=size
        )
