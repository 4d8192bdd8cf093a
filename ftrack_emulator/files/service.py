"""The file side of one emulator: storage, tokens, disk I/O and jobs.

One :class:`FileService` is made per application by
:func:`ftrack_emulator.files.setup_app`. Disk work runs on a small pool of
its own, so that neither the event loop nor the database thread waits for
the disk; database work goes through the backend's database thread like
everything else.
"""

import asyncio
import concurrent.futures
import functools
import logging
import os
import shutil
import tempfile
import urllib.parse
import weakref

from .storage import Storage
from .tokens import TokenSigner

logger = logging.getLogger(__name__)

#: Seconds an upload URL stays valid (like a presigned storage URL).
UPLOAD_URL_LIFETIME = 3600.0

#: Seconds a token-authenticated download or thumbnail URL stays valid.
READ_URL_LIFETIME = 24 * 3600.0

#: Bytes gathered from the network before they are written to disk.
WRITE_BLOCK_SIZE = 1024 * 1024

#: Most parts a multipart upload may be split into (as S3 allows).
MAX_PARTS = 10000

#: Threads doing disk work and short ffmpeg runs (thumbnails).
IO_THREADS = 2


class FileService:
    """Everything the file endpoints and actions share for one backend."""

    def __init__(self, backend, storage_root=None):
        self.backend = backend
        self._cleanup = None
        root = storage_root or getattr(backend.config, 'storage', None)
        if not root:
            root = tempfile.mkdtemp(prefix='ftrack-emulator-storage-')
            # Removed when the server stops, or at exit if it never ran.
            self._cleanup = weakref.finalize(
                self, shutil.rmtree, root, ignore_errors=True
            )
            logger.warning(
                'No storage directory configured; keeping uploads in %s '
                'until the server stops.', root,
            )
        self.storage = Storage(root)
        self.tokens = TokenSigner()
        self.upload_url_lifetime = UPLOAD_URL_LIFETIME
        self.read_url_lifetime = READ_URL_LIFETIME
        self.max_parts = MAX_PARTS
        self._io = concurrent.futures.ThreadPoolExecutor(
            max_workers=IO_THREADS, thread_name_prefix='ftrack-emulator-files'
        )
        from .encoding import EncodeJobs

        self.jobs = EncodeJobs(self)

    # Threads --------------------------------------------------------------

    async def run_io(self, function, *args, **kwargs):
        """Run blocking disk work on the file threads; await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._io, functools.partial(function, *args, **kwargs)
        )

    async def authenticate(self, username, api_key):
        """Return the user when *api_key* is theirs; raise
        AuthenticationError otherwise (on the database thread)."""
        backend = self.backend

        def check():
            with backend.database.begin() as connection:
                return backend.auth.authenticate(connection, username, api_key)

        return await backend.run(check)

    # URLs -----------------------------------------------------------------

    def upload_url(self, base_url, component_id, token, **extra):
        query = dict(extra, token=token)
        return '{0}/component/upload/{1}?{2}'.format(
            base_url, component_id, urllib.parse.urlencode(query)
        )

    def read_url(self, base_url, identifier, endpoint='get', size=None):
        """Return a token-authenticated URL serving the data of
        *identifier* (``endpoint`` ``get`` or ``thumbnail``)."""
        token = self.tokens.issue('read', self.read_url_lifetime,
                                  id=identifier)
        query = [('id', identifier)]
        if size:
            query.append(('size', str(int(size))))
        query.append(('token', token))
        return '{0}/component/{1}?{2}'.format(
            base_url, endpoint, urllib.parse.urlencode(query)
        )

    # Lifecycle ------------------------------------------------------------

    async def start(self, app=None):
        """Drop half-written files left by an earlier run, settle its
        unfinished jobs and start the encoders."""
        await self.run_io(self.storage.clear_temporary)
        from .uploads import prune_multipart_uploads

        await self.run_io(prune_multipart_uploads, self)
        await self.backend.run(self.jobs.recover)
        self.jobs.start()

    async def stop(self, app=None):
        """Stop the encoders (a running job is marked failed) and the disk
        threads."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.jobs.stop)
        self._io.shutdown(wait=True)
        if self._cleanup is not None:
            self._cleanup()

    def __repr__(self):
        return '<FileService {0}>'.format(os.path.basename(self.storage.root))
