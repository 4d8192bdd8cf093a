"""How the event server joins the emulator's application.

:mod:`ftrack_emulator.app` calls :func:`setup_app` while building the
application: the socket.io endpoints are added next to ``/api``, the
handshake checks credentials exactly as ``/api`` does, and every committed
write is announced as ``ftrack.update``.

Commit listeners receive the writer's change records, one mapping per
written entity (made by :class:`ftrack_emulator.store.writer.Writer`)::

    {"action": "add" | "update" | "remove", "entity_type": "Task",
     "key": ["<primary key value>", ...], "attributes": ["name", ...],
     "values": {"name": [old, new], ...}, "object_type_id": "<id>" | None,
     "ancestors": [{"entity_type", "entity_id", "object_type_id"}, ...]}

``values`` lists the stored attributes that changed, ``object_type_id`` is
set for contexts (tasks, shots ...) and ``ancestors`` names what the
entity hangs off, nearest first (a version: its asset, then the asset's
shot, sequence and project). Records of other origins may lack the last
three keys; missing values are reported as ``None``.
"""

import logging

from ftrack_emulator.errors import AuthenticationError

from .server import setup
from .updates import Author, EntityChange, EntityRef, publish_updates

logger = logging.getLogger(__name__)


def setup_app(app, backend):
    """Serve events from *app*, authenticating against *backend* (an
    :class:`ftrack_emulator.api.backend.Backend`), and publish
    ``ftrack.update`` after each of its commits. Returns the
    :class:`~ftrack_emulator.events.server.EventServer`."""

    def check(username, api_key):
        with backend.database.begin() as connection:
            backend.auth.authenticate(connection, username, api_key)

    async def authenticate(username, api_key):
        try:
            await backend.run(check, username, api_key)
        except AuthenticationError:
            return False
        return True

    options = {}
    for option in ('heartbeat_interval', 'heartbeat_timeout'):
        value = getattr(backend.config, 'event_' + option, None)
        if value is not None:
            options[option] = value
    server = setup(app, authenticate, **options)

    def announce(records, user):
        publish_updates(
            server, entity_changes(records),
            Author(id=user['id'], username=user['username']),
        )

    backend.commit_listeners.append(announce)

    async def stop_announcing(app):
        if announce in backend.commit_listeners:
            backend.commit_listeners.remove(announce)

    app.on_cleanup.append(stop_announcing)
    return server


def entity_changes(records):
    """Return :class:`~ftrack_emulator.events.updates.EntityChange` objects
    for the writer's change *records* (see the module documentation)."""
    changes = []
    for record in records:
        values = record.get('values') or {}
        # A reference written by the client (``status``) is announced by
        # its foreign key (``status_id``), which carries the old and new
        # values; don't list it twice.
        attributes = [
            name for name in record.get('attributes', ())
            if not name.startswith('__')
            and not (name not in values and name + '_id' in values)
        ]
        attributes += [name for name in values if name not in attributes]
        key = record.get('key') or []
        changes.append(EntityChange(
            action=record['action'],
            entity_type=record['entity_type'],
            entity_id=','.join(str(part) for part in key),
            changes={
                name: tuple(values.get(name, (None, None)))
                for name in attributes
            },
            ancestors=tuple(
                EntityRef(ancestor['entity_type'], ancestor['entity_id'],
                          ancestor.get('object_type_id'))
                for ancestor in record.get('ancestors', ())
            ),
            object_type_id=record.get('object_type_id'),
        ))
    return changes
