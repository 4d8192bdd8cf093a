"""The event hub: subscribers, local delivery and the event server.

Synchronous events reach the subscribers of this hub only. Other events
travel through ftrack's event server (socket.io 0.9 over a websocket, see
``ftrack_api.event._socketio``), which sends each one back to every hub
with a matching subscription, this one included.

A background thread reads what the server sends, answers its heartbeats and
queues the events; :meth:`EventHub.wait` hands queued events to the
subscribers in the calling thread, so callbacks never run behind the back
of the code that waits. When the server goes away the same thread connects
again, with growing pauses between attempts; subscriptions are announced
again and events published in the meantime are sent once connected.
"""

# Kept: ``absolute_import`` is part of the module's public surface.
from __future__ import absolute_import

import collections
import collections.abc
import contextlib
import itertools
import logging
import platform
import queue
import threading
import time
import urllib.parse
import uuid

import ftrack_api.event.base
import ftrack_api.event.expression
import ftrack_api.event.subscriber
import ftrack_api.exception
from ftrack_api.event import _socketio

logger = logging.getLogger(__name__)

#: Where an event server is: ``scheme``, ``hostname`` and ``port``.
ServerDetails = collections.namedtuple(
    'ServerDetails', ['scheme', 'hostname', 'port']
)

#: A socket.io session: ``id``, ``heartbeatTimeout`` and
#: ``supportedTransports``.
SocketIoSession = collections.namedtuple(
    'SocketIoSession', ['id', 'heartbeatTimeout', 'supportedTransports']
)

_NOT_CONNECTED_HELP = (
    'Event hub does not have a connection to the event server and will '
    'therefore only be able to receive syncronous events.Please see '
    'http://ftrack-python-api.rtd.ftrack.com/en/stable/release/migration.html'
    '#default-behavior-for-connecting-to-event-hub for further information.'
)

_CONNECT_FAILED = (
    'Failed to connect to event server at {server_url} with error: '
    '"{error}".'
)

#: Topics of the events the hub raises locally about its connection.
_CONNECTED_TOPIC = 'ftrack.meta.connected'
_DISCONNECTED_TOPIC = 'ftrack.meta.disconnected'
_REPLY_TOPIC = 'ftrack.meta.reply'
_SUBSCRIBE_TOPIC = 'ftrack.meta.subscribe'
_UNSUBSCRIBE_TOPIC = 'ftrack.meta.unsubscribe'

#: Seconds without any frame (not even a heartbeat) after which the
#: connection is considered dead and replaced.
_DEFAULT_READ_TIMEOUT = 60

#: Seconds :meth:`EventHub.disconnect` waits for the server to confirm the
#: websocket's closing before dropping it.
_CLOSE_WAIT = 2.0

#: How many parsed event targets are remembered.
_TARGET_CACHE_SIZE = 256


class _Backoff(object):
    """When the hub tries again after losing the server.

    *attempts* connection attempts are made: the first at once, then after
    *initial_delay* seconds, doubling each time up to *max_delay*. The
    defaults keep trying for about four minutes, close to the thirty
    attempts ten seconds apart of the original client, but come back
    within a second from a short outage.
    """

    def __init__(self, attempts=30, initial_delay=0.5, max_delay=10.0):
        super().__init__()
        self.attempts = attempts
        self.initial_delay = initial_delay
        self.max_delay = max_delay

    def delays(self):
        """Return the pause before each attempt, in seconds."""
        pauses = []
        delay = self.initial_delay
        for attempt in range(self.attempts):
            if attempt == 0:
                pauses.append(0)
                continue
            pauses.append(min(delay, self.max_delay))
            delay *= 2
        return pauses


def _require_mapping(value):
    if value is None:
        return {}
    if not isinstance(value, collections.abc.Mapping):
        raise TypeError('Expected mapping, got {0!r}.'.format(value))
    return dict(value)


