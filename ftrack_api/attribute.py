"""Entity attributes: how a value is read, set, fetched and compared.

An attribute object is shared by every entity of its class and keeps no
per-entity state of its own. Each entity holds two flat dictionaries, one for
local (unsaved) values and one for remote (server) values, keyed by attribute
name; a missing key means :data:`ftrack_api.symbol.NOT_SET`. Keeping the state
on the entity makes reads a couple of dictionary lookups and keeps memory low
when large query results are loaded.

A collection the server sent is stored as a plain tuple of its members until
it is read: most loaded collections are never read, and a
:class:`~ftrack_api.collection.Collection` per collection attribute and
entity would cost memory, time and garbage collector work. Reading it, or
asking for the remote value, turns the tuple into the collection the public
methods return (see :meth:`AbstractCollectionAttribute.get_remote_value`).
"""

from __future__ import absolute_import

import collections
import collections.abc
import copy
import functools
import logging

import ftrack_api.collection
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.operation
import ftrack_api.symbol
import ftrack_api._properties

NOT_SET = ftrack_api.symbol.NOT_SET

logger = logging.getLogger(__name__)


def merge_references(function):
    """Decorate a ``get_value`` so that values read from detached entities
    are merged into the session first.

    Entities returned by :meth:`ftrack_api.session.Session.decode` are not
    part of the session's identity map, nor are the entities they refer to.
    The first time such an entity's reference or collection is read, its
    stored values are merged so that callers receive the session's instances.
    Entities already in the identity map hold merged values and skip this.
    """

    @functools.wraps(function)
    def get_value(self, entity):
        if entity._detached:
            merged = entity._merged_attributes
            if self.name not in merged:
                if not merged:
                    merged = entity._merged_attributes = set()
                merged.add(self.name)
                self._merge_stored_values(entity)
        elif self.name in entity._foreign_values:
            entity._foreign_values.discard(self.name)
            self._merge_stored_values(entity)
        return function(self, entity)

    return get_value


def note_foreign_values(attribute, entity, items):
    """Have *entity*'s *attribute* merged on its next read when it is set,
    for the first time, to *items* including entities that are not the
    session's own.

    The reference client merges a relation's values into the session the
    first time the relation is read; values of attached entities already
    are the session's instances, so only an unread relation given another
    session's (or decoded) entities needs it. A relation holding a value is
    taken as read.
    """
    if entity._detached:
        return
    name = attribute.name
    if name in entity._local_values or name in entity._remote_values:
        return
    # Imported here: the entity module builds on this one.
    import ftrack_api.entity.base

    session = entity.session
    for item in items:
        if isinstance(item, ftrack_api.entity.base.Entity) and (
            item.session is not session or item._detached
        ):
            if not entity._foreign_values:
                entity._foreign_values = set()
            entity._foreign_values.add(name)
            return


class Attributes(object):
    """The attributes of an entity class, by name."""

    def __init__(self, attributes=None):
        self._attributes = {}
        # Names of collection attributes, which merging treats specially.
        self._collection_names = set()
        # Lookups happen on every value access: answer them from the dict
        # directly rather than through the method below.
        self.get = self._attributes.get
        for attribute in attributes or ():
            self.add(attribute)

    def add(self, attribute):
        """Add *attribute*; a name may only be used once."""
        existing = self._attributes.get(attribute.name)
        if existing is not None:
            raise ftrack_api.exception.NotUniqueError(
                'Attribute with name {0} already added as {1!r}'.format(
                    attribute.name, existing
                )
            )
        self._attributes[attribute.name] = attribute
        if isinstance(attribute, AbstractCollectionAttribute):
            self._collection_names.add(attribute.name)

    def remove(self, attribute):
        """Remove *attribute* (:exc:`KeyError` when it is not present)."""
        del self._attributes[attribute.name]
        self._collection_names.discard(attribute.name)

    def get(self, name):
        """Return the attribute called *name*, or None."""
        return self._attributes.get(name)

    def keys(self):
        """Return the attribute names as a list."""
        return list(self._attributes)

    def __contains__(self, item):
        if not isinstance(item, Attribute):
            return False
        return item.name in self._attributes

    def __iter__(self):
        return iter(self._attributes.values())

    def __len__(self):
        return len(self._attributes)


