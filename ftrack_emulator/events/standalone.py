"""An event server on its own, running in a background thread.

Useful where the rest of the emulator is not needed: testing an event hub
client, or trying heartbeat settings. ::

    with StandaloneEventServer({'admin': 'secret'}) as events:
        hub = ftrack_api.event.hub.EventHub(events.url, 'admin', 'secret')

The full emulator serves the same endpoints next to ``/api``.
"""

import asyncio
import logging
import threading

from aiohttp import web

from .server import setup

logger = logging.getLogger(__name__)


class StandaloneEventServer:
    """Serve events on ``http://<host>:<port>`` until :meth:`stop`.

    *users* maps API user names to their API keys; *options* go to
    :class:`~ftrack_emulator.events.server.EventServer`. Port 0 picks a free
    port (see :attr:`url`).
    """

    def __init__(self, users, host='127.0.0.1', port=0, **options):
        self.users = dict(users)
        self.host = host
        self.port = port
        self.options = options
        #: The :class:`~ftrack_emulator.events.server.EventServer`.
        self.server = None
        self._loop = None
        self._thread = None
        self._runner = None
        self._ready = threading.Event()
        self._error = None

    @property
    def url(self):
        return 'http://{0}:{1}'.format(self.host, self.port)

    def _authenticate(self, username, api_key):
        expected = self.users.get(username)
        return expected is not None and expected == api_key

    def start(self):
        """Start serving; returns once the port accepts connections."""
        if self._thread is not None:
            raise RuntimeError('The event server is already running.')
        self._ready.clear()
        self._thread = threading.Thread(
            target=self._run, name='ftrack-emulator-events', daemon=True
        )
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise self._error
        return self

    def _run(self):
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

    async def _serve(self):
        app = web.Application()
        self.server = setup(app, self._authenticate, **self.options)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        logger.debug('Event server listening on %s', self.url)

    def call(self, function, *args):
        """Run ``function(*args)`` on the server's loop and return its
        result (the server's state belongs to that thread)."""
        async def invoke():
            return function(*args)

        future = asyncio.run_coroutine_threadsafe(invoke(), self._loop)
        return future.result()

    def stop(self):
        """Disconnect every client and stop serving."""
        if self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
