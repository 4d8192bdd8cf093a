"""How the event hub peer scripts in this folder report and wait.

The scripts run under this project's client or under the reference
ftrack-python-api, isolated (``-I``), so this module may import only the
standard library.
"""

import json
import sys
import time


def report(**values):
    """Write *values* as one JSON line on stdout, at once."""
    sys.stdout.write(json.dumps(values) + '\n')
    sys.stdout.flush()


def as_dict(event):
    """The keys and values of *event*, as JSON can carry them."""
    return {key: event[key] for key in event}


def wait_for(hub, condition, timeout):
    """Let *hub* handle events until *condition()* holds; after *timeout*
    seconds report the failure and exit, so the test sees it."""
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            report(error='timed out')
            sys.exit(1)
        hub.wait(0.05)
