"""The registry in ftrack's ``query_schemas`` format.

Clients build their entity classes from this JSON and cache it under
:func:`schema_hash`, so what is rendered here is the contract the clients
see: attribute kinds, defaults, primary keys and the type-level lists.
``system_projections`` are rendered with client attribute names (real
servers list their own column names there; clients do not read it).
"""

import hashlib
import json

from ftrack_emulator.schema import model


def render_property(prop):
    """Return the schema JSON of one property."""
    rendered = {}
    if prop.kind == model.SCALAR:
        if prop.type is not None:
            rendered['type'] = prop.type
        if prop.format is not None:
            rendered['format'] = prop.format
        if prop.target is not None:
            rendered['$ref'] = prop.target
        if prop.default is not model.NO_DEFAULT:
            rendered['default'] = prop.default
        if prop.enum is not None:
            rendered['enum'] = list(prop.enum)
    elif prop.kind == model.REFERENCE:
        rendered['$ref'] = prop.target
    else:
        rendered['type'] = 'array' if prop.kind == model.COLLECTION \
            else 'mapped_array'
        rendered['items'] = {'$ref': prop.target}
        if prop.key_value_attributes is not None:
            rendered['key_value_attributes'] = dict(prop.key_value_attributes)
    if prop.description is not None:
        rendered['description'] = prop.description
    if prop.alias_for is not None:
        rendered['alias_for'] = prop.alias_for
    if prop.restricted_projection:
        rendered['restricted_projection'] = True
    if prop.transform is not None:
        rendered['transform'] = dict(prop.transform)
    return rendered


def render_type(entity_type):
    """Return the schema JSON of one entity type."""
    rendered = {
        'id': entity_type.name,
        'type': 'object',
        'properties': {
            name: render_property(prop)
            for name, prop in entity_type.properties.items()
            if not prop.hidden
        },
        'primary_key': list(entity_type.primary_key),
        'required': list(entity_type.required),
        'immutable': list(entity_type.immutable),
        'default_projections': list(entity_type.default_projections),
    }
    if entity_type.computed:
        rendered['computed'] = list(entity_type.computed)
    if entity_type.system_projections:
        rendered['system_projections'] = list(
            entity_type.system_projections
        )
    if entity_type.alias_for is not None:
        rendered['alias_for'] = entity_type.alias_for
    return rendered


def render_schemas(registry):
    """Return the schemas of every type in *registry*, ordered by name."""
    return [render_type(registry.types[name])
            for name in sorted(registry.types)]


def schema_hash(schemas):
    """Return the hash clients compare with their cached schemas: the md5
    hex digest of *schemas* dumped as JSON with sorted keys."""
    text = json.dumps(schemas, sort_keys=True)
    return hashlib.md5(text.encode('utf-8')).hexdigest()
