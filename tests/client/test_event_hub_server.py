"""Event hubs of real sessions talking through the emulator's event server.

Several sessions in this process, each with its own hub and websocket, so
everything crosses the server: routing by subscription, targets, replies,
and the events the server itself publishes.
"""

import threading
import time
import uuid

import pytest

import ftrack_api
import ftrack_api.exception
from event_hub_helpers import wait_for
from ftrack_api.event.base import Event
from session_helpers import new_session


@pytest.fixture
def sessions(ftrack_server):
    """Return a factory of sessions, all closed after the test."""
    made = []

    def make(connect=True, **options):
        session = new_session(ftrack_server, **options)
        made.append(session)
        if connect:
            session.event_hub.connect()
        return session

    yield make
    for session in made:
        session.close()


@pytest.fixture
def topic():
    return 'test.hub.' + uuid.uuid4().hex


def settle(*hubs, duration=0.3):
    """Let every hub handle what arrives within *duration* seconds."""
    for hub in hubs:
        hub.wait(duration)


def announced(hub):
    """Wait until the server holds the subscriptions *hub* announced: a
    round trip through the server proves it (events are handled in
    order)."""
    marker = 'test.hub.marker.' + uuid.uuid4().hex
    seen = []
    identifier = hub.subscribe('topic=' + marker, seen.append)
    hub.publish(Event(marker))
    wait_for(hub, lambda: seen)
    hub.unsubscribe(identifier)


def test_events_travel_between_sessions(sessions, topic):
    listener, publisher = sessions(), sessions()
    received, own = [], []
    listener.event_hub.subscribe('topic=' + topic, received.append,
                                 subscriber={'applicationId': 'listener'})
    publisher.event_hub.subscribe('topic=' + topic, own.append)
    announced(listener.event_hub)

    event = Event(topic, data={'shot': 'sh010', 'frames': [1, 2]})
    assert publisher.event_hub.publish(event) is None
    wait_for(listener.event_hub, lambda: received)
    # The publisher receives its own event too, through the server.
    wait_for(publisher.event_hub, lambda: own)

    [copy] = received
    assert copy is not event
    assert copy['id'] == event['id']
    assert copy['data'] == {'shot': 'sh010', 'frames': [1, 2]}
    assert copy['source']['id'] == publisher.event_hub.id
    assert copy['source']['user'] == {'username': publisher.api_user}
    assert copy['target'] == ''
    assert copy['in_reply_to_event'] is None
    assert own[0]['id'] == event['id']


def test_callbacks_run_in_the_waiting_thread(sessions, topic):
    listener, publisher = sessions(), sessions()
    threads = []
    listener.event_hub.subscribe(
        'topic=' + topic,
        lambda event: threads.append(threading.current_thread()),
    )
    announced(listener.event_hub)
    publisher.event_hub.publish(Event(topic))
    time.sleep(0.3)
    # Received but not handled until wait() is called.
    assert threads == []
    wait_for(listener.event_hub, lambda: threads)
    assert threads == [threading.current_thread()]


def test_replies_reach_the_publisher(sessions, topic):
    publisher, first, second = sessions(), sessions(), sessions()

    first.event_hub.subscribe(
        'topic=' + topic,
        lambda event: {'answer': event['data']['question'] * 2},
        subscriber={'applicationId': 'doubler'},
    )

    def reply_explicitly(event):
        second.event_hub.publish_reply(
            event, data='Replied', source={'id': 'explicit-replier'}
        )

    second.event_hub.subscribe('topic=' + topic, reply_explicitly)
    # Returning None sends no reply.
    second.event_hub.subscribe('topic=' + topic, lambda event: None)
    for session in (first, second):
        announced(session.event_hub)

    replies = []
    event = Event(topic, data={'question': 21})
    publisher.event_hub.publish(event, on_reply=replies.append)
    deadline = time.monotonic() + 5
    while len(replies) < 2 and time.monotonic() < deadline:
        for hub in (first.event_hub, second.event_hub,
                    publisher.event_hub):
            hub.wait(0.02)
    settle(first.event_hub, second.event_hub, publisher.event_hub,
           duration=0.2)
    assert len(replies) == 2

    by_source = {reply['source']['id']: reply for reply in replies}
    doubled = [reply for reply in replies
               if reply['source'].get('applicationId') == 'doubler'][0]
    assert doubled['data'] == {'answer': 42}
    assert doubled['topic'] == 'ftrack.meta.reply'
    assert doubled['target'] == 'id={0}'.format(publisher.event_hub.id)
    assert doubled['in_reply_to_event'] == event['id']
    # The replier's metadata became the source, user and host added.
    assert doubled['source']['user'] == {'username': first.api_user}
    assert 'host' in doubled['source']
    assert by_source['explicit-replier']['data'] == 'Replied'


