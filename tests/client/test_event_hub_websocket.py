"""The hub's websocket framing against a raw TCP peer.

The peer answers the HTTP upgrade by hand and then writes exactly the bytes
a test gives it, so frames no well-behaved server library would produce
(fragments with pings in between, masked server frames, bogus lengths) can
be tried.
"""

import base64
import hashlib
import socket
import struct
import threading

import pytest

from ftrack_api.event import _websocket

GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


class RawPeer:
    """Accept one websocket client and let the test drive the socket."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.connection = None
        self.request = None
        self._accepted = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        connection, _ = self.listener.accept()
        data = b''
        while b'\r\n\r\n' not in data:
            data += connection.recv(4096)
        self.request = data.decode('latin-1')
        key = [line.split(':', 1)[1].strip()
               for line in self.request.split('\r\n')
               if line.lower().startswith('sec-websocket-key:')][0]
        accept = base64.b64encode(
            hashlib.sha1((key + GUID).encode()).digest()
        ).decode()
        connection.sendall((
            'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
            'Connection: Upgrade\r\nSec-WebSocket-Accept: {0}\r\n\r\n'
        ).format(accept).encode())
        self.connection = connection
        self._accepted.set()

    def client(self, **options):
        client = _websocket.WebSocket(
            'ws://127.0.0.1:{0}/socket.io/1/websocket/x'.format(self.port),
            timeout=5, **options
        )
        assert self._accepted.wait(5)
        return client

    def send(self, data):
        self.connection.sendall(data)

    def read_frame(self):
        """Return ``(final, opcode, payload)`` of the client's next frame,
        checking it is masked."""
        header = self._read(2)
        final, opcode = header[0] & 0x80, header[0] & 0x0F
        assert header[1] & 0x80, 'client frames must be masked'
        length = header[1] & 0x7F
        if length == 126:
            length = struct.unpack('!H', self._read(2))[0]
        elif length == 127:
            length = struct.unpack('!Q', self._read(8))[0]
        key = self._read(4)
        payload = bytes(
            byte ^ key[index % 4]
            for index, byte in enumerate(self._read(length))
        )
        return bool(final), opcode, payload

    def _read(self, size):
        data = b''
        while len(data) < size:
            chunk = self.connection.recv(size - len(data))
            assert chunk, 'client closed the connection'
            data += chunk
        return data

    def close(self):
        for sock in (self.connection, self.listener):
            if sock is not None:
                sock.close()


def server_frame(opcode, payload, final=True, key=None):
    """Return a frame as a server (unmasked, or masked with *key*)."""
    first = (0x80 if final else 0) | opcode
    length = len(payload)
    mask_bit = 0x80 if key else 0
    if length < 126:
        header = struct.pack('!BB', first, mask_bit | length)
    elif length < 65536:
        header = struct.pack('!BBH', first, mask_bit | 126, length)
    else:
        header = struct.pack('!BBQ', first, mask_bit | 127, length)
    if key:
        payload = bytes(byte ^ key[index % 4]
                        for index, byte in enumerate(payload))
        header += key
    return header + payload


@pytest.fixture
def peer():
    raw = RawPeer()
    yield raw
    raw.close()


def test_upgrade_carries_headers_and_cookie(peer):
    peer.client(headers=['X-Studio: north'], cookie='crumb=c1')
    assert 'X-Studio: north' in peer.request
    assert 'Cookie: crumb=c1' in peer.request


@pytest.mark.parametrize('size', [0, 1, 125, 126, 65535, 65536, 200000])
def test_messages_of_every_length_class(peer, size):
    client = peer.client()
    text = ('é' * size)[:size]
    payload = text.encode('utf-8')
    # In pieces, so that the reader has to reassemble its buffer.
    frame = server_frame(_websocket.TEXT, payload)
    for start in range(0, len(frame), 7000):
        peer.send(frame[start:start + 7000])
    assert client.receive() == (_websocket.TEXT, payload)

    client.send_text(text)
    final, opcode, received = peer.read_frame()
    assert (final, opcode, received) == (True, _websocket.TEXT, payload)


def test_many_frames_in_one_read(peer):
    client = peer.client()
    peer.send(b''.join(
        server_frame(_websocket.TEXT, str(number).encode())
        for number in range(100)
    ))
    assert [client.receive()[1] for _ in range(100)] == [
        str(number).encode() for number in range(100)
    ]


def test_fragments_with_a_ping_between(peer):
    client = peer.client()
    peer.send(server_frame(_websocket.TEXT, b'5:::{"na', final=False)
              + server_frame(_websocket.PING, b'are you there')
              + server_frame(_websocket.CONTINUATION, b'me": ', final=False)
              + server_frame(_websocket.PONG, b'')
              + server_frame(_websocket.CONTINUATION, b'1}'))
    assert client.receive() == (_websocket.TEXT, b'5:::{"name": 1}')
    assert peer.read_frame() == (True, _websocket.PONG, b'are you there')


def test_masked_server_frames_are_accepted(peer):
    client = peer.client()
    peer.send(server_frame(_websocket.TEXT, b'2::', key=b'\x01\x02\x03\x04'))
    assert client.receive() == (_websocket.TEXT, b'2::')


def test_close_is_answered(peer):
    client = peer.client()
    peer.send(server_frame(_websocket.CLOSE, struct.pack('!H', 1000)))
    assert client.receive()[0] == _websocket.CLOSE
    final, opcode, payload = peer.read_frame()
    assert opcode == _websocket.CLOSE
    assert payload == struct.pack('!H', 1000)
    # Sending close again does nothing.
    client.send_close()


def test_client_close_sends_one_close_frame(peer):
    client = peer.client()
    client.send_close()
    client.send_close()
    assert peer.read_frame()[1] == _websocket.CLOSE
    peer.send(server_frame(_websocket.CLOSE, b''))
    assert client.receive()[0] == _websocket.CLOSE


def test_end_of_stream_without_close(peer):
    client = peer.client()
    peer.send(server_frame(_websocket.TEXT, b'1::')[:2])
    peer.connection.shutdown(socket.SHUT_WR)
    with pytest.raises(_websocket.ConnectionClosed):
        client.receive()


@pytest.mark.parametrize('data, message', [
    (server_frame(0x3, b'x'), 'Unknown opcode 3'),
    (server_frame(_websocket.CONTINUATION, b'x'), 'without a start'),
    (server_frame(_websocket.TEXT, b'a', final=False)
     + server_frame(_websocket.TEXT, b'b'), 'inside a fragmented'),
    (struct.pack('!BBQ', 0x81, 127, 2 ** 40), 'too large'),
])
def test_broken_streams_raise(peer, data, message):
    client = peer.client()
    peer.send(data)
    with pytest.raises(_websocket.ProtocolError) as error:
        client.receive()
    assert message in str(error.value)


def test_silence_times_out(peer):
    client = peer.client()
    client.settimeout(0.1)
    with pytest.raises(socket.timeout):
        client.receive()


def test_mask_keys_vary():
    keys = _websocket._MaskKeys()
    taken = {keys.take() for _ in range(3000)}
    assert all(len(key) == 4 for key in taken)
    assert len(taken) > 2900
