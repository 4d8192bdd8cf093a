"""A client websocket whose frames are read and written here.

:mod:`websocket` (websocket-client) opens the connection: the HTTP upgrade,
TLS, proxies and headers. Once open, this module takes the socket over:
frames are built and parsed here, reading in large chunks instead of a
few bytes at a time, which takes most of the system calls and Python
layers out of the way of every event sent and received.

The framing is RFC 6455: client frames are masked, server frames are not
(masked ones are accepted anyway), control frames (ping, pong, close) may
arrive between the fragments of a message.
"""

import logging
import os
import socket
import struct
import threading

import websocket

logger = logging.getLogger(__name__)

CONTINUATION = 0x0
TEXT = 0x1
BINARY = 0x2
CLOSE = 0x8
PING = 0x9
PONG = 0xA

#: Largest message accepted from the server, in bytes. Events carry data,
#: not files; a larger length is taken for a broken stream.
MAX_MESSAGE_SIZE = 64 * 1024 * 1024

#: Bytes asked of the socket per read.
_READ_SIZE = 65536

_NORMAL_CLOSURE = struct.pack('!H', 1000)


class ConnectionClosed(ConnectionError):
    """The server ended the connection without a close frame."""


class ProtocolError(ConnectionError):
    """The server sent something that is not a websocket frame."""


class _MaskKeys(object):
    """Masking keys from a buffer of system randomness.

    Every client frame needs four unpredictable bytes. Reading them from
    the system a few kilobytes at a time rather than per frame saves a
    system call per event; the keys are just as unpredictable.
    """

    _SIZE = 4096

    def __init__(self):
        self._buffer = b''
        self._offset = 0

    def take(self):
        """Return the next key (the caller holds the send lock)."""
        if self._offset + 4 > len(self._buffer):
            self._buffer = os.urandom(self._SIZE)
            self._offset = 0
        start = self._offset
        self._offset += 4
        return self._buffer[start:self._offset]


def _masked(key, data):
    """Return *data* XOR-ed with the repeated four bytes of *key*."""
    length = len(data)
    if not length:
        return data
    repeated = key * (length // 4 + 1)
    return (
        int.from_bytes(data, 'little')
        ^ int.from_bytes(repeated[:length], 'little')
    ).to_bytes(length, 'little')


def frame(opcode, payload, key):
    """Return a complete, final client frame carrying *payload* (bytes)."""
    length = len(payload)
    if length < 126:
        header = struct.pack('!BB', 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack('!BBH', 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack('!BBQ', 0x80 | opcode, 0x80 | 127, length)
    return header + key + _masked(key, payload)


class WebSocket(object):
    """An open websocket: send text from any thread, receive in one.

    Opened with *headers* (a list of ``Name: value`` lines) and *cookie*;
    *timeout* bounds connecting and every read or write afterwards.
    """

    def __init__(self, url, headers=None, cookie=None, timeout=60):
        self._connection = websocket.create_connection(
            url, timeout=timeout, header=headers or [], cookie=cookie,
        )
        self._socket = self._connection.sock
        self._send_lock = threading.Lock()
        self._keys = _MaskKeys()
        self._buffer = bytearray()
        self._offset = 0
        self._close_sent = False

    def settimeout(self, seconds):
        """Give up reading or writing after *seconds* without progress."""
        self._socket.settimeout(seconds)

    # Sending.

    def send_text(self, text):
        """Send *text* as one frame."""
        self._send(TEXT, text.encode('utf-8'))

    def _send(self, opcode, payload):
        with self._send_lock:
            self._socket.sendall(frame(opcode, payload, self._keys.take()))

    def send_close(self):
        """Start the closing handshake (once)."""
        with self._send_lock:
            if self._close_sent:
                return
            self._close_sent = True
            self._socket.sendall(
                frame(CLOSE, _NORMAL_CLOSURE, self._keys.take())
            )

    def shutdown(self):
        """Drop the connection without a handshake."""
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._connection.shutdown()

    # Receiving.

    def receive(self):
        """Return ``(opcode, payload)`` of the next message.

        *opcode* is :data:`TEXT`, :data:`BINARY` or :data:`CLOSE`
        (answered before returning); pings are answered and pongs skipped.
        Raises :exc:`ConnectionClosed` when the connection ends without a
        close frame, :exc:`ProtocolError` for a broken stream and
        :exc:`socket.timeout` after the timeout.
        """
        fragments = None
        first_opcode = None
        while True:
            final, opcode, payload = self._read_frame()
            if opcode == PING:
                self._send(PONG, payload)
                continue
            if opcode == PONG:
                continue
            if opcode == CLOSE:
                try:
                    self.send_close()
                except OSError as error:
                    logger.debug('Could not answer the close frame: %s',
                                 error)
                return CLOSE, payload
            if opcode == CONTINUATION:
                if fragments is None:
                    raise ProtocolError('Continuation frame without a start.')
                fragments.append(payload)
                if sum(len(part) for part in fragments) > MAX_MESSAGE_SIZE:
                    raise ProtocolError('Message too large.')
                if final:
                    return first_opcode, b''.join(fragments)
                continue
            if opcode not in (TEXT, BINARY):
                raise ProtocolError('Unknown opcode {0}.'.format(opcode))
            if fragments is not None:
                raise ProtocolError('New message inside a fragmented one.')
            if final:
                return opcode, payload
            fragments, first_opcode = [payload], opcode

    def _read_frame(self):
        """Return ``(final, opcode, payload)`` of the next frame."""
        self._fill(2)
        buffer, offset = self._buffer, self._offset
        first, second = buffer[offset], buffer[offset + 1]
        length = second & 0x7F
        header = 2
        if length == 126:
            self._fill(4)
            length = struct.unpack_from('!H', self._buffer,
                                        self._offset + 2)[0]
            header = 4
        elif length == 127:
            self._fill(10)
            length = struct.unpack_from('!Q', self._buffer,
                                        self._offset + 2)[0]
            header = 10
        if length > MAX_MESSAGE_SIZE:
            raise ProtocolError('Frame of {0} bytes is too large.'.format(
                length
            ))
        key = None
        if second & 0x80:
            self._fill(header + 4)
            start = self._offset + header
            key = bytes(self._buffer[start:start + 4])
            header += 4
        self._fill(header + length)
        start = self._offset + header
        payload = bytes(self._buffer[start:start + length])
        self._offset = start + length
        if key is not None:
            payload = _masked(key, payload)
        return bool(first & 0x80), first & 0x0F, payload

    def _fill(self, needed):
        """Read until *needed* bytes past the offset are buffered."""
        buffer = self._buffer
        if len(buffer) - self._offset >= needed:
            return
        if self._offset:
            del buffer[:self._offset]
            self._offset = 0
        while len(buffer) < needed:
            chunk = self._socket.recv(max(_READ_SIZE, needed - len(buffer)))
            if not chunk:
                raise ConnectionClosed('The server closed the connection.')
            buffer += chunk
