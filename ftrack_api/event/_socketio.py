"""socket.io 0.9 over a websocket, as ftrack's event server speaks it.

The event hub needs three things from the protocol: a handshake over HTTP
that hands out a session id, a websocket opened with that id, and the text
framing ``<type>:<id>:<endpoint>:<data>`` of the packets sent over it. They
live here so that :mod:`ftrack_api.event.hub` deals in packets and events,
never in string slicing or sockets.
"""

import collections
import json
import logging
import os
import socket
import threading

import requests
import websocket

import ftrack_api.event.base
import ftrack_api.exception

logger = logging.getLogger(__name__)

DISCONNECT = '0'
CONNECT = '1'
HEARTBEAT = '2'
MESSAGE = '3'
JSON = '4'
EVENT = '5'
ACK = '6'
ERROR = '7'
NOOP = '8'

#: The reply to a server heartbeat (the Python client's spelling).
HEARTBEAT_REPLY = '2:::'

#: Name of the socket.io event every ftrack event travels in.
EVENT_NAME = 'ftrack.event'

#: Seconds the handshake and each socket operation may take.
DEFAULT_TIMEOUT = 60

#: A decoded packet. ``id`` is the text of the packet id (without the
#: ``+`` asking for an acknowledgement with data), ``data`` its payload.
Packet = collections.namedtuple('Packet', ['type', 'id', 'endpoint', 'data'])


class PacketError(ftrack_api.exception.EventHubPacketError):
    """Text from the server that is not a packet the hub understands.

    Takes the finished *text* of the message: no template fields.
    """

    def __init__(self, text):
        super().__init__(message=literal(text))


def literal(text):
    """Return *text* as an error message template rendering to itself.

    :class:`ftrack_api.exception.Error` formats its message, so braces in
    server answers or library errors must be escaped.
    """
    return text.replace('{', '{{').replace('}', '}}')


def connection_error(text):
    """Return an :exc:`~ftrack_api.exception.EventHubConnectionError`
    whose message is *text* exactly."""
    return ftrack_api.exception.EventHubConnectionError(
        message=literal(text)
    )


# Framing ---------------------------------------------------------------


def parse(text):
    """Return the :class:`Packet` framed in *text*.

    One, three or four ``:``-separated parts are a packet (``2::``,
    ``5:::{...}``, ``1``); anything else raises :class:`PacketError`, as do
    unknown packet types.
    """
    parts = text.split(':', 3)
    count = len(parts)
    if count == 4:
        kind, identifier, endpoint, data = parts
    elif count == 3:
        kind, identifier, endpoint = parts
        data = ''
    elif count == 1:
        kind, identifier, endpoint, data = parts[0], '', '', ''
    else:
        raise PacketError(
            'Malformed packet {0!r}.'.format(_preview(text))
        )
    if kind not in _PACKET_TYPES:
        raise PacketError(
            'Unknown packet type {0!r} in {1!r}.'.format(
                _preview(kind), _preview(text)
            )
        )
    return Packet(kind, identifier, endpoint, data)


_PACKET_TYPES = frozenset(
    (DISCONNECT, CONNECT, HEARTBEAT, MESSAGE, JSON, EVENT, ACK, ERROR, NOOP)
)


def event_frame(packet_id, payload):
    """Return the frame publishing *payload* (encoded ``{"name", "args"}``)
    as packet *packet_id*, asking the server for an acknowledgement."""
    return '5:{0}+::{1}'.format(packet_id, payload)


def parse_ack(data):
    """Return ``(packet id, arguments)`` of an acknowledgement's *data*
    (``<id>+[<arguments>]``); raise :class:`PacketError` when malformed."""
    identifier, separator, arguments = data.partition('+')
    if not identifier.isdigit():
        raise PacketError(
            'Malformed acknowledgement {0!r}.'.format(_preview(data))
        )
    if not separator:
        return int(identifier), []
    try:
        arguments = json.loads(arguments)
    except ValueError as error:
        raise PacketError(
            'Acknowledgement {0} carries invalid JSON: {1}.'.format(
                identifier, error
            )
        )
    if not isinstance(arguments, list):
        arguments = [arguments]
    return int(identifier), arguments


