"""The event hub: subscribers, local delivery and (later) the event server.

Local delivery is complete: subscribing, matching subscriptions and
targets, priorities, synchronous publishing and replies. The connection to
the server's socket.io event endpoint is not implemented yet; the methods
that need it raise :exc:`~ftrack_api.exception.EventHubConnectionError`.
"""

from __future__ import absolute_import

import collections
import collections.abc
import contextlib
import logging
import platform
import threading
import urllib.parse
import uuid

import ftrack_api.event.base
import ftrack_api.event.expression
import ftrack_api.event.subscriber
import ftrack_api.exception

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

_NOT_IMPLEMENTED = (
    'Connecting to the event server is not implemented yet: only '
    'synchronous (local) events are available.'
)


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

        self._subscribers = []
        self._subscribers_lock = threading.RLock()
        self._connection_initialised = False
        self._connected = False
        self._event_queue = []
        self._reply_callbacks = {}
        self._expression_parser = ftrack_api.event.expression.Parser()

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
        return self._connected

    # Connection (not implemented yet).

    def init_connection(self):
        """Mark a connection as being made: asynchronous events published
        from now on are queued until it is open."""
        self._connection_initialised = True

    def connect(self):
        """Connect to the event server."""
        if self._connected:
            raise ftrack_api.exception.EventHubConnectionError(
                'Already connected.'
            )
        raise ftrack_api.exception.EventHubConnectionError(_NOT_IMPLEMENTED)

    def disconnect(self, unsubscribe=True, reconnect=False):
        """Disconnect from the event server."""
        if not self._connected:
            raise ftrack_api.exception.EventHubConnectionError(
                'Not currently connected.'
            )
        raise ftrack_api.exception.EventHubConnectionError(_NOT_IMPLEMENTED)

    def reconnect(self, attempts=10, delay=5):
        """Reconnect to the event server."""
        raise ftrack_api.exception.EventHubConnectionError(_NOT_IMPLEMENTED)

    def wait(self, duration=None):
        """Handle events from the server for *duration* seconds."""
        if not self._connection_initialised:
            raise ftrack_api.exception.EventHubConnectionError(
                _NOT_CONNECTED_HELP
            )
        raise ftrack_api.exception.EventHubConnectionError(_NOT_IMPLEMENTED)

    # Subscribers.

    def subscribe(self, subscription, callback, subscriber=None, priority=100):
        """Call *callback* with each event matching *subscription*.

        *subscriber* is metadata describing the subscriber (an ``id`` is
        added when missing; events can target it). Lower *priority* numbers
        are called first. Return the subscriber's id.
        """
        subscriber = self._add_subscriber(
            subscription, callback, subscriber, priority
        )
        return subscriber.metadata['id']

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
            # Keep subscribers sorted by priority, oldest first among equals.
            position = len(self._subscribers)
            for index, existing in enumerate(self._subscribers):
                if existing.priority > priority:
                    position = index
                    break
            self._subscribers.insert(position, entry)
        return entry

    def unsubscribe(self, subscriber_identifier):
        """Remove the subscriber with *subscriber_identifier*."""
        with self._subscribers_lock:
            subscriber = self.get_subscriber_by_identifier(
                subscriber_identifier
            )
            if subscriber is None:
                raise ftrack_api.exception.NotFoundError(
                    'Cannot unsubscribe missing subscriber with identifier '
                    '{0}'.format(subscriber_identifier)
                )
            self._subscribers.remove(subscriber)

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
        results is returned. Other events go through the event server, which
        needs a connection (see :meth:`connect`); with *on_error* set to
        ``'ignore'`` a failure to publish is logged instead of raised.
        *on_reply* is called with each reply event.
        """
        try:
            self._prepare_event(event)
            if synchronous:
                return self._handle(event, synchronous=True)

            if on_reply is not None:
                self._reply_callbacks[event['id']] = on_reply

            if self._connected:
                raise ftrack_api.exception.EventHubConnectionError(
                    _NOT_IMPLEMENTED
                )
            if self._connection_initialised:
                self._event_queue.append(event)
                return True
            raise ftrack_api.exception.EventHubConnectionError(
                'Cannot publish event asynchronously as not connected to '
                'server.'
            )
        except Exception:
            if on_error == 'ignore':
                self.logger.debug('Ignored error publishing %s.', event)
                return None
            raise

    def publish_reply(self, source_event, data, source=None):
        """Publish *data* as a reply to *source_event*."""
        reply = ftrack_api.event.base.Event(
            topic='ftrack.meta.reply',
            data=data,
            target='id={0}'.format(source_event['source']['id']),
            in_reply_to_event=source_event['id'],
        )
        if source is not None:
            reply['source'] = source
        self.publish(reply)

    def _targets(self, event, subscriber):
        """Whether *event*'s target selects *subscriber*."""
        target = event.get('target')
        if not target:
            return True
        expression = self._expression_parser.parse(target)
        return expression.match(subscriber.metadata)

    def _handle(self, event, synchronous=False):
        """Deliver *event* to local subscribers; return their results.

        Subscribers are called by priority until one stops the event. A
        failing callback is logged and contributes no result. Without
        *synchronous*, a callback's non-None result is sent as a reply.
        """
        target = event.get('target')
        if target:
            try:
                self._expression_parser.parse(target)
            except ftrack_api.exception.ParseError:
                self.logger.warning(
                    'Dropping event with invalid target %r.', target
                )
                return None

        if event.get('topic') == 'ftrack.meta.reply':
            on_reply = self._reply_callbacks.get(
                event.get('in_reply_to_event')
            )
            if on_reply is not None:
                try:
                    on_reply(event)
                except Exception:
                    self.logger.exception('Error in reply callback.')

        results = []
        with self._subscribers_lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            if event.is_stopped():
                break
            if not subscriber.interested_in(event):
                continue
            if not self._targets(event, subscriber):
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
