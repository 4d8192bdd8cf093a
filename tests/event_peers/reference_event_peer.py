"""An event hub peer for the event server tests, run as a subprocess.

Runs under any ``ftrack_api`` (the reference client in its own virtual
environment, or ours) and reports on stdout, one JSON object per line::

    listen <url> <user> <key> <topic> <count>
        Subscribe to <topic>, print {"ready": true}, then print every event
        received ({"event": ...}) and reply {"echo": <data>} to each, until
        <count> events arrived.
    publish <url> <user> <key> <topic> <count>
        Publish <count> events on <topic> ({"n": i}) and print every reply
        ({"reply": ...}) until <count> replies arrived.
    idle <url> <user> <key> <topic> <seconds>
        Stay connected for <seconds> without doing anything, then publish
        one event to itself and print it once it comes back.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ftrack_api.event.base import Event  # noqa: E402
from ftrack_api.event.hub import EventHub  # noqa: E402

from peer_output import as_dict, report, wait_for  # noqa: E402

TIMEOUT = 40


def listen(hub, topic, count):
    received = []

    def callback(event):
        received.append(event)
        report(event=as_dict(event))
        return {'echo': event['data']}

    hub.subscribe('topic=' + topic, callback,
                  subscriber={'applicationId': 'reference-listener'})
    report(ready=True, hub_id=hub.id)
    wait_for(hub, lambda: len(received) >= count, TIMEOUT)
    hub.wait(0.3)  # let the replies go out


def publish(hub, topic, count):
    replies = []

    def on_reply(event):
        replies.append(event)
        report(reply=as_dict(event))

    report(ready=True, hub_id=hub.id)
    for number in range(count):
        hub.publish(Event(topic, data={'n': number}), on_reply=on_reply)
    wait_for(hub, lambda: len(replies) >= count, TIMEOUT)


def idle(hub, topic, seconds):
    received = []
    hub.subscribe('topic=' + topic, received.append)
    report(ready=True, hub_id=hub.id)
    time.sleep(seconds)
    hub.publish(Event(topic, data={'after': seconds}))
    wait_for(hub, lambda: received, TIMEOUT)
    report(event=as_dict(received[0]), connected=hub.connected)


def main(mode, url, user, key, topic, amount):
    hub = EventHub(url, user, key)
    hub.connect()
    {'listen': listen, 'publish': publish, 'idle': idle}[mode](
        hub, topic, float(amount) if mode == 'idle' else int(amount)
    )
    hub.disconnect()


if __name__ == '__main__':
    main(*sys.argv[1:])
