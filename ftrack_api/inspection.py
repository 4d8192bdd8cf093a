"""Questions about entities: who they are and what is pending for them."""

import collections

import ftrack_api.operation
import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET


def _primary_key_values(entity):
    """Return *entity*'s primary key values as text, never fetching them."""
    local = entity._local_values
    remote = entity._remote_values
    values = []
    for name in entity.primary_key_attributes:
        value = local.get(name, NOT_SET)
        if value is NOT_SET:
            value = remote.get(name, NOT_SET)
            if value is NOT_SET:
                raise KeyError(
                    'Missing required value for primary key attribute "{0}" '
                    'on entity {1!r}.'.format(name, entity)
                )
        values.append(str(value))
    return values


def _identity_string(entity):
    """Return the text of :func:`identity`, the key the session caches by."""
    return str((str(entity.entity_type), _primary_key_values(entity)))


def identity(entity):
    """Return ``(entity_type, [primary key values as text])``."""
    return (str(entity.entity_type), _primary_key_values(entity))


def primary_key(entity):
    """Return an ordered mapping of primary key attribute name to text value.

    Raise :exc:`KeyError` when part of the key is not set.
    """
    return collections.OrderedDict(
        zip(
            (str(name) for name in entity.primary_key_attributes),
            _primary_key_values(entity),
        )
    )


def _state_of_operations(session):
    """Return a mapping of (entity type, key values) to pending state."""
    states = {}
    created = ftrack_api.symbol.CREATED
    for operation in session.recorded_operations:
        if isinstance(operation, ftrack_api.operation.CreateEntityOperation):
            state = created
        elif isinstance(operation, ftrack_api.operation.UpdateEntityOperation):
            state = ftrack_api.symbol.MODIFIED
        elif isinstance(operation, ftrack_api.operation.DeleteEntityOperation):
            state = ftrack_api.symbol.DELETED
        else:
            continue
        key = (
            operation.entity_type,
            tuple(str(value) for value in operation.entity_key.values()),
        )
        current = states.get(key, NOT_SET)
        if state is ftrack_api.symbol.DELETED or current is NOT_SET:
            states[key] = state
    return states


def state(entity):
    """Return what *entity*'s pending operations amount to.

    One of :data:`~ftrack_api.symbol.CREATED`,
    :data:`~ftrack_api.symbol.MODIFIED`, :data:`~ftrack_api.symbol.DELETED`
    or :data:`~ftrack_api.symbol.NOT_SET` when nothing is pending.
    """
    return states([entity])[0]


def states(entities):
    """Return the state of each of *entities* (which share one session)."""
    if not entities:
        return []
    known = _state_of_operations(entities[0].session)
    return [
        known.get(
            (entity.entity_type, tuple(_primary_key_values(entity))), NOT_SET
        )
        for entity in entities
    ]
