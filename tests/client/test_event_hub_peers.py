"""Event hubs in other processes: ours, and the reference client's.

A peer script (``tests/event_peers/hub_peer.py``) runs one hub in a subprocess under
either interpreter: this project's, or the reference ftrack-python-api 3.1.0
in its own virtual environment (the ``reference_python`` fixture). It talks
to a session of ours in this process through the emulator, in both
directions, replies included. The reference variant is the interoperability
check: what a hub of ours publishes, the reference receives and answers, and
the other way round.
"""

import sys
import time
import uuid

import pytest

from event_peer_process import PeerProcess, peer_starter, script
from ftrack_api.event.base import Event

COUNT = 3


class Peer(PeerProcess):
    """A hub in a subprocess (``tests/event_peers/hub_peer.py``)."""

    def __init__(self, python, directory, mode, server, topic, isolated):
        command = [python]
        if isolated:
            # The reference, not this repository's ftrack_api.
            command.append('-I')
        command += [script('hub_peer'), mode, server.url, server.api_user,
                    server.api_key, topic, str(COUNT)]
        super().__init__(command, directory, stdin=True)

    def go(self):
        self.process.stdin.write('go\n')
        self.process.stdin.flush()

    def finish(self):
        assert self.next('done') is True
        self.exited_cleanly()


@pytest.fixture(params=['ours', 'reference'])
def interpreter(request):
    """``(python, isolated)`` of the peer's client."""
    if request.param == 'ours':
        return sys.executable, False
    return request.getfixturevalue('reference_python'), True


@pytest.fixture
def peer(interpreter, ftrack_server, tmp_path):
    python, isolated = interpreter
    with peer_starter(lambda mode, topic: Peer(
            python, str(tmp_path), mode, ftrack_server, topic,
            isolated)) as start:
        yield start


@pytest.fixture
def session(session):
    """The shared session fixture, its event hub connected."""
    session.event_hub.connect()
    return session


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
