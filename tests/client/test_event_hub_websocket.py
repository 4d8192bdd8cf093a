"""The hub's websocket, as websocket-client carries it, against a raw peer.

The peer is a TCP server written at the byte level in this module: it
answers the socket.io handshake and the websocket upgrade by hand, then
writes exactly the bytes a test gives it and reads back the client's
frames. So frames no well-behaved server library would send (fragments
with pings in between, half a frame and then silence) can be tried, both
on the transport alone and through a connected hub.
"""

import base64
import hashlib
import json
import logging
import queue
import socket
import struct
import threading
import time

import pytest
import websocket

import ftrack_api.event.hub
import ftrack_api.exception
from ftrack_api.event import _socketio
from ftrack_api.event.base import Event

from event_hub_helpers import wait_for

GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

CONTINUATION, TEXT, BINARY = 0x0, 0x1, 0x2
CLOSE, PING, PONG = 0x8, 0x9, 0xA


def server_frame(opcode, payload, final=True):
    """Return an (unmasked) frame as a server sends it."""
    first = (0x80 if final else 0) | opcode
    length = len(payload)
    if length < 126:
        header = struct.pack('!BB', first, length)
    elif length < 65536:
        header = struct.pack('!BBH', first, 126, length)
    else:
        header = struct.pack('!BBQ', first, 127, length)
    return header + payload


class PeerSocket:
    """The server's end of one upgraded websocket."""

    def __init__(self, connection, request):
        self.connection = connection
        self.request = request
        #: Masking keys of the client frames read so far.
        self.keys = []

    def send(self, data):
        self.connection.sendall(data)

    def send_frame(self, opcode, payload, final=True):
        self.send(server_frame(opcode, payload, final))

    def read_frame(self, timeout=5.0):
        """Return ``(final, opcode, payload)`` of the client's next frame,
        None at the end of the stream; checks the frame is masked."""
        self.connection.settimeout(timeout)
        header = self._read(2)
        if header is None:
            return None
        final, opcode = bool(header[0] & 0x80), header[0] & 0x0F
        assert header[1] & 0x80, 'client frames must be masked'
        length = header[1] & 0x7F
        if length == 126:
            length = struct.unpack('!H', self._read(2))[0]
        elif length == 127:
            length = struct.unpack('!Q', self._read(8))[0]
        key = self._read(4)
        self.keys.append(key)
        masked = self._read(length) if length else b''
        repeated = (key * (length // 4 + 1))[:length]
        payload = (
            int.from_bytes(masked, 'big') ^ int.from_bytes(repeated, 'big')
        ).to_bytes(length, 'big')
        return final, opcode, payload

    def read_text(self, timeout=5.0):
        """Return the text of the client's next text frame, skipping
        heartbeat replies."""
        while True:
            frame = self.read_frame(timeout)
            assert frame is not None, 'the client closed the connection'
            final, opcode, payload = frame
            assert (final, opcode) == (True, TEXT)
            text = payload.decode('utf-8')
            if text != '2:::':
                return text

    def _read(self, size):
        data = b''
        while len(data) < size:
            chunk = self.connection.recv(size - len(data))
            if not chunk:
                if not data:
                    return None
                raise AssertionError('the client stopped mid-frame')
            data += chunk
        return data

    def vanish(self):
        """Drop the connection without a close frame."""
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()


class RawPeer:
    """A socket.io server speaking HTTP and websocket by hand.

    Every handshake gets a new session id; every upgraded websocket is
    queued for the test (:meth:`next_socket`).
    """

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.handshakes = 0
        self.sockets = queue.Queue()
        self._open = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return 'http://127.0.0.1:{0}'.format(self.port)

    def websocket_url(self, sid='sid'):
        return 'ws://127.0.0.1:{0}/socket.io/1/websocket/{1}'.format(
            self.port, sid
        )

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,),
                             daemon=True).start()

    def _serve(self, connection):
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = connection.recv(4096)
            if not chunk:
                connection.close()
                return
            data += chunk
        request = data.decode('latin-1')
        path = request.split(' ', 2)[1]
        if path.startswith('/socket.io/1/websocket/'):
            key = [line.split(':', 1)[1].strip()
                   for line in request.split('\r\n')
                   if line.lower().startswith('sec-websocket-key:')][0]
            accept = base64.b64encode(
                hashlib.sha1((key + GUID).encode()).digest()
            ).decode()
            connection.sendall((
                'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
                'Connection: Upgrade\r\nSec-WebSocket-Accept: {0}\r\n\r\n'
            ).format(accept).encode())
            peer_socket = PeerSocket(connection, request)
            self._open.append(peer_socket)
            self.sockets.put(peer_socket)
            return
        self.handshakes += 1
        body = 'sid{0}:60:60:websocket'.format(self.handshakes).encode()
        connection.sendall(
            b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n'
            b'Connection: close\r\nContent-Length: '
            + str(len(body)).encode() + b'\r\n\r\n' + body
        )
        connection.close()

    def next_socket(self, timeout=5.0):
        return self.sockets.get(timeout=timeout)

    def close(self):
        self.listener.close()
        for peer_socket in self._open:
            peer_socket.vanish()


