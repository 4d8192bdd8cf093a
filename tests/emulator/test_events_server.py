"""The event server over real websockets, driven by raw socket.io clients.

Each raw client speaks socket.io 0.9 by hand (websocket-client), so these
tests see exactly the frames a client receives.
"""

import asyncio
import json
import time
import uuid

import pytest
import requests
import websocket

from ftrack_emulator.events import get_event_server, protocol, updates
from ftrack_emulator.events.sessions import Handshakes
from ftrack_emulator.events.standalone import StandaloneEventServer

USER = 'admin'
KEY = 'secret'


class RawClient:
    """A socket.io 0.9 client written out frame by frame."""

    def __init__(self, url, user=USER, key=KEY, answer_heartbeats=True):
        response = requests.get(
            url + '/socket.io/1/',
            headers={'ftrack-user': user, 'ftrack-api-key': key}, timeout=5,
        )
        assert response.status_code == 200, response.text
        self.sid = response.text.split(':')[0]
        self.socket = websocket.create_connection(
            url.replace('http://', 'ws://') + '/socket.io/1/websocket/'
            + self.sid, timeout=5,
        )
        self.answer_heartbeats = answer_heartbeats
        self.heartbeats = 0
        self.counter = 0
        self.pending = []
        assert self.socket.recv() == '1::'

    def send(self, text):
        self.socket.send(text)

    def recv(self, timeout=5.0):
        """Return the next frame other than a heartbeat."""
        if self.pending:
            return self.pending.pop(0)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise websocket.WebSocketTimeoutException('no frame')
            self.socket.settimeout(remaining)
            frame = self.socket.recv()
            if frame == '2::':
                self.heartbeats += 1
                if self.answer_heartbeats:
                    self.send('2:::')
                continue
            return frame

    def emit(self, event, ack=True):
        """Publish *event*; return the ack id (None without ack)."""
        payload = json.dumps({'name': 'ftrack.event', 'args': [event]})
        if not ack:
            self.send('5:::' + payload)
            return None
        self.counter += 1
        self.send('5:{0}+::{1}'.format(self.counter, payload))
        return self.counter

    def ack(self, ack_id, timeout=5.0):
        """Wait for the ack of *ack_id* (keeping other frames for later)."""
        prefix = '6:::{0}+'.format(ack_id)
        kept = []
        try:
            while True:
                frame = self.recv(timeout)
                if frame.startswith(prefix):
                    [result] = json.loads(frame[len(prefix):])
                    return result
                kept.append(frame)
        finally:
            self.pending[:0] = kept

    def publish(self, topic, data=None, **fields):
        event = {'id': uuid.uuid4().hex, 'topic': topic,
                 'data': data if data is not None else {},
                 'source': {'id': 'raw'}, 'target': '', 'sent': None,
                 'inReplyToEvent': None}
        event.update(fields)
        result = self.ack(self.emit(event))
        assert result == {'success': True}
        return event

    def subscribe(self, subscription, subscriber_id=None, **metadata):
        metadata['id'] = subscriber_id or uuid.uuid4().hex
        result = self.ack(self.emit({
            'topic': 'ftrack.meta.subscribe',
            'data': {'subscriber': metadata, 'subscription': subscription},
        }))
        assert result == {'success': True}, result
        return metadata['id']

    def unsubscribe(self, subscriber_id):
        return self.ack(self.emit({
            'topic': 'ftrack.meta.unsubscribe',
            'data': {'subscriber': {'id': subscriber_id}},
        }))

    def events(self, expected=0, quiet=0.2, timeout=5.0):
        """Return the events received: wait up to *timeout* seconds for
        *expected* of them, then keep listening *quiet* seconds for any
        that should not have come."""
        received = []
        deadline = time.monotonic() + timeout
        while len(received) < expected:
            received.append(self.event(deadline - time.monotonic()))
        deadline = time.monotonic() + quiet
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return received
            try:
                received.append(self.event(remaining))
            except websocket.WebSocketTimeoutException:
                return received

    def event(self, timeout=5.0):
        frame = self.recv(timeout)
        assert frame.startswith('5:::'), frame
        payload = json.loads(frame[4:])
        assert payload['name'] == 'ftrack.event'
        [event] = payload['args']
        return event

    def close(self):
        self.socket.close()


