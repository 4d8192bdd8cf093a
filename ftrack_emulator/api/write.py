"""``create``, ``update`` and ``delete``.

Create and update answer ``{"action": ..., "data": <entity>}`` with the
entity as the query engine loads it (persisted attributes plus system
projections). The entities are loaded once all operations of the request
have run, in one query per entity type, so that a commit of a thousand
creates costs a handful of selects rather than a thousand. For the same
reason a run of updates reads the entities it changes before its first
operation, and a run of deletes is carried out at its first operation, as
one deletion with the cascades of all its entities.
"""

from ftrack_emulator.errors import ValidationError
from ftrack_emulator.store import values as decode


class PendingEntity:
    """The result of a create or update, loaded when the request ends.

    ``relations`` names the references and collections the client wrote:
    the answer carries them too, so that a client merging it sees the
    collection it just changed (``metadata`` after adding a key) rather
    than its stale copy.
    """

    __slots__ = ('action', 'entity_type', 'key', 'relations')

    def __init__(self, action, entity_type, key, relations=()):
        self.action = action
        self.entity_type = entity_type
        self.key = tuple(key)
        self.relations = tuple(sorted(relations))

    def finish(self, context):
        loaded = _load_pending(context)
        data = loaded.get((self.entity_type, self.key))
        if data is None:
            # Deleted later in the same request: identity is all there is.
            entity_type = context.backend.registry[self.entity_type]
            data = {'__entity_type__': self.entity_type}
            data.update(zip(entity_type.primary_key, self.key))
        return {'action': self.action, 'data': data}


def _pending(context):
    pending = getattr(context.state, 'pending_entities', None)
    if pending is None:
        pending = []
        context.state.pending_entities = pending
    return pending


def _load_pending(context):
    """Load every entity created or updated in the request, once: one
    query per entity type, and one per type and set of written relations.
    """
    state = context.state
    loaded = getattr(state, 'loaded_entities', None)
    if loaded is not None:
        return loaded
    loaded = {}
    by_type = {}
    by_relations = {}
    for item in _pending(context):
        by_type.setdefault(item.entity_type, {})[item.key] = None
        if item.relations:
            group = by_relations.setdefault(
                (item.entity_type, item.relations), {}
            )
            group[item.key] = None
    engine = context.backend.query_engine
    registry = context.backend.registry

    def load(type_name, keys, projections=None):
        entity_type = registry[type_name]
        if len(entity_type.primary_key) == 1:
            request = [key[0] for key in keys]
        else:
            request = list(keys)
        for data in engine.load(context.connection, type_name, request,
                                projections=projections,
                                server_url=context.base_url):
            key = tuple(str(data.get(name))
                        for name in entity_type.primary_key)
            yield key, data

    for type_name, keys in by_type.items():
        for key, data in load(type_name, keys):
            loaded[(type_name, key)] = data
    for (type_name, relations), keys in by_relations.items():
        for key, data in load(type_name, keys, list(relations)):
            target = loaded.get((type_name, key))
            if target is not None:
                for name in relations:
                    if name in data:
                        target[name] = data[name]
    state.loaded_entities = loaded
    return loaded


def defer(context, action, entity_type, key, relations=()):
    """Return the result ``{"action": action, "data": <entity>}`` for the
    entity *entity_type* with primary key *key*, loaded when the request's
    operations have all run (with the written *relations*)."""
    pending = PendingEntity(action, entity_type, key, relations)
    _pending(context).append(pending)
    return pending


def _written_relations(context, type_name, data):
    """The references and collections among the attributes of *data*."""
    if not isinstance(data, dict):
        return ()
    entity_type = context.backend.registry.get(type_name)
    if entity_type is None:
        return ()
    names = []
    for name in data:
        prop = entity_type.properties.get(name)
        if prop is not None and not prop.is_scalar \
                and not prop.restricted_projection:
            names.append(name)
    return names


def _entity_type_name(operation):
    name = operation.get('entity_type')
    if not isinstance(name, str) or not name:
        raise ValidationError(
            'The operation needs an "entity_type" naming the type of entity, '
            'e.g. "Task".'
        )
    return name


def _entity_data(operation):
    data = operation.get('entity_data')
    if data is None:
        return {}
    return data


def _run(context, action):
    """The operations from the running one on that are *action* on an
    entity key: the run a handler may prepare for in one go."""
    run = []
    for operation in context.operations[context.index:]:
        if not isinstance(operation, dict) \
                or operation.get('action') != action \
                or not isinstance(operation.get('entity_type'), str) \
                or 'entity_key' not in operation:
            break
        run.append(operation)
    return run


def _read_ahead(context):
    """Before the first of a run of updates, read the entities the run
    changes in one select per type, not one per operation."""
    state = context.state
    if context.index <= getattr(state, 'read_through', -1):
        return
    run = _run(context, 'update')
    state.read_through = context.index + len(run) - 1
    if len(run) > 1:
        context.backend.writer.prefetch_many(context.connection, state, [
            (operation['entity_type'], operation['entity_key'])
            for operation in run
        ])


def _delete_ahead(context):
    """At the first of a run of deletes, delete the entities of the whole
    run together (see :meth:`~ftrack_emulator.store.writer.Writer.
    delete_many`); return True when the running operation's entity is
    done."""
    state = context.state
    if context.index > getattr(state, 'deleted_through', -1):
        run = _run(context, 'delete')
        done = 0
        if len(run) > 1:
            done = context.backend.writer.delete_many(
                context.connection, state, [
                    (operation['entity_type'], operation['entity_key'])
                    for operation in run
                ])
        state.deleted_through = context.index + done - 1
    return context.index <= state.deleted_through


def create(context, operation):
    type_name = _entity_type_name(operation)
    writer = context.backend.writer
    key = writer.create(
        context.connection, context.state, type_name, _entity_data(operation),
        entity_key=operation.get('entity_key'),
    )
    return defer(context, 'create', type_name, key, _written_relations(
        context, type_name, operation.get('entity_data')))


def update(context, operation):
    type_name = _entity_type_name(operation)
    if 'entity_key' not in operation:
        raise ValidationError(
            'An update needs the "entity_key" of the {0} to change.'.format(
                type_name
            )
        )
    writer = context.backend.writer
    _read_ahead(context)
    key = writer.update(
        context.connection, context.state, type_name,
        operation.get('entity_key'), _entity_data(operation),
    )
    return defer(context, 'update', type_name, key, _written_relations(
        context, type_name, operation.get('entity_data')))


def delete(context, operation):
    type_name = _entity_type_name(operation)
    if 'entity_key' not in operation:
        raise ValidationError(
            'A delete needs the "entity_key" of the {0} to delete.'.format(
                type_name
            )
        )
    backend = context.backend
    if _delete_ahead(context):
        key = decode.normalise_entity_key(
            operation['entity_key'],
            backend.registry[type_name].primary_key, type_name,
        )
    else:
        key = backend.writer.delete(
            context.connection, context.state, type_name,
            operation.get('entity_key'),
        )
    if backend.registry[type_name].table == backend.registry['User'].table:
        backend.auth.forget(context.connection, [key[0]])
    return {'action': 'delete', 'data': True}