@pytest.fixture
def peer():
    raw = RawPeer()
    yield raw
    raw.close()


@pytest.fixture
def connect(peer):
    """Open a :class:`~ftrack_api.event._socketio.Transport` to the peer;
    return ``(transport, the peer's end)``."""
    transports = []

    def open_transport(headers=None, cookies=None, read_timeout=5):
        transport = _socketio.Transport(
            peer.websocket_url(), headers or {}, cookies or {}, timeout=5,
            read_timeout=read_timeout,
        )
        transports.append(transport)
        return transport, peer.next_socket()

    yield open_transport
    for transport in transports:
        transport.abort()


# The transport alone ------------------------------------------------------


def test_upgrade_carries_the_custom_headers_and_cookies(connect):
    _, end = connect(headers={'X-Studio': 'north'},
                     cookies={'crumb': 'c1', 'session': 's2'})
    lines = end.request.split('\r\n')
    assert 'X-Studio: north' in lines
    # Joined as the original client joins them.
    assert 'Cookie: crumb=c1;session=s2' in lines
    assert not any(line.lower().startswith('ftrack-') for line in lines)


@pytest.mark.parametrize('size', [0, 1, 125, 126, 65535, 65536, 300000])
def test_text_of_every_length_both_ways(connect, size):
    transport, end = connect()
    text = ('é€x' * size)[:size]
    payload = text.encode('utf-8')
    frame = server_frame(TEXT, payload)
    # In pieces, so that the client has to wait for the rest.
    for start in range(0, len(frame), 7000):
        end.send(frame[start:start + 7000])
    assert transport.receive() == ('text', text)

    transport.send(text)
    assert end.read_frame() == (True, TEXT, payload)


def test_many_messages_in_one_write(connect):
    transport, end = connect()
    end.send(b''.join(
        server_frame(TEXT, '5:::{0}'.format(number).encode())
        for number in range(200)
    ))
    assert [transport.receive() for _ in range(200)] == [
        ('text', '5:::{0}'.format(number)) for number in range(200)
    ]


def test_fragments_are_joined_and_pings_answered_between_them(connect):
    transport, end = connect()
    end.send(server_frame(TEXT, '5:::{"nä'.encode(), final=False)
             + server_frame(PING, b'are you there')
             + server_frame(CONTINUATION, b'me": ', final=False)
             + server_frame(PONG, b'unasked')
             + server_frame(CONTINUATION, b'1}'))
    assert transport.receive() == ('text', '5:::{"näme": 1}')
    assert end.read_frame() == (True, PONG, b'are you there')


def test_binary_and_invalid_text_are_told_apart(connect):
    transport, end = connect()
    end.send_frame(BINARY, b'\x00\x01\xff')
    end.send_frame(TEXT, b'\xff\xfe not utf-8')
    end.send_frame(TEXT, b'2::')
    assert transport.receive() == ('binary', b'\x00\x01\xff')
    assert transport.receive() == ('invalid', b'\xff\xfe not utf-8')
    assert transport.receive() == ('text', '2::')


