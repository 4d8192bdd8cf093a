"""A listener plugin: print what changed whenever ftrack says so.

The server publishes ``ftrack.update`` after every change made through the
API or the web interface. ``data.entities`` lists each changed entity with
its ``action`` (``add``, ``update`` or ``remove``), its legacy
``entityType`` (``task`` for every shot, task or folder, ``show`` for
projects ...), the changed ``keys`` and their old and new values in
``changes``. Status changes carry status ids, so the listener looks their
names up.
"""

import ftrack_api


def describe_change(session, entity):
    """Return a line describing one changed *entity* of an update."""
    changes = []
    for key in sorted(entity.get('changes') or {}):
        change = entity['changes'][key]
        old, new = change.get('old'), change.get('new')
        if old is None and new is None:
            # Named as changed, but without values (e.g. a relation).
            continue
        if key == 'statusid':
            old, new = status_name(session, old), status_name(session, new)
            key = 'status'
        changes.append('{0}: {1!r} -> {2!r}'.format(key, old, new))
    return '{0} {1} {2} ({3})'.format(
        entity['action'], entity['entityType'], entity['entityId'],
        '; '.join(changes) or 'no values',
    )


def status_name(session, status_id):
    if not status_id:
        return None
    status = session.get('Status', status_id)
    return status['name'] if status is not None else status_id


def register(session, **kw):
    """Print every update this *session* receives."""
    if not isinstance(session, ftrack_api.Session):
        return

    def on_update(event):
        for entity in event['data'].get('entities', []):
            print('ftrack.update: ' + describe_change(session, entity))

    session.event_hub.subscribe('topic=ftrack.update', on_update)
