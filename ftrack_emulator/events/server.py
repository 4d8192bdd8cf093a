"""The event server: socket.io 0.9 over websockets, as ftrack serves it.

:func:`setup` adds the two endpoints to an :mod:`aiohttp` application:

``GET /socket.io/1/``
    The handshake. Authenticated like ``/api`` (``ftrack-user`` and
    ``ftrack-api-key`` headers from Python, ``api_user`` and ``api_key``
    query parameters from JavaScript); answers
    ``<sid>:<heartbeat timeout>:<close timeout>:websocket,xhr-polling``.
``GET /socket.io/1/websocket/<sid>``
    The websocket of a session id handed out moments ago.

Events published by clients are routed by :class:`~.router.Router`;
``ftrack.meta.subscribe`` and ``ftrack.meta.unsubscribe`` are consumed here.
The server sends ``2::`` heartbeats and disconnects clients that stop
answering them.
"""

import asyncio
import inspect
import logging
import math
import uuid

from aiohttp import WSMsgType, web

from . import protocol
from .router import Router
from .sessions import DEFAULT_QUEUE_LIMIT, Connection, Handshakes

logger = logging.getLogger(__name__)

#: Seconds between two heartbeats; the JavaScript client gives up after 15.
DEFAULT_HEARTBEAT_INTERVAL = 10.0

#: Seconds of silence after which a client is considered gone. The Python
#: client answers every heartbeat, so a live client is never silent longer
#: than one interval.
DEFAULT_HEARTBEAT_TIMEOUT = 60.0

#: Seconds a handshake's session id stays valid for opening the websocket.
DEFAULT_CLOSE_TIMEOUT = 60.0

#: Largest frame accepted from a client, in bytes (larger ones end the
#: connection; events carry data, but not files).
MAX_FRAME_SIZE = 32 * 1024 * 1024

#: Transports announced by the handshake (clients need ``websocket``).
TRANSPORTS = 'websocket,xhr-polling'

#: ``source.applicationId`` of the events the server publishes itself.
SERVER_APPLICATION_ID = 'ftrack.emulator'

SUBSCRIBE_TOPIC = 'ftrack.meta.subscribe'
UNSUBSCRIBE_TOPIC = 'ftrack.meta.unsubscribe'

_SUCCESS = {'success': True}


