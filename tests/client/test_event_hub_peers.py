"""Event hubs in other processes: ours, and the reference client's.

A peer script (written out by the test) runs one hub in a subprocess under
either interpreter: this project's, or the reference ftrack-python-api 3.1.0
in its own virtual environment (the ``reference_python`` fixture). It talks
to a session of ours in this process through the emulator, in both
directions, replies included. The reference variant is the interoperability
check: what a hub of ours publishes, the reference receives and answers, and
the other way round.
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid

import pytest

from ftrack_api.event.base import Event
from session_helpers import new_session

PEER_SCRIPT = r'''
import json
import sys
import time

from ftrack_api.event.base import Event
from ftrack_api.event.hub import EventHub

TIMEOUT = 30


def report(**values):
    sys.stdout.write(json.dumps(values) + '\n')
    sys.stdout.flush()


def as_dict(event):
    return {key: event[key] for key in event}


def wait_for(hub, condition):
    deadline = time.time() + TIMEOUT
    while not condition():
        if time.time() > deadline:
            report(error='timed out')
            sys.exit(1)
        hub.wait(0.05)


def ready(hub, topic):
    # A round trip through the server proves it knows our subscriptions.
    seen = []
    hub.subscribe('topic={0}.ready'.format(topic), seen.append)
    hub.publish(Event('{0}.ready'.format(topic)))
    wait_for(hub, lambda: seen)
    report(ready=True, hub_id=hub.id)


def listen(hub, topic, count):
    received = []

    def callback(event):
        received.append(event)
        report(event=as_dict(event))
        return {'echo': event['data'], 'by': 'peer'}

    hub.subscribe('topic=' + topic, callback,
                  subscriber={'applicationId': 'peer'})
    ready(hub, topic)
    wait_for(hub, lambda: len(received) >= count)
    hub.wait(0.3)


def publish(hub, topic, count):
    replies = []

    def on_reply(event):
        replies.append(event)
        report(reply=as_dict(event))

    ready(hub, topic)
    sys.stdin.readline()
    for number in range(count):
        event = Event(topic, data={'n': number, 'text': u'\u00dcn\u00ef'},
                      target='applicationId=ours')
        hub.publish(event, on_reply=on_reply)
        report(published=event['id'])
    wait_for(hub, lambda: len(replies) >= count)


def main(mode, url, user, key, topic, count):
    hub = EventHub(url, user, key)
    hub.connect()
    {'listen': listen, 'publish': publish}[mode](hub, topic, int(count))
    hub.disconnect()
    report(done=True)


main(*sys.argv[1:])
'''

COUNT = 3


class Peer:
    """A hub in a subprocess, reporting JSON lines."""

    def __init__(self, python, directory, mode, server, topic, isolated):
        script = os.path.join(directory, 'event_peer.py')
        with open(script, 'w', encoding='utf-8') as handle:
            handle.write(PEER_SCRIPT)
        command = [python]
        if isolated:
            # The reference, not this repository's ftrack_api.
            command.append('-I')
        command += [script, mode, server.url, server.api_user,
                    server.api_key, topic, str(COUNT)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=directory,
            encoding='utf-8',
        )
        self.lines = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def next(self, key, timeout=40):
        """Return the value of the next report carrying *key*."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(
                    timeout=max(0.0, deadline - time.monotonic())
                )
            except queue.Empty:
                raise AssertionError('the peer reported no {0!r}'.format(key))
            if line is None:
                raise AssertionError('the peer exited: {0}'.format(
                    self.process.stderr.read()[-3000:]
                ))
            assert 'error' not in line, line
            if key in line:
                return line[key]

    def go(self):
        self.process.stdin.write('go\n')
        self.process.stdin.flush()

    def finish(self):
        assert self.next('done') is True
        assert self.process.wait(20) == 0
        stderr = self.process.stderr.read()
        assert 'Traceback' not in stderr, stderr[-3000:]

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(params=['ours', 'reference'])
def interpreter(request):
    """``(python, isolated)`` of the peer's client."""
    if request.param == 'ours':
        return sys.executable, False
    return request.getfixturevalue('reference_python'), True


