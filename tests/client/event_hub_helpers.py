"""Waiting in the event hub tests: for a hub to have handled what the test
expects, or for any condition, failing the test after a timeout."""

import time


def wait_for(hub, condition, timeout=5.0):
    """Let *hub* handle events until *condition()* holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError('condition not met in time')
        hub.wait(0.02)


def wait_until(condition, timeout=5.0):
    """Sleep until *condition()* holds (something other threads make
    true, such as a hub connecting)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError('condition not met in time')
        time.sleep(0.01)
