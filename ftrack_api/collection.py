"""Collections of entities held by collection attributes, and the mapping
views placed over them for metadata and custom attributes."""

from __future__ import absolute_import, unicode_literals

import collections.abc
import copy
import logging

import ftrack_api.cache
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.operation
import ftrack_api.symbol
import ftrack_api._properties

logger = logging.getLogger(__name__)


class Collection(collections.abc.MutableSequence):
    """An ordered set of entities owned by one attribute of one entity.

    Membership is decided by identity (entity type and primary key), so an
    entity appears at most once. Every change records one update operation
    on the owning entity, unless the collection is immutable.
    """

    def __init__(self, entity, attribute, mutable=True, data=None):
        # Entities in order, and the identity text of each for membership.
        self._entities = []
        self._keys = set()
        for item in data or ():
            self._append_quietly(item)
        self.mutable = mutable
        self.attribute = attribute
        self.entity = entity

    def _append_quietly(self, item):
        """Add *item* at the end without recording an operation."""
        identity = ftrack_api.inspection._identity_key(item)
        if identity in self._keys:
            raise ftrack_api.exception.DuplicateItemInCollectionError(
                item, self
            )
        self._entities.append(item)
        self._keys.add(identity)

    def _check_mutable(self):
        if not self.mutable:
            raise ftrack_api.exception.ImmutableCollectionError(self)

    def _notify_owner(self, old_value):
        """Record that the owner's collection changed."""
        owner = self.entity
        if not owner.session.record_operations:
            return
        change = ftrack_api.operation.UpdateEntityOperation(
            owner.entity_type, ftrack_api.inspection.primary_key(owner),
            self.attribute.name, old_value, self,
        )
        owner.session.recorded_operations.push(change)

    def insert(self, index, item):
        """Insert *item* before *index*; it must not be present already."""
        self._check_mutable()
        identity = ftrack_api.inspection._identity_key(item)
        if identity in self._keys:
            raise ftrack_api.exception.DuplicateItemInCollectionError(
                item, self
            )
        old_value = self.__copy__()
        self._entities.insert(index, item)
        self._keys.add(identity)
        self._notify_owner(old_value)

    def __contains__(self, value):
        # Only entities can be looked for: anything else raises the builtin
        # AttributeError its missing entity_type causes, as with the
        # reference client.
        try:
            identity = ftrack_api.inspection._identity_key(value)
        except (KeyError, TypeError):
            return False
        return identity in self._keys

    def __getitem__(self, index):
        return self._entities[index]

    def __setitem__(self, index, item):
        self._check_mutable()
        identity = ftrack_api.inspection._identity_key(item)
        current = self._entities[index]
        current_identity = ftrack_api.inspection._identity_key(current)
        if identity != current_identity and identity in self._keys:
            raise ftrack_api.exception.DuplicateItemInCollectionError(
                item, self
            )
        old_value = self.__copy__()
        self._entities[index] = item
        self._keys.discard(current_identity)
        self._keys.add(identity)
        self._notify_owner(old_value)

    def __delitem__(self, index):
        self._check_mutable()
        old_value = self.__copy__()
        item = self._entities[index]
        del self._entities[index]
        self._keys.discard(ftrack_api.inspection._identity_key(item))
        self._notify_owner(old_value)

    def __len__(self):
        return len(self._entities)

    def __iter__(self):
        return iter(self._entities)

    def __eq__(self, other):
        if not isinstance(other, Collection):
            return False
        return self._keys == other._keys

    def __ne__(self, other):
        return not self == other

    __hash__ = object.__hash__

    def __copy__(self):
        """Return an independent collection bound to the same attribute."""
        duplicate = self.__class__.__new__(self.__class__)
        duplicate.__dict__.update(self.__dict__)
        duplicate._entities = list(self._entities)
        duplicate._keys = set(self._keys)
        return duplicate


class MappedCollectionProxy(collections.abc.MutableMapping):
    """A mapping view over a :class:`Collection`."""

    def __init__(self, collection):
        super().__init__()
        self.logger = logging.getLogger(
            __name__ + '.' + self.__class__.__name__
        )
        self.collection = collection

    def __copy__(self):
        """Return a proxy over a copy of the wrapped collection."""
        duplicate = self.__class__.__new__(self.__class__)
        vars(duplicate).update(
            vars(self), collection=copy.copy(self.collection)
        )
        return duplicate

    mutable = ftrack_api._properties.delegated(
        'collection', 'mutable', 'Whether the wrapped collection may change.'
    )
    attribute = ftrack_api._properties.delegated(
        'collection', 'attribute', 'The attribute owning the wrapped collection.'
    )