class EventServer:
    """Sessions, subscriptions and routing of one emulator.

    *authenticate* is called as ``authenticate(username, api_key)`` and
    returns (or resolves to) True for valid credentials; it is the same
    check ``/api`` applies, injected so the event server does not depend on
    the database.
    """

    def __init__(self, authenticate, heartbeat_interval=DEFAULT_HEARTBEAT_INTERVAL,
                 heartbeat_timeout=DEFAULT_HEARTBEAT_TIMEOUT,
                 close_timeout=DEFAULT_CLOSE_TIMEOUT, parse=None,
                 queue_limit=DEFAULT_QUEUE_LIMIT):
        if heartbeat_interval <= 0:
            raise ValueError('heartbeat_interval must be positive, got '
                             '{0!r}.'.format(heartbeat_interval))
        if heartbeat_timeout <= heartbeat_interval:
            raise ValueError(
                'heartbeat_timeout ({0!r}) must exceed heartbeat_interval '
                '({1!r}).'.format(heartbeat_timeout, heartbeat_interval)
            )
        self.authenticate = authenticate
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_timeout = heartbeat_timeout
        self.close_timeout = close_timeout
        self.queue_limit = queue_limit
        #: Source id of the events the server publishes itself.
        self.id = uuid.uuid4().hex
        self.router = Router(parse=parse)
        self.handshakes = Handshakes(ttl=close_timeout)
        #: Live connections by session id.
        self.connections = {}
        self._loop = None
        self._heartbeat_task = None

    # Lifecycle -------------------------------------------------------------

    def _attach(self):
        """Remember the loop serving us and start the heartbeat task."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._heartbeat_task = None
        if self._heartbeat_task is None or self._heartbeat_task.done():
            self._heartbeat_task = loop.create_task(self._heartbeat())

    async def on_startup(self, app):
        self._attach()

    async def on_shutdown(self, app):
        """Disconnect every client so that the server can stop promptly.

        Clients get ``0::`` first, which makes them reconnect: an emulator
        restarted on the same port gets its clients back.
        """
        connections = list(self.connections.values())
        for connection in connections:
            connection.close(farewell=protocol.DISCONNECT_FRAME)
        for connection in connections:
            await connection.finish()

    async def on_cleanup(self, app):
        task, self._heartbeat_task = self._heartbeat_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _heartbeat(self):
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            for connection in list(self.connections.values()):
                if connection.idle_for() > self.heartbeat_timeout:
                    logger.info(
                        '%r did not answer heartbeats for %.1f seconds; '
                        'disconnecting it.', connection, connection.idle_for(),
                    )
                    connection.close(farewell=protocol.DISCONNECT_FRAME)
                else:
                    connection.send(protocol.HEARTBEAT_FRAME)

    # HTTP handlers ---------------------------------------------------------

    async def handle_handshake(self, request):
        """Authenticate a client and hand it a session id."""
        self._attach()
        username = (request.headers.get('ftrack-user')
                    or request.query.get('api_user'))
        api_key = (request.headers.get('ftrack-api-key')
                   or request.query.get('api_key'))
        if not username or not api_key:
            return self._refuse(request, 401, 'Missing API user or API key.')
        try:
            valid = self.authenticate(username, api_key)
            if inspect.isawaitable(valid):
                valid = await valid
        except Exception:
            logger.exception('Authenticating %r for the event server failed.',
                             username)
            return self._refuse(request, 500, 'Could not authenticate.')
        if not valid:
            logger.info('Event server handshake refused for %r: invalid '
                        'credentials.', username)
            return self._refuse(request, 401, 'Invalid API user or API key.')
        sid = self.handshakes.issue(username)
        body = '{0}:{1}:{2}:{3}'.format(
            sid, _whole_seconds(self.heartbeat_timeout),
            _whole_seconds(self.close_timeout), TRANSPORTS,
        )
        return web.Response(text=body, headers=_cors_headers(request))

    def _refuse(self, request, status, message):
        return web.Response(status=status, text=message,
                            headers=_cors_headers(request))

    async def handle_websocket(self, request):
        """Serve one client's websocket until it closes or goes silent."""
        self._attach()
        sid = request.match_info['sid']
        username = self.handshakes.claim(sid)
        if username is None:
            logger.info('Websocket refused: unknown or expired session %r.',
                        sid)
            return web.Response(
                status=403,
                text='Unknown or expired session id; handshake first.',
            )
        close_wait = min(self.close_timeout, 5.0)
        websocket = web.WebSocketResponse(
            compress=False, timeout=close_wait, autoping=True,
            max_msg_size=MAX_FRAME_SIZE,
        )
        await websocket.prepare(request)
        connection = Connection(
            sid, websocket, username, queue_limit=self.queue_limit,
            on_close=self._forget, transport=request.transport,
            close_timeout=close_wait,
        )
        self.connections[sid] = connection
        connection.start()
        connection.send(protocol.CONNECT_FRAME)
        logger.debug('%r connected.', connection)
        try:
            async for message in websocket:
                if message.type == WSMsgType.TEXT:
                    self.receive(connection, message.data)
                elif message.type == WSMsgType.BINARY:
                    connection.touch()
                    logger.warning('%r sent a binary frame; ignored.',
                                   connection)
                    connection.send(protocol.error_frame(
                        'Binary frames are not supported; send text.'
                    ))
                elif message.type == WSMsgType.ERROR:
                    logger.info('%r failed: %s', connection,
                                websocket.exception())
                    break
        finally:
            connection.close()  # forgets it, if not done yet
            await connection.finish()
            logger.debug('%r disconnected.', connection)
        return websocket

    def _forget(self, connection):
        if self.connections.get(connection.sid) is connection:
            del self.connections[connection.sid]
        self.router.drop(connection)

    # Packets ---------------------------------------------------------------

    def receive(self, connection, text):
        """Handle one text frame from *connection*."""
        connection.touch()
        try:
            packet = protocol.decode(text)
        except protocol.PacketError as error:
            logger.warning('%r sent a malformed packet: %s', connection, error)
            connection.send(protocol.error_frame(str(error)))
            return
        kind = packet.type
        if kind == protocol.EVENT:
            self._receive_event(connection, packet)
        elif kind == protocol.HEARTBEAT:
            pass
        elif kind == protocol.DISCONNECT:
            logger.debug('%r asked to disconnect.', connection)
            connection.close()
        elif kind in (protocol.CONNECT, protocol.ACK, protocol.NOOP):
            pass
        elif kind == protocol.ERROR:
            logger.info('%r reported an error: %s', connection, packet.data)
        else:
            logger.warning('%r sent an unsupported packet type %d.',
                           connection, kind)
            self._reject(connection, packet,
                         'Packet type {0} is not supported; send events '
                         '(type 5).'.format(kind))

    def _receive_event(self, connection, packet):
        try:
            name, args = packet.event()
            if name != protocol.FTRACK_EVENT:
                raise protocol.EventError(
                    'Unknown event name {0!r}; expected {1!r}.'.format(
                        name, protocol.FTRACK_EVENT
                    )
                )
            if len(args) != 1:
                raise protocol.EventError(
                    'Expected one event argument, got {0}.'.format(len(args))
                )
            event = args[0]
            if isinstance(event, dict):
                topic = event.get('topic')
                if topic == SUBSCRIBE_TOPIC:
                    data = _mapping(event.get('data'), 'data')
                    subscriber = self.router.subscribe(
                        connection, data.get('subscriber'),
                        data.get('subscription'),
                    )
                    logger.debug('%r subscribed %r.', connection, subscriber)
                    self._acknowledge(connection, packet, _SUCCESS)
                    return
                if topic == UNSUBSCRIBE_TOPIC:
                    data = _mapping(event.get('data'), 'data')
                    self.router.unsubscribe(connection, data.get('subscriber'))
                    self._acknowledge(connection, packet, _SUCCESS)
                    return
            wire = protocol.normalise_event(event)
        except (ValueError, TypeError) as error:
            # PacketError, EventError and SubscriptionError are ValueErrors.
            logger.warning('%r sent an event the server rejected: %s',
                           connection, error)
            self._reject(connection, packet, str(error))
            return
        self._route(wire)
        self._acknowledge(connection, packet, _SUCCESS)

    def _acknowledge(self, connection, packet, result):
        if packet.wants_ack:
            connection.send(protocol.ack_frame(packet.id, result))

    def _reject(self, connection, packet, message):
        if packet.wants_ack:
            connection.send(protocol.ack_frame(
                packet.id, {'success': False, 'message': message}
            ))
        else:
            connection.send(protocol.error_frame(message))

    # Routing ---------------------------------------------------------------

    def _route(self, wire):
        candidate = dict(wire)
        candidate['in_reply_to_event'] = wire['inReplyToEvent']
        recipients = self.router.recipients(candidate)
        if not recipients:
            return 0
        frame = protocol.event_frame(protocol.FTRACK_EVENT, [wire])
        for connection in recipients:
            connection.send(frame)
        return len(recipients)

    def publish(self, event):
        """Route *event* (a mapping) to the subscribed clients and return
        its id.

        For events the server originates, such as ``ftrack.update``. The
        source's ``id`` and ``applicationId`` default to the server's. Safe
        to call from any thread: off the server's loop, routing is scheduled
        on it.
        """
        wire = protocol.normalise_event(event)
        source = wire['source']
        if isinstance(source, dict):
            source = dict(source)
            source.setdefault('id', self.id)
            source.setdefault('applicationId', SERVER_APPLICATION_ID)
            wire['source'] = source
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop:
            self._route(wire)
        else:
            loop.call_soon_threadsafe(self._route, wire)
        return wire['id']


