"""The reference client's EventHub (ftrack-python-api 3.1.0, in its own
virtual environment) against the event server, in subprocesses.

The interpreter comes from the ``reference_python`` fixture of
``tests/conftest.py`` (skipped when the reference cannot be installed).
"""

import os
import time
import uuid

import pytest

from event_peer_process import PeerProcess, peer_starter, script
from ftrack_emulator.events.standalone import StandaloneEventServer

try:
    from test_events_server import KEY, USER, RawClient
except ImportError:  # tests collected as a package
    from .test_events_server import KEY, USER, RawClient

def start_peer(python, mode, url, topic, amount):
    """Run ``tests/event_peers/reference_event_peer.py`` under *python*."""
    # Isolated (-I) and outside the repository, so that the reference and
    # not our ftrack_api is imported.
    return PeerProcess(
        [python, '-I', script('reference_event_peer'), mode, url, USER, KEY,
         topic, str(amount)],
        os.path.dirname(python),
    )


@pytest.fixture(scope='module')
def events_server():
    # Fast heartbeats: every test outlives the timeout several times over,
    # so the reference hubs must answer them to stay connected.
    with StandaloneEventServer(
        {USER: KEY}, heartbeat_interval=0.2, heartbeat_timeout=1.5,
    ) as server:
        yield server


@pytest.fixture
def peers(reference_python, events_server):
    with peer_starter(lambda mode, topic, amount: start_peer(
            reference_python, mode, events_server.url, topic,
            amount)) as start:
        yield start


@pytest.fixture
def topic():
    return 'reference.' + uuid.uuid4().hex


def wait_for_subscription(events_server, subscription):
    deadline = time.monotonic() + 40
    while not events_server.call(lambda: any(
        subscriber.subscription == subscription
        for subscriber in events_server.server.router.subscribers()
    )):
        assert time.monotonic() < deadline, 'no subscription ' + subscription
        time.sleep(0.02)


def test_reference_hub_receives_and_replies(events_server, peers, topic):
    listener = peers('listen', topic, 2)
    listener.report()
    wait_for_subscription(events_server, 'topic=' + topic)

    client = RawClient(events_server.url)
    try:
        hub_id = uuid.uuid4().hex
        client.subscribe('topic=ftrack.meta.reply', hub_id)
        sent = [client.publish(topic, {'n': n}, source={'id': hub_id})
                for n in range(2)]
        replies = [client.event(), client.event()]
    finally:
        client.close()

    received = [listener.report()['event'] for _ in sent]
    listener.exited_cleanly()
    for event, original in zip(received, sent):
        assert event['id'] == original['id']
        assert event['topic'] == topic
        assert event['data'] == original['data']
        assert event['in_reply_to_event'] is None
    for reply, original in zip(replies, sent):
        assert reply['topic'] == 'ftrack.meta.reply'
        assert reply['target'] == 'id=' + hub_id
        assert reply['inReplyToEvent'] == original['id']
        assert reply['data'] == {'echo': original['data']}
        assert reply['source']['applicationId'] == 'reference-listener'


def test_reference_hub_publishes_and_receives_replies(
        events_server, peers, topic):
    client = RawClient(events_server.url)
    try:
        client.subscribe('topic=' + topic)
        publisher = peers('publish', topic, 3)
        hub_id = publisher.report()['hub_id']
        for _ in range(3):
            event = client.event()
            assert event['source']['id'] == hub_id
            assert event['source']['user'] == {'username': USER}
            client.publish('ftrack.meta.reply', 'Replied',
                           target='id=' + event['source']['id'],
                           inReplyToEvent=event['id'])
        replies = [publisher.report()['reply'] for _ in range(3)]
        publisher.exited_cleanly()
    finally:
        client.close()
    assert [reply['data'] for reply in replies] == ['Replied'] * 3
    assert all(reply['in_reply_to_event'] for reply in replies)


def test_two_reference_hubs_in_separate_processes(events_server, peers, topic):
    listener = peers('listen', topic, 5)
    listener.report()
    wait_for_subscription(events_server, 'topic=' + topic)
    publisher = peers('publish', topic, 5)
    publisher.report()
    replies = [publisher.report()['reply'] for _ in range(5)]
    received = [listener.report()['event'] for _ in range(5)]
    publisher.exited_cleanly()
    listener.exited_cleanly()
    assert sorted(event['data']['n'] for event in received) == list(range(5))
    assert sorted(reply['data']['echo']['n'] for reply in replies) == (
        list(range(5))
    )
    assert {reply['in_reply_to_event'] for reply in replies} == {
        event['id'] for event in received
    }


def test_reference_hub_stays_connected_through_heartbeats(
        events_server, peers, topic):
    peer = peers('idle', topic, 3.0)
    peer.report()
    result = peer.report()
    peer.exited_cleanly()
    assert result['connected'] is True
    assert result['event']['data'] == {'after': 3.0}


def test_reference_hub_comes_back_after_a_server_restart(reference_python,
                                                        topic):
    # The reference reconnects at once on 0::, then every 10 s: the test is
    # quick when the restart wins that first race and takes ~10 s otherwise.
    server = StandaloneEventServer({USER: KEY}).start()
    listener = start_peer(reference_python, 'listen', server.url, topic, 1)
    try:
        listener.report()
        wait_for_subscription(server, 'topic=' + topic)
        server.stop()
        server.start()  # same port
        wait_for_subscription(server, 'topic=' + topic)
        client = RawClient(server.url)
        try:
            sent = client.publish(topic, {'after': 'restart'})
        finally:
            client.close()
        assert listener.report()['event']['id'] == sent['id']
        listener.exited_cleanly()
    finally:
        listener.kill()
        server.stop()
