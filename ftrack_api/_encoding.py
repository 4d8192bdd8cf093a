"""JSON encoding of entities and dates, the way the server expects them."""

import datetime
import functools
import json

import arrow

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


def reference_value(value):
    """Encode an attribute value, turning entities into references."""
    if type(value) in _JSON_TYPES:
        return value
    if isinstance(value, Entity):
        return entity_reference(value)
    if isinstance(value, Collection):
        return [entity_reference(item) for item in value]
    if isinstance(value, MappedCollectionProxy):
        return [entity_reference(item) for item in value.collection]
    return value


def _chosen_values(entity, strategy):
    """Yield (name, value) of the attributes *strategy* selects."""
    local = entity._local_values
    remote = entity._remote_values
    if strategy == 'set_only':
        for name, value in remote.items():
            if name not in local:
                yield name, value
        yield from local.items()
    elif strategy == 'modified_only':
        get_attribute = entity.attributes.get
        for name, value in local.items():
            if get_attribute(name).is_modified(entity):
                yield name, value
    elif strategy == 'persisted_only':
        get_attribute = entity.attributes.get
        for name, value in remote.items():
            if not get_attribute(name).computed:
                yield name, value
    else:
        with entity.session.auto_populating(True):
            for attribute in entity.attributes:
                value = attribute.get_value(entity)
                if value is not NOT_SET:
                    yield attribute.name, value


def _encode_object(strategy, item):
    """Return a JSON-ready form of *item* (the ``default`` of json.dumps)."""
    if isinstance(item, Entity):
        data = entity_reference(item)
        for name, value in _chosen_values(item, strategy):
            data[name] = reference_value(value)
        return data
    if isinstance(item, Collection):
        return [entity_reference(entity) for entity in item]
    if isinstance(item, MappedCollectionProxy):
        return [entity_reference(entity) for entity in item.collection]
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
        data,
        sort_keys=True,
        default=functools.partial(_encode_object, entity_attribute_strategy),
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


def detached_object_hook(session):
    """Return a json object hook building entities outside the session's
    identity map (what :meth:`Session.decode` returns)."""

    def build(entity_class, item):
        entity = entity_class(session, item, reconstructing=True)
        entity._detached = True
        entity._merged_attributes = set()
        return entity

    return object_hook(session, build)