@pytest.fixture
def peer(interpreter, ftrack_server, tmp_path):
    peers = []

    def start(mode, topic):
        python, isolated = interpreter
        started = Peer(python, str(tmp_path), mode, ftrack_server, topic,
                       isolated)
        peers.append(started)
        return started

    yield start
    for started in peers:
        started.kill()


@pytest.fixture
def session(ftrack_server):
    session = new_session(ftrack_server)
    session.event_hub.connect()
    yield session
    session.close()


def test_peer_receives_our_events_and_replies(peer, session):
    topic = 'test.peer.' + uuid.uuid4().hex
    listener = peer('listen', topic)
    peer_hub = listener.next('hub_id')
    replies = []
    published = []
    hub = session.event_hub
    for number in range(COUNT):
        event = Event(topic, data={'n': number, 'text': 'Ünï'})
        published.append(event['id'])
        hub.publish(event, on_reply=replies.append)

    events = [listener.next('event') for _ in range(COUNT)]
    deadline = time.monotonic() + 20
    while len(replies) < COUNT and time.monotonic() < deadline:
        hub.wait(0.05)
    listener.finish()

    assert [event['id'] for event in events] == published
    for number, event in enumerate(events):
        assert event['data'] == {'n': number, 'text': 'Ünï'}
        assert event['source']['id'] == hub.id
        assert event['source']['user'] == {'username': session.api_user}
        assert event['in_reply_to_event'] is None

    assert sorted(reply['in_reply_to_event'] for reply in replies) == sorted(
        published
    )
    for reply in replies:
        assert reply['topic'] == 'ftrack.meta.reply'
        assert reply['target'] == 'id=' + hub.id
        assert reply['source']['applicationId'] == 'peer'
        assert reply['source']['user'] == {'username': session.api_user}
        assert reply['data']['by'] == 'peer'
    assert sorted(reply['data']['echo']['n'] for reply in replies) == list(
        range(COUNT)
    )
    assert peer_hub != hub.id


def test_peer_publishes_to_us_and_gets_our_replies(peer, session):
    topic = 'test.peer.' + uuid.uuid4().hex
    hub = session.event_hub
    received, bystander = [], []

    def answer(event):
        received.append(event)
        return {'thanks': event['data']['n']}

    hub.subscribe('topic=' + topic, answer,
                  subscriber={'applicationId': 'ours'})
    # Targeted at applicationId=ours: this one never sees them.
    hub.subscribe('topic=' + topic, bystander.append,
                  subscriber={'applicationId': 'bystander'})
    ready = []
    hub.subscribe('topic=ready.' + topic, ready.append)
    hub.publish(Event('ready.' + topic))
    deadline = time.monotonic() + 10
    while not ready and time.monotonic() < deadline:
        hub.wait(0.05)

    publisher = peer('publish', topic)
    peer_hub = publisher.next('hub_id')
    publisher.go()
    published = [publisher.next('published') for _ in range(COUNT)]
    deadline = time.monotonic() + 20
    while len(received) < COUNT and time.monotonic() < deadline:
        hub.wait(0.05)
    replies = [publisher.next('reply') for _ in range(COUNT)]
    publisher.finish()

    assert [event['id'] for event in received] == published
    for number, event in enumerate(received):
        assert event['data'] == {'n': number, 'text': 'Ünï'}
        assert event['source']['id'] == peer_hub
        assert event['target'] == 'applicationId=ours'
    assert bystander == []
    assert sorted(reply['in_reply_to_event'] for reply in replies) == sorted(
        published
    )
    for reply in replies:
        assert reply['topic'] == 'ftrack.meta.reply'
        assert reply['target'] == 'id=' + peer_hub
        assert reply['source']['applicationId'] == 'ours'
    assert sorted(reply['data']['thanks'] for reply in replies) == list(
        range(COUNT)
    )
