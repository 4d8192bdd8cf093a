"""Build entity classes from the server's schemas."""

from __future__ import absolute_import

import functools
import logging
import uuid

import ftrack_api.attribute
import ftrack_api.cache
import ftrack_api.collection
import ftrack_api.entity.asset_version
import ftrack_api.entity.base
import ftrack_api.entity.component
import ftrack_api.entity.job
import ftrack_api.entity.location
import ftrack_api.entity.note
import ftrack_api.entity.project_schema
import ftrack_api.entity.user
import ftrack_api.inspection
import ftrack_api.symbol
import ftrack_api._custom_attributes

NOT_SET = ftrack_api.symbol.NOT_SET

#: Schema property types held as plain values, and the label each gets.
_SCALAR_TYPES = {
    'string': 'string',
    'boolean': 'boolean',
    'integer': 'integer',
    'number': 'float',
    'variable': 'variable',
    'object': 'object',
}


def _new_uuid(entity):
    """Default for ``{uid}`` attributes: a fresh identifier per entity."""
    return str(uuid.uuid4())


class Factory(object):
    """Make one entity class per schema.

    The ``create_*_attribute`` hooks decide how each property becomes an
    attribute; returning None from one leaves the property out.
    """

    def __init__(self):
        super().__init__()
        self.logger = logging.getLogger(
            __name__ + '.' + self.__class__.__name__
        )

    def create(self, schema, bases=None):
        """Return a new entity class for *schema*.

        *bases* defaults to :class:`ftrack_api.entity.base.Entity`.
        """
        entity_type = schema['id']
        primary_key = list(schema['primary_key'])
        if not bases:
            bases = [ftrack_api.entity.base.Entity]

        immutable = set(schema.get('immutable', ()))
        computed = set(schema.get('computed', ()))
        attributes = ftrack_api.attribute.Attributes()
        for name, fragment in schema.get('properties', {}).items():
            attribute = self._create_attribute(
                entity_type, name, fragment,
                mutable=name not in immutable,
                computed=name in computed,
            )
            if attribute is not None:
                attributes.add(attribute)

        namespace = {
            'logger': logging.getLogger(
                'ftrack_api.entity.base.' + str(entity_type)
            ),
            'entity_type': entity_type,
            'attributes': attributes,
            'primary_key_attributes': primary_key,
            'default_projections': list(schema.get('default_projections', ())),
        }
        return type(str(entity_type), tuple(bases), namespace)

    def _create_attribute(self, class_name, name, fragment, mutable, computed):
        """Return the attribute for one schema property, or None to skip."""
        if fragment.get('restricted_projection'):
            self.logger.debug(
                'Skipping restricted attribute %s.%s.', class_name, name
            )
            return None

        data_type = fragment.get('type')
        if data_type is None:
            reference = fragment.get('$ref')
            if reference is None:
                self.logger.debug(
                    'Skipping %s.%s: it has neither a type nor a reference.',
                    class_name, name
                )
                return None
            return self.create_reference_attribute(
                class_name, name, mutable, reference
            )

        if data_type in _SCALAR_TYPES:
            label = _SCALAR_TYPES[data_type]
            if label == 'string' and fragment.get('format') == 'date-time':
                label = 'datetime'
            default = fragment.get('default', NOT_SET)
            if default == '{uid}':
                default = _new_uuid
            return self.create_scalar_attribute(
                class_name, name, mutable, computed, default, label
            )

        if data_type == 'array':
            return self.create_collection_attribute(class_name, name, mutable)

        if data_type == 'mapped_array':
            reference = fragment.get('items', {}).get('$ref')
            if not reference:
                self.logger.debug(
                    'Skipping %s.%s: mapped array without an item type.',
                    class_name, name
                )
                return None
            return self.create_mapped_collection_attribute(
                class_name, name, mutable, reference
            )

        self.logger.debug(
            'Skipping %s.%s: unknown type %r.', class_name, name, data_type
        )
        return None

    def create_scalar_attribute(
        self, class_name, name, mutable, computed, default, data_type
    ):
        """Return the attribute for a plain value property."""
        return ftrack_api.attribute.ScalarAttribute(
            name, data_type=data_type, default_value=default,
            mutable=mutable, computed=computed,
        )

    def create_reference_attribute(self, class_name, name, mutable, reference):
        """Return the attribute for a property pointing at one entity."""
        return ftrack_api.attribute.ReferenceAttribute(
            name, reference, mutable=mutable
        )

    def create_collection_attribute(self, class_name, name, mutable):
        """Return the attribute for a list of entities."""
        return ftrack_api.attribute.CollectionAttribute(name, mutable=mutable)

    def create_mapped_collection_attribute(
        self, class_name, name, mutable, reference
    ):
        """Return the attribute for a key/value collection (none here)."""
        self.logger.debug(
            'Skipping %s.%s: mapped collections need a specialised factory.',
            class_name, name
        )
        return None


