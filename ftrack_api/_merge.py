"""The identity map: one entity instance per type and primary key.

Two ways in. :func:`merge` takes entity objects (from :meth:`Session.create`,
:meth:`Session.decode` or another session) and folds them into the instances
the session caches. :func:`merging_object_hook` does the same while a server
response is being parsed, straight from the JSON objects, so that large query
results are walked once and no throw-away entities are built.
"""

import ftrack_api.attribute
import ftrack_api.cache
import ftrack_api.collection
import ftrack_api.entity.base
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol
import ftrack_api._encoding

NOT_SET = ftrack_api.symbol.NOT_SET
Entity = ftrack_api.entity.base.Entity
Collection = ftrack_api.collection.Collection
MappedCollectionProxy = ftrack_api.collection.MappedCollectionProxy
ScalarAttribute = ftrack_api.attribute.ScalarAttribute
AbstractCollectionAttribute = ftrack_api.attribute.AbstractCollectionAttribute
_member_keys = ftrack_api.attribute._member_keys
_stored_members = ftrack_api.attribute._stored_members


def values_differ(old, new):
    """Whether *new* changes *old*; entity containers compare by members."""
    if old is new:
        return False
    if old is NOT_SET:
        return True
    if isinstance(new, MappedCollectionProxy):
        if not isinstance(old, MappedCollectionProxy):
            return True
        return old.collection != new.collection
    return old != new


def collections_differ(old, new):
    """Whether the collection value *new* holds other entities than *old*.

    Either may be stored members (a tuple), a collection or a mapped proxy;
    as collections compare, order does not matter. NOT_SET differs from
    any collection.
    """
    if old is new:
        return False
    if old is NOT_SET or new is NOT_SET:
        return True
    if type(old) is tuple and type(new) is tuple and old == new:
        # The same entities in the same order: the usual case when a
        # result is merged again.
        return False
    return _member_keys(old) != _member_keys(new)


def merge(session, value, merged):
    """Return *value* with entities replaced by the session's instances.

    Entities are merged into the identity map; collections become lists of
    merged entities; anything else is returned as it is.
    """
    if isinstance(value, Entity):
        return merge_entity(session, value, merged)
    if isinstance(value, Collection):
        return [merge(session, item, merged) for item in value]
    if isinstance(value, MappedCollectionProxy):
        return [merge(session, item, merged) for item in value.collection]
    return value


def merge_entity(session, entity, merged):
    """Fold *entity* into the session's instance for its identity and
    return that instance (made on first sight)."""
    key = session.cache_key_maker.key(ftrack_api.inspection.identity(entity))
    attached = merged.get(key)
    if attached is not None:
        return attached

    cache = session.cache
    try:
        attached = cache.get(key)
        new = False
    except KeyError:
        attached = entity.__class__(session, {}, reconstructing=True)
        new = True
    # Known to this merge before its relations are merged, for cycles.
    merged[key] = attached

    changed = attached is not entity and merge_entity_values(
        attached, entity, merged
    )
    if new or changed:
        cache.set(key, attached)
    return attached


def adopt_entity(session, entity):
    """Make the new *entity* the session's instance for its identity.

    Used when creating entities: if nothing is cached yet under its
    identity the entity itself is kept (its references are merged in
    place), else it is merged into the cached instance. Return the instance
    to use.
    """
    key = session.cache_key_maker.key(ftrack_api.inspection.identity(entity))
    cache = session.cache
    try:
        attached = cache.get(key)
    except KeyError:
        attached = None
    merged = {}
    if attached is not None and attached is not entity:
        merged[key] = attached
        if merge_entity_values(attached, entity, merged):
            cache.set(key, attached)
        return attached

    merged[key] = entity
    cache.set(key, entity)
    for attribute in entity.attributes:
        if isinstance(attribute, ScalarAttribute):
            continue
        for values in (entity._local_values, entity._remote_values):
            value = values.get(attribute.name, NOT_SET)
            if value is NOT_SET or value is None:
                continue
            if isinstance(value, Entity):
                values[attribute.name] = merge_entity(session, value, merged)
                continue
            members = list(_stored_members(value))
            attached = [merge_entity(session, item, merged) for item in members]
            if not any(old is not new for old, new in zip(members, attached)):
                continue
            if type(value) is tuple:
                values[attribute.name] = tuple(attached)
            else:
                replacement = attribute._adapt_to_collection(entity, attached)
                replacement.mutable = value.mutable
                values[attribute.name] = replacement
    return entity


