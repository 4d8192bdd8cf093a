"""The reference client's EventHub (ftrack-python-api 3.1.0, in its own
virtual environment) against the event server, in subprocesses.

The interpreter comes from the ``reference_python`` fixture of
``tests/conftest.py`` (skipped when the reference cannot be installed).
"""

import json
import os
import queue
import subprocess
import threading
import time
import uuid

import pytest

from ftrack_emulator.events.standalone import StandaloneEventServer

try:
    from test_events_server import KEY, USER, RawClient
except ImportError:  # tests collected as a package
    from .test_events_server import KEY, USER, RawClient

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, 'scripts', 'reference_event_peer.py')


class Peer:
    """A reference event hub in a subprocess, reporting JSON lines."""

    def __init__(self, python, mode, url, topic, amount):
        # Isolated (-I) and outside the repository, so that the reference
        # and not our ftrack_api is imported.
        self.process = subprocess.Popen(
            [python, '-I', PEER, mode, url, USER, KEY, topic, str(amount)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=os.path.dirname(python),
        )
        self.lines = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def next(self, timeout=40):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError('peer reported nothing in time')
        if line is None:
            raise AssertionError('peer exited: {0}'.format(
                self.process.stderr.read()[-3000:]
            ))
        assert 'error' not in line, line
        return line

    def finish(self, timeout=20):
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError('peer did not finish')
        stderr = self.process.stderr.read()
        assert code == 0, stderr[-3000:]
        # The hub logs an error when a packet kills its reader thread.
        assert 'Traceback' not in stderr, stderr[-3000:]

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


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
    started = []

    def start(mode, topic, amount):
        peer = Peer(reference_python, mode, events_server.url, topic,
                    amount)
        started.append(peer)
        return peer

    yield start
    for peer in started:
        peer.kill()


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
    listener.next()
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

    received = [listener.next()['event'] for _ in sent]
    listener.finish()
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
        hub_id = publisher.next()['hub_id']
        for _ in range(3):
            event = client.event()
            assert event['source']['id'] == hub_id
            assert event['source']['user'] == {'username': USER}
            client.publish('ftrack.meta.reply', 'Replied',
                           target='id=' + event['source']['id'],
                           inReplyToEvent=event['id'])
        replies = [publisher.next()['reply'] for _ in range(3)]
        publisher.finish()
    finally:
        client.close()
    assert [reply['data'] for reply in replies] == ['Replied'] * 3
    assert all(reply['in_reply_to_event'] for reply in replies)


def test_two_reference_hubs_in_separate_processes(events_server, peers, topic):
    listener = peers('listen', topic, 5)
    listener.next()
    wait_for_subscription(events_server, 'topic=' + topic)
    publisher = peers('publish', topic, 5)
    publisher.next()
    replies = [publisher.next()['reply'] for _ in range(5)]
    received = [listener.next()['event'] for _ in range(5)]
    publisher.finish()
    listener.finish()
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
    peer.next()
    result = peer.next()
    peer.finish()
    assert result['connected'] is True
    assert result['event']['data'] == {'after': 3.0}


def test_reference_hub_comes_back_after_a_server_restart(reference_python,
                                                        topic):
    # The reference reconnects at once on 0::, then every 10 s: the test is
    # quick when the restart wins that first race and takes ~10 s otherwise.
    server = StandaloneEventServer({USER: KEY}).start()
    listener = Peer(reference_python, 'listen', server.url, topic, 1)
    try:
        listener.next()
        wait_for_subscription(server, 'topic=' + topic)
        server.stop()
        server.start()  # same port
        wait_for_subscription(server, 'topic=' + topic)
        client = RawClient(server.url)
        try:
            sent = client.publish(topic, {'after': 'restart'})
        finally:
            client.close()
        assert listener.next()['event']['id'] == sent['id']
        listener.finish()
    finally:
        listener.kill()
        server.stop()