def parse_event(data):
    """Return the ftrack event carried by event packet *data* as a mapping.

    Raises :class:`PacketError` for anything that is not one
    ``ftrack.event`` with a single mapping argument.
    """
    try:
        payload = json.loads(data)
    except ValueError as error:
        raise PacketError('Event packet carries invalid JSON: {0}.'.format(
            error
        ))
    if not isinstance(payload, dict):
        raise PacketError('Event packet does not carry an object.')
    name = payload.get('name')
    if name != EVENT_NAME:
        raise PacketError('Unexpected event name {0!r}.'.format(name))
    arguments = payload.get('args')
    if not isinstance(arguments, list) or not arguments or not isinstance(
            arguments[0], dict):
        raise PacketError('Event packet has no event argument.')
    return arguments[0]


# Events on the wire ------------------------------------------------------


def _wire_event(event):
    """Return *event* as it travels: ``in_reply_to_event`` is spelled
    ``inReplyToEvent`` and the key order is kept."""
    if type(event) is ftrack_api.event.base.Event:
        # The event's own dictionary, read directly: going through the
        # mapping interface costs more than the rest of the encoding.
        fields = event._data
    else:
        fields = dict(event.items())
    if 'in_reply_to_event' not in fields:
        return fields
    return {
        ('inReplyToEvent' if key == 'in_reply_to_event' else key): value
        for key, value in fields.items()
    }


def _encode_default(value):
    if isinstance(value, ftrack_api.event.base.Event):
        return _wire_event(value)
    raise TypeError('{0!r} is not JSON serializable'.format(value))


#: One encoder for every event: raw UTF-8 (as the reference writes it),
#: nested events in their wire form.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_encode_default)


def encode_event(event):
    """Return the JSON payload publishing *event* (raw UTF-8 text)."""
    return _ENCODER.encode({'name': EVENT_NAME, 'args': [_wire_event(event)]})


#: The keyword arguments :class:`ftrack_api.event.base.Event` accepts.
_EVENT_FIELDS = frozenset((
    'topic', 'id', 'data', 'sent', 'source', 'target', 'in_reply_to_event',
))


def decode_event(wire):
    """Return the :class:`~ftrack_api.event.base.Event` for *wire* (a
    mapping received from the server).

    Raises :class:`PacketError` when it has keys an event does not have or
    lacks a topic.
    """
    fields = dict(wire)
    if 'inReplyToEvent' in fields:
        fields['in_reply_to_event'] = fields.pop('inReplyToEvent')
    unknown = set(fields) - _EVENT_FIELDS
    if unknown:
        raise PacketError('Event has unknown keys {0}.'.format(
            ', '.join(sorted(repr(key) for key in unknown))
        ))
    if 'topic' not in fields:
        raise PacketError('Event has no topic.')
    return ftrack_api.event.base.Event(**fields)


# Connecting --------------------------------------------------------------


def handshake(server_url, headers, cookies, timeout=DEFAULT_TIMEOUT):
    """Ask the event server at *server_url* for a socket.io session.

    Return ``(session id, heartbeat timeout, transports)`` as the server
    sent them. Raises :exc:`~ftrack_api.exception.EventHubConnectionError`
    when the server cannot be reached or does not answer 200, and
    :exc:`ValueError` when the answer is not a handshake.
    """
    url = server_url + '/socket.io/1/'
    try:
        response = requests.get(
            url, headers=headers, cookies=cookies, timeout=timeout
        )
    except requests.exceptions.RequestException as error:
        raise connection_error(
            'Failed to connect to server: {0}.'.format(error)
        )
    if response.status_code != 200:
        raise connection_error(
            'Received unexpected status code {0}.'.format(
                response.status_code
            )
        )
    parts = response.text.split(':')
    if len(parts) < 4:
        raise ValueError('Invalid handshake response {0!r}.'.format(
            _preview(response.text)
        ))
    return parts[0], parts[1], parts[3].split(',')


