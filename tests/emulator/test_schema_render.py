"""The registry rendered in ftrack's query_schemas format, and its hash."""

import hashlib
import json

import pytest

from ftrack_emulator.schema import dsl, load_registry, model
from ftrack_emulator.schema.render import (
    render_property, render_schemas, render_type, schema_hash,
)


@pytest.fixture(scope='module')
def schemas():
    return {entry['id']: entry for entry in render_schemas(load_registry())}


def test_one_object_schema_per_type_in_name_order():
    rendered = render_schemas(load_registry())
    assert len(rendered) == 116
    assert [entry['id'] for entry in rendered] == sorted(
        entry['id'] for entry in rendered)
    for entry in rendered:
        assert entry['type'] == 'object'
        assert entry['primary_key']
        assert set(entry) <= {
            'id', 'type', 'properties', 'primary_key', 'required',
            'immutable', 'computed', 'default_projections',
            'system_projections', 'alias_for'}
    json.dumps(rendered)


def test_property_shapes(schemas):
    task = schemas['Task']['properties']
    assert task['id'] == {'type': 'string', 'default': '{uid}'}
    assert task['parent'] == {'$ref': 'Context'}
    assert task['children'] == {'type': 'array', 'items': {'$ref': 'Context'}}
    assert task['metadata'] == {
        'type': 'mapped_array', 'items': {'$ref': 'Metadata'},
        'key_value_attributes': {'key': 'key', 'value': 'value'}}
    assert task['start_date'] == {'type': 'string', 'format': 'date-time'}
    assert task['status_id'] == {
        'type': 'string', 'format': 'foreign_key',
        'description': 'Foreign key(s): Status.id'}
    assert task['object_type_id']['default'] == \
        '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'
    assert task['custom_attribute_links'] == {
        'type': 'mapped_array', 'items': {'$ref': 'CustomAttributeLink'},
        'restricted_projection': True}
    assert schemas['Job']['properties']['status']['enum'] == [
        'queued', 'running', 'done', 'failed']
    assert schemas['Note']['properties']['parent_type']['transform'] == {
        'client': '{schema_id}', 'server': '{table_name}'}


def test_quirky_properties(schemas):
    # A foreign key advertised with both a type and a target.
    assert schemas['DashboardResource']['properties']['dashboard_id'][
        '$ref'] == 'Dashboard'
    # A foreign key without a type: clients skip it.
    assert 'type' not in schemas['User']['properties']['user_type_id']
    assert schemas['Event']['properties']['id'] == {'type': 'integer'}


def test_type_keys(schemas):
    shot = schemas['Shot']
    assert shot['alias_for'] == {
        'id': 'Task',
        'classifiers': {'object_type_id':
                        'bad911de-3bd6-47b9-8b46-3476e237cb36'}}
    assert shot['default_projections'] == ['context_type', 'id', 'name']
    assert shot['system_projections'] == [
        'project_id', 'context_type', 'object_type_id']
    assert schemas['Project']['alias_for'] == 'Show'
    assert 'alias_for' not in schemas['Component']
    assert 'computed' not in schemas['Appointment']
    assert 'system_projections' not in schemas['Appointment']
    assert schemas['Asset']['computed'] == ['latest_version']


def test_schema_hash_is_md5_of_sorted_json():
    schemas = [{'id': 'B', 'z': 1, 'a': [2, 1]}, {'id': 'A'}]
    expected = hashlib.md5(
        json.dumps(schemas, sort_keys=True).encode('utf-8')).hexdigest()
    assert schema_hash(schemas) == expected
    # Key order does not matter, list order does.
    assert schema_hash([{'a': [2, 1], 'z': 1, 'id': 'B'}, {'id': 'A'}]) == \
        expected
    assert schema_hash(list(reversed(schemas))) != expected


def test_schema_hash_is_stable_and_follows_changes():
    first = render_schemas(load_registry())
    assert schema_hash(first) == schema_hash(render_schemas(load_registry()))
    changed = json.loads(json.dumps(first))
    changed[0]['properties']['extra'] = {'type': 'string'}
    assert schema_hash(changed) != schema_hash(first)


def test_render_small_registry():
    registry = dsl.load_texts([('t.types', '''
type Thing
    @alias Things
    @system name
    id: string ={uid}
    name: string req desc="What it is called." alias=label
    size: number computed=time_logged ro
''')])
    rendered = render_type(registry['Thing'])
    assert rendered == {
        'id': 'Thing', 'type': 'object',
        'properties': {
            'id': {'type': 'string', 'default': '{uid}'},
            'name': {'type': 'string', 'description': 'What it is called.',
                     'alias_for': 'label'},
            'size': {'type': 'number'},
        },
        'primary_key': ['id'], 'required': ['id', 'name'],
        'immutable': ['id', 'size'], 'computed': ['size'],
        'default_projections': ['id'], 'system_projections': ['name'],
        'alias_for': 'Things',
    }


def test_hidden_properties_are_not_rendered(schemas):
    registry = dsl.load_texts([('t.types', '''
type Thing
    id: string ={uid}
    secret: string hidden
''')])
    assert registry['Thing'].properties['secret'].column == 'secret'
    assert set(render_type(registry['Thing'])['properties']) == {'id'}
    assert 'to_entity_type' not in \
        schemas['AssetCustomAttributeLink']['properties']
    assert 'to_entity_type' in \
        schemas['AssetCustomAttributeLink']['default_projections']


def test_default_none_is_rendered():
    prop = model.Property('x', model.SCALAR, 'string', default=None)
    assert render_property(prop) == {'type': 'string', 'default': None}
