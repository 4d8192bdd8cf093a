"""``ftrack.update``: the event ftrack publishes after entities change.

Event plugins written for ftrack listen to it (``topic=ftrack.update``) to
react to status changes, new versions and so on. The API layer describes
what a successful commit changed with :class:`EntityChange` objects and
calls :func:`publish_updates`; this module turns them into the event's
payload::

    {"entities": [{"entityId", "entityType", "entity_type", "objectTypeId",
                   "action", "keys", "changes", "parents", "parentId"}],
     "user": {"userid", "name"}, "clientToken", "pushToken", "parents"}

``entityType`` is ftrack's legacy, table-like name: ``show`` for projects,
``task`` for every typed context (tasks, shots, folders ...), otherwise the
lower-cased type name (``assetversion``, ``note`` ...). A few attribute
names also keep their legacy spelling in ``keys`` and ``changes``
(``statusid``, ``typeid``), which is what existing plugins test for.
"""

import dataclasses
import datetime
import typing
import uuid

TOPIC = 'ftrack.update'

ADD = 'add'
UPDATE = 'update'
REMOVE = 'remove'
ACTIONS = (ADD, UPDATE, REMOVE)

#: Attribute names that ftrack reports under their legacy column name.
LEGACY_KEYS = {
    'status_id': 'statusid',
    'type_id': 'typeid',
}

#: Legacy ``entityType`` of types not following the general rules.
LEGACY_ENTITY_TYPES = {
    'Project': 'show',
}


@dataclasses.dataclass(frozen=True)
class EntityRef:
    """An entity named in ``parents``: its schema type and id."""

    entity_type: str
    entity_id: str
    #: Set for typed contexts (their legacy ``entityType`` is ``task``).
    object_type_id: typing.Optional[str] = None


@dataclasses.dataclass
class EntityChange:
    """What one commit did to one entity.

    ``changes`` maps each changed attribute to ``(old, new)``: for ``add``
    list the attributes that were set (old ``None``), for ``remove`` the ones
    known before deletion (new ``None``). ``ancestors`` lists the entity's
    parents nearest first (for a task: its shot, sequence ... project).
    ``legacy_type`` overrides the computed ``entityType``.
    """

    action: str
    entity_type: str
    entity_id: str
    changes: typing.Mapping[str, typing.Tuple[typing.Any, typing.Any]] = (
        dataclasses.field(default_factory=dict)
    )
    ancestors: typing.Sequence[EntityRef] = ()
    object_type_id: typing.Optional[str] = None
    legacy_type: typing.Optional[str] = None

    def __post_init__(self):
        if self.action not in ACTIONS:
            raise ValueError(
                'Unknown action {0!r} for {1}({2!r}); expected one of '
                '{3}.'.format(self.action, self.entity_type, self.entity_id,
                              ', '.join(ACTIONS))
            )

    @property
    def ref(self):
        return EntityRef(self.entity_type, self.entity_id,
                         self.object_type_id)


@dataclasses.dataclass(frozen=True)
class Author:
    """The user whose commit caused the changes."""

    id: str
    username: str
    #: Display name ("First Last"); defaults to the username.
    name: typing.Optional[str] = None


def legacy_entity_type(entity_type, object_type_id=None):
    """Return ftrack's legacy ``entityType`` for schema type *entity_type*."""
    if entity_type in LEGACY_ENTITY_TYPES:
        return LEGACY_ENTITY_TYPES[entity_type]
    if object_type_id is not None:
        return 'task'
    return entity_type.lower()


def merge_changes(changes):
    """Return *changes* with one entry per entity, in first-seen order.

    A commit may touch an entity several times (create, then update);
    subscribers expect one entry each: ``add`` then ``update`` is an
    ``add`` with the latest values, anything then ``remove`` is a
    ``remove``, and an entity both added and removed is left out.
    """
    merged = {}
    for change in changes:
        key = (change.entity_type, change.entity_id)
        earlier = merged.get(key)
        if earlier is None:
            # First sight (or re-created after an add and remove).
            merged[key] = dataclasses.replace(
                change, changes=dict(change.changes)
            )
        elif change.action == REMOVE:
            merged[key] = None if earlier.action == ADD else (
                dataclasses.replace(
                    change, changes=_combine(earlier.changes, change.changes)
                )
            )
        else:
            earlier.changes = _combine(earlier.changes, change.changes)
            if change.ancestors:
                earlier.ancestors = change.ancestors
    return [change for change in merged.values() if change is not None]


def _combine(first, second):
    combined = dict(first)
    for attribute, (old, new) in second.items():
        if attribute in combined:
            old = combined[attribute][0]
        combined[attribute] = (old, new)
    return combined


def build_update_event(changes, author, client_token=None):
    """Return the ``ftrack.update`` event for *changes* (see
    :class:`EntityChange`) made by *author* (:class:`Author`), or None when
    nothing changed."""
    changes = merge_changes(changes)
    if not changes:
        return None
    entities = []
    all_parents = {}
    for change in changes:
        entity = _entity_payload(change)
        entities.append(entity)
        for parent in entity['parents']:
            all_parents[parent['entityId']] = None
    return {
        'topic': TOPIC,
        'data': {
            'entities': entities,
            'user': {'userid': author.id, 'name': author.name or author.username},
            'clientToken': client_token,
            'pushToken': uuid.uuid4().hex,
            'parents': list(all_parents),
        },
        # The server adds its own id and application id.
        'source': {
            'user': {'username': author.username, 'id': author.id},
        },
    }


def _entity_payload(change):
    keys = []
    payload_changes = {}
    for attribute, (old, new) in change.changes.items():
        key = LEGACY_KEYS.get(attribute, attribute)
        keys.append(key)
        payload_changes[key] = {'old': _jsonable(old), 'new': _jsonable(new)}
    chain = [change.ref] + list(change.ancestors)
    parents = []
    for index, ref in enumerate(chain):
        above = chain[index + 1] if index + 1 < len(chain) else None
        parents.append({
            'entityId': ref.entity_id,
            'entityType': legacy_entity_type(ref.entity_type,
                                             ref.object_type_id),
            'entity_type': ref.entity_type,
            'parentId': above.entity_id if above is not None else None,
        })
    entity_type = change.legacy_type or legacy_entity_type(
        change.entity_type, change.object_type_id
    )
    return {
        'entityId': change.entity_id,
        'entityType': entity_type,
        'entity_type': change.entity_type,
        'objectTypeId': change.object_type_id,
        'action': change.action,
        'keys': keys,
        'changes': payload_changes,
        'parents': parents,
        'parentId': parents[0]['parentId'],
    }


def _jsonable(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)


def publish_updates(server, changes, author, client_token=None):
    """Publish ``ftrack.update`` for *changes* through *server* (an
    :class:`~ftrack_emulator.events.server.EventServer`).

    Call it after the commit succeeded; returns the event id, or None when
    there was nothing to publish. Thread-safe, like
    :meth:`~ftrack_emulator.events.server.EventServer.publish`.
    """
    event = build_update_event(changes, author, client_token=client_token)
    if event is None:
        return None
    return server.publish(event)
