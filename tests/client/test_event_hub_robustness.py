"""The event hub against a scripted socket.io peer.

The peer is a small aiohttp server, written in this module, that records
what the hub sends and sends whatever a test asks for: malformed packets,
binary frames, refusals, goodbyes and silence. A real event server never
does most of that, so this is where the hub shows it survives it.
"""

import asyncio
import json
import logging
import queue
import threading
import time

import pytest
from aiohttp import web

import ftrack_api.event.hub
import ftrack_api.exception
from ftrack_api.event.base import Event

from event_hub_helpers import wait_for, wait_until

USER = 'bob'
KEY = 'secret'


class ScriptedPeer:
    """A socket.io 0.9 server whose every frame the test controls.

    Each handshake and websocket is recorded; :meth:`send` sends frames to
    the newest websocket. Publishes are acknowledged with
    ``{"success": true}`` unless :attr:`acknowledge` says otherwise.
    """

    def __init__(self):
        self.handshakes = []
        self.upgrades = []
        self.frames = queue.Queue()
        #: Callable ``(event) -> result or None`` (None: no ack at all).
        self.acknowledge = lambda event: {'success': True}
        #: Status code of the handshake (e.g. 500 to refuse reconnecting).
        self.handshake_status = 200
        self.echo = False
        self._websockets = []
        self._loop = None
        self._runner = None
        self._thread = None
        self.port = None

    @property
    def url(self):
        return 'http://127.0.0.1:{0}'.format(self.port)

    def start(self):
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._serve())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(10)
        return self

    async def _serve(self):
        app = web.Application()
        app.router.add_get('/socket.io/1/', self._handshake)
        app.router.add_get('/socket.io/1/websocket/{sid}', self._websocket)
        self._runner = web.AppRunner(app, handle_signals=False,
                                     shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, '127.0.0.1', 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def stop(self):
        async def close_all():
            for socket in list(self._websockets):
                await socket.close()
        asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _handshake(self, request):
        self.handshakes.append(dict(request.headers))
        if self.handshake_status != 200:
            return web.Response(status=self.handshake_status, text='no')
        return web.Response(
            text='sid{0}:60:60:websocket,xhr-polling'.format(
                len(self.handshakes)
            )
        )

    async def _websocket(self, request):
        self.upgrades.append((request.match_info['sid'],
                              dict(request.headers)))
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._websockets.append(socket)
        await socket.send_str('1::')
        async for message in socket:
            if message.type.name != 'TEXT':
                continue
            text = message.data
            self.frames.put(text)
            if text.startswith('5:'):
                header, _, payload = text.partition('::')
                packet_id = header.split(':')[1].rstrip('+')
                event = json.loads(payload)['args'][0]
                result = self.acknowledge(event)
                if packet_id and result is not None:
                    await socket.send_str('6:::{0}+{1}'.format(
                        packet_id, json.dumps([result])
                    ))
                if self.echo and not event['topic'].startswith(
                        'ftrack.meta.'):
                    await socket.send_str('5:::' + payload)
        if socket in self._websockets:
            self._websockets.remove(socket)
        return socket

    # Driving the peer from the test's thread.

    def _call(self, coroutine_function, *args):
        return asyncio.run_coroutine_threadsafe(
            coroutine_function(*args), self._loop
        ).result(5)

    def send(self, *frames):
        async def send():
            socket = self._websockets[-1]
            for frame in frames:
                if isinstance(frame, bytes):
                    await socket.send_bytes(frame)
                else:
                    await socket.send_str(frame)
        self._call(send)

    def close_websocket(self, farewell=None):
        async def close():
            socket = self._websockets.pop()
            if farewell is not None:
                await socket.send_str(farewell)
            await socket.close()
        self._call(close)

    def connections(self):
        return len(self._websockets)

    def next_frame(self, timeout=5.0, skip_heartbeats=True):
        """Return the next frame the hub sent."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                frame = self.frames.get(
                    timeout=max(0.0, deadline - time.monotonic())
                )
            except queue.Empty:
                raise AssertionError('the hub sent nothing in time')
            if skip_heartbeats and frame == '2:::':
                continue
            return frame

    def next_event(self, timeout=5.0):
        """Return ``(packet id, event)`` of the next event the hub sent."""
        frame = self.next_frame(timeout)
        assert frame.startswith('5:'), frame
        header, _, payload = frame.partition('::')
        return header.split(':')[1], json.loads(payload)['args'][0]

    def drain(self):
        frames = []
        while True:
            try:
                frames.append(self.frames.get_nowait())
            except queue.Empty:
                return frames


@pytest.fixture
def peer():
    server = ScriptedPeer().start()
    yield server
    server.stop()


@pytest.fixture
def make_hub():
    hubs = []

    def make(url, **options):
        hub = ftrack_api.event.hub.EventHub(url, USER, KEY, **options)
        # Fast reconnection: a few quick attempts.
        hub._auto_reconnect = ftrack_api.event.hub._Backoff(
            attempts=5, initial_delay=0.02, max_delay=0.1
        )
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        try:
            hub.disconnect()
        except ftrack_api.exception.EventHubConnectionError:
            pass


def test_connect_sends_what_the_reference_sends(peer, make_hub):
    hub = make_hub(peer.url + '/ignored/path',
                   headers={'X-Studio': 'north'}, cookies={'crumb': 'c1'})
    first = hub.subscribe('topic=a', lambda event: None,
                          subscriber={'applicationId': 'maya'})
    second = hub.subscribe('topic=b', lambda event: None, priority=5)
    hub.init_connection()
    queued = Event('queued', data={'text': 'Ünïcode'})
    assert hub.publish(queued) is True
    hub.connect()
    assert hub.connected

    [headers] = peer.handshakes
    assert headers['ftrack-user'] == USER
    assert headers['ftrack-api-key'] == KEY
    assert headers['X-Studio'] == 'north'
    assert headers['Cookie'] == 'crumb=c1'
    [(sid, upgrade)] = peer.upgrades
    assert sid == 'sid1'
    assert upgrade['X-Studio'] == 'north'
    assert upgrade['Cookie'] == 'crumb=c1'
    assert 'ftrack-api-key' not in upgrade

    # Subscribers in registration order (priority does not matter), then
    # the hub's own reply subscriber, then the queued event.
    announced = []
    for expected_id in ('1', '2', '3'):
        packet_id, event = peer.next_event()
        assert packet_id == expected_id + '+'
        assert event['topic'] == 'ftrack.meta.subscribe'
        announced.append((event['data']['subscriber']['id'],
                          event['data']['subscription']))
    assert announced == [
        (first, 'topic=a'), (second, 'topic=b'),
        (hub.id, 'topic=ftrack.meta.reply'),
    ]
    frame = peer.next_frame()
    assert frame.startswith('5:4+::{"name": "ftrack.event", "args": [{"id": ')
    assert '"Ünïcode"' in frame
    event = json.loads(frame.partition('::')[2])['args'][0]
    assert list(event) == ['id', 'data', 'topic', 'sent', 'source',
                           'target', 'inReplyToEvent']
    assert event['source']['id'] == hub.id
    assert event['source']['user'] == {'username': USER}
    assert event['id'] == queued['id']

    # Later subscribers are announced at once.
    third = hub.subscribe('topic=c', lambda event: None)
    packet_id, event = peer.next_event()
    assert packet_id == '5+'
    assert event['data']['subscriber']['id'] == third

    # Disconnecting unsubscribes everyone, then closes.
    hub.disconnect()
    unsubscribed = []
    for _ in range(4):
        _, event = peer.next_event()
        assert event['topic'] == 'ftrack.meta.unsubscribe'
        unsubscribed.append(event['data']['subscriber']['id'])
    assert unsubscribed == [first, second, hub.id, third]
    assert hub.get_subscriber_by_identifier(first) is None
    wait_until(lambda: peer.connections() == 0)


def test_heartbeats_are_answered(peer, make_hub):
    hub = make_hub(peer.url)
    hub.connect()
    peer.next_event()  # the hub's reply subscriber
    peer.send('2::')
    assert peer.next_frame(skip_heartbeats=False) == '2:::'


def test_malformed_packets_are_logged_and_reading_goes_on(
        peer, make_hub, caplog):
    hub = make_hub(peer.url)
    received = []
    hub.subscribe('topic=*', received.append)
    hub.connect()
    caplog.set_level(logging.DEBUG, logger='ftrack_api.event.hub')
    peer.send(
        '6:::1',                # an ack without data (kills the reference)
        '6:::x+[]',             # an ack id that is no number
        '6:::2+[not json',
        '6:::999+[{"success": true}]',  # nobody waits for it
        '9::',                  # unknown packet type
        '8::',                  # noop (unknown to the reference)
        'x',
        '',
        '2:',                   # two parts
        b'\x00\x01binary',
        '5:::not json',
        '5:::{"name": "other", "args": [{"topic": "t"}]}',
        '5:::{"name": "ftrack.event", "args": []}',
        '5:::{"name": "ftrack.event", "args": [{"topic": "t", "more": 1}]}',
        '7:::server trouble',
        '3:::a message',
        '4:::{"json": true}',
        '5:::{"name": "ftrack.event", "args": [{"topic": "survivor", '
        '"data": {"n": 1}, "inReplyToEvent": "r"}]}',
    )
    wait_for(hub, lambda: any(
        event['topic'] == 'survivor' for event in received
    ))
    survivor = [event for event in received if event['topic'] == 'survivor']
    assert survivor[0]['in_reply_to_event'] == 'r'
    assert hub.connected
    assert len(peer.handshakes) == 1

    warnings = [record.getMessage() for record in caplog.records
                if record.levelno == logging.WARNING]
    assert any('binary frame' in message for message in warnings)
    assert any("'9'" in message for message in warnings)
    assert any('unknown keys' in message and "'more'" in message
               for message in warnings)
    assert any('invalid JSON' in message for message in warnings)
    assert any('Event server reported error: server trouble.'
               == record.getMessage() and record.levelno == logging.ERROR
               for record in caplog.records)

    # Still working both ways.
    peer.drain()
    hub.publish(Event('after'))
    _, event = peer.next_event()
    assert event['topic'] == 'after'
    peer.send('2::')
    assert peer.next_frame(skip_heartbeats=False) == '2:::'


def test_refused_publishes_and_subscriptions_are_logged(
        peer, make_hub, caplog):
    peer.acknowledge = lambda event: (
        {'success': False, 'message': 'not allowed'}
    )
    hub = make_hub(peer.url)
    hub.subscribe('topic=a', lambda event: None, subscriber={'id': 'sub-a'})
    hub.connect()
    hub.publish(Event('refused'))
    wait_until(lambda: any('not allowed' in record.getMessage()
                           and record.levelno == logging.ERROR
                           for record in caplog.records))
    messages = [(record.levelno, record.getMessage())
                for record in caplog.records]
    assert (logging.WARNING,
            'Server failed to subscribe subscriber sub-a: not allowed'
            ) in messages
    assert any(level == logging.ERROR and message.startswith(
        'Server responded with error while publishing event <Event '
    ) and message.endswith('. Error was: not allowed')
        for level, message in messages)
    assert hub.connected


def test_unserialisable_events_are_logged_not_raised(peer, make_hub, caplog):
    hub = make_hub(peer.url)
    hub.connect()
    peer.next_event()  # the hub's reply subscriber
    assert hub.publish(Event('bad', data={'thing': object()})) is None
    assert any(record.getMessage().startswith('Error sending event <Event')
               for record in caplog.records)
    hub.publish(Event('good'))
    packet_id, event = peer.next_event()
    # The failed event used no packet id.
    assert (packet_id, event['topic']) == ('2+', 'good')


def test_a_goodbye_from_the_server_means_reconnect(peer, make_hub):
    hub = make_hub(peer.url)
    connected = []
    first = hub.subscribe('topic=ftrack.meta.connected', connected.append)
    hub.subscribe('topic=t', lambda event: None, subscriber={'id': 'sub-t'})
    hub.connect()
    wait_for(hub, lambda: len(connected) == 1)
    assert connected[0]['source']['id'] == hub.id
    assert connected[0]['data'] == {}
    peer.drain()

    peer.close_websocket(farewell='0::')
    wait_until(lambda: len(peer.handshakes) == 2 and hub.connected)
    wait_for(hub, lambda: len(connected) == 2)
    announced = [peer.next_event() for _ in range(3)]
    # Packet ids go on counting; every subscriber is announced again.
    assert [packet_id for packet_id, _ in announced] == ['4+', '5+', '6+']
    assert [event['data']['subscriber']['id'] for _, event in announced] == [
        first, 'sub-t', hub.id,
    ]


def test_reconnection_keeps_registration_order_and_flushes_queue(
        peer, make_hub):
    hub = make_hub(peer.url)
    hub.subscribe('topic=a', lambda event: None, subscriber={'id': 'A'})
    hub.connect()
    hub.subscribe('topic=b', lambda event: None, subscriber={'id': 'B'},
                  priority=1)
    while peer.next_event()[1]['data']['subscriber']['id'] != 'B':
        pass

    # The peer refuses handshakes while "down": publishes are queued.
    peer.handshake_status = 503
    peer.close_websocket(farewell='0::')
    wait_until(lambda: not hub.connected)
    assert hub.publish(Event('while-down', data={'n': 1})) is True
    peer.handshake_status = 200
    wait_until(lambda: hub.connected)
    events = [peer.next_event()[1] for _ in range(4)]
    assert [event['topic'] for event in events] == [
        'ftrack.meta.subscribe', 'ftrack.meta.subscribe',
        'ftrack.meta.subscribe', 'while-down',
    ]
    assert [events[index]['data']['subscriber']['id']
            for index in range(3)] == ['A', hub.id, 'B']


def test_a_plain_close_also_means_reconnect(peer, make_hub):
    # The reference's reader just stops here and never hears of the
    # server again; ours reconnects.
    hub = make_hub(peer.url)
    hub.connect()
    peer.close_websocket()
    wait_until(lambda: len(peer.handshakes) == 2 and hub.connected)


def test_a_silent_server_is_replaced(peer, make_hub):
    hub = make_hub(peer.url)
    hub._read_timeout = 0.3
    hub.connect()
    wait_until(lambda: len(peer.handshakes) >= 2 and hub.connected)


def test_giving_up_ends_wait_with_a_disconnected_event(peer, make_hub):
    hub = make_hub(peer.url)
    hub._auto_reconnect = ftrack_api.event.hub._Backoff(
        attempts=3, initial_delay=0.01, max_delay=0.02
    )
    seen = []
    hub.subscribe('topic=ftrack.meta.*', lambda event: seen.append(
        event['topic']
    ))
    hub.connect()
    peer.handshake_status = 500
    peer.close_websocket(farewell='0::')
    started = time.monotonic()
    hub.wait(10)
    assert time.monotonic() - started < 5
    assert seen[-1] == 'ftrack.meta.disconnected'
    assert len(peer.handshakes) == 4
    assert hub.connected is False
    # Still initialised, as with the reference: events are queued.
    assert hub.publish(Event('later')) is True
    # A later connect works and sends what was queued.
    peer.handshake_status = 200
    peer.drain()
    hub.connect()
    topics = [peer.next_event()[1]['topic'] for _ in range(3)]
    assert topics[-1] == 'later'


def test_disconnect_stops_a_reconnection(peer, make_hub):
    hub = make_hub(peer.url)
    hub._auto_reconnect = ftrack_api.event.hub._Backoff(
        attempts=100, initial_delay=0.05, max_delay=0.05
    )
    hub.connect()
    peer.handshake_status = 500
    peer.close_websocket(farewell='0::')
    wait_until(lambda: len(peer.handshakes) >= 3)
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.disconnect()
    assert str(error.value) == 'Not currently connected.'
    count = len(peer.handshakes)
    peer.handshake_status = 200
    time.sleep(0.3)
    assert len(peer.handshakes) == count
    assert not hub.connected
    with pytest.raises(ftrack_api.exception.EventHubConnectionError):
        hub.publish(Event('x'))


def test_publishing_from_many_threads(peer, make_hub):
    hub = make_hub(peer.url)
    hub.connect()
    peer.next_event()  # the hub's reply subscriber
    amount, threads = 50, 4

    def publish(worker):
        for number in range(amount):
            hub.publish(Event('threads', data={'w': worker, 'n': number}))

    workers = [threading.Thread(target=publish, args=(index,))
               for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    events = [peer.next_event() for _ in range(amount * threads)]
    packet_ids = sorted(int(packet_id[:-1]) for packet_id, _ in events)
    assert packet_ids == list(range(2, 2 + amount * threads))
    for worker in range(threads):
        numbers = [event['data']['n'] for _, event in events
                   if event['data']['w'] == worker]
        assert numbers == list(range(amount))


def test_a_failed_send_is_logged_and_the_event_sent_after_reconnecting(
        peer, make_hub, caplog):
    hub = make_hub(peer.url)
    hub.connect()
    peer.next_event()  # the hub's reply subscriber
    # A send failing as on a connection that just broke (made to fail
    # here: a real break is noticed by the reader first, racing the test).
    def broken(text):
        raise BrokenPipeError(32, 'Broken pipe')

    hub._transport.send = broken
    event = Event('unlucky')
    assert hub.publish(event) is None
    assert any(record.getMessage() == 'Error sending event {0}.'.format(event)
               and record.levelno == logging.ERROR
               for record in caplog.records)
    wait_until(lambda: len(peer.handshakes) == 2 and hub.connected)
    topics = []
    while 'unlucky' not in topics:
        packet_id, sent = peer.next_event()
        topics.append(sent['topic'])
    assert sent['id'] == event['id']