class Attribute(object):
    """A named value every entity of a class carries."""

    def __init__(
        self, name, default_value=NOT_SET, mutable=True, computed=False
    ):
        self._name = name
        self.default_value = default_value
        self._mutable = mutable
        self._computed = computed

    def __repr__(self):
        return '<{0}.{1}({2}) object at {3}>'.format(
            self.__module__, self.__class__.__name__, self._name, id(self)
        )

    name = ftrack_api._properties.read_only(
        '_name', "The attribute's name, as used in schemas and queries."
    )
    mutable = ftrack_api._properties.read_only(
        '_mutable', 'Whether a value may be replaced once one is known.'
    )
    computed = ftrack_api._properties.read_only(
        '_computed',
        'Whether the server computes the value (it is never persisted).'
    )

    def get_entity_storage(self, entity):
        """Return a snapshot of *entity*'s stored values.

        The result maps each attribute name with a known value to a dict
        with ``local`` and ``remote`` keys (other names read as unset).
        Changing it does not change the entity.
        """
        local = entity._local_values
        remote = entity._remote_values
        for name in entity.attributes._collection_names.intersection(remote):
            # Collections not read yet are shown as collections.
            entity.attributes.get(name).get_remote_value(entity)
        storage = collections.defaultdict(
            lambda: {'local': NOT_SET, 'remote': NOT_SET}
        )
        for name in list(remote) + [n for n in local if n not in remote]:
            storage[name] = {
                'local': local.get(name, NOT_SET),
                'remote': remote.get(name, NOT_SET),
            }
        return storage

    def get_value(self, entity):
        """Return the local value, else the remote one.

        When neither is known and the session auto-populates in this thread,
        the value is fetched from the server first.
        """
        name = self._name
        value = entity._local_values.get(name, NOT_SET)
        if value is not NOT_SET:
            return value
        value = entity._remote_values.get(name, NOT_SET)
        if value is NOT_SET and entity.session.auto_populate:
            self.populate_remote_value(entity)
            value = entity._remote_values.get(name, NOT_SET)
        return value

    def get_local_value(self, entity):
        """Return the value set on *entity* but not yet committed."""
        return entity._local_values.get(self._name, NOT_SET)

    def get_remote_value(self, entity):
        """Return the value last known to be on the server."""
        return entity._remote_values.get(self._name, NOT_SET)

    def set_local_value(self, entity, value):
        """Set an unsaved *value* on *entity* and record the change."""
        self._store_local_value(
            entity, value, entity._local_values.get(self._name, NOT_SET)
        )

    def _store_local_value(self, entity, value, old_value):
        """Set *value* locally, recording a change from *old_value*."""
        name = self._name
        local = entity._local_values
        if (
            not self._mutable
            and value is not NOT_SET
            and (
                local.get(name, NOT_SET) is not NOT_SET
                or entity._remote_values.get(name, NOT_SET) is not NOT_SET
            )
        ):
            raise ftrack_api.exception.ImmutableAttributeError(attribute=self)

        if value is NOT_SET:
            local.pop(name, None)
        else:
            local[name] = value

        session = entity.session
        if session.record_operations:
            session.recorded_operations.push(
                ftrack_api.operation.UpdateEntityOperation(
                    entity.entity_type,
                    ftrack_api.inspection.primary_key(entity),
                    name,
                    old_value,
                    value,
                )
            )

    def set_remote_value(self, entity, value):
        """Store *value* as the server's value for *entity*."""
        if value is NOT_SET:
            entity._remote_values.pop(self._name, None)
        else:
            entity._remote_values[self._name] = value

    def populate_remote_value(self, entity):
        """Fetch this attribute's value for *entity* from the server."""
        entity.session.populate([entity], self._name)

    def is_modified(self, entity):
        """Whether a local value differs from the remote one."""
        name = self._name
        local = entity._local_values.get(name, NOT_SET)
        if local is NOT_SET:
            return False
        return local != entity._remote_values.get(name, NOT_SET)

    def is_set(self, entity):
        """Whether either a local or a remote value is known."""
        name = self._name
        return name in entity._local_values or name in entity._remote_values

    def _merge_stored_values(self, entity):
        """Replace stored entity values by their merged counterparts."""


class ScalarAttribute(Attribute):
    """A plain JSON value (text, number, boolean, date, object)."""

    def __init__(self, name, data_type, **kw):
        #: Label of the schema type (e.g. ``string``, ``datetime``); values
        #: are never converted or checked against it.
        self.data_type = data_type
        super().__init__(name, **kw)


