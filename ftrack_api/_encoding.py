"""JSON encoding of entities and dates, the way the server expects them."""

import datetime
import json

import arrow

import ftrack_api.attribute
import ftrack_api.collection
import ftrack_api.entity.base
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET
Entity = ftrack_api.entity.base.Entity
Collection = ftrack_api.collection.Collection
MappedCollectionProxy = ftrack_api.collection.MappedCollectionProxy

#: Ways to choose which attributes of an entity are encoded.
STRATEGIES = ('all', 'set_only', 'modified_only', 'persisted_only')


def entity_reference(entity):
    """Return the smallest mapping that identifies *entity* to the server:
    its type and primary key values (as text)."""
    reference = {'__entity_type__': entity.entity_type}
    reference.update(
        zip(
            entity.primary_key_attributes,
            ftrack_api.inspection._primary_key_values(entity),
        )
    )
    return reference


#: Types json encodes itself; checked first as most values are of these.
_JSON_TYPES = frozenset((str, int, float, bool, type(None), dict, list))

#: The metaclass of every entity class the factories make.
_ENTITY_METACLASS = type(Entity)


def _is_entity(value):
    """Whether *value* is an entity (the metaclass answers for the classes
    the factories make, without the cost of an ABC instance check)."""
    return type(type(value)) is _ENTITY_METACLASS or isinstance(value, Entity)


def reference_value(value, reference=entity_reference):
    """Encode an attribute value, turning entities into references (made
    by *reference*)."""
    if type(value) in _JSON_TYPES:
        return value
    if _is_entity(value):
        return reference(value)
    if isinstance(value, Collection):
        return [reference(item) for item in value]
    if isinstance(value, MappedCollectionProxy):
        return [reference(item) for item in value.collection]
    return value


#: Attribute classes whose get_value only reads the entity's storage once
#: a value is known (relations first merge foreign values, see
#: :func:`ftrack_api.attribute.merge_references`) or copies a collection:
#: encoding with ``all`` reads their known values from the storage.
_STORAGE_READ_ATTRIBUTES = frozenset((
    ftrack_api.attribute.ScalarAttribute,
    ftrack_api.attribute.ReferenceAttribute,
    ftrack_api.attribute.CollectionAttribute,
    ftrack_api.attribute.KeyValueMappedCollectionAttribute,
    ftrack_api.attribute.CustomAttributeCollectionAttribute,
))


def _all_values(entity):
    """Yield (name, value) of every attribute, fetching unknown values.

    Known values are read from the storage: going through ``get_value``
    would copy every remote collection into a local one just to encode it.
    """
    local = entity._local_values
    remote = entity._remote_values
    direct = not entity._detached
    foreign = entity._foreign_values
    with entity.session.auto_populating(True):
        for attribute in entity.attributes:
            name = attribute.name
            value = NOT_SET
            if (
                direct and type(attribute) in _STORAGE_READ_ATTRIBUTES
                and name not in foreign
            ):
                value = local.get(name, NOT_SET)
                if value is NOT_SET:
                    value = remote.get(name, NOT_SET)
            if value is NOT_SET:
                value = attribute.get_value(entity)
            if value is not NOT_SET:
                yield name, value


def _modified_values(entity):
    """Yield (name, value) of the local values that change the remote
    ones."""
    get_attribute = entity.attributes.get
    for name, value in entity._local_values.items():
        if get_attribute(name).is_modified(entity):
            yield name, value