def test_replies_go_to_the_publisher_only(sessions, topic):
    publisher, listener, bystander = sessions(), sessions(), sessions()
    listener.event_hub.subscribe('topic=' + topic, lambda event: 'mine')
    stray = []
    bystander.event_hub.subscribe('topic=ftrack.meta.reply', stray.append)
    for session in (listener, bystander):
        announced(session.event_hub)
    replies = []
    publisher.event_hub.publish(Event(topic), on_reply=replies.append)
    deadline = time.monotonic() + 5
    while not replies and time.monotonic() < deadline:
        listener.event_hub.wait(0.02)
        publisher.event_hub.wait(0.02)
    settle(bystander.event_hub, duration=0.3)
    assert [reply['data'] for reply in replies] == ['mine']
    assert stray == []


def test_synchronous_publish_stays_local(sessions, topic):
    publisher, listener = sessions(), sessions()
    remote = []
    listener.event_hub.subscribe('topic=' + topic, remote.append)
    publisher.event_hub.subscribe('topic=' + topic,
                                  lambda event: event['data']['n'] + 1)
    announced(listener.event_hub)
    announced(publisher.event_hub)
    results = publisher.event_hub.publish(
        Event(topic, data={'n': 1}), synchronous=True
    )
    assert results == [2]
    settle(listener.event_hub, publisher.event_hub)
    assert remote == []


def test_priorities_and_stopping_across_the_server(sessions, topic):
    publisher, listener = sessions(), sessions()
    calls = []

    def record(name, stop=False):
        def callback(event):
            calls.append(name)
            if stop:
                event.stop()
        return callback

    hub = listener.event_hub
    hub.subscribe('topic=' + topic, record('late'), priority=300)
    hub.subscribe('topic=' + topic, record('stopper', stop=True),
                  priority=200)
    hub.subscribe('topic=' + topic, record('first'), priority=10)
    hub.subscribe('topic=' + topic, record('second'))
    announced(hub)
    publisher.event_hub.publish(Event(topic))
    wait_for(hub, lambda: 'stopper' in calls)
    settle(hub, duration=0.2)
    assert calls == ['first', 'second', 'stopper']


def test_subscription_expressions_filter_on_the_server(sessions, topic):
    publisher, listener = sessions(), sessions()
    matched = {}

    def collect(name):
        return lambda event: matched.setdefault(name, []).append(
            event['data'].get('n')
        )

    hub = listener.event_hub
    hub.subscribe('topic={0} and data.kind=shot'.format(topic),
                  collect('shots'))
    hub.subscribe('topic={0} and not data.kind=shot'.format(topic),
                  collect('others'))
    hub.subscribe('topic="{0}" and (data.kind=asset or data.n="3")'.format(
        topic), collect('asset_or_three'))
    # A trailing * matches where the text before it is a substring.
    hub.subscribe('topic={0}*'.format(topic), collect('wildcard'))
    announced(hub)

    publisher.event_hub.publish(Event(topic, data={'kind': 'shot', 'n': '1'}))
    publisher.event_hub.publish(Event(topic, data={'kind': 'asset', 'n': '2'}))
    publisher.event_hub.publish(Event(topic, data={'n': '3'}))
    publisher.event_hub.publish(Event('prefixed.' + topic, data={'n': '4'}))
    wait_for(hub, lambda: len(matched.get('wildcard', [])) == 4)
    settle(hub, duration=0.2)
    assert matched == {
        'shots': ['1'],
        'others': ['2', '3'],
        'asset_or_three': ['2', '3'],
        'wildcard': ['1', '2', '3', '4'],
    }


