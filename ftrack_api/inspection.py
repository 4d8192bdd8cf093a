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


def _identity_key(entity):
    """Return a hashable identity of *entity* (type and key values)."""
    return (entity.entity_type, tuple(_primary_key_values(entity)))


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


def _operation_key(operation):
    """Return (entity type, key values as text) of a recorded *operation*."""
    key = operation.entity_key
    values = key.values() if hasattr(key, 'values') else key
    return (operation.entity_type, tuple(str(value) for value in values))


def _operation_state(operation):
    """Return the state *operation* implies for its entity, or None."""
    if isinstance(operation, ftrack_api.operation.CreateEntityOperation):
        return ftrack_api.symbol.CREATED
    if isinstance(operation, ftrack_api.operation.UpdateEntityOperation):
        return ftrack_api.symbol.MODIFIED
    if isinstance(operation, ftrack_api.operation.DeleteEntityOperation):
        return ftrack_api.symbol.DELETED
    return None


def _next_state(current, implied):
    """Return an entity's state after an operation implying *implied*.

    The first operation decides (a created entity stays created however
    often it is changed) except that a deletion always wins.
    """
    if implied is ftrack_api.symbol.DELETED or current is NOT_SET:
        return implied
    return current


def _state_lookup(operations):
    """Return a function of (entity type, key values) giving the state the
    *operations* amount to."""
    lookup = getattr(operations, 'state_of', None)
    if lookup is not None:
        # The session's operations keep their states up to date.
        return lookup
    known = {}
    for operation in operations:
        implied = _operation_state(operation)
        if implied is not None:
            key = _operation_key(operation)
            known[key] = _next_state(known.get(key, NOT_SET), implied)
    return lambda entity_type, key: known.get((entity_type, key), NOT_SET)


def state(entity):
    """Return what *entity*'s pending operations amount to.

    One of :data:`~ftrack_api.symbol.CREATED`,
    :data:`~ftrack_api.symbol.MODIFIED`, :data:`~ftrack_api.symbol.DELETED`
    or :data:`~ftrack_api.symbol.NOT_SET` when nothing is pending.
    """
    return states([entity])[0]


def states(entities):
    """Return the states of *entities* (which share one session).

    As with the reference client there is one state per distinct entity,
    in order of first appearance: an entity listed twice (or two instances
    with one identity) has a single state in the result.
    """
    found = {}
    for entity, entity_state in zip(entities, _states_of_each(entities)):
        found.setdefault(_identity_key(entity), entity_state)
    return list(found.values())


def _states_of_each(entities):
    """Return the state of each of *entities* (which share one session),
    one per item, duplicates included."""
    if not entities:
        return []
    lookup = _state_lookup(entities[0].session.recorded_operations)
    return [
        lookup(entity.entity_type, tuple(_primary_key_values(entity)))
        for entity in entities
    ]