@pytest.fixture(scope='module')
def events_server():
    with StandaloneEventServer(
        {USER: KEY, 'other': 'key2'},
        heartbeat_interval=0.5, heartbeat_timeout=10.0,
    ) as server:
        yield server


@pytest.fixture
def connect(events_server):
    clients = []

    def connect(**options):
        client = RawClient(events_server.url, **options)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def topic():
    return 'test.' + uuid.uuid4().hex


def wait_until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError('condition not met in time')
        time.sleep(0.02)


def assert_closed_by_server(client):
    # The close frame reads as '' (or the socket is already reset).
    try:
        for _ in range(10):
            if client.recv(2.0) == '':
                return
    except websocket.WebSocketTimeoutException:
        raise AssertionError('the server left the websocket open')
    except (websocket.WebSocketConnectionClosedException, OSError):
        return
    raise AssertionError('the server kept sending')


def subscriber_count(events_server, client):
    def count():
        connection = events_server.server.connections.get(client.sid)
        if connection is None:
            return 0
        return len(events_server.server.router.subscribers(connection))
    return events_server.call(count)


# Handshake -----------------------------------------------------------------


def test_handshake_with_headers(events_server):
    response = requests.get(events_server.url + '/socket.io/1/', headers={
        'ftrack-user': USER, 'ftrack-api-key': KEY,
    })
    assert response.status_code == 200
    sid, heartbeat, close, transports = response.text.split(':')
    assert len(sid) == 32
    assert int(heartbeat) >= 10 and int(close) > 0
    assert 'websocket' in transports.split(',')


def test_handshake_with_query_parameters_and_cors(events_server):
    response = requests.get(
        events_server.url + '/socket.io/1/',
        params={'api_user': 'other', 'api_key': 'key2'},
        headers={'Origin': 'http://localhost:3000'},
    )
    assert response.status_code == 200
    assert response.headers['Access-Control-Allow-Origin'] == (
        'http://localhost:3000'
    )


@pytest.mark.parametrize('headers, message', [
    ({'ftrack-user': USER, 'ftrack-api-key': 'wrong'}, 'Invalid API user'),
    ({'ftrack-user': 'nobody', 'ftrack-api-key': KEY}, 'Invalid API user'),
    ({'ftrack-user': USER}, 'Missing API user or API key'),
    ({}, 'Missing API user or API key'),
])
def test_handshake_refuses_bad_credentials(events_server, headers, message):
    response = requests.get(events_server.url + '/socket.io/1/',
                            headers=headers)
    assert response.status_code == 401
    assert message in response.text


def test_handshake_failure_in_authenticate_is_a_server_error():
    def broken(username, api_key):
        raise RuntimeError('database is down')

    with StandaloneEventServer({}) as events:
        events.server.authenticate = broken
        response = requests.get(events.url + '/socket.io/1/', headers={
            'ftrack-user': USER, 'ftrack-api-key': KEY,
        })
    assert response.status_code == 500


def test_authenticate_may_be_a_coroutine():
    async def check(username, api_key):
        return api_key == 'async-key'

    with StandaloneEventServer({}) as events:
        events.server.authenticate = check
        url = events.url + '/socket.io/1/'
        good = requests.get(url, params={'api_user': 'a', 'api_key': 'async-key'})
        bad = requests.get(url, params={'api_user': 'a', 'api_key': 'nope'})
    assert (good.status_code, bad.status_code) == (200, 401)


def test_websocket_needs_a_fresh_session_id(events_server):
    ws_url = events_server.url.replace('http', 'ws') + '/socket.io/1/websocket/'
    with pytest.raises(websocket.WebSocketBadStatusException) as error:
        websocket.create_connection(ws_url + 'not-a-session', timeout=5)
    assert error.value.status_code == 403

    client = RawClient(events_server.url)
    try:
        # A session id opens one websocket only.
        with pytest.raises(websocket.WebSocketBadStatusException):
            websocket.create_connection(ws_url + client.sid, timeout=5)
    finally:
        client.close()