def test_targets_select_subscribers(sessions, topic):
    publisher, maya, nuke = sessions(), sessions(), sessions()
    got = []
    maya_id = maya.event_hub.subscribe(
        'topic=' + topic, lambda event: got.append(('maya', event['target'])),
        subscriber={'applicationId': 'maya'},
    )
    nuke.event_hub.subscribe(
        'topic=' + topic, lambda event: got.append(('nuke', event['target'])),
        subscriber={'applicationId': 'nuke'},
    )
    for session in (maya, nuke):
        announced(session.event_hub)
    publisher.event_hub.publish(Event(topic, target='applicationId=nuke'))
    publisher.event_hub.publish(Event(topic, target='id=' + maya_id))
    publisher.event_hub.publish(Event(topic))
    deadline = time.monotonic() + 5
    while len(got) < 4 and time.monotonic() < deadline:
        maya.event_hub.wait(0.02)
        nuke.event_hub.wait(0.02)
    settle(maya.event_hub, nuke.event_hub, duration=0.2)
    assert sorted(got) == sorted([
        ('nuke', 'applicationId=nuke'), ('maya', 'id=' + maya_id),
        ('maya', ''), ('nuke', ''),
    ])


def test_unsubscribing_tells_the_server(sessions, topic):
    publisher, listener = sessions(), sessions()
    received = []
    identifier = listener.event_hub.subscribe('topic=' + topic,
                                              received.append)
    announced(listener.event_hub)
    listener.event_hub.unsubscribe(identifier)
    announced(listener.event_hub)
    publisher.event_hub.publish(Event(topic))
    settle(listener.event_hub)
    assert received == []


def test_subscribing_before_connecting(sessions, topic):
    listener = sessions(connect=False)
    publisher = sessions()
    received = []
    listener.event_hub.subscribe('topic=' + topic, received.append)
    listener.event_hub.connect()
    announced(listener.event_hub)
    publisher.event_hub.publish(Event(topic))
    wait_for(listener.event_hub, lambda: received)


def test_events_queued_while_connecting_are_sent(sessions, topic):
    listener = sessions()
    publisher = sessions(connect=False)
    received = []
    listener.event_hub.subscribe('topic=' + topic, received.append)
    announced(listener.event_hub)
    publisher.event_hub.init_connection()
    assert publisher.event_hub.publish(Event(topic, data={'n': 1})) is True
    assert publisher.event_hub.publish(Event(topic, data={'n': 2})) is True
    publisher.event_hub.connect()
    wait_for(listener.event_hub, lambda: len(received) == 2)
    assert [event['data']['n'] for event in received] == [1, 2]


def test_unicode_survives_the_trip(sessions, topic):
    listener, publisher = sessions(), sessions()
    received = []
    listener.event_hub.subscribe('topic=' + topic, received.append)
    announced(listener.event_hub)
    text = 'Ünïcødé ✓ 日本'
    publisher.event_hub.publish(Event(topic, data={'text': text}))
    wait_for(listener.event_hub, lambda: received)
    assert received[0]['data']['text'] == text


def test_connect_and_disconnect_errors(sessions):
    session = sessions()
    hub = session.event_hub
    assert hub.connected
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.connect()
    assert str(error.value) == 'Already connected.'
    hub.disconnect()
    assert not hub.connected
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.disconnect()
    assert str(error.value) == 'Not currently connected.'
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.wait(0.01)
    assert 'migration' in str(error.value)
    # reconnect() connects again from scratch.
    hub.reconnect(attempts=2, delay=0.01)
    assert hub.connected
    hub.reconnect(attempts=2, delay=0.01)
    assert hub.connected


