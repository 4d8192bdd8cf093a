"""socket.io 0.9 packet framing, as ftrack's event server speaks it.

A packet is text of the form ``<type>:<id>:<endpoint>:<data>``; the id may
end in ``+`` when the sender wants its acknowledgement to carry data. ftrack
only uses the default (empty) endpoint. Keeping the framing here means the
rest of the event server deals in :class:`Packet` objects and ready-made
frames, never in string slicing.
"""

import dataclasses
import json
import typing
import uuid

DISCONNECT = 0
CONNECT = 1
HEARTBEAT = 2
MESSAGE = 3
JSON = 4
EVENT = 5
ACK = 6
ERROR = 7
NOOP = 8

#: Every packet type socket.io 0.9 defines (the server never sends NOOP:
#: the Python client has no mapping for it and its reader thread dies).
PACKET_TYPES = frozenset(range(9))

#: Frames the server sends verbatim.
CONNECT_FRAME = '1::'
HEARTBEAT_FRAME = '2::'
DISCONNECT_FRAME = '0::'


#: Name of the socket.io event every ftrack event travels in.
FTRACK_EVENT = 'ftrack.event'

#: The keys of an event on the wire. The Python client builds its ``Event``
#: from them by keyword, so an event carrying any other key is dropped by it.
EVENT_KEYS = (
    'id', 'topic', 'data', 'source', 'target', 'sent', 'inReplyToEvent',
)


class PacketError(ValueError):
    """Text that is not a well-formed socket.io 0.9 packet."""


class EventError(ValueError):
    """An ftrack event the server cannot route."""


@dataclasses.dataclass
class Packet:
    """One decoded packet; ``ack`` is True when the id ended in ``+``."""

    type: int
    id: typing.Optional[int] = None
    ack: bool = False
    endpoint: str = ''
    data: str = ''

    @property
    def wants_ack(self):
        return self.id is not None

    def event(self):
        """Return ``(name, args)`` of an event packet.

        Raises :class:`PacketError` when the data is not the JSON object
        ``{"name": <str>, "args": [...]}`` socket.io events carry.
        """
        if self.type != EVENT:
            raise PacketError('Packet of type {0} is not an event.'.format(
                self.type
            ))
        try:
            payload = json.loads(self.data)
        except ValueError as error:
            raise PacketError('Event data is not valid JSON: {0}.'.format(
                error
            ))
        if not isinstance(payload, dict):
            raise PacketError('Event data must be a JSON object.')
        name = payload.get('name')
        if not isinstance(name, str):
            raise PacketError('Event has no name.')
        args = payload.get('args', [])
        if not isinstance(args, list):
            raise PacketError('Event args must be a JSON array.')
        return name, args


def decode(text):
    """Return the :class:`Packet` framed in *text*.

    Accepts both ``2::`` and ``2:::`` (the JavaScript and Python clients
    disagree on the trailing separator) and raises :class:`PacketError` on
    anything else that does not fit the framing.
    """
    if not isinstance(text, str):
        raise PacketError('Packets must be text, not {0}.'.format(
            type(text).__name__
        ))
    parts = text.split(':', 3)
    if len(parts) < 3:
        raise PacketError('Malformed packet {0!r}: expected '
                          '<type>:<id>:<endpoint>[:<data>].'.format(
                              _preview(text)))
    type_text, id_text, endpoint = parts[0], parts[1], parts[2]
    data = parts[3] if len(parts) == 4 else ''
    if not (type_text.isascii() and type_text.isdigit()) or (
            int(type_text) not in PACKET_TYPES):
        raise PacketError('Unknown packet type {0!r}.'.format(
            _preview(type_text)
        ))
    ack = id_text.endswith('+')
    if ack:
        id_text = id_text[:-1]
    if id_text and not (id_text.isascii() and id_text.isdigit()):
        raise PacketError('Malformed packet id {0!r}.'.format(
            _preview(parts[1])
        ))
    if ack and not id_text:
        raise PacketError('Malformed packet id {0!r}.'.format(parts[1]))
    return Packet(
        type=int(type_text),
        id=int(id_text) if id_text else None,
        ack=ack,
        endpoint=endpoint,
        data=data,
    )


def dumps(value):
    """Serialise *value* the way ftrack clients do (raw UTF-8, no escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(', ', ': '))


def event_frame(name, args, ack_id=None):
    """Return an event packet; with *ack_id* the receiver must acknowledge."""
    payload = dumps({'name': name, 'args': args})
    if ack_id is None:
        return '5:::' + payload
    return '5:{0}+::{1}'.format(ack_id, payload)


def ack_frame(ack_id, result):
    """Return the acknowledgement of packet *ack_id* carrying *result*.

    Always ``6:::<id>+[<result>]``: an acknowledgement without arguments
    kills the reader thread of the Python client.
    """
    return '6:::{0}+{1}'.format(ack_id, dumps([result]))


def error_frame(reason):
    """Return an error packet telling the client what went wrong."""
    return '7:::' + reason


def normalise_event(event):
    """Return *event* reduced to the keys clients accept, with defaults.

    Accepts both spellings of the reply link (``inReplyToEvent`` from the
    wire, ``in_reply_to_event`` from Python mappings) and always emits the
    camel-case one, the only one the JavaScript client reads. Raises
    :class:`EventError` naming the offending field.
    """
    if not isinstance(event, dict):
        raise EventError('Event must be an object, got {0}.'.format(
            _preview(repr(event))
        ))
    topic = event.get('topic')
    if not isinstance(topic, str) or not topic:
        raise EventError('Event topic must be a non-empty string, got '
                         '{0}.'.format(_preview(repr(topic))))
    target = event.get('target')
    if target is None:
        target = ''
    elif not isinstance(target, str):
        raise EventError('Event target must be a string, got {0}.'.format(
            _preview(repr(target))
        ))
    identifier = event.get('id')
    if identifier is None or identifier == '':
        identifier = uuid.uuid4().hex
    data = event.get('data')
    if data is None and 'data' not in event:
        data = {}
    source = event.get('source')
    if source is None:
        source = {}
    if 'inReplyToEvent' in event:
        in_reply_to = event['inReplyToEvent']
    else:
        in_reply_to = event.get('in_reply_to_event')
    return {
        'id': identifier,
        'topic': topic,
        'data': data,
        'source': source,
        'target': target,
        'sent': event.get('sent'),
        'inReplyToEvent': in_reply_to,
    }


def _preview(text, limit=40):
    if len(text) > limit:
        return text[:limit] + '...'
    return text