def test_session_ids_expire():
    now = [100.0]
    handshakes = Handshakes(ttl=60, clock=lambda: now[0])
    fresh = handshakes.issue('jane')
    stale = handshakes.issue('joe')
    assert handshakes.claim(fresh) == 'jane'
    assert handshakes.claim(fresh) is None
    now[0] += 61
    assert handshakes.claim(stale) is None
    handshakes.issue('ann')
    handshakes.issue('bob')
    now[0] += 61
    handshakes.issue('cat')
    assert len(handshakes) == 1


def test_the_app_knows_its_event_server(events_server):
    from aiohttp import web
    from ftrack_emulator.events import setup

    app = web.Application()
    server = setup(app, lambda user, key: True)
    assert get_event_server(app) is server
    paths = {route.resource.canonical for route in app.router.routes()}
    assert {'/socket.io/1/', '/socket.io/1/websocket/{sid}'} <= paths


def test_settings_are_checked():
    from ftrack_emulator.events import EventServer

    with pytest.raises(ValueError, match='heartbeat_interval must be positive'):
        EventServer(lambda u, k: True, heartbeat_interval=0)
    with pytest.raises(ValueError, match='must exceed heartbeat_interval'):
        EventServer(lambda u, k: True, heartbeat_interval=5,
                    heartbeat_timeout=5)


# Publish and subscribe -----------------------------------------------------


def test_subscriber_receives_matching_events_only(connect, topic):
    listener, publisher = connect(), connect()
    listener.subscribe('topic=' + topic)
    sent = publisher.publish(topic, {'n': 1})
    publisher.publish(topic + '.other', {'n': 2})
    received = listener.events(1)
    assert received == [sent]


def test_delivered_events_have_the_seven_wire_keys(connect, topic):
    client = connect()
    client.subscribe('topic=' + topic)
    ack_id = client.emit({
        'topic': topic, 'data': {'text': 'ünïcode'}, 'extra': 'nope',
        'in_reply_to_event': 'abc',
    })
    assert client.ack(ack_id) == {'success': True}
    event = client.event()
    assert list(event) == list(protocol.EVENT_KEYS)
    assert event['inReplyToEvent'] == 'abc'
    assert event['data'] == {'text': 'ünïcode'}
    assert len(event['id']) == 32 and event['target'] == ''


def test_publisher_receives_its_own_events(connect, topic):
    client = connect()
    client.subscribe('topic=' + topic)
    sent = client.publish(topic)
    assert client.events(1) == [sent]


def test_one_copy_per_connection(connect, topic):
    listener, publisher = connect(), connect()
    listener.subscribe('topic=' + topic)
    listener.subscribe('topic=' + topic)
    listener.subscribe('data.kind=shot')
    listener.subscribe('topic=test.*')
    sent = publisher.publish(topic, {'kind': 'shot'})
    assert listener.events(1) == [sent]


def test_every_interested_connection_gets_a_copy(connect, topic):
    listeners = [connect() for _ in range(3)]
    for listener in listeners:
        listener.subscribe('topic=' + topic)
    bystander = connect()
    bystander.subscribe('topic=' + topic + 'x')
    sent = connect().publish(topic)
    for listener in listeners:
        assert listener.events(1) == [sent]
    assert bystander.events() == []


def test_large_events_pass(events_server, topic):
    # aiohttp's client here: websocket-client masks frames in pure Python.
    import aiohttp

    async def round_trip():
        async with aiohttp.ClientSession() as session:
            async with session.get(
                events_server.url + '/socket.io/1/',
                headers={'ftrack-user': USER, 'ftrack-api-key': KEY},
            ) as response:
                sid = (await response.text()).split(':')[0]
            url = events_server.url.replace('http', 'ws')
            async with session.ws_connect(
                url + '/socket.io/1/websocket/' + sid, max_msg_size=0,
            ) as websocket:
                assert await websocket.receive_str() == '1::'
                await websocket.send_str('5:1+::' + json.dumps({
                    'name': 'ftrack.event', 'args': [{
                        'topic': 'ftrack.meta.subscribe',
                        'data': {'subscriber': {'id': 'big'},
                                 'subscription': 'topic=' + topic},
                    }],
                }))
                await websocket.send_str('5:2+::' + json.dumps({
                    'name': 'ftrack.event', 'args': [{
                        'topic': topic, 'data': {'blob': 'x' * 5000000},
                    }],
                }))
                frames = []
                while len(frames) < 3:
                    frame = await websocket.receive_str(timeout=10)
                    if frame != '2::':
                        frames.append(frame)
                return frames

    frames = asyncio.run(round_trip())
    assert frames[0] == '6:::1+[{"success": true}]'
    event = json.loads(frames[1][4:])['args'][0]
    assert len(event['data']['blob']) == 5000000
    assert frames[2] == '6:::2+[{"success": true}]'


