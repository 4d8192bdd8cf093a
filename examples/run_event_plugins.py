"""Run the example event plugins and watch them work.

::

    python examples/run_event_plugins.py

Without configuration a local emulator holding the demo production starts
and serves both the API and the events; with ``FTRACK_SERVER`` (and
``FTRACK_API_USER``/``FTRACK_API_KEY``) set that server is used instead
(it needs at least one shot with a task).

Two sessions play the usual roles:

* the *plugin host* finds the plugins of ``examples/event_plugins``
  through ``FTRACK_EVENT_PLUGIN_PATH``, connects to the event server and
  handles events in a thread of its own, as an action or listener process
  would;
* the *client* does what a user in ftrack's web interface does: asks which
  actions exist for a selected shot, launches one, and changes a task's
  status (and changes it back), which the server announces as
  ``ftrack.update``.
"""

import contextlib
import os
import sys
import threading
import time
import uuid

import ftrack_api
from ftrack_api.event.base import Event

PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       'event_plugins')

#: Seconds to wait for any answer through the event server.
TIMEOUT = 15


def show(text, *args):
    print(text.format(*args))
    sys.stdout.flush()


@contextlib.contextmanager
def server_credentials():
    """Yield the keyword arguments of :class:`ftrack_api.Session`."""
    if os.environ.get('FTRACK_SERVER'):
        yield {}
        return

    import ftrack_emulator

    with ftrack_emulator.Emulator(demo=True) as server:
        show('Started a local emulator at {0}.', server.url)
        yield {
            'server_url': server.url,
            'api_user': server.api_user,
            'api_key': server.api_key,
        }


def until_known_to_server(hub):
    """Return once the server routes events to *hub*'s subscriptions.

    The hub announces its subscriptions as it connects; an event sent to
    itself and received back proves the server has them all.
    """
    deadline = time.monotonic() + TIMEOUT
    while not hub.connected:
        if time.monotonic() > deadline:
            raise RuntimeError('The plugin host did not connect.')
        time.sleep(0.05)
    topic = 'examples.ready.' + uuid.uuid4().hex
    seen = []
    identifier = hub.subscribe('topic=' + topic, seen.append)
    hub.publish(Event(topic))
    wait_for(hub, lambda: seen)
    hub.unsubscribe(identifier)


def wait_for(hub, condition):
    """Let *hub* handle events until *condition* holds."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError('No answer in time.')
        hub.wait(0.05)


def ask(client, event):
    """Publish *event* from *client* and return the first reply."""
    replies = []
    client.event_hub.publish(event, on_reply=replies.append)
    wait_for(client.event_hub, lambda: replies)
    return replies[0]


def start_plugin_host(credentials):
    """Return the plugin host session and a function stopping it."""
    # Any session created from now on loads these plugins.
    os.environ['FTRACK_EVENT_PLUGIN_PATH'] = os.pathsep.join(
        path for path in (PLUGINS, os.environ.get('FTRACK_EVENT_PLUGIN_PATH'))
        if path
    )
    host = ftrack_api.Session(auto_connect_event_hub=True, **credentials)
    until_known_to_server(host.event_hub)
    show('Plugin host connected; it subscribed to:')
    for subscriber in host.event_hub._subscribers:
        subscription = str(subscriber.subscription)
        if 'ftrack.action' in subscription or 'ftrack.update' in subscription:
            show('  {0}', subscription)

    running = threading.Event()
    running.set()

    def serve():
        # What an event listener process does: wait() forever.
        while running.is_set():
            host.event_hub.wait(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def stop():
        running.clear()
        thread.join()
        host.close()

    return host, stop


def main():
    with server_credentials() as credentials:
        host, stop_host = start_plugin_host(credentials)
        # The client loads no plugins: an empty plugin path.
        client = ftrack_api.Session(plugin_paths=[], **credentials)
        client.event_hub.connect()
        try:
            run_scenario(host, client)
        finally:
            client.close()
            stop_host()
    show('Done.')


def run_scenario(host, client):
    shot = client.query('select name from Shot').first()
    task = shot and client.query(
        'select name, status.name from Task where parent_id is "{0}"'.format(
            shot['id']
        )
    ).first()
    if task is None:
        raise SystemExit('The server holds no shot with a task.')
    selection = [{'entityId': shot['id'], 'entityType': 'task'}]

    show('\n== Discover actions for shot {0}', shot['name'])
    reply = ask(client, Event('ftrack.action.discover',
                              data={'selection': selection}))
    items = reply['data']['items']
    for item in items:
        show('offered: {0} ({1})', item['label'], item['actionIdentifier'])

    show('\n== Launch {0}', items[0]['label'])
    reply = ask(client, Event('ftrack.action.launch', data={
        'actionIdentifier': items[0]['actionIdentifier'],
        'selection': selection,
    }))
    show('success: {0}; message: {1}', reply['data']['success'],
         reply['data']['message'])

    show('\n== Change the status of task {0}', task['name'])
    # Learn when the host has printed the update: a subscriber of the
    # runner's own, called after the plugin's (higher priority number).
    updated = threading.Event()

    def after_plugin(event):
        if any(entity.get('entityId') == task['id']
               for entity in event['data'].get('entities', [])):
            updated.set()

    listener = host.event_hub.subscribe('topic=ftrack.update', after_plugin,
                                        priority=1000)
    until_changed = client.query(
        'Status where name is_not "{0}"'.format(task['status']['name'])
    ).first()
    original = task['status']
    for status in (until_changed, original):
        updated.clear()
        show('client sets the status to {0}', status['name'])
        task['status'] = status
        client.commit()
        if not updated.wait(TIMEOUT):
            raise RuntimeError('The update did not arrive.')
    host.event_hub.unsubscribe(listener)


if __name__ == '__main__':
    main()
