"""Turn recorded operations into the batch a commit sends.

Each operation becomes one payload, in recording order. The batch is then
made smaller, without changing what the server ends up with:

1. entities created and deleted in the same batch are left out entirely;
2. when an attribute is updated several times only the last value is kept;
3. unset values are dropped, and so are updates left with nothing to set;
4. updates directly following a create or an update of the same entity are
   folded into it.

Entities in values become references and collections lists of references.
"""

import ftrack_api.inspection
import ftrack_api.operation
import ftrack_api.symbol
import ftrack_api._encoding

NOT_SET = ftrack_api.symbol.NOT_SET


class RecordedOperations(ftrack_api.operation.Operations):
    """The session's operations, which also keep each entity's pending
    state up to date.

    Asking for an entity's state (is it newly created?) happens on many
    attribute reads and writes; scanning every operation each time made
    building large batches quadratic.
    """

    __slots__ = ('_states',)

    def __init__(self):
        super().__init__()
        self._states = {}

    def push(self, operation):
        """Add *operation* on top of the stack."""
        super().push(operation)
        implied = ftrack_api.inspection._operation_state(operation)
        if implied is not None:
            key = ftrack_api.inspection._operation_key(operation)
            self._states[key] = ftrack_api.inspection._next_state(
                self._states.get(key, NOT_SET), implied
            )

    def pop(self):
        """Remove and return the most recent operation."""
        operation = super().pop()
        key = ftrack_api.inspection._operation_key(operation)
        state = NOT_SET
        for remaining in self:
            implied = ftrack_api.inspection._operation_state(remaining)
            if (
                implied is not None
                and ftrack_api.inspection._operation_key(remaining) == key
            ):
                state = ftrack_api.inspection._next_state(state, implied)
        if state is NOT_SET:
            self._states.pop(key, None)
        else:
            self._states[key] = state
        return operation

    def clear(self):
        """Forget every operation."""
        super().clear()
        self._states.clear()

    def state_of(self, entity_type, key_values):
        """Return the pending state of the entity *entity_type* with primary
        key *key_values* (a tuple of text)."""
        return self._states.get((entity_type, key_values), NOT_SET)


class _Payload(object):
    """One pending action on one entity."""

    __slots__ = ('action', 'entity_type', 'entity_key', 'data')

    def __init__(self, action, entity_type, entity_key, data):
        self.action = action
        self.entity_type = entity_type
        self.entity_key = entity_key
        self.data = data

    @property
    def identity(self):
        return (self.entity_type, self.entity_key)

    def as_action(self):
        """Return the JSON-ready server action."""
        action = {
            'action': self.action,
            'entity_type': self.entity_type,
            'entity_key': list(self.entity_key),
        }
        if self.data is not None:
            entity_data = {'__entity_type__': self.entity_type}
            for name, value in self.data.items():
                entity_data[name] = ftrack_api._encoding.reference_value(
                    value
                )
            action['entity_data'] = entity_data
        return action


def _payloads(operations):
    payloads = []
    for operation in operations:
        key = tuple(operation.entity_key.values())
        if isinstance(operation, ftrack_api.operation.CreateEntityOperation):
            payloads.append(_Payload(
                'create', operation.entity_type, key,
                dict(operation.entity_data),
            ))
        elif isinstance(operation, ftrack_api.operation.UpdateEntityOperation):
            payloads.append(_Payload(
                'update', operation.entity_type, key,
                {operation.attribute_name: operation.new_value},
            ))
        elif isinstance(operation, ftrack_api.operation.DeleteEntityOperation):
            payloads.append(_Payload(
                'delete', operation.entity_type, key, None
            ))
    return payloads


def transient_identities(operations):
    """Return the (entity type, primary key tuple) of every entity both
    created and deleted among *operations*: the server never hears of
    them."""
    created, deleted = set(), set()
    for operation in operations:
        if isinstance(operation, ftrack_api.operation.CreateEntityOperation):
            created.add(_operation_identity(operation))
        elif isinstance(operation, ftrack_api.operation.DeleteEntityOperation):
            deleted.add(_operation_identity(operation))
    return created & deleted


def _operation_identity(operation):
    return (operation.entity_type, tuple(operation.entity_key.values()))


def _without_transient_entities(payloads):
    created = {p.identity for p in payloads if p.action == 'create'}
    deleted = {p.identity for p in payloads if p.action == 'delete'}
    transient = created & deleted
    if not transient:
        return payloads
    return [p for p in payloads if p.identity not in transient]


def _keep_last_updates(payloads):
    seen = set()
    for payload in reversed(payloads):
        if payload.action != 'update':
            continue
        for name in list(payload.data):
            attribute = (payload.entity_type, payload.entity_key, name)
            if attribute in seen:
                del payload.data[name]
            else:
                seen.add(attribute)
    return payloads


def _without_unset_values(payloads):
    kept = []
    for payload in payloads:
        if payload.data is not None:
            payload.data = {
                name: value for name, value in payload.data.items()
                if value is not NOT_SET
            }
            if not payload.data:
                continue
        kept.append(payload)
    return kept


def _fold_updates(payloads):
    folded = []
    for payload in payloads:
        if folded and payload.action == 'update':
            previous = folded[-1]
            if (
                previous.action in ('create', 'update')
                and previous.identity == payload.identity
            ):
                previous.data.update(payload.data)
                continue
        folded.append(payload)
    return folded


def build_batch(operations):
    """Return the list of server actions committing *operations*."""
    payloads = _payloads(operations)
    payloads = _without_transient_entities(payloads)
    payloads = _keep_last_updates(payloads)
    payloads = _without_unset_values(payloads)
    payloads = _fold_updates(payloads)
    return [payload.as_action() for payload in payloads]


def forget_local_values(entities, keep_primary_keys):
    """Drop the local values of *entities*.

    With *keep_primary_keys*, local primary key values the server has not
    confirmed yet are kept so the entity stays identifiable.
    """
    for entity in entities:
        local = entity._local_values
        if not local:
            continue
        if keep_primary_keys:
            remote = entity._remote_values
            kept = {
                name: local[name]
                for name in entity.primary_key_attributes
                if name in local and name not in remote
            }
            local.clear()
            local.update(kept)
        else:
            local.clear()