class PerSessionDefaultKeyMaker(ftrack_api.cache.KeyMaker):
    """Key memoised results per session of an entity argument.

    An argument mapping holding an ``entity`` is keyed by the identity of
    that entity's session; anything else is keyed by its text.
    """

    def _key(self, obj):
        entity = obj.get('entity') if isinstance(obj, dict) else None
        return str(obj) if entity is None else str(id(entity.session))


#: Memoise a function of an entity, once per session of that entity.
memoise_defaults = ftrack_api.collection._per_session_memoise(
    PerSessionDefaultKeyMaker()
)

#: Memoise a function of an entity's session, once per session.
memoise_session = memoise_defaults


@memoise_defaults
def _get_custom_attribute_configurations(entity):
    """Return the custom attribute configurations of *entity*'s session."""
    return entity.session.query(
        'select key, project_id, id, object_type_id, entity_type, '
        'is_hierarchical from CustomAttributeConfiguration'
    ).all()


def _create_metadata(proxy, data, reference):
    """Make a metadata entity for a new key of *proxy*."""
    owner = proxy.collection.entity
    values = {'parent_id': owner['id'], 'parent_type': owner.entity_type}
    values.update(data)
    return owner.session.create(reference, values)


def _create_custom_attribute_value(proxy, data, reference):
    """Make the value entity for a custom attribute of a new entity.

    The server makes value rows for persisted entities itself, so only
    entities created in this session may gain a key; the value is recorded
    as an update, which the server treats as an upsert.
    """
    owner = proxy.collection.entity
    if ftrack_api.inspection.state(owner) is not ftrack_api.symbol.CREATED:
        raise KeyError(
            'Custom attributes must be created explicitly for the given '
            'entity type before being set.'
        )
    # Who the entity is for matters first: unsupported entities and
    # versions without a project fail before configurations are fetched.
    target = ftrack_api._custom_attributes.configuration_target(owner)
    configuration = ftrack_api._custom_attributes.find_configuration(
        owner, data['key'], _get_custom_attribute_configurations(owner),
        target,
    )
    if configuration is None:
        raise ValueError(
            'No valid custom attribute for data {0!r} was found.'.format(data)
        )

    session = owner.session
    value_entity = session.create(
        reference,
        {
            'key': data['key'],
            'configuration_id': configuration['id'],
            'entity_id': owner['id'],
        },
        reconstructing=True,
    )
    value_entity['value'] = data['value']
    return value_entity


class StandardFactory(Factory):
    """The factory the session uses: adds the specialised entity helpers."""

    _HELPERS = {
        'ProjectSchema': ftrack_api.entity.project_schema.ProjectSchema,
        'AssetVersion': ftrack_api.entity.asset_version.AssetVersion,
        'Location': ftrack_api.entity.location.Location,
        'Note': ftrack_api.entity.note.Note,
        'Job': ftrack_api.entity.job.Job,
        'User': ftrack_api.entity.user.User,
    }

    def create(self, schema, bases=None):
        """Return a new class for *schema* with its helper base and mixins."""
        entity_type = schema['id']
        helper = self._HELPERS.get(entity_type)
        if helper is None and entity_type.endswith('Component'):
            helper = ftrack_api.entity.component.Component

        class_bases = list(bases or ())
        if helper is not None:
            class_bases.insert(0, helper)
        if not class_bases:
            class_bases = [ftrack_api.entity.base.Entity]

        properties = schema.get('properties', {})
        if 'notes' in properties:
            class_bases.append(ftrack_api.entity.note.CreateNoteMixin)
        if 'thumbnail_id' in properties:
            class_bases.append(
                ftrack_api.entity.component.CreateThumbnailMixin
            )
        return super().create(schema, bases=class_bases)

    def create_mapped_collection_attribute(
        self, class_name, name, mutable, reference
    ):
        """Return key/value attributes for metadata and custom attributes."""
        if reference == 'Metadata':
            creator = functools.partial(_create_metadata, reference=reference)
        elif reference == 'CustomAttributeValue':
            return ftrack_api.attribute.CustomAttributeCollectionAttribute(
                name, mutable=mutable
            )
        elif reference.endswith('CustomAttributeValue'):
            creator = functools.partial(
                _create_custom_attribute_value, reference=reference
            )
        else:
            self.logger.debug(
                'Skipping %s.%s: unsupported mapped collection of %s.',
                class_name, name, reference
            )
            return None
        return ftrack_api.attribute.KeyValueMappedCollectionAttribute(
            name, creator, 'key', 'value', mutable=mutable
        )
