"""An event hub peer for the client's event hub tests, run as a subprocess
under this project's client or the reference one (isolated).

Reports on stdout, one JSON object per line::

    listen <url> <user> <key> <topic> <count>
        Subscribe to <topic> as applicationId "peer", make sure the server
        knows it, print {"ready": true, "hub_id": ...}, then print every
        event received ({"event": ...}) and reply {"echo": <data>,
        "by": "peer"} to each, until <count> events arrived.
    publish <url> <user> <key> <topic> <count>
        Print {"ready": ...}, wait for a line on stdin, then publish <count>
        events targeted at applicationId=ours, printing the id of each
        ({"published": ...}) and every reply ({"reply": ...}).

Both print {"done": true} once disconnected.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ftrack_api.event.base import Event  # noqa: E402
from ftrack_api.event.hub import EventHub  # noqa: E402

from peer_output import as_dict, report, wait_for  # noqa: E402

TIMEOUT = 30


def ready(hub, topic):
    # A round trip through the server proves it knows our subscriptions.
    seen = []
    hub.subscribe('topic={0}.ready'.format(topic), seen.append)
    hub.publish(Event('{0}.ready'.format(topic)))
    wait_for(hub, lambda: seen, TIMEOUT)
    report(ready=True, hub_id=hub.id)


def listen(hub, topic, count):
    received = []

    def callback(event):
        received.append(event)
        report(event=as_dict(event))
        return {'echo': event['data'], 'by': 'peer'}

    hub.subscribe('topic=' + topic, callback,
                  subscriber={'applicationId': 'peer'})
    ready(hub, topic)
    wait_for(hub, lambda: len(received) >= count, TIMEOUT)
    hub.wait(0.3)


def publish(hub, topic, count):
    replies = []

    def on_reply(event):
        replies.append(event)
        report(reply=as_dict(event))

    ready(hub, topic)
    sys.stdin.readline()
    for number in range(count):
        event = Event(topic, data={'n': number, 'text': u'\u00dcn\u00ef'},
                      target='applicationId=ours')
        hub.publish(event, on_reply=on_reply)
        report(published=event['id'])
    wait_for(hub, lambda: len(replies) >= count, TIMEOUT)


def main(mode, url, user, key, topic, count):
    hub = EventHub(url, user, key)
    hub.connect()
    {'listen': listen, 'publish': publish}[mode](hub, topic, int(count))
    hub.disconnect()
    report(done=True)


if __name__ == '__main__':
    main(*sys.argv[1:])