class EventHub(object):
    """Deliver events to subscribers, locally and through the server.

    *server_url* names the ftrack server; the event server lives at its
    scheme, host and port (any path is ignored). *headers* and *cookies*
    accompany every request made to it.
    """

    def __init__(
        self, server_url, api_user, api_key, headers=None, cookies=None
    ):
        super().__init__()
        self.logger = logging.getLogger(
            __name__ + '.' + self.__class__.__name__
        )
        self.id = uuid.uuid4().hex
        self._api_user = api_user
        self._api_key = api_key
        self._headers = _require_mapping(headers)
        self._cookies = _require_mapping(cookies)

        url = urllib.parse.urlparse(server_url)
        if not url.scheme:
            raise ValueError('Could not determine scheme from server url.')
        if not url.hostname:
            raise ValueError('Could not determine hostname from server url.')
        self.server = ServerDetails(url.scheme, url.hostname, url.port)

        # Registration order, which is also the order the server hears of
        # them; delivery goes by priority (see _by_priority).
        self._subscribers = []
        self._subscribers_by_priority = []
        self._subscribers_lock = threading.RLock()
        self._expression_parser = ftrack_api.event.expression.Parser()
        self._targets_cache = {}

        # Connection state, guarded by _state_lock. Sending also happens
        # under it, so that events leave in the order they were published.
        self._state_lock = threading.RLock()
        self._state_changed = threading.Condition(self._state_lock)
        self._connection_initialised = False
        self._transport = None
        self._reader = None
        # Bumped by disconnect(): connection attempts begun earlier give up.
        self._epoch = 0
        self._event_queue = []
        self._packet_ids = itertools.count(1)
        self._ack_callbacks = {}
        self._reply_callbacks = {}

        # Events read from the server, waiting for wait().
        self._received = queue.SimpleQueue()

        #: How the hub reconnects after losing the server (a
        #: :class:`_Backoff`; tests shorten it).
        self._auto_reconnect = _Backoff()
        #: Seconds of silence from the server before reconnecting.
        self._read_timeout = _DEFAULT_READ_TIMEOUT

    # Server address.

    def get_server_url(self):
        """Return ``scheme://host[:port]`` of the event server."""
        return '{0}://{1}'.format(
            self.server.scheme, self.get_network_location()
        )

    def get_network_location(self):
        """Return ``host[:port]`` of the event server."""
        if self.server.port:
            return '{0}:{1}'.format(self.server.hostname, self.server.port)
        return self.server.hostname

    @property
    def secure(self):
        """Whether the event server is reached over TLS."""
        return self.server.scheme == 'https'

    @property
    def connected(self):
        """Whether a connection to the event server is open."""
        return self._transport is not None

    # Connection.

    def init_connection(self):
        """Mark a connection as being made: asynchronous events published
        from now on are queued until it is open."""
        self._connection_initialised = True
        self.logger.debug('Connection initialised.')

    def connect(self):
        """Connect to the event server.

        Announces every subscriber to the server and sends the events
        queued meanwhile. Raises
        :exc:`~ftrack_api.exception.EventHubConnectionError` when already
        connected or when the server cannot be reached.
        """
        with self._state_lock:
            if self._transport is not None:
                raise ftrack_api.exception.EventHubConnectionError(
                    'Already connected.'
                )
            epoch = self._epoch
        self.init_connection()

        try:
            transport = self._open_transport()
        except Exception as error:
            raise self._connect_failed(error)
        if not self._install(transport, epoch):
            transport.abort()
            if self.connected:
                raise ftrack_api.exception.EventHubConnectionError(
                    'Already connected.'
                )
            raise self._connect_failed(
                ValueError('Cancelled by a call to disconnect().')
            )

        reader = threading.Thread(
            target=self._run, args=(transport,),
            name='ftrack-event-hub-{0}'.format(self.id[:8]), daemon=True,
        )
        self._reader = reader
        reader.start()
        self.logger.debug('Connected to event server.')

    def _connect_failed(self, error):
        """Return the error :meth:`connect` raises after *error*."""
        self.logger.debug(
            'Failed to connect to event server at %s: %s',
            self.get_server_url(), error, exc_info=True,
        )
        # The details are rendered through their UTF-8 bytes (b'...'),
        # exactly as the original client's message reads.
        return ftrack_api.exception.EventHubConnectionError(
            message=_CONNECT_FAILED,
            details={'server_url': self.get_server_url(), 'error': str(error)},
        )

    def _open_transport(self):
        """Shake hands with the event server and open its websocket."""
        headers = {
            'ftrack-user': self._api_user,
            'ftrack-api-key': self._api_key,
        }
        headers.update(self._headers)
        session = SocketIoSession(*_socketio.handshake(
            self.get_server_url(), headers, self._cookies
        ))
        if 'websocket' not in session.supportedTransports:
            raise ValueError('Server does not support websocket sessions.')
        url = '{0}://{1}/socket.io/1/websocket/{2}'.format(
            'wss' if self.secure else 'ws', self.get_network_location(),
            session.id,
        )
        return _socketio.Transport(
            url, self._headers, self._cookies,
            read_timeout=self._read_timeout,
        )

    def _install(self, transport, epoch):
        """Make *transport* the connection, announce every subscriber and
        send the queued events. Return False (changing nothing) when
        connected already or disconnected since *epoch*."""
        with self._state_lock:
            if self._epoch != epoch or self._transport is not None:
                return False
            self._transport = transport
            if self.get_subscriber_by_identifier(self.id) is None:
                self._add_subscriber(
                    'topic={0}'.format(_REPLY_TOPIC), self._handle_reply,
                    {'id': self.id}, 100,
                )
            with self._subscribers_lock:
                subscribers = list(self._subscribers)
            for subscriber in subscribers:
                self._announce(subscriber)
            queued, self._event_queue = self._event_queue, []
            for event in queued:
                self._send_event(event)
            self._state_changed.notify_all()
        return True

    def disconnect(self, unsubscribe=True, reconnect=False):
        """Disconnect from the event server.

        With *unsubscribe* every subscriber is removed (and the server told
        so). With *reconnect* asynchronous events keep being queued for a
        later connection; otherwise publishing them fails until
        :meth:`connect` is called again. Stops any reconnection under way;
        raises :exc:`~ftrack_api.exception.EventHubConnectionError` when
        not connected.
        """
        with self._state_lock:
            self._epoch += 1
            self._state_changed.notify_all()
            if not reconnect:
                self._connection_initialised = False
            transport = self._transport
            if transport is None:
                raise ftrack_api.exception.EventHubConnectionError(
                    'Not currently connected.'
                )
            if unsubscribe:
                with self._subscribers_lock:
                    subscribers = list(self._subscribers)
                for subscriber in subscribers:
                    self.unsubscribe(subscriber.metadata['id'])
            transport.closing = True
            self._transport = None
            self._ack_callbacks.clear()

        transport.close()
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(_CLOSE_WAIT)
        # Releases the socket; a reader still waiting for the server's
        # answer fails and stops.
        transport.abort()
        self.logger.debug('Disconnected from event server.')

    def reconnect(self, attempts=10, delay=5):
        """Connect again, trying *attempts* times *delay* seconds apart.

        Subscribers are kept and announced again. Raises
        :exc:`~ftrack_api.exception.EventHubConnectionError` when every
        attempt fails.
        """
        if self.connected:
            self.disconnect(unsubscribe=False, reconnect=True)
        for attempt in range(attempts):
            if attempt:
                time.sleep(delay)
            self.logger.debug('Reconnect attempt %d of %d', attempt, attempts)
            if self.connected:
                return
            try:
                self.connect()
            except ftrack_api.exception.EventHubConnectionError as error:
                self.logger.debug('Reconnect attempt failed: %s', error)
            else:
                return
        raise ftrack_api.exception.EventHubConnectionError(
            message=_socketio.literal(
                'Failed to reconnect to event server at {0} after {1} '
                'attempts.'.format(self.get_server_url(), attempts)
            )
        )

    def wait(self, duration=None):
        """Handle events from the server for *duration* seconds (forever
        when None), in this thread.

        Returns early when the connection is lost for good
        (``ftrack.meta.disconnected``). Raises
        :exc:`~ftrack_api.exception.EventHubConnectionError` when no
        connection was ever made or initialised.
        """
        if not self._connection_initialised:
            raise ftrack_api.exception.EventHubConnectionError(
                _NOT_CONNECTED_HELP
            )
        received = self._received
        deadline = None
        if duration is not None:
            deadline = time.monotonic() + duration
        while True:
            if deadline is None:
                event = received.get()
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    event = received.get(timeout=remaining)
                except queue.Empty:
                    break
            self._handle(event)
            if event['topic'] == _DISCONNECTED_TOPIC:
                break

    # The reader thread.

    def _run(self, transport):
        """Read from *transport* until it is closed on purpose; reconnect
        whenever the server goes away."""
        while transport is not None:
            if not self._read(transport) or not self._lose(transport):
                transport.abort()
                return
            transport = self._reconnect_automatically()

    def _read(self, transport):
        """Handle frames until the connection ends; return whether it
        ended unexpectedly."""
        while True:
            try:
                kind, text = transport.receive()
            except Exception as error:
                if transport.closing:
                    return False
                self.logger.debug('Connection to event server lost: %s',
                                  error)
                return True
            if kind == 'closed':
                if not transport.closing:
                    self.logger.debug('Event server closed the connection.')
                return not transport.closing
            if kind != 'text':
                self.logger.warning(
                    'Ignored a %s frame from the event server.',
                    'binary' if kind == 'binary' else 'non UTF-8 text'
                )
                continue
            try:
                if self._receive_packet(transport, text):
                    self.logger.debug('Disconnected from event server.')
                    return not transport.closing
            except ftrack_api.exception.EventHubPacketError as error:
                self.logger.warning(
                    'Ignored a packet from the event server: %s', error
                )
            except Exception:
                self.logger.exception(
                    'Error handling packet %r from the event server.', text
                )

    def _receive_packet(self, transport, text):
        """Handle one packet; return True when the server said goodbye."""
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug('Received packet: %s', text)
        packet = _socketio.parse(text)
        kind = packet.type
        if kind == _socketio.EVENT:
            self._received.put(_socketio.decode_event(
                _socketio.parse_event(packet.data)
            ))
        elif kind == _socketio.ACK:
            identifier, arguments = _socketio.parse_ack(packet.data)
            callback = self._ack_callbacks.pop(identifier, None)
            if callback is not None:
                callback(*arguments[:1])
        elif kind == _socketio.HEARTBEAT:
            transport.send(_socketio.HEARTBEAT_REPLY)
            self.logger.debug('Sent packet: %s', _socketio.HEARTBEAT_REPLY)
        elif kind == _socketio.CONNECT:
            self._received.put(self._local_event(_CONNECTED_TOPIC))
        elif kind == _socketio.DISCONNECT:
            return True
        elif kind == _socketio.ERROR:
            self.logger.error('Event server reported error: %s.', packet.data)
        elif kind in (_socketio.MESSAGE, _socketio.JSON):
            self.logger.debug('Message received: %s', packet.data)
        return False

    def _lose(self, transport):
        """Forget *transport*, which ended unexpectedly; return whether the
        hub should reconnect."""
        with self._state_lock:
            if self._transport is not transport:
                return False
            self._transport = None
            self._ack_callbacks.clear()
        transport.abort()
        self.logger.debug('Disconnected unexpectedly. Attempting to reconnect.')
        return True

    def _reconnect_automatically(self):
        """Connect again with pauses growing by :attr:`_auto_reconnect`;
        return the new transport, or None when given up (then
        ``ftrack.meta.disconnected`` is queued for :meth:`wait`)."""
        with self._state_lock:
            epoch = self._epoch
        pauses = self._auto_reconnect.delays()
        for attempt, pause in enumerate(pauses):
            with self._state_lock:
                self._state_changed.wait_for(
                    lambda: self._epoch != epoch
                    or self._transport is not None,
                    timeout=pause,
                )
                if self._epoch != epoch or self._transport is not None:
                    return None
            self.logger.debug(
                'Reconnect attempt %d of %d', attempt, len(pauses)
            )
            try:
                transport = self._open_transport()
            except Exception as error:
                self.logger.debug('Reconnect attempt failed: %s', error)
                continue
            if self._install(transport, epoch):
                self.logger.debug('Reconnected successfully.')
                return transport
            transport.abort()
            return None
        self.logger.warning(
            'Failed to reconnect to event server at %s after %d attempts.',
            self.get_server_url(), len(pauses),
        )
        self._received.put(self._local_event(_DISCONNECTED_TOPIC))
        return None

    def _local_event(self, topic):
        event = ftrack_api.event.base.Event(topic=topic)
        self._prepare_event(event)
        return event

    # Sending.

    def _send_event(self, event, on_ack=None, keep=True):
        """Send *event* over the connection (the state lock is held).

        Failures are logged, not raised. With *keep*, an event the broken
        connection could not carry is queued for the next one.
        """
        try:
            payload = _socketio.encode_event(event)
        except Exception:
            self.logger.exception('Error sending event %s.', event)
            return
        transport = self._transport
        packet_id = next(self._packet_ids)
        if on_ack is None:
            on_ack = _PublishAcknowledgement(self.logger, event)
        self._ack_callbacks[packet_id] = on_ack
        frame = _socketio.event_frame(packet_id, payload)
        try:
            transport.send(frame)
        except Exception:
            self._ack_callbacks.pop(packet_id, None)
            self.logger.error('Error sending event %s.', event, exc_info=True)
            if keep:
                self._event_queue.append(event)
            # The reader notices and reconnects.
            transport.abort()
            return
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug('Sent packet: %s', frame)

    def _announce(self, subscriber):
        """Tell the server about *subscriber* (the state lock is held)."""
        event = ftrack_api.event.base.Event(
            topic=_SUBSCRIBE_TOPIC,
            data={
                'subscriber': subscriber.metadata,
                'subscription': str(subscriber.subscription),
            },
        )
        self._prepare_event(event)
        self._send_event(
            event, on_ack=_SubscribeAcknowledgement(
                self.logger, subscriber.metadata.get('id')
            ),
            keep=False,
        )

    # Subscribers.

    def subscribe(self, subscription, callback, subscriber=None, priority=100):
        """Call *callback* with each event matching *subscription*.

        *subscriber* is metadata describing the subscriber (an ``id`` is
        added when missing; events can target it). Lower *priority* numbers
        are called first. Return the subscriber's id.
        """
        with self._state_lock:
            entry = self._add_subscriber(
                subscription, callback, subscriber, priority
            )
            if self._transport is not None:
                self._announce(entry)
            else:
                self.logger.debug(
                    'Failed to notify server about new subscriber %s as '
                    'server not currently reachable.', entry.metadata['id']
                )
        return entry.metadata['id']

    def _add_subscriber(self, subscription, callback, subscriber, priority):
        if subscriber is None:
            subscriber = {}
        subscriber.setdefault('id', uuid.uuid4().hex)

        # Parse first: an invalid subscription registers nothing.
        entry = ftrack_api.event.subscriber.Subscriber(
            subscription=subscription, callback=callback,
            metadata=subscriber, priority=priority,
        )
        with self._subscribers_lock:
            if self.get_subscriber_by_identifier(subscriber['id']) is not None:
                raise ftrack_api.exception.NotUniqueError(
                    'Subscriber with identifier {0} already exists.'.format(
                        subscriber['id']
                    )
                )
            self._subscribers.append(entry)
            self._sort_subscribers()
        return entry

    def _sort_subscribers(self):
        # sorted() is stable: equal priorities keep registration order.
        self._subscribers_by_priority = sorted(
            self._subscribers, key=lambda entry: entry.priority
        )

    def unsubscribe(self, subscriber_identifier):
        """Remove the subscriber with *subscriber_identifier* (and tell the
        server when connected)."""
        with self._state_lock:
            with self._subscribers_lock:
                subscriber = self.get_subscriber_by_identifier(
                    subscriber_identifier
                )
                if subscriber is None:
                    raise ftrack_api.exception.NotFoundError(
                        'Cannot unsubscribe missing subscriber with '
                        'identifier {0}'.format(subscriber_identifier)
                    )
                self._subscribers.remove(subscriber)
                self._sort_subscribers()
            if self._transport is not None:
                event = ftrack_api.event.base.Event(
                    topic=_UNSUBSCRIBE_TOPIC,
                    data={'subscriber': subscriber.metadata},
                )
                self._prepare_event(event)
                self._send_event(event, keep=False)

    def get_subscriber_by_identifier(self, identifier):
        """Return the subscriber with *identifier*, or None."""
        for subscriber in self._subscribers:
            if subscriber.metadata.get('id') == identifier:
                return subscriber
        return None

    @contextlib.contextmanager
    def subscription(
        self, subscription, callback, subscriber=None, priority=100
    ):
        """Subscribe for the duration of a ``with`` block."""
        identifier = self.subscribe(
            subscription, callback, subscriber=subscriber, priority=priority
        )
        try:
            yield
        finally:
            self.unsubscribe(identifier)

    # Publishing.

    def _prepare_event(self, event):
        """Fill in the source of *event* where it is missing."""
        source = event['source']
        source.setdefault('id', self.id)
        source.setdefault('user', {'username': self._api_user})
        source.setdefault('host', platform.node())

    def publish(
        self, event, synchronous=False, on_reply=None, on_error='raise'
    ):
        """Publish *event*.

        Synchronous events go to local subscribers only; the list of their
        results is returned. Other events go through the event server: they
        are sent when connected, queued (returning True) while a connection
        is being made, and otherwise refused; with *on_error* set to
        ``'ignore'`` a failure to publish is logged instead of raised.
        *on_reply* is called with each reply event.
        """
        try:
            self._prepare_event(event)
            if synchronous:
                return self._handle(event, synchronous=True)

            if on_reply is not None:
                self._reply_callbacks[event['id']] = on_reply

            with self._state_lock:
                if self._transport is not None:
                    self._send_event(event)
                    return None
                if self._connection_initialised:
                    self.logger.debug(
                        'Connection is still initialising; queued %s.', event
                    )
                    self._event_queue.append(event)
                    return True
            raise ftrack_api.exception.EventHubConnectionError(
                'Cannot publish event asynchronously as not connected to '
                'server.'
            )
        except Exception:
            if on_error == 'ignore':
                self.logger.debug('Ignored error publishing %s.', event,
                                  exc_info=True)
                return None
            raise

    def publish_reply(self, source_event, data, source=None):
        """Publish *data* as a reply to *source_event*."""
        reply = ftrack_api.event.base.Event(
            topic=_REPLY_TOPIC,
            data=data,
            target='id={0}'.format(source_event['source']['id']),
            in_reply_to_event=source_event['id'],
        )
        if source is not None:
            reply['source'] = source
        self.publish(reply)

    # Local delivery.

    def _handle_reply(self, event):
        """Pass a reply to the ``on_reply`` callback of the event it
        answers (the hub's own subscriber to replies)."""
        callback = self._reply_callbacks.get(event['in_reply_to_event'])
        if callback is not None:
            callback(event)

    def _target(self, target):
        """Return the parsed expression of event *target*."""
        expression = self._targets_cache.get(target)
        if expression is None:
            expression = self._expression_parser.parse(target)
            if len(self._targets_cache) >= _TARGET_CACHE_SIZE:
                self._targets_cache.clear()
            self._targets_cache[target] = expression
        return expression

    def _handle(self, event, synchronous=False):
        """Deliver *event* to local subscribers; return their results.

        Subscribers are called by priority until one stops the event. A
        failing callback is logged and contributes no result. Without
        *synchronous*, a callback's non-None result is sent as a reply.
        """
        target = event.get('target')
        target_expression = None
        if target:
            try:
                target_expression = self._target(target)
            except ftrack_api.exception.ParseError:
                self.logger.warning(
                    'Dropping event with invalid target %r.', target
                )
                return None

        results = []
        for subscriber in self._subscribers_by_priority:
            if event.is_stopped():
                break
            if not subscriber.interested_in(event):
                continue
            if target_expression is not None and not (
                    target_expression.match(subscriber.metadata)):
                continue
            try:
                result = subscriber.callback(event)
            except Exception:
                self.logger.exception(
                    'Error calling subscriber %s for event %s.',
                    subscriber, event
                )
                continue
            results.append(result)
            if not synchronous and result is not None:
                try:
                    self.publish_reply(
                        event, data=result, source=subscriber.metadata
                    )
                except Exception:
                    self.logger.exception('Error publishing reply.')
        return results


class _PublishAcknowledgement(object):
    """Log the server's refusal of a published event."""

    __slots__ = ('logger', 'event')

    def __init__(self, logger, event):
        self.logger = logger
        self.event = event

    def __call__(self, result=None):
        if isinstance(result, collections.abc.Mapping) and result.get(
                'success'):
            return
        message = None
        if isinstance(result, collections.abc.Mapping):
            message = result.get('message')
        self.logger.error(
            'Server responded with error while publishing event %s. '
            'Error was: %s', self.event, message
        )


class _SubscribeAcknowledgement(object):
    """Warn when the server refuses a subscriber."""

    __slots__ = ('logger', 'identifier')

    def __init__(self, logger, identifier):
        self.logger = logger
        self.identifier = identifier

    def __call__(self, result=None):
        if isinstance(result, collections.abc.Mapping) and result.get(
                'success') is False:
            self.logger.warning(
                'Server failed to subscribe subscriber %s: %s',
                self.identifier, result.get('message')
            )
