"""socket.io 0.9 framing and the event shape the server emits."""

import json

import pytest

from ftrack_emulator.events import protocol


@pytest.mark.parametrize('text, expected', [
    ('2::', protocol.Packet(type=2)),
    ('2:::', protocol.Packet(type=2)),
    ('0::', protocol.Packet(type=0)),
    ('5:7+::{"name": "x"}', protocol.Packet(5, 7, True, '', '{"name": "x"}')),
    ('5:12::{}', protocol.Packet(5, 12, False, '', '{}')),
    ('5:::a:b:c', protocol.Packet(5, None, False, '', 'a:b:c')),
    ('7::/chat:oops', protocol.Packet(7, None, False, '/chat', 'oops')),
])
def test_decode_accepts_well_formed_packets(text, expected):
    assert protocol.decode(text) == expected


@pytest.mark.parametrize('text, message', [
    ('', 'Malformed packet'),
    ('5', 'Malformed packet'),
    ('5:1', 'Malformed packet'),
    ('9::', 'Unknown packet type'),
    ('x::', 'Unknown packet type'),
    ('-1::', 'Unknown packet type'),
    ('\u0665::', 'Unknown packet type'),
    ('5:a::{}', 'Malformed packet id'),
    ('5:+::{}', 'Malformed packet id'),
    ('5:1++::{}', 'Malformed packet id'),
    ('5:\u0661::{}', 'Malformed packet id'),
])
def test_decode_rejects_bad_framing_naming_the_problem(text, message):
    with pytest.raises(protocol.PacketError, match=message):
        protocol.decode(text)


def test_decode_rejects_binary():
    with pytest.raises(protocol.PacketError, match='must be text'):
        protocol.decode(b'5:::{}')


def test_packet_event_returns_name_and_args():
    packet = protocol.decode('5:1+::{"name": "ftrack.event", "args": [{"a": 1}]}')
    assert packet.wants_ack and packet.id == 1
    assert packet.event() == ('ftrack.event', [{'a': 1}])


@pytest.mark.parametrize('data, message', [
    ('{"name": ', 'not valid JSON'),
    ('[1, 2]', 'must be a JSON object'),
    ('{"args": []}', 'has no name'),
    ('{"name": "x", "args": {}}', 'must be a JSON array'),
])
def test_packet_event_rejects_bad_payloads(data, message):
    with pytest.raises(protocol.PacketError, match=message):
        protocol.decode('5:::' + data).event()


def test_packet_event_requires_an_event_packet():
    with pytest.raises(protocol.PacketError, match='not an event'):
        protocol.decode('3:::hello').event()


def test_frames_match_what_clients_parse():
    assert protocol.ack_frame(3, {'success': True}) == '6:::3+[{"success": true}]'
    frame = protocol.event_frame('ftrack.event', [{'topic': 'é'}])
    assert frame == '5:::{"name": "ftrack.event", "args": [{"topic": "é"}]}'
    assert protocol.event_frame('x', [], ack_id=4).startswith('5:4+::')
    assert protocol.error_frame('bad') == '7:::bad'
    # The server never sends a noop (type 8): the Python client dies on it.
    for frame in (protocol.CONNECT_FRAME, protocol.HEARTBEAT_FRAME,
                  protocol.DISCONNECT_FRAME):
        assert protocol.decode(frame).type != protocol.NOOP


def test_normalise_event_keeps_only_the_wire_keys():
    event = {
        'id': 'abc', 'topic': 'test', 'data': {'x': 1},
        'source': {'id': 'hub'}, 'target': 'id=foo', 'sent': None,
        'in_reply_to_event': 'parent', 'extra': 'dropped',
    }
    wire = protocol.normalise_event(event)
    assert list(wire) == list(protocol.EVENT_KEYS)
    assert wire == {
        'id': 'abc', 'topic': 'test', 'data': {'x': 1},
        'source': {'id': 'hub'}, 'target': 'id=foo', 'sent': None,
        'inReplyToEvent': 'parent',
    }


def test_normalise_event_fills_defaults():
    wire = protocol.normalise_event({'topic': 'test', 'target': None})
    assert len(wire['id']) == 32 and int(wire['id'], 16) >= 0
    assert wire['data'] == {} and wire['source'] == {}
    assert wire['target'] == '' and wire['inReplyToEvent'] is None
    # A reply's data may be any JSON value, including null.
    assert protocol.normalise_event({'topic': 't', 'data': None})['data'] is None
    assert protocol.normalise_event({'topic': 't', 'data': 'Replied'})['data'] == 'Replied'


def test_normalise_event_prefers_the_camel_case_reply_link():
    wire = protocol.normalise_event({
        'topic': 't', 'inReplyToEvent': 'a', 'in_reply_to_event': 'b',
    })
    assert wire['inReplyToEvent'] == 'a'


@pytest.mark.parametrize('event, message', [
    ([], 'Event must be an object'),
    ({}, 'topic must be a non-empty string'),
    ({'topic': ''}, 'topic must be a non-empty string'),
    ({'topic': 5}, 'topic must be a non-empty string'),
    ({'topic': 't', 'target': ['id=1']}, 'target must be a string'),
])
def test_normalise_event_rejects_events_it_cannot_route(event, message):
    with pytest.raises(protocol.EventError, match=message):
        protocol.normalise_event(event)


def test_dumps_writes_raw_utf8():
    assert protocol.dumps({'a': 'ü'}) == '{"a": "ü"}'
    assert json.loads(protocol.dumps({'a': [1, None]})) == {'a': [1, None]}
