"""Event hubs against an emulator with short heartbeats that stops and
starts again on the same port.

Each test runs its own emulator (a file database, so that the data
survives the restart), paced for speed: heartbeats every 0.1 s and clients
dropped after a second of silence.
"""

import functools
import logging
import os
import socket
import time
import uuid

import pytest

import ftrack_api
import ftrack_api.event.hub
from ftrack_api.event.base import Event
from ftrack_emulator.server import Emulator

import event_hub_helpers

HEARTBEAT_INTERVAL = 0.1
HEARTBEAT_TIMEOUT = 1.0

# A restart takes longer than the other event hub tests wait.
wait_for = functools.partial(event_hub_helpers.wait_for, timeout=10.0)
wait_until = functools.partial(event_hub_helpers.wait_until, timeout=10.0)


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class RestartableEmulator:
    """An emulator that can be stopped and started on the same port with
    the same data."""

    def __init__(self, directory):
        self.port = free_port()
        self.database = 'sqlite:///' + os.path.join(directory, 'db.sqlite')
        self.storage = os.path.join(directory, 'storage')
        self.current = None

    def start(self):
        self.current = Emulator(
            port=self.port, database=self.database, storage=self.storage,
            event_heartbeat_interval=HEARTBEAT_INTERVAL,
            event_heartbeat_timeout=HEARTBEAT_TIMEOUT,
        ).start()
        return self

    def stop(self):
        self.current.stop()

    def session(self):
        session = ftrack_api.Session(
            server_url=self.current.url, api_user=self.current.api_user,
            api_key=self.current.api_key, schema_cache_path=False,
        )
        session.event_hub._auto_reconnect = ftrack_api.event.hub._Backoff(
            attempts=60, initial_delay=0.05, max_delay=0.2
        )
        return session


@pytest.fixture
def emulator(tmp_path):
    server = RestartableEmulator(str(tmp_path)).start()
    yield server
    server.stop()


@pytest.fixture
def sessions(emulator):
    made = []

    def make():
        session = emulator.session()
        made.append(session)
        session.event_hub.connect()
        return session

    yield make
    for session in made:
        session.close()


def test_heartbeats_keep_a_quiet_connection_open(sessions, caplog):
    caplog.set_level(logging.DEBUG, logger='ftrack_api.event.hub')
    session = sessions()
    hub = session.event_hub
    connected = []
    hub.subscribe('topic=ftrack.meta.connected', connected.append)
    # Quiet for several heartbeat timeouts: the server only keeps clients
    # that answer its heartbeats.
    hub.wait(2 * HEARTBEAT_TIMEOUT)
    heartbeats = [record for record in caplog.records
                  if record.getMessage() == 'Received packet: 2::']
    answers = [record for record in caplog.records
               if record.getMessage() == 'Sent packet: 2:::']
    assert len(heartbeats) >= 8
    assert len(answers) == len(heartbeats)
    assert len(connected) == 1
    assert hub.connected

    # And it still carries events.
    topic = 'test.quiet.' + uuid.uuid4().hex
    received = []
    hub.subscribe('topic=' + topic, received.append)
    hub.publish(Event(topic))
    wait_for(hub, lambda: received)


def test_restarted_server_gets_its_clients_back(emulator, sessions):
    listener, publisher = sessions(), sessions()
    topic = 'test.restart.' + uuid.uuid4().hex
    received, connected = [], []
    listener.event_hub.subscribe('topic=' + topic, received.append,
                                 subscriber={'applicationId': 'listener'})
    listener.event_hub.subscribe('topic=ftrack.meta.connected',
                                 connected.append)
    publisher.event_hub.publish(Event(topic, data={'n': 0}))
    wait_for(listener.event_hub, lambda: len(received) == 1)

    emulator.stop()
    wait_until(lambda: not listener.event_hub.connected
               and not publisher.event_hub.connected)
    # While the server is away, events are queued, not refused. The
    # listener's own events come back to it: its subscriptions are
    # announced again before its queue is sent.
    assert listener.event_hub.publish(Event(topic, data={'n': 1})) is True
    assert listener.event_hub.publish(Event(topic, data={'n': 2})) is True
    time.sleep(0.3)

    emulator.start()
    wait_until(lambda: listener.event_hub.connected
               and publisher.event_hub.connected)
    wait_for(listener.event_hub, lambda: len(received) == 3)
    # The subscription serves other publishers again too.
    publisher.event_hub.publish(Event(topic, data={'n': 3}))
    wait_for(listener.event_hub, lambda: len(received) == 4)
    assert [event['data']['n'] for event in received] == [0, 1, 2, 3]
    wait_for(listener.event_hub, lambda: len(connected) >= 1)
    # The session's API connection works with the restarted server too.
    assert listener.query('User where username is "{0}"'.format(
        listener.api_user
    )).one()['username'] == listener.api_user


def test_queued_events_reach_a_subscriber_restored_first(emulator, sessions):
    # Deterministic delivery of queued events: the listener is back (and
    # its subscription restored) before the publisher reconnects.
    listener = sessions()
    publisher = sessions()
    topic = 'test.queued.' + uuid.uuid4().hex
    received = []
    listener.event_hub.subscribe('topic=' + topic, received.append)
    publisher.event_hub._auto_reconnect = ftrack_api.event.hub._Backoff(
        attempts=1
    )
    emulator.stop()
    wait_until(lambda: not publisher.event_hub.connected)
    # The publisher gives up at once; its events stay queued.
    publisher.event_hub.wait(1)
    assert publisher.event_hub.publish(Event(topic, data={'n': 1})) is True
    emulator.start()
    wait_until(lambda: listener.event_hub.connected)
    # The listener announced its subscriptions: prove it with a round trip.
    marker = []
    listener.event_hub.subscribe('topic=marker.' + topic, marker.append)
    listener.event_hub.publish(Event('marker.' + topic))
    wait_for(listener.event_hub, lambda: marker)
    publisher.event_hub.connect()
    wait_for(listener.event_hub, lambda: received)
    assert received[0]['data'] == {'n': 1}


def test_giving_up_is_announced_and_ends_wait(emulator):
    session = emulator.session()
    try:
        hub = session.event_hub
        hub._auto_reconnect = ftrack_api.event.hub._Backoff(
            attempts=3, initial_delay=0.01, max_delay=0.05
        )
        hub.connect()
        seen = []
        hub.subscribe('topic=ftrack.meta.disconnected', seen.append)
        emulator.stop()
        started = time.monotonic()
        hub.wait(20)  # returns early on ftrack.meta.disconnected
        assert time.monotonic() - started < 5
        assert [event['topic'] for event in seen] == [
            'ftrack.meta.disconnected'
        ]
        assert seen[0]['source']['id'] == hub.id
        assert not hub.connected
    finally:
        emulator.start()
        session.close()