def test_a_close_from_the_server_is_answered_once(connect):
    transport, end = connect()
    end.send_frame(CLOSE, struct.pack('!H', 1000))
    assert transport.receive() == ('closed', None)
    assert end.read_frame() == (True, CLOSE, struct.pack('!H', 1000))
    # Closing afterwards sends nothing more.
    transport.close()
    transport.abort()
    assert end.read_frame() is None


def test_closing_sends_one_close_frame_and_waits_for_the_answer(connect):
    transport, end = connect()
    transport.close()
    transport.close()
    assert transport.closing
    assert end.read_frame() == (True, CLOSE, struct.pack('!H', 1000))
    end.send_frame(CLOSE, struct.pack('!H', 1000))
    assert transport.receive() == ('closed', None)
    transport.abort()
    assert end.read_frame() is None


def test_a_server_vanishing_mid_frame_is_an_error(connect):
    transport, end = connect()
    end.send(server_frame(TEXT, b'5:::{"name": "ftrack.event"}')[:9])
    end.vanish()
    with pytest.raises(websocket.WebSocketConnectionClosedException):
        transport.receive()


def test_silence_times_out(connect):
    transport, _ = connect(read_timeout=0.1)
    with pytest.raises(websocket.WebSocketTimeoutException):
        transport.receive()


def test_abort_wakes_a_waiting_reader(connect):
    transport, end = connect(read_timeout=30)
    outcome = queue.Queue()

    def read():
        try:
            outcome.put(transport.receive())
        except Exception as error:
            outcome.put(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.1)
    transport.abort()
    reader.join(5)
    assert not reader.is_alive()
    assert isinstance(outcome.get_nowait(), Exception)
    assert end.read_frame() is None
    # Sending on an aborted transport fails rather than hangs.
    with pytest.raises(Exception):
        transport.send('2:::')


def test_sends_from_many_threads_never_interleave(connect):
    transport, end = connect()
    threads, per_thread = 6, 60

    def publish(number):
        for index in range(per_thread):
            # Sizes across the length classes, so frames take several
            # system calls to write.
            size = (index * 7919) % 70000
            transport.send('{0}:{1}:'.format(number, index) + 'x' * size)

    workers = [threading.Thread(target=publish, args=(number,))
               for number in range(threads)]
    for worker in workers:
        worker.start()
    received = {}
    for _ in range(threads * per_thread):
        final, opcode, payload = end.read_frame()
        assert (final, opcode) == (True, TEXT)
        number, index, rest = payload.decode().split(':')
        assert rest == 'x' * ((int(index) * 7919) % 70000)
        received.setdefault(int(number), []).append(int(index))
    for worker in workers:
        worker.join(10)
    assert received == {
        number: list(range(per_thread)) for number in range(threads)
    }


def test_every_frame_has_its_own_masking_key(connect):
    transport, end = connect()
    count = 1500
    for number in range(count):
        transport.send(str(number))
    assert [end.read_frame()[2] for _ in range(count)] == [
        str(number).encode() for number in range(count)
    ]
    assert all(len(key) == 4 for key in end.keys)
    # Random four-byte keys: a repeat or two is possible, not more.
    assert len(set(end.keys)) > count - 5


def test_mask_keys_of_any_length():
    keys = _socketio._MaskKeys()
    taken = [keys(4) for _ in range(3000)]
    assert all(len(key) == 4 for key in taken)
    assert len(set(taken)) > 2990
    assert len(keys(10000)) == 10000
    assert len(keys(4)) == 4


# Through a connected hub ----------------------------------------------


@pytest.fixture
def hub(peer, monkeypatch):
    # The peer answers a close frame only when a test reads it: do not
    # wait long for the answer when the test is over.
    monkeypatch.setattr(ftrack_api.event.hub, '_CLOSE_WAIT', 0.1)
    made = ftrack_api.event.hub.EventHub(peer.url, 'bob', 'secret')
    made._auto_reconnect = ftrack_api.event.hub._Backoff(
        attempts=5, initial_delay=0.02, max_delay=0.1
    )
    yield made
    try:
        made.disconnect()
    except ftrack_api.exception.EventHubConnectionError:
        pass