class ReferenceAttribute(Attribute):
    """A link to a single other entity."""

    def __init__(self, name, entity_type, **kw):
        #: Name of the type of the referenced entities.
        self.entity_type = entity_type
        super().__init__(name, **kw)

    def populate_remote_value(self, entity):
        """Fetch the referenced entity with its default projections."""
        referenced = entity.session.types[self.entity_type]
        projections = referenced.default_projections
        if projections:
            expression = ', '.join(
                '{0}.{1}'.format(self._name, projection)
                for projection in projections
            )
        else:
            expression = self._name
        entity.session.populate([entity], expression)

    def is_modified(self, entity):
        """Whether the local value refers to a different entity."""
        name = self._name
        local = entity._local_values.get(name, NOT_SET)
        if local is NOT_SET:
            return False
        remote = entity._remote_values.get(name, NOT_SET)
        if remote is NOT_SET:
            return True
        if local is remote:
            return False
        if local is None or remote is None:
            return True
        return ftrack_api.inspection.identity(
            local
        ) != ftrack_api.inspection.identity(remote)

    @merge_references
    def get_value(self, entity):
        return super().get_value(entity)

    def set_local_value(self, entity, value):
        """Refer to *value* (an entity or None)."""
        note_foreign_values(self, entity, (value,))
        super().set_local_value(entity, value)

    def _merge_stored_values(self, entity):
        session = entity.session
        for values in (entity._local_values, entity._remote_values):
            value = values.get(self._name, NOT_SET)
            if value is not NOT_SET and value is not None:
                values[self._name] = session.merge(value)


def _stored_members(value):
    """Return the entities of a stored collection value: a tuple kept as
    the server sent it, a :class:`~ftrack_api.collection.Collection` or a
    mapped proxy over one."""
    if type(value) is tuple:
        return value
    if isinstance(value, ftrack_api.collection.MappedCollectionProxy):
        return value.collection
    return value


def _member_keys(value):
    """Return the set of identity keys of the entities of a stored
    collection value (see :func:`_stored_members`).

    Collections compare equal when they hold the same entities, in any
    order: these sets are what is compared.
    """
    if type(value) is tuple:
        identity_key = ftrack_api.inspection._identity_key
        return {identity_key(item) for item in value}
    return _stored_members(value)._keys


def _raw_members(entity, attribute, items):
    """Return *items* as the tuple a remote collection is stored as.

    An entity may appear only once in a collection: as when the collection
    is made, a duplicate raises
    :exc:`~ftrack_api.exception.DuplicateItemInCollectionError`.
    """
    members = tuple(items)
    if len(members) > 1 and len(
        {ftrack_api.inspection._identity_key(item) for item in members}
    ) != len(members):
        # The collection reports the duplicate as it always does.
        ftrack_api.collection.Collection(entity, attribute, data=members)
    return members


class AbstractCollectionAttribute(Attribute):
    """An attribute whose value is a collection of entities."""

    #: The class holding the entities (set by subclasses).
    collection_class = None

    @merge_references
    def get_value(self, entity):
        """Return the local collection, making one when needed.

        The first read copies the remote collection (fetching it when
        auto-population is on) into a local, mutable collection without
        recording an operation, so it can be changed in place. When nothing
        is known an empty collection takes its place.
        """
        name = self._name
        local = entity._local_values
        value = local.get(name, NOT_SET)
        if value is not NOT_SET:
            return value

        remote_values = entity._remote_values
        remote = remote_values.get(name, NOT_SET)
        if remote is NOT_SET and entity.session.auto_populate:
            self.populate_remote_value(entity)
            remote = remote_values.get(name, NOT_SET)

        if remote is NOT_SET:
            value = self._new_collection(entity, (), self._mutable)
        elif type(remote) is tuple:
            value = self._new_collection(entity, remote, self._mutable)
        else:
            value = self._copy_collection(remote)
            value.mutable = self._mutable
        local[name] = value
        return value

    def get_remote_value(self, entity):
        """Return the server's collection (read-only), or NOT_SET."""
        remote_values = entity._remote_values
        value = remote_values.get(self._name, NOT_SET)
        if type(value) is tuple:
            value = self._new_collection(entity, value, False)
            remote_values[self._name] = value
        return value

    def set_local_value(self, entity, value):
        """Set a new collection, converting lists and None."""
        if isinstance(value, list):
            note_foreign_values(self, entity, value)
        if value is not NOT_SET:
            value = self._adapt_to_collection(entity, value)
            value.mutable = self._mutable
        super().set_local_value(entity, value)

    def set_remote_value(self, entity, value):
        """Store the server's collection, read-only.

        A list (or None, for no entities) is kept as a tuple of its
        entities until the collection is read.
        """
        if value is None or isinstance(value, list):
            entity._remote_values[self._name] = _raw_members(
                entity, self, value or ()
            )
            return
        if value is not NOT_SET:
            value = self._wrap_collection(value)
            value.mutable = False
        super().set_remote_value(entity, value)

    def is_modified(self, entity):
        """Whether the local collection differs from the remote one."""
        if entity._local_values.get(self._name, NOT_SET) is NOT_SET:
            return False
        self.get_remote_value(entity)
        return super().is_modified(entity)

    def _copy_collection(self, collection):
        return collection.__copy__()

    def _new_collection(self, entity, members, mutable):
        """Return a collection of this attribute's type for *entity* holding
        *members*, without recording anything."""
        value = self._wrap_collection(
            ftrack_api.collection.Collection(entity, self, data=members)
        )
        value.mutable = mutable
        return value

    def _adapt_to_collection(self, entity, value):
        """Return *value* (a list, None or a collection) as this
        attribute's collection type for *entity*."""
        if value is None:
            value = []
        if isinstance(value, list):
            value = ftrack_api.collection.Collection(entity, self, data=value)
        return self._wrap_collection(value)

    def _wrap_collection(self, value):
        """Return the collection *value* as this attribute's type."""
        raise NotImplementedError(
            'Cannot convert {0!r} to collection.'.format(value)
        )

    def _merge_stored_values(self, entity):
        session = entity.session
        local = entity._local_values.get(self._name, NOT_SET)
        if local is not NOT_SET:
            merged = self._adapt_to_collection(entity, session.merge(local))
            merged.mutable = local.mutable
            entity._local_values[self._name] = merged
        remote = entity._remote_values.get(self._name, NOT_SET)
        if type(remote) is tuple:
            merging = {}
            entity._remote_values[self._name] = tuple(
                session.merge(item, merging) for item in remote
            )
        elif remote is not NOT_SET:
            merged = self._adapt_to_collection(entity, session.merge(remote))
            merged.mutable = False
            entity._remote_values[self._name] = merged