def test_js_style_publish_without_ack(connect, topic):
    listener, publisher = connect(), connect()
    listener.subscribe('topic=' + topic)
    publisher.emit({'topic': topic, 'data': {'js': True}}, ack=False)
    assert listener.event()['data'] == {'js': True}
    # No ack comes back for an event published without an ack id.
    assert publisher.events() == []


@pytest.mark.parametrize('subscription, matches', [
    ('topic={topic} and data.kind=shot', True),
    ('topic={topic} and data.kind=asset', False),
    ('topic={topic} and not data.kind=asset', True),
    ('topic={topic} and (data.kind=asset or data.n=5)', False),
    ('topic={topic} and data.kind=asset or source.id=raw', True),
    ('data.kind=sh*', True),
    ('topic="{topic}"', True),
    ('topic=*', True),
    ('data.missing.key=x', False),
    ('data.n>4', False),
    ('source.id=raw and data.kind!=asset', True),
    ('TOPIC={topic}', False),
])
def test_subscription_expressions_filter_on_the_server(
        connect, topic, subscription, matches):
    listener, publisher = connect(), connect()
    listener.subscribe(subscription.format(topic=topic))
    sent = publisher.publish(topic, {'kind': 'shot', 'n': 5})
    received = [e for e in listener.events(1 if matches else 0)
                if e['id'] == sent['id']]
    assert received == ([sent] if matches else [])


# Targets and replies -------------------------------------------------------


def test_target_filters_by_subscriber_metadata(connect, topic):
    maya, nuke, publisher = connect(), connect(), connect()
    maya.subscribe('topic=' + topic, applicationId='maya')
    nuke.subscribe('topic=' + topic, applicationId='nuke')
    sent = publisher.publish(topic, target='applicationId=maya')
    assert maya.events(1) == [sent]
    assert nuke.events() == []


def test_target_and_subscription_must_hold_for_the_same_subscriber(
        connect, topic):
    client, publisher = connect(), connect()
    client.subscribe('topic=' + topic, applicationId='nuke')
    client.subscribe('topic=other.' + topic, applicationId='maya')
    publisher.publish(topic, target='applicationId=maya')
    assert client.events() == []


def test_target_by_id(connect, topic):
    first, second, publisher = connect(), connect(), connect()
    first_id = first.subscribe('topic=' + topic)
    second.subscribe('topic=' + topic)
    sent = publisher.publish(topic, target='id={0}'.format(first_id))
    assert first.events(1) == [sent]
    assert second.events() == []
    # The id must also match the subscription.
    publisher.publish(topic + '.x', target='id={0}'.format(first_id))
    assert first.events() == []


def test_unparsable_target_is_dropped(connect, topic):
    client = connect()
    client.subscribe('topic=' + topic)
    client.publish(topic, target='id is nonsense (')
    assert client.events() == []


def test_replies_are_routed_to_the_publisher(connect, topic):
    hub_id = uuid.uuid4().hex
    publisher, replier, bystander = connect(), connect(), connect()
    for client, client_id in ((publisher, hub_id), (replier, None),
                              (bystander, None)):
        client.subscribe('topic=ftrack.meta.reply', client_id)
    replier.subscribe('topic=' + topic)
    original = publisher.publish(topic, source={'id': hub_id})
    assert replier.event() == original
    reply = replier.publish(
        'ftrack.meta.reply', 'Replied', target='id=' + hub_id,
        inReplyToEvent=original['id'],
    )
    assert publisher.events(1) == [reply]
    assert replier.events() == []
    assert bystander.events() == []