def connect_hub(hub, peer):
    """Connect *hub*; return the peer's end once every subscriber, the
    hub's reply subscriber last, is announced."""
    hub.connect()
    end = peer.next_socket()
    while 'topic=ftrack.meta.reply' not in end.read_text():
        pass
    return end


def event_frame(topic, data):
    return '5:::' + json.dumps({'name': 'ftrack.event', 'args': [
        {'topic': topic, 'data': data, 'id': 'e-' + topic}
    ]})


def test_hub_answers_pings_and_skips_binary_frames(hub, peer, caplog):
    received = []
    hub.subscribe('topic=after', received.append)
    end = connect_hub(hub, peer)
    caplog.set_level(logging.WARNING, logger='ftrack_api.event.hub')

    end.send_frame(PING, b'still there?')
    end.send_frame(BINARY, b'\x00\x01binary')
    end.send_frame(TEXT, b'\xc3\x28')
    end.send(server_frame(TEXT, b'2:', final=False)
             + server_frame(PING, b'')
             + server_frame(CONTINUATION, b':'))
    end.send_frame(TEXT, event_frame('after', {'n': 1}).encode())

    frames = [end.read_frame() for _ in range(3)]
    assert frames == [(True, PONG, b'still there?'), (True, PONG, b''),
                      (True, TEXT, b'2:::')]
    wait_for(hub, lambda: received)
    assert received[0]['data'] == {'n': 1}
    warnings = [record.getMessage() for record in caplog.records]
    assert 'Ignored a binary frame from the event server.' in warnings
    assert ('Ignored a non UTF-8 text frame from the event server.'
            in warnings)
    assert hub.connected
    assert peer.handshakes == 1


def test_hub_carries_large_events_both_ways(hub, peer):
    received = []
    hub.subscribe('topic=big', received.append)
    end = connect_hub(hub, peer)
    blob = 'ünïcode ' * 250000  # 2.5 MB of UTF-8

    hub.publish(Event('big', data={'blob': blob}))
    frame = end.read_text()
    assert frame.startswith('5:')
    event = json.loads(frame.partition('::')[2])['args'][0]
    assert event['data']['blob'] == blob

    end.send_frame(TEXT, event_frame('big', {'blob': blob}).encode('utf-8'))
    wait_for(hub, lambda: received)
    assert received[0]['data']['blob'] == blob


def test_hub_reconnects_when_the_server_vanishes_mid_frame(hub, peer):
    received = []
    hub.subscribe('topic=after', received.append)
    end = connect_hub(hub, peer)

    end.send(server_frame(TEXT, event_frame('after', {'n': 0}).encode())
             [:20])
    end.vanish()

    replacement = peer.next_socket()
    assert peer.handshakes == 2
    announced = [replacement.read_text(), replacement.read_text()]
    assert 'topic=after' in announced[0]
    assert 'topic=ftrack.meta.reply' in announced[1]
    wait_for(hub, lambda: hub.connected)
    replacement.send_frame(TEXT, event_frame('after', {'n': 1}).encode())
    wait_for(hub, lambda: received)
    # The half-sent event is lost with its connection, not half-read.
    assert [event['data'] for event in received] == [{'n': 1}]


def test_hub_reconnects_after_a_close_frame(hub, peer):
    end = connect_hub(hub, peer)
    end.send_frame(CLOSE, struct.pack('!H', 1001))
    assert end.read_frame() == (True, CLOSE, struct.pack('!H', 1000))
    replacement = peer.next_socket()
    assert 'topic=ftrack.meta.reply' in replacement.read_text()
    wait_for(hub, lambda: hub.connected)
    assert peer.handshakes == 2


def test_hub_disconnect_closes_politely(hub, peer, monkeypatch):
    monkeypatch.setattr(ftrack_api.event.hub, '_CLOSE_WAIT', 5.0)
    end = connect_hub(hub, peer)
    closed = threading.Thread(
        target=hub.disconnect, kwargs={'unsubscribe': False}
    )
    closed.start()
    assert end.read_frame() == (True, CLOSE, struct.pack('!H', 1000))
    end.send_frame(CLOSE, struct.pack('!H', 1000))
    closed.join(5)
    assert not closed.is_alive()
    assert end.read_frame() is None
    assert not hub.connected
