"""Records of the changes a session will send to the server on commit.

The session pushes one operation per change (a new entity, an attribute
set, a deletion) onto its :class:`Operations` stack; commit turns the stack
into a batch of server actions.
"""

import copy

import ftrack_api.symbol

# Copying these gives back the same object, so skip copy.copy for them:
# operations are recorded on every attribute set.
_SHARED_WHEN_COPIED = frozenset((
    str, bytes, int, float, bool, complex, type(None), ftrack_api.symbol.Symbol,
))


def _shallow_copy(value):
    """Return a shallow copy of *value*, or *value* when copying is moot."""
    if type(value) in _SHARED_WHEN_COPIED:
        return value
    return copy.copy(value)


class Operations(object):
    """A stack of operations, kept in the order they were pushed.

    Iteration walks from the oldest to the newest; an empty stack is falsy.
    """

    __slots__ = ('_pending',)

    def __init__(self):
        self._pending = []

    def __iter__(self):
        return iter(self._pending)

    def __len__(self):
        return len(self._pending)

    def push(self, operation):
        """Add *operation* on top of the stack."""
        self._pending.append(operation)

    def pop(self):
        """Remove and return the most recent operation.

        Raises :class:`IndexError` when the stack is empty.
        """
        return self._pending.pop()

    def clear(self):
        """Forget every operation."""
        self._pending.clear()


class Operation(object):
    """Base class of every recorded operation."""

    __slots__ = ()


class CreateEntityOperation(Operation):
    """An entity of *entity_type* created with *entity_data*.

    *entity_data* is copied, one level deep, so later changes to the values
    the caller passed do not alter what was recorded.
    """

    __slots__ = ('entity_type', 'entity_key', 'entity_data')

    def __init__(self, entity_type, entity_key, entity_data):
        try:
            items = entity_data.items()
        except AttributeError:
            raise AttributeError(
                'entity_data must be a mapping of attribute names to values, '
                'not {0!r}.'.format(entity_data)
            ) from None
        self.entity_type = entity_type
        self.entity_key = entity_key
        self.entity_data = {
            name: _shallow_copy(value) for name, value in items
        }


class UpdateEntityOperation(Operation):
    """Attribute *attribute_name* of an entity changed value.

    Both values are shallow copies of those given.
    """

    __slots__ = (
        'entity_type', 'entity_key', 'attribute_name', 'old_value',
        'new_value',
    )

    def __init__(
        self, entity_type, entity_key, attribute_name, old_value, new_value
    ):
        self.entity_type = entity_type
        self.entity_key = entity_key
        self.attribute_name = attribute_name
        self.old_value = _shallow_copy(old_value)
        self.new_value = _shallow_copy(new_value)


class DeleteEntityOperation(Operation):
    """An entity was deleted."""

    __slots__ = ('entity_type', 'entity_key')

    def __init__(self, entity_type, entity_key):
        self.entity_type = entity_type
        self.entity_key = entity_key
