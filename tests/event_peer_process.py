"""Event hub peers in subprocesses, seen from the test.

The peer scripts live in ``tests/event_peers/`` and report one JSON object
per line on stdout; a :class:`PeerProcess` runs one and hands its reports
over as they come. Shared by the client's event hub tests and the event
server's tests against the reference client.
"""

import contextlib
import json
import os
import queue
import subprocess
import threading
import time

#: The folder of the peer scripts.
SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       'event_peers')


def script(name):
    """The path of the peer script *name* (``'hub_peer'``, ...)."""
    return os.path.join(SCRIPTS, name + '.py')


class PeerProcess:
    """A peer script running in a subprocess, its reports read as they
    arrive by a thread of their own."""

    def __init__(self, command, cwd, stdin=False):
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE if stdin else None,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding='utf-8', cwd=cwd,
        )
        self.lines = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def report(self, timeout=40):
        """Return the next report; fail when there is none in time, when
        the peer exited or when it reported an error."""
        try:
            line = self.lines.get(timeout=max(0.0, timeout))
        except queue.Empty:
            raise AssertionError('the peer reported nothing in time')
        if line is None:
            raise AssertionError('the peer exited: {0}'.format(
                self.process.stderr.read()[-3000:]
            ))
        assert 'error' not in line, line
        return line

    def next(self, key, timeout=40):
        """Return the value of the next report carrying *key*, skipping
        the others."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 and self.lines.empty():
                raise AssertionError('the peer reported no {0!r}'.format(key))
            line = self.report(remaining)
            if key in line:
                return line[key]

    def exited_cleanly(self, timeout=20):
        """Wait for the peer to exit; fail unless it exited with 0 and
        logged no traceback (the hub logs one when a packet kills its
        reader thread)."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError('the peer did not finish')
        stderr = self.process.stderr.read()
        assert code == 0, stderr[-3000:]
        assert 'Traceback' not in stderr, stderr[-3000:]

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def peer_starter(make):
    """Yield a function that starts peers with *make* (taking the same
    arguments); every peer it started is killed on the way out."""
    started = []

    def start(*arguments):
        peer = make(*arguments)
        started.append(peer)
        return peer

    try:
        yield start
    finally:
        for peer in started:
            peer.kill()