class CollectionAttribute(AbstractCollectionAttribute):
    """A list of entities (schema type ``array``)."""

    collection_class = ftrack_api.collection.Collection

    def is_modified(self, entity):
        """Whether the local collection holds other entities than the
        remote one (order does not matter)."""
        name = self._name
        local = entity._local_values.get(name, NOT_SET)
        if local is NOT_SET:
            return False
        remote = entity._remote_values.get(name, NOT_SET)
        if remote is NOT_SET or not isinstance(
            local, ftrack_api.collection.Collection
        ):
            return super().is_modified(entity)
        return local._keys != _member_keys(remote)

    def _wrap_collection(self, value):
        if not isinstance(value, ftrack_api.collection.Collection):
            return super()._wrap_collection(value)
        if value.attribute is not self:
            raise ftrack_api.exception.AttributeError(
                'Collection already bound to a different attribute'
            )
        return value


class _MappedCollectionAttribute(AbstractCollectionAttribute):
    """An attribute showing its collection through a mapping proxy."""

    def _wrap_collection(self, value):
        if isinstance(value, ftrack_api.collection.MappedCollectionProxy):
            if value.attribute is not self:
                raise ftrack_api.exception.AttributeError(
                    'Collection already bound to a different attribute.'
                )
            return value
        if isinstance(value, ftrack_api.collection.Collection):
            return self._make_proxy(value)
        return super()._wrap_collection(value)

    def _make_proxy(self, collection):
        """Return the mapping proxy over *collection*."""
        raise NotImplementedError()


class KeyValueMappedCollectionAttribute(_MappedCollectionAttribute):
    """A collection read and written as a mapping of key to value.

    Used for metadata and custom attributes: each entity of the collection
    holds one key and its value; *creator* makes the entity for a new key.
    """

    collection_class = ftrack_api.collection.KeyValueMappedCollectionProxy

    def __init__(self, name, creator, key_attribute, value_attribute, **kw):
        self.creator = creator
        self.key_attribute = key_attribute
        self.value_attribute = value_attribute
        super().__init__(name, **kw)

    def set_local_value(self, entity, value):
        """Set a new collection; a mapping replaces every key instead.

        The change recorded for a mapping is from the collection as it was
        before any key changed, as with the reference client.
        """
        if isinstance(value, collections.abc.Mapping) and not isinstance(
            value, ftrack_api.collection.MappedCollectionProxy
        ):
            proxy = self.get_value(entity)
            previous = copy.copy(proxy)
            for key in proxy.keys():
                if key not in value:
                    del proxy[key]
            for key, item in value.items():
                proxy[key] = item
            self._store_local_value(entity, proxy, previous)
            return
        super().set_local_value(entity, value)

    def _make_proxy(self, collection):
        return self.collection_class(
            collection, self.creator, self.key_attribute, self.value_attribute
        )


class CustomAttributeCollectionAttribute(_MappedCollectionAttribute):
    """Custom attribute values of servers with the legacy value schema."""

    collection_class = ftrack_api.collection.CustomAttributeCollectionProxy

    def _make_proxy(self, collection):
        return self.collection_class(collection)