def _mapping(value, name):
    if not isinstance(value, dict):
        raise protocol.EventError('Event {0} must be an object, got '
                                  '{1!r}.'.format(name, value))
    return value


def _whole_seconds(seconds):
    return max(1, int(math.ceil(seconds)))


def _cors_headers(request):
    origin = request.headers.get('Origin')
    if not origin:
        return None
    return {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
    }


#: Where :func:`setup` keeps the :class:`EventServer` of an application.
EVENT_SERVER = web.AppKey('ftrack_emulator.event_server', EventServer)


def setup(app, authenticate, **options):
    """Serve events from *app* and return its :class:`EventServer`.

    *authenticate* is ``authenticate(username, api_key) -> bool`` (or an
    awaitable of it). *options* go to :class:`EventServer`
    (``heartbeat_interval``, ``heartbeat_timeout``, ``close_timeout`` ...).
    The routes live at the root of *app*: clients ignore any path in the
    server URL when they connect to the event hub.
    """
    server = EventServer(authenticate, **options)
    app[EVENT_SERVER] = server
    app.router.add_get('/socket.io/1/', server.handle_handshake)
    app.router.add_get('/socket.io/1', server.handle_handshake)
    app.router.add_get('/socket.io/1/websocket/{sid}', server.handle_websocket)
    app.on_startup.append(server.on_startup)
    app.on_shutdown.append(server.on_shutdown)
    app.on_cleanup.append(server.on_cleanup)
    return server


def get_event_server(app):
    """Return the :class:`EventServer` :func:`setup` added to *app*."""
    return app[EVENT_SERVER]
