"""socket.io sessions: handshakes waiting for their websocket, and the live
connections with their outgoing queues.

A client first shakes hands over HTTP and receives a session id, then opens
the websocket naming that id (the upgrade itself carries no credentials).
Ids are single use and expire, so a websocket can only be opened by a client
that authenticated moments ago.
"""

import asyncio
import logging
import secrets
import time

from .protocol import DISCONNECT_FRAME

logger = logging.getLogger(__name__)

#: Frames waiting for a slow client before it is considered stuck and
#: disconnected (protects the server's memory, not the client's data).
DEFAULT_QUEUE_LIMIT = 50000


class Handshakes:
    """Session ids handed out by the handshake and not yet claimed."""

    def __init__(self, ttl=60.0, clock=time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._pending = {}

    def issue(self, username):
        """Return a new session id for authenticated *username*."""
        self._prune()
        sid = secrets.token_hex(16)
        self._pending[sid] = (username, self._clock())
        return sid

    def claim(self, sid):
        """Return the user of handshake *sid* and forget it, or None when
        the id is unknown, already used or expired."""
        entry = self._pending.pop(sid, None)
        if entry is None:
            return None
        username, issued = entry
        if self._clock() - issued > self.ttl:
            return None
        return username

    def _prune(self):
        now = self._clock()
        expired = [
            sid for sid, (_, issued) in self._pending.items()
            if now - issued > self.ttl
        ]
        for sid in expired:
            del self._pending[sid]

    def __len__(self):
        return len(self._pending)


class Connection:
    """One client websocket.

    Frames are queued and written by a task of their own, so routing an
    event to many connections never waits on any of them and every client
    receives its frames in the order they were routed.

    *on_close* is called with the connection as soon as it starts closing,
    so that nothing is routed to it any more. *transport* (the request's)
    is aborted when a client does not let the websocket close within
    *close_timeout* seconds.
    """

    def __init__(self, sid, websocket, username, queue_limit=DEFAULT_QUEUE_LIMIT,
                 on_close=None, transport=None, close_timeout=5.0,
                 clock=time.monotonic):
        self.sid = sid
        self.websocket = websocket
        self.username = username
        self._on_close = on_close
        self._transport = transport
        self._close_timeout = close_timeout
        self._clock = clock
        self.last_seen = clock()
        self.closed = False
        self._queue = asyncio.Queue(maxsize=queue_limit)
        self._writer = None
        self._closing = None

    def __repr__(self):
        return '<Connection {0} user={1!r}>'.format(self.sid, self.username)

    def touch(self):
        """Record that the client just sent something (it is alive)."""
        self.last_seen = self._clock()

    def idle_for(self):
        return self._clock() - self.last_seen

    def start(self):
        self._writer = asyncio.ensure_future(self._write())

    def send(self, frame):
        """Queue *frame* (text) for the client; never blocks."""
        if self.closed:
            return
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            logger.warning(
                '%r is not reading its events (%d frames waiting); '
                'disconnecting it.', self, self._queue.qsize(),
            )
            self.close(farewell=DISCONNECT_FRAME)

    async def _write(self):
        websocket = self.websocket
        queue = self._queue
        try:
            while True:
                frame = await queue.get()
                await websocket.send_str(frame)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # The peer went away mid-write; the reader notices and cleans up.
            logger.debug('Stopped writing to %r: %s', self, error)
            self.close()

    def close(self, farewell=None):
        """Stop sending and close the websocket (in the background).

        *farewell* is a last frame sent before closing. The Python client
        treats a bare close as the end (its reader thread just stops),
        whereas a ``0::`` disconnect packet makes it reconnect.
        """
        if self.closed:
            return
        self.closed = True
        if self._on_close is not None:
            self._on_close(self)
        if self._writer is not None:
            self._writer.cancel()
        self._closing = asyncio.ensure_future(self._close_websocket(farewell))

    async def _close_websocket(self, farewell):
        try:
            await asyncio.wait_for(self._say_goodbye(farewell),
                                   self._close_timeout)
        except Exception as error:
            # Includes a client too stuck to take the close handshake.
            logger.debug('Closing %r failed (%r); aborting it.', self, error)
            if self._transport is not None:
                self._transport.abort()

    async def _say_goodbye(self, farewell):
        if farewell is not None:
            await self.websocket.send_str(farewell)
        await self.websocket.close()

    async def finish(self):
        """Wait until the writer stopped and the websocket is closed."""
        tasks = [task for task in (self._writer, self._closing)
                 if task is not None]
        if self._writer is not None:
            self._writer.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