def test_server_publishes_updates_of_committed_changes(sessions):
    listener, writer = sessions(), sessions(connect=False)
    updates = []
    listener.event_hub.subscribe('topic=ftrack.update', updates.append)
    announced(listener.event_hub)
    schema = writer.query('ProjectSchema').first()
    name = 'hub_' + uuid.uuid4().hex[:8]
    project = writer.create('Project', {
        'name': name, 'full_name': name, 'project_schema': schema,
    })
    writer.commit()

    def saw_project():
        return any(
            entity.get('entityId') == project['id']
            for update in updates for entity in update['data']['entities']
        )

    wait_for(listener.event_hub, saw_project)
    entity = [entity for update in updates
              for entity in update['data']['entities']
              if entity['entityId'] == project['id']][0]
    assert entity['action'] == 'add'
    assert entity['entityType'] == 'show'
    assert 'name' in entity['keys']


def test_auto_connect_event_hub(ftrack_server, topic):
    listener = new_session(ftrack_server)
    listener.event_hub.connect()
    received = []
    listener.event_hub.subscribe('topic=' + topic, received.append)
    announced(listener.event_hub)
    try:
        with new_session(ftrack_server, auto_connect_event_hub=True) as auto:
            hub = auto.event_hub
            # Initialised at once: asynchronous events are accepted from
            # the start (queued or sent).
            assert hub.publish(Event(topic, data={'n': 1})) in (True, None)
            deadline = time.monotonic() + 5
            while not hub.connected and time.monotonic() < deadline:
                time.sleep(0.01)
            assert hub.connected
            wait_for(listener.event_hub, lambda: received)
            thread = auto._auto_connect_event_hub_thread
        # close() disconnected the hub and joined the connecting thread.
        assert not hub.connected
        assert not thread.is_alive()
        with pytest.raises(ftrack_api.exception.EventHubConnectionError):
            hub.publish(Event(topic))
    finally:
        listener.close()


def test_close_cancels_a_connection_in_progress(ftrack_server, caplog):
    session = new_session(ftrack_server, auto_connect_event_hub=True)
    session.close()
    assert not session.event_hub.connected
    time.sleep(0.1)
    assert not session.event_hub.connected
    assert not [record for record in caplog.records
                if record.levelname == 'ERROR']


def test_close_without_a_connection_is_quiet(ftrack_server):
    session = new_session(ftrack_server)
    session.close()
    assert not session.event_hub.connected


def test_a_client_sending_garbage_harms_nobody(sessions, ftrack_server,
                                               topic):
    import requests
    import websocket

    listener, publisher = sessions(), sessions()
    received = []
    listener.event_hub.subscribe('topic=' + topic, received.append)
    announced(listener.event_hub)

    response = requests.get(
        ftrack_server.url + '/socket.io/1/', timeout=10, headers={
            'ftrack-user': ftrack_server.api_user,
            'ftrack-api-key': ftrack_server.api_key,
        },
    )
    sid = response.text.split(':')[0]
    rogue = websocket.create_connection(
        ftrack_server.url.replace('http://', 'ws://')
        + '/socket.io/1/websocket/' + sid, timeout=10,
    )
    try:
        for frame in ('x', '5:::not json', '5:1+::{"name": "ftrack.event"}',
                      '5:::{"name": "ftrack.event", "args": [{"topic": 5}]}',
                      '6:::', '9::'):
            rogue.send(frame)
        rogue.send_binary(b'\x00\xff')
        publisher.event_hub.publish(Event(topic, data={'after': 'garbage'}))
        wait_for(listener.event_hub, lambda: received)
        assert received[0]['data'] == {'after': 'garbage'}
        assert listener.event_hub.connected and publisher.event_hub.connected
    finally:
        rogue.close()