def merge_entity_values(target, source, merged):
    """Copy the known values of *source* into *target*.

    Scalars go first so the primary key is known before relations are
    merged. Return the changes, each a dict with ``type``
    (``local_attribute`` or ``remote_attribute``), ``name``, ``old_value``
    and ``new_value``.
    """
    session = target.session
    attributes = target.attributes
    source_local = source._local_values
    source_remote = source._remote_values
    names = list(dict.fromkeys(list(source_local) + list(source_remote)))
    scalars = []
    relations = []
    for name in names:
        attribute = attributes.get(name)
        if attribute is None:
            continue
        if isinstance(attribute, ScalarAttribute):
            scalars.append(attribute)
        else:
            relations.append(attribute)

    changes = []
    for attribute in scalars + relations:
        name = attribute.name
        scalar = isinstance(attribute, ScalarAttribute)
        collection = isinstance(attribute, AbstractCollectionAttribute)
        for kind, values, target_values in (
            ('local_attribute', source_local, target._local_values),
            ('remote_attribute', source_remote, target._remote_values),
        ):
            value = values.get(name, NOT_SET)
            if value is NOT_SET:
                continue
            if collection and value is not None:
                value = attribute._adapt_to_collection(target, [
                    merge(session, item, merged)
                    for item in _stored_members(value)
                ])
                value.mutable = (
                    attribute.mutable if kind == 'local_attribute' else False
                )
            elif not scalar and value is not None:
                value = merge(session, value, merged)
            old_value = target_values.get(name, NOT_SET)
            if collection and value is not None:
                if not collections_differ(old_value, value):
                    continue
            elif not values_differ(old_value, value):
                continue
            if kind == 'local_attribute':
                # As any local change: immutable values stay, and the change
                # is recorded unless recording is off (as in Session.merge).
                attribute.set_local_value(target, value)
            else:
                target_values[name] = value
            changes.append({
                'type': kind, 'name': name,
                'old_value': old_value, 'new_value': value,
            })
            if collection and kind == 'remote_attribute':
                _refresh_unchanged_local_copy(
                    target, attribute, old_value, value
                )
    return changes


def _refresh_unchanged_local_copy(entity, attribute, old_remote, new_remote):
    """Replace a local collection that was only a copy of the old remote
    collection by a copy of the new one."""
    local = entity._local_values.get(attribute.name, NOT_SET)
    if local is NOT_SET or old_remote is NOT_SET:
        return
    if collections_differ(old_remote, local):
        return
    if type(new_remote) is tuple:
        replacement = attribute._new_collection(
            entity, new_remote, attribute.mutable
        )
    else:
        replacement = attribute._copy_collection(new_remote)
        replacement.mutable = attribute.mutable
    entity._local_values[attribute.name] = replacement


def merging_object_hook(session):
    """Return a json object hook merging entities into the session as a
    response is parsed.

    JSON objects are handed to the hook innermost first, so the values of an
    entity object already are the session's instances when it is merged.
    """
    find_cached, set_cached = _cache_access(session)
    make_entity = ftrack_api._encoding.entity_maker(session)
    make_key = session.cache_key_maker.key
    if type(session.cache_key_maker) is ftrack_api.cache.StringKeyMaker:
        # What the default key maker does for one item, without the calls.
        make_key = str

    def build(entity_class, item):
        entity_type = entity_class.entity_type
        key_values = []
        for name in entity_class.primary_key_attributes:
            value = item.get(name, NOT_SET)
            if value is NOT_SET:
                raise KeyError(
                    'Missing required value for primary key attribute "{0}" '
                    'on {1} data {2!r}.'.format(name, entity_type, item)
                )
            key_values.append(str(value))
        key = make_key((entity_type, key_values))

        attached = find_cached(key)
        if attached is None:
            attached = make_entity(entity_class, item)
            set_cached(key, attached)
            return attached

        if _merge_remote_data(attached, item):
            set_cached(key, attached)
        return attached

    return ftrack_api._encoding.object_hook(session, build)


def _cache_access(session):
    """Return a function finding a cached value (None when missing) and one
    storing a value, for the session's cache.

    With only the in-memory layer (the default) its dictionary is used
    directly: most entities of a large result are new, and a missing key
    costs an exception through the cache interface.
    """
    cache = session.cache
    store = ftrack_api.cache._top_memory_store(cache)
    if store is not None and len(cache.caches) == 1:
        return store.get, store.__setitem__

    def find(key):
        try:
            return cache.get(key)
        except KeyError:
            return None

    return find, cache.set


def _merge_remote_data(entity, item):
    """Store the server values in *item* on *entity*; return whether any
    value changed."""
    attributes = entity.attributes
    get_attribute = attributes.get
    collection_names = attributes._collection_names
    remote = entity._remote_values
    changed = False
    for name, value in item.items():
        attribute = get_attribute(name)
        if attribute is None:
            continue
        old_value = remote.get(name, NOT_SET)
        if name in collection_names:
            if value is None or type(value) is list:
                value = ftrack_api.attribute._raw_members(
                    entity, attribute, value or ()
                )
            else:
                value = attribute._adapt_to_collection(entity, value)
                value.mutable = False
            if not collections_differ(old_value, value):
                continue
            remote[name] = value
            _refresh_unchanged_local_copy(entity, attribute, old_value, value)
        else:
            # References are the session's instances: unchanged ones are
            # the very same object.
            if old_value is value or (
                old_value is not NOT_SET and old_value == value
            ):
                continue
            remote[name] = value
        changed = True
    return changed