class KeyValueMappedCollectionProxy(MappedCollectionProxy):
    """Read and write a collection of key/value entities as a dict.

    Each entity of the collection stores a key in *key_attribute* and its
    value in *value_attribute*. Setting a new key calls
    ``creator(proxy, {key_attribute: key, value_attribute: value})`` to make
    the entity; deleting a key removes and deletes its entity.
    """

    def __init__(self, collection, creator, key_attribute, value_attribute):
        super().__init__(collection)
        self.creator = creator
        self.key_attribute = key_attribute
        self.value_attribute = value_attribute

    def _find(self, key):
        """Return the entity holding *key*, or None."""
        key_attribute = self.key_attribute
        return next(
            (item for item in self.collection if item[key_attribute] == key),
            None,
        )

    def _get_entity_by_key(self, key):
        entity = self._find(key)
        if entity is None:
            raise KeyError(key)
        return entity

    def __getitem__(self, key):
        return self._get_entity_by_key(key)[self.value_attribute]

    def __setitem__(self, key, value):
        entity = self._find(key)
        if entity is not None:
            entity[self.value_attribute] = value
            return

        entity = self.creator(
            self, {self.key_attribute: key, self.value_attribute: value}
        )
        # Only a newly created entity's addition is a change to record;
        # other creators (custom attribute values) record their own update.
        record = (
            ftrack_api.inspection.state(entity) is ftrack_api.symbol.CREATED
        )
        session = self.collection.entity.session
        with session.operation_recording(record and session.record_operations):
            self.collection.append(entity)

    def __delitem__(self, key):
        entity = self._get_entity_by_key(key)
        self.collection.remove(entity)
        self.collection.entity.session.delete(entity)

    def _keys(self):
        key_attribute = self.key_attribute
        return list(dict.fromkeys(
            entity[key_attribute] for entity in self.collection
        ))

    def __iter__(self):
        return iter(self._keys())

    def __len__(self):
        return len(self._keys())

    def keys(self):
        """Return the keys as a list."""
        return self._keys()


class PerSessionDefaultKeyMaker(ftrack_api.cache.KeyMaker):
    """Key memoised results per session.

    An argument mapping holding a ``session`` is keyed by the identity of
    that session, so each session gets its own result; anything else is
    keyed by its text.
    """

    def _key(self, obj):
        session = obj.get('session') if isinstance(obj, dict) else None
        return str(obj) if session is None else str(id(session))


def _per_session_memoise(key_maker):
    """Return a decorator remembering results under *key_maker* keys,
    handing out the remembered objects themselves (no copies)."""
    memoiser = ftrack_api.cache.Memoiser(
        key_maker=key_maker, return_copies=False
    )
    return ftrack_api.cache.memoise_decorator(memoiser)


#: Memoise a function of a session, once per session. The results are
#: neither copied nor invalidated.
memoise_session = _per_session_memoise(PerSessionDefaultKeyMaker())


@memoise_session
def _get_custom_attribute_configurations(session):
    """Return the custom attribute configurations known to *session*."""
    return session.query(
        'select key, project_id, id, object_type_id, entity_type, '
        'is_hierarchical from CustomAttributeConfiguration'
    ).all()


class CustomAttributeCollectionProxy(MappedCollectionProxy):
    """Custom attributes of servers using the legacy value schema.

    Keys are the keys of the configurations applying to the owning entity;
    a key without a stored value reads as its configuration's default.
    """

    def __init__(self, collection):
        super().__init__(collection)
        self.key_attribute = 'configuration_id'
        self.value_attribute = 'value'

    def _get_entity_configurations(self):
        """Return the configurations that apply to the owning entity."""
        import ftrack_api._custom_attributes

        entity = self.collection.entity
        return ftrack_api._custom_attributes.applicable_configurations(
            entity, _get_custom_attribute_configurations(entity.session)
        )

    def _get_keys(self):
        return [
            configuration['key']
            for configuration in self._get_entity_configurations()
        ]

    def get_configuration_id_from_key(self, key):
        """Return the id of the configuration called *key*."""
        for configuration in self._get_entity_configurations():
            if configuration['key'] == key:
                return configuration['id']
        raise KeyError(key)

    def _get_entity_by_configuration_id(self, configuration_id):
        for entity in self.collection:
            if entity[self.key_attribute] == configuration_id:
                return entity
        return None

    def __getitem__(self, key):
        configuration_id = self.get_configuration_id_from_key(key)
        entity = self._get_entity_by_configuration_id(configuration_id)
        if entity is not None:
            return entity[self.value_attribute]
        for configuration in self._get_entity_configurations():
            if configuration['id'] == configuration_id:
                return configuration['default']
        raise KeyError(key)

    def __setitem__(self, key, value):
        configuration_id = self.get_configuration_id_from_key(key)
        entity = self._get_entity_by_configuration_id(configuration_id)
        if entity is not None:
            entity[self.value_attribute] = value
            return
        owner = self.collection.entity
        created = owner.session.create(
            'CustomAttributeValue',
            {
                'configuration_id': configuration_id,
                'entity_id': owner['id'],
                'value': value,
            },
        )
        self.collection.append(created)

    def __delitem__(self, key):
        configuration_id = self.get_configuration_id_from_key(key)
        entity = self._get_entity_by_configuration_id(configuration_id)
        if entity is None:
            self.logger.warning(
                'Cannot delete custom attribute %r as it has no value.', key
            )
            return
        self.collection.remove(entity)
        self.collection.entity.session.delete(entity)

    def __eq__(self, other):
        if other is ftrack_api.symbol.NOT_SET:
            return False
        return super().__eq__(other)

    __hash__ = object.__hash__

    def __iter__(self):
        return iter(self._get_keys())

    def __len__(self):
        return len(self._get_keys())