def test_unsubscribe(connect, topic, events_server):
    listener, publisher = connect(), connect()
    first = listener.subscribe('topic=' + topic)
    second = listener.subscribe('topic=' + topic + '.b')
    assert listener.unsubscribe(first) == {'success': True}
    publisher.publish(topic)
    sent = publisher.publish(topic + '.b')
    assert listener.events(1) == [sent]
    assert subscriber_count(events_server, listener) == 1
    result = listener.unsubscribe(first)
    assert result['success'] is False
    assert first in result['message']


def test_subscribing_twice_with_one_id_is_idempotent(
        connect, topic, events_server):
    listener, publisher = connect(), connect()
    listener.subscribe('topic=' + topic, 'same-id')
    listener.subscribe('topic=' + topic, 'same-id')
    assert subscriber_count(events_server, listener) == 1
    sent = publisher.publish(topic)
    assert listener.events(1) == [sent]
    # Re-subscribing replaces the subscription.
    listener.subscribe('topic=' + topic + '.new', 'same-id')
    publisher.publish(topic)
    assert listener.events() == []
    assert listener.unsubscribe('same-id') == {'success': True}
    assert subscriber_count(events_server, listener) == 0


def test_same_subscriber_id_on_two_connections(connect, topic):
    first, second, publisher = connect(), connect(), connect()
    first.subscribe('topic=' + topic, 'shared')
    second.subscribe('topic=' + topic, 'shared')
    sent = publisher.publish(topic, target='id=shared')
    assert first.events(1) == [sent]
    assert second.events(1) == [sent]
    first.unsubscribe('shared')
    sent = publisher.publish(topic, target='id=shared')
    assert first.events() == []
    assert second.events(1) == [sent]


def test_subscriptions_are_dropped_when_the_connection_closes(
        connect, topic, events_server):
    listener, publisher = connect(), connect()
    listener.subscribe('topic=' + topic)
    listener.subscribe('topic=' + topic + '.2')
    sid = listener.sid
    listener.close()

    def gone():
        def check():
            server = events_server.server
            return sid not in server.connections and not any(
                subscriber.connection.sid == sid
                for subscriber in server.router.subscribers()
            )
        return events_server.call(check)

    wait_until(gone)
    publisher.publish(topic)


def test_client_disconnect_packet_closes_the_connection(
        connect, topic, events_server):
    client = connect()
    client.subscribe('topic=' + topic)
    client.send('0::')
    wait_until(lambda: events_server.call(
        lambda: client.sid not in events_server.server.connections
    ))
    assert_closed_by_server(client)


# Meta packets rejected -----------------------------------------------------


@pytest.mark.parametrize('data, message', [
    ({'subscriber': {'id': 's'}, 'subscription': 'topic is x'},
     'Invalid subscription'),
    ({'subscriber': {'id': 's'}, 'subscription': 5},
     'Subscription must be a string'),
    ({'subscriber': {'name': 's'}, 'subscription': 'topic=x'},
     'Subscriber metadata has no id'),
    ({'subscriber': {'id': ['s']}, 'subscription': 'topic=x'},
     'Subscriber id must be a string'),
    ({'subscription': 'topic=x'}, 'Subscriber metadata must be an object'),
])
def test_bad_subscriptions_are_refused(connect, events_server, data, message):
    client = connect()
    result = client.ack(client.emit({'topic': 'ftrack.meta.subscribe',
                                     'data': data}))
    assert result['success'] is False
    assert message in result['message']
    assert subscriber_count(events_server, client) == 0


def test_meta_event_without_data_object_is_refused(connect):
    client = connect()
    result = client.ack(client.emit({'topic': 'ftrack.meta.unsubscribe',
                                     'data': 'x'}))
    assert result == {'success': False,
                      'message': "Event data must be an object, got 'x'."}


# Malformed packets ---------------------------------------------------------


def assert_still_works(client, topic):
    client.subscribe('topic=' + topic)
    sent = client.publish(topic)
    assert client.events(1) == [sent]


