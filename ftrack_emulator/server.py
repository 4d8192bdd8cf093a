"""Run an emulator inside a Python process.

::

    import ftrack_api
    import ftrack_emulator

    with ftrack_emulator.Emulator() as server:
        session = ftrack_api.Session(
            server_url=server.url, api_user=server.api_user,
            api_key=server.api_key,
        )

The server runs in a background thread with its own event loop, on a free
port unless one is given. The keyword arguments mean what the fields of
:class:`ftrack_emulator.config.Config` with the same names mean; short
``event_heartbeat_interval`` and ``event_heartbeat_timeout`` values help to
test how a client copes with an event server that stops answering. Without
a ``database`` it uses a temporary SQLite file and without ``storage`` a
temporary directory; both are removed by :meth:`Emulator.stop`. A database
or directory that was given is kept.
"""

import asyncio
import logging
import os
import shutil
import tempfile
import threading

from ftrack_emulator import config as config_module

logger = logging.getLogger(__name__)

#: Seconds to wait for the server to start or stop.
START_TIMEOUT = 60.0


class Emulator:
    """A running ftrack emulator (see the module documentation)."""

    def __init__(self, host=config_module.DEFAULT_HOST, port=0, database=None,
                 storage=None, api_user=config_module.DEFAULT_API_USER,
                 api_key=config_module.DEFAULT_API_KEY, demo=False,
                 event_heartbeat_interval=(
                     config_module.DEFAULT_EVENT_HEARTBEAT_INTERVAL),
                 event_heartbeat_timeout=(
                     config_module.DEFAULT_EVENT_HEARTBEAT_TIMEOUT)):
        self._config = config_module.Config(
            host=host, port=port, database=database, storage=storage,
            api_user=api_user, api_key=api_key, demo=demo,
            event_heartbeat_interval=event_heartbeat_interval,
            event_heartbeat_timeout=event_heartbeat_timeout,
        )
        self._given_database = database
        self._given_storage = storage
        self._temporary = None
        self._backend = None
        self._thread = None
        self._loop = None
        self._runner = None
        self._port = None
        self._stopped = None

    # Properties ---------------------------------------------------------

    @property
    def url(self):
        """The server URL to give clients, e.g. ``http://127.0.0.1:51234``."""
        self._require_running()
        return 'http://{0}:{1}'.format(_url_host(self._config.host),
                                       self._port)

    @property
    def host(self):
        return self._config.host

    @property
    def port(self):
        """The port the server listens on (known once started)."""
        return self._port

    @property
    def api_user(self):
        return self._config.api_user

    @property
    def api_key(self):
        return self._config.api_key

    @property
    def database_url(self):
        """The SQLAlchemy URL of the database in use."""
        return self._config.database

    @property
    def storage(self):
        """The directory holding the server location's files."""
        return self._config.storage

    @property
    def backend(self):
        """The :class:`~ftrack_emulator.api.backend.Backend` serving
        requests (for tests and tools that need direct access)."""
        self._require_running()
        return self._backend

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()

    # Lifecycle ----------------------------------------------------------

    def start(self):
        """Start serving; return self. Starting twice is an error."""
        if self._thread is not None:
            raise RuntimeError('The emulator is already running.')
        self._prepare_paths()
        from ftrack_emulator.api.backend import Backend

        try:
            self._backend = Backend(self._config)
            self._backend.open()
        except BaseException:
            self._release()
            raise
        ready = threading.Event()
        failure = []
        self._thread = threading.Thread(
            target=self._serve, args=(ready, failure),
            name='ftrack-emulator', daemon=True,
        )
        self._thread.start()
        if not ready.wait(START_TIMEOUT):
            failure.append(RuntimeError('The emulator did not start in time.'))
        if failure:
            self._thread.join(START_TIMEOUT)
            self._thread = None
            self._release()
            raise failure[0]
        logger.info('Emulator listening on %s', self.url)
        return self

    def stop(self):
        """Stop serving and remove temporary files. Safe to call twice."""
        thread = self._thread
        if thread is not None:
            loop = self._loop
            if loop is not None and self._stopped is not None:
                loop.call_soon_threadsafe(self._stopped.set)
            thread.join(START_TIMEOUT)
            self._thread = None
        self._release()

    def reset(self):
        """Replace all data with a freshly seeded database and empty the
        file storage (the API user and key stay, and so do event hub
        connections; see :meth:`ftrack_emulator.api.backend.Backend.reset`).
        """
        self._require_running()
        self._backend.reset()

    def outbox(self):
        """Return the invitations the server would have mailed."""
        self._require_running()
        return self._backend.outbox()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def __repr__(self):
        state = self.url if self.running else 'stopped'
        return '<Emulator {0}>'.format(state)

    # Internals ----------------------------------------------------------

    def _require_running(self):
        if self._thread is None:
            raise RuntimeError('The emulator is not running; call start().')

    def _prepare_paths(self):
        config = self._config
        if self._given_database is None or self._given_storage is None:
            self._temporary = tempfile.mkdtemp(prefix='ftrack-emulator-')
        if self._given_database is None:
            config.database = 'sqlite:///' + os.path.join(
                self._temporary, 'ftrack.sqlite'
            )
        if self._given_storage is None:
            config.storage = os.path.join(self._temporary, 'storage')
        os.makedirs(config.storage, exist_ok=True)

    def _release(self):
        if self._backend is not None:
            self._backend.close()
            self._backend = None
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None
        if self._given_database is None:
            self._config.database = None
        if self._given_storage is None:
            self._config.storage = None

    def _serve(self, ready, failure):
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(ready, failure))
        except BaseException as error:  # reported to start()
            if not ready.is_set():
                failure.append(error)
                ready.set()
            else:
                logger.exception('The emulator stopped unexpectedly.')
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._loop = None

    async def _main(self, ready, failure):
        from aiohttp import web

        from ftrack_emulator.app import create_app

        self._stopped = asyncio.Event()
        app = create_app(self._backend)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._config.host, self._config.port)
            await site.start()
            self._port = _bound_port(runner, self._config.port)
            ready.set()
            await self._stopped.wait()
        finally:
            await runner.cleanup()


def _bound_port(runner, requested):
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return address[1]
    return requested


def _url_host(host):
    if host in ('0.0.0.0', ''):
        return '127.0.0.1'
    if host == '::':
        return '[::1]'
    if ':' in host and not host.startswith('['):
        return '[{0}]'.format(host)
    return host
