"""socket.io 0.9 framing and the wire form of events (no network)."""

import json

import pytest

import ftrack_api.exception
from ftrack_api.event import _socketio
from ftrack_api.event.base import Event


@pytest.mark.parametrize('text, expected', [
    ('1::', ('1', '', '', '')),
    ('2::', ('2', '', '', '')),
    ('0', ('0', '', '', '')),
    ('5:::{"a": "b:c"}', ('5', '', '', '{"a": "b:c"}')),
    ('6:::3+[{"success": true}]', ('6', '', '', '3+[{"success": true}]')),
    ('5:7+::{}', ('5', '7+', '', '{}')),
    ('7:::oops: really', ('7', '', '', 'oops: really')),
])
def test_parse_splits_on_the_first_three_colons(text, expected):
    assert tuple(_socketio.parse(text)) == expected


@pytest.mark.parametrize('text', ['', '9::', 'x::', '2:', '12:::', ' 1::'])
def test_parse_refuses_what_is_not_a_packet(text):
    with pytest.raises(ftrack_api.exception.EventHubPacketError):
        _socketio.parse(text)


def test_packet_errors_keep_braces_literal():
    with pytest.raises(_socketio.PacketError) as error:
        _socketio.parse('{x}:')
    assert '{x}' in str(error.value)


def test_acknowledgements():
    assert _socketio.parse_ack('3+[{"success": true}]') == (
        3, [{'success': True}]
    )
    assert _socketio.parse_ack('12') == (12, [])
    assert _socketio.parse_ack('4+{"success": false}') == (
        4, [{'success': False}]
    )
    for data in ('', 'x+[]', '+[]', '5+[no json'):
        with pytest.raises(_socketio.PacketError):
            _socketio.parse_ack(data)


def test_event_frame():
    assert _socketio.event_frame(5, '{}') == '5:5+::{}'


def test_encode_event_matches_the_reference_wire_form():
    event = Event('test', id='e1', data={'name': 'Ünïcode'},
                  source={'id': 's'}, in_reply_to_event='r1')
    payload = _socketio.encode_event(event)
    # Key order of the event, camel-case reply link, raw UTF-8, default
    # separators.
    assert payload == (
        '{"name": "ftrack.event", "args": [{"id": "e1", "data": {"name": '
        '"Ünïcode"}, "topic": "test", "sent": null, "source": {"id": "s"}, '
        '"target": "", "inReplyToEvent": "r1"}]}'
    )


def test_encode_event_nests_events_and_refuses_other_objects():
    inner = Event('inner', id='i', in_reply_to_event='x')
    payload = json.loads(_socketio.encode_event(
        Event('outer', data={'event': inner, 'pair': (1, 2)})
    ))
    nested = payload['args'][0]['data']['event']
    assert nested['inReplyToEvent'] == 'x'
    assert 'in_reply_to_event' not in nested
    assert payload['args'][0]['data']['pair'] == [1, 2]
    with pytest.raises(TypeError):
        _socketio.encode_event(Event('x', data={'o': object()}))


def test_parse_and_decode_event():
    wire = {'id': 'e', 'topic': 't', 'data': {'k': 1}, 'source': {},
            'target': '', 'sent': None, 'inReplyToEvent': 'r'}
    data = json.dumps({'name': 'ftrack.event', 'args': [wire]})
    event = _socketio.decode_event(_socketio.parse_event(data))
    assert isinstance(event, Event)
    assert event['in_reply_to_event'] == 'r'
    assert event['data'] == {'k': 1}
    assert list(event) == [
        'id', 'data', 'topic', 'sent', 'source', 'target', 'in_reply_to_event'
    ]
    # A partial event gets the defaults.
    minimal = _socketio.decode_event({'topic': 't'})
    assert minimal['data'] == {} and minimal['target'] == ''


@pytest.mark.parametrize('data', [
    'not json',
    '[]',
    '{"name": "other", "args": [{"topic": "t"}]}',
    '{"name": "ftrack.event", "args": []}',
    '{"name": "ftrack.event", "args": ["text"]}',
    '{"name": "ftrack.event"}',
])
def test_parse_event_refuses_other_payloads(data):
    with pytest.raises(_socketio.PacketError):
        _socketio.parse_event(data)


@pytest.mark.parametrize('wire', [
    {'topic': 't', 'extra': 1},
    {'data': {}},
])
def test_decode_event_refuses_what_is_not_an_event(wire):
    with pytest.raises(_socketio.PacketError):
        _socketio.decode_event(wire)


def test_connection_errors_render_their_text_exactly():
    error = _socketio.connection_error('a {b} c')
    assert isinstance(error, ftrack_api.exception.EventHubConnectionError)
    assert str(error) == 'a {b} c'