@pytest.mark.parametrize('frame, reason', [
    ('garbage', 'Malformed packet'),
    ('9:::x', 'Unknown packet type'),
    ('5:x::{}', 'Malformed packet id'),
    ('5:::{not json', 'not valid JSON'),
    ('5:::{"name": "other.event", "args": [{}]}', 'Unknown event name'),
    ('5:::{"name": "ftrack.event", "args": []}', 'Expected one event argument'),
    ('5:::{"name": "ftrack.event", "args": [{"data": {}}]}',
     'topic must be a non-empty string'),
    ('5:::{"name": "ftrack.event", "args": ["text"]}',
     'Event must be an object'),
    ('3:::hello', 'Packet type 3 is not supported'),
    ('4:::{"a": 1}', 'Packet type 4 is not supported'),
])
def test_malformed_packets_get_an_error_and_the_connection_survives(
        connect, topic, frame, reason):
    client = connect()
    client.send(frame)
    answer = client.recv()
    assert answer.startswith('7:::')
    assert reason in answer
    assert_still_works(client, topic)


def test_malformed_events_with_ack_id_get_a_failed_ack(connect, topic):
    client = connect()
    client.send('5:41+::{"name": "ftrack.event", "args": [{"topic": 3}]}')
    result = client.ack(41)
    assert result['success'] is False
    assert 'topic must be a non-empty string' in result['message']
    client.send('5:42+::[broken')
    assert client.ack(42)['success'] is False
    assert_still_works(client, topic)


def test_binary_frames_are_refused_and_the_connection_survives(
        connect, topic):
    client = connect()
    client.socket.send_binary(b'5:::{"name": "ftrack.event"}')
    answer = client.recv()
    assert answer == '7:::Binary frames are not supported; send text.'
    assert_still_works(client, topic)


def test_packets_the_server_ignores(connect, topic):
    client = connect()
    for frame in ('1::', '2::', '2:::', '6:::1+[]', '8::', '7:::client oops'):
        client.send(frame)
    assert_still_works(client, topic)
    assert client.events() == []


# Heartbeats and vanished clients -------------------------------------------


@pytest.fixture
def fast_heartbeats():
    with StandaloneEventServer(
        {USER: KEY}, heartbeat_interval=0.1, heartbeat_timeout=0.6,
    ) as server:
        yield server


def test_heartbeats_are_sent_and_answers_keep_the_client(
        fast_heartbeats, topic):
    client = RawClient(fast_heartbeats.url)
    try:
        client.subscribe('topic=' + topic)
        # Read for well over the timeout, answering heartbeats like clients.
        assert client.events(quiet=1.5) == []
        assert client.heartbeats >= 5
        assert_still_works(client, topic)
        assert fast_heartbeats.call(lambda: len(fast_heartbeats.server.connections)) == 1
    finally:
        client.close()


def test_a_silent_client_is_disconnected_and_forgotten(fast_heartbeats, topic):
    silent = RawClient(fast_heartbeats.url, answer_heartbeats=False)
    alive = RawClient(fast_heartbeats.url)
    try:
        silent.subscribe('topic=' + topic)
        alive.subscribe('topic=' + topic)
        # The silent client keeps its TCP connection but stops talking.
        alive.events(quiet=1.5)
        server = fast_heartbeats.server
        assert fast_heartbeats.call(lambda: (
            silent.sid not in server.connections
            and alive.sid in server.connections
        ))
        assert fast_heartbeats.call(lambda: [
            s.connection.sid for s in server.router.subscribers()
        ]) == [alive.sid]
        sent = alive.publish(topic)
        assert alive.events(1) == [sent]
        # Told to reconnect (a bare close would silently end a Python hub).
        assert silent.recv() == '0::'
        assert_closed_by_server(silent)
    finally:
        silent.close()
        alive.close()


def test_a_client_that_vanishes_mid_stream_does_not_disturb_others(
        events_server, connect, topic):
    survivor = connect()
    survivor.subscribe('topic=' + topic)
    for _ in range(5):
        doomed = RawClient(events_server.url)
        doomed.subscribe('topic=' + topic)
        doomed.socket.sock.close()  # no close frame: the peer just vanishes
        survivor.publish(topic)
    received = survivor.events(5)
    assert len(received) == 5