class _MaskKeys:
    """Masking keys for the frames sent, cut from blocks of system
    randomness.

    websocket-client draws each frame's key from :func:`os.urandom`: a
    system call per event sent, during which the sending thread lets go of
    the GIL and then waits to get it back from the hub's reader. Drawing a
    block at a time keeps the keys as unpredictable as RFC 6455 asks for a
    fraction of the calls. The library asks for a key before taking its
    send lock, so taking one is guarded here.
    """

    _BLOCK_SIZE = 4096

    def __init__(self):
        self._lock = threading.Lock()
        self._block = b''
        self._offset = 0

    def __call__(self, length):
        with self._lock:
            start = self._offset
            end = start + length
            if end > len(self._block):
                self._block = os.urandom(max(self._BLOCK_SIZE, length))
                start, end = 0, length
            self._offset = end
            return self._block[start:end]


class _WebSocket(websocket.WebSocket):
    """websocket-client's socket, sending at most one close frame.

    The library answers every close frame it receives with one of its own,
    even when it sent the first: after :meth:`Transport.close`, the
    server's answer would draw a second close, which RFC 6455 rules out.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._close_lock = threading.Lock()
        self._close_sent = False

    def send_close(self, *args, **kwargs):
        with self._close_lock:
            if self._close_sent:
                return
            self._close_sent = True
        super().send_close(*args, **kwargs)


_TEXT = websocket.ABNF.OPCODE_TEXT
_CLOSE = websocket.ABNF.OPCODE_CLOSE


class Transport:
    """One open websocket to the event server.

    :mod:`websocket` (websocket-client) does the websocket part: the
    upgrade, TLS, proxies from the environment, framing and masking,
    answering pings and closes. Sending is safe from any thread (the
    library's send lock: the hub publishes from any thread and its reader
    answers heartbeats); receiving belongs to one reader, which gives up
    when nothing arrives for *read_timeout* seconds.
    """

    def __init__(self, url, headers, cookies, timeout=DEFAULT_TIMEOUT,
                 read_timeout=DEFAULT_TIMEOUT):
        # Headers and cookies go out as the original client sends them:
        # the custom headers only (no ftrack credentials) and the cookies
        # joined by a bare ``;``.
        cookie = ';'.join(
            '{0}={1}'.format(name, value) for name, value in cookies.items()
        ) or None
        self._socket = websocket.create_connection(
            url, timeout=timeout, header=dict(headers), cookie=cookie,
            class_=_WebSocket, enable_multithread=True,
            # Frames are decoded (and checked) here, once, by the UTF-8
            # codec: the library's own check is pure Python and slow.
            skip_utf8_validation=True,
        )
        self._socket.settimeout(read_timeout)
        self._socket.set_mask_key(_MaskKeys())
        #: Set by whoever closes the transport on purpose, so that the
        #: reader knows the end is no accident.
        self.closing = False

    def send(self, text):
        """Send *text* as one text frame."""
        self._socket.send(text)

    def receive(self):
        """Wait for the next message; return ``(kind, data)``.

        *kind* is ``'text'`` (data is the text), ``'binary'``, ``'invalid'``
        (text that is not UTF-8) or ``'closed'`` (the server closed the
        websocket; the library has answered). Pings are answered and pongs
        skipped on the way. Timeouts and broken connections raise.
        """
        opcode, frame = self._socket.recv_data_frame()
        data = frame.data
        if opcode == _TEXT:
            try:
                return 'text', data.decode('utf-8')
            except UnicodeDecodeError:
                return 'invalid', data
        if opcode == _CLOSE:
            return 'closed', None
        return 'binary', data

    def close(self):
        """Ask the server to close the websocket (the reader sees the
        server's answer and stops)."""
        self.closing = True
        try:
            self._socket.send_close()
        except Exception as error:
            logger.debug('Could not close the websocket politely: %s', error)
            self.abort()

    def abort(self):
        """Drop the connection at once (a reader waiting on it fails and
        stops)."""
        raw = self._socket.sock
        if raw is not None:
            # Shutting the socket down, not just closing it, is what wakes
            # a thread blocked reading it.
            try:
                raw.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            self._socket.shutdown()
        except Exception as error:
            logger.debug('Could not shut the websocket down: %s', error)


def _preview(text, limit=80):
    if len(text) > limit:
        return text[:limit] + '...'
    return text