class _Encoder(object):
    """The ``default`` of one :func:`json.dumps` call: entities become
    mappings of the attributes a strategy selects, their relations
    references."""

    def __init__(self, strategy):
        self.strategy = strategy
        # One mapping per referenced entity for the call: the same status
        # or parent is usually referenced by many entities.
        self._references = {}
        # Names of the computed attributes of each class's attributes.
        self._computed = {}

    def reference(self, entity):
        """Return the reference of *entity* (see :func:`entity_reference`)."""
        key = id(entity)
        found = self._references.get(key)
        if found is None:
            found = self._references[key] = (entity, entity_reference(entity))
        return found[1]

    def _computed_names(self, attributes):
        names = self._computed.get(attributes)
        if names is None:
            names = self._computed[attributes] = frozenset(
                attribute.name for attribute in attributes
                if attribute.computed
            )
        return names

    def entity(self, entity):
        """Return the mapping *entity* is encoded as."""
        data = entity_reference(entity)
        strategy = self.strategy
        if strategy == 'set_only':
            data.update(entity._remote_values)
            data.update(entity._local_values)
        elif strategy == 'persisted_only':
            data.update(entity._remote_values)
            for name in self._computed_names(entity.attributes).intersection(
                entity._remote_values
            ):
                del data[name]
        elif strategy == 'modified_only':
            data.update(_modified_values(entity))
        else:
            data.update(_all_values(entity))

        # Values json cannot write itself: relations become references.
        collection_names = entity.attributes._collection_names
        reference = self.reference
        json_types = _JSON_TYPES
        for name, value in data.items():
            kind = type(value)
            if kind in json_types:
                continue
            if kind is tuple and name in collection_names:
                # A collection as the server sent it. Replacing the value
                # of a key does not disturb the iteration.
                data[name] = [reference(item) for item in value]
            else:
                data[name] = reference_value(value, reference)
        return data

    def __call__(self, item):
        if _is_entity(item):
            return self.entity(item)
        if isinstance(item, Collection):
            return [self.reference(entity) for entity in item]
        if isinstance(item, MappedCollectionProxy):
            return [self.reference(entity) for entity in item.collection]
        if isinstance(item, (arrow.Arrow, datetime.datetime, datetime.date)):
            return {'__type__': 'datetime', 'value': item.isoformat()}
        raise TypeError('{0!r} is not JSON serializable'.format(item))


def encode(data, entity_attribute_strategy='set_only'):
    """Return *data* as JSON text with sorted keys."""
    if entity_attribute_strategy not in STRATEGIES:
        raise ValueError(
            'Unsupported entity_attribute_strategy "{0}". Must be one of '
            '{1}'.format(entity_attribute_strategy, ', '.join(STRATEGIES))
        )
    return json.dumps(
        data, sort_keys=True, default=_Encoder(entity_attribute_strategy)
    )


def json_decoder(object_hook):
    """Return a function parsing JSON text with *object_hook*."""
    return json.JSONDecoder(object_hook=object_hook).decode


def decode_datetime(value):
    """Return the :class:`arrow.Arrow` of an ISO 8601 text; a value without
    offset is UTC."""
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return arrow.get(value)
    return arrow.Arrow.fromdatetime(parsed)


def decode_typed_value(item):
    """Return the value a ``{"__type__": ...}`` mapping stands for, or the
    mapping itself when the type is unknown."""
    kind = item['__type__']
    if kind == 'datetime' or kind == 'date':
        return decode_datetime(item['value'])
    return item


def object_hook(session, build_entity):
    """Return a json object hook decoding dates, and entity objects with
    ``build_entity(entity_class, item)``.

    Entity types are looked up in ``session.types`` when first needed.
    """

    def hook(item):
        if '__type__' in item:
            return decode_typed_value(item)
        entity_type = item.get('__entity_type__')
        if entity_type is None:
            return item
        entity_class = session.types.get(entity_type)
        if entity_class is None:
            raise ftrack_api.exception.UnrecognisedEntityTypeError(
                entity_type=entity_type
            )
        return build_entity(entity_class, item)

    return hook


def entity_maker(session):
    """Return a function making an entity of *session* from an entity class
    and a decoded JSON object that is not used elsewhere (the object
    becomes the entity's remote values)."""
    plain_classes = {}
    has_plain_init = ftrack_api.entity.base._has_plain_init

    def make(entity_class, item):
        plain_init = plain_classes.get(entity_class)
        if plain_init is None:
            plain_init = plain_classes[entity_class] = has_plain_init(
                entity_class
            )
        return entity_class._from_server_data(session, item, plain_init)

    return make


def detached_object_hook(session):
    """Return a json object hook building entities outside the session's
    identity map (what :meth:`Session.decode` returns)."""
    make = entity_maker(session)

    def build(entity_class, item):
        entity = make(entity_class, item)
        entity._detached = True
        return entity

    return object_hook(session, build)