def test_a_client_that_stops_reading_is_disconnected(topic):
    # Frames pile up once the socket buffers are full; past the queue limit
    # the server gives up on the client instead of buffering without end.
    with StandaloneEventServer({USER: KEY}, queue_limit=5) as events:
        stuck = RawClient(events.url)
        publisher = RawClient(events.url)
        try:
            stuck.subscribe('topic=' + topic)
            big = 'x' * 200000
            for _ in range(200):
                publisher.emit({'topic': topic, 'data': {'big': big}},
                               ack=False)
                if events.call(lambda: stuck.sid not in events.server.connections):
                    break
            wait_until(lambda: events.call(
                lambda: stuck.sid not in events.server.connections
            ))
            assert events.call(lambda: [
                s.connection.sid for s in events.server.router.subscribers()
            ]) == []
            assert_still_works(publisher, topic)
        finally:
            stuck.close()
            publisher.close()


def test_stopping_the_server_disconnects_clients(topic):
    server = StandaloneEventServer({USER: KEY}).start()
    client = RawClient(server.url)
    try:
        client.subscribe('topic=' + topic)
        server.stop()
        assert client.recv() == '0::'
        assert_closed_by_server(client)
    finally:
        client.close()
        server.stop()


# Server-originated events --------------------------------------------------


def test_server_publish_from_another_thread(events_server, connect, topic):
    client = connect()
    client.subscribe('topic=' + topic)
    event_id = events_server.server.publish({'topic': topic, 'data': {'a': 1}})
    event = client.event()
    assert event['id'] == event_id
    assert event['data'] == {'a': 1}
    assert event['source'] == {'id': events_server.server.id,
                               'applicationId': 'ftrack.emulator'}
    with pytest.raises(protocol.EventError):
        events_server.server.publish({'data': {}})


def test_ftrack_update_reaches_plugins(events_server, connect):
    plugin = connect()
    plugin.subscribe('topic=ftrack.update and source.user.username=jane')
    change = updates.EntityChange(
        'update', 'Task', 'task-1', {'status_id': ('a', 'b')},
        ancestors=[updates.EntityRef('Project', 'p1')],
        object_type_id='task-type',
    )
    author = updates.Author('user-1', 'jane')
    event_id = updates.publish_updates(events_server.server, [change], author)
    event = plugin.event()
    assert event['id'] == event_id and event['topic'] == 'ftrack.update'
    [entity] = event['data']['entities']
    assert entity['keys'] == ['statusid']
    assert entity['changes']['statusid'] == {'old': 'a', 'new': 'b'}
    assert entity['parents'][-1]['entityType'] == 'show'
    assert event['source'] == {
        'id': events_server.server.id, 'applicationId': 'ftrack.emulator',
        'user': {'username': 'jane', 'id': 'user-1'},
    }
    updates.publish_updates(events_server.server, [change],
                            updates.Author('user-2', 'joe'))
    assert plugin.events() == []


# Scale ---------------------------------------------------------------------


def test_many_subscribers_and_events(events_server, connect, topic):
    # 20 connections, each with 50 subscribers on distinct topics plus a
    # wildcard one; 300 events spread over the topics.
    clients = [connect() for _ in range(20)]
    for index, client in enumerate(clients):
        for number in range(50):
            client.emit({'topic': 'ftrack.meta.subscribe', 'data': {
                'subscriber': {'id': '{0}-{1}'.format(index, number)},
                'subscription': 'topic={0}.{1}'.format(topic, number),
            }})
        client.subscribe('topic={0}.* and data.client={1}'.format(
            topic, index))
    publisher = connect()
    expected = {index: [] for index in range(len(clients))}
    for number in range(300):
        event = {'id': uuid.uuid4().hex,
                 'topic': '{0}.{1}'.format(topic, number % 60),
                 'data': {'client': str(number % 20)}}
        publisher.emit(event, ack=False)
        for index in range(len(clients)):
            if number % 60 < 50 or number % 20 == index:
                expected[index].append(event['id'])
    publisher.publish('sync')  # all routed once the ack arrives

    for index, client in enumerate(clients):
        received = []
        deadline = time.monotonic() + 10
        while len(received) < len(expected[index]):
            assert time.monotonic() < deadline
            frame = client.recv()
            if frame.startswith('5:::'):
                received.append(json.loads(frame[4:])['args'][0]['id'])
        assert received == expected[index]
        assert client.events(quiet=0.05) == []
