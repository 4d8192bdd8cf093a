"""Custom attributes: dense values read as a mapping, new entities, and
the legacy proxy."""

import json

import pytest

import ftrack_api.collection
import ftrack_api.inspection
import ftrack_api.symbol

from session_helpers import (  # noqa: F401
    SHOT_OBJECT_TYPE, TASK_OBJECT_TYPE, Transcript, new_session,
    project_tree, transcript, unique,
)


@pytest.fixture(scope='module')
def configurations(ftrack_server, project_tree):  # noqa: F811
    """Configurations: shot-only, hierarchical, project-specific override,
    version and user ones. Returns key -> id."""
    session = new_session(ftrack_server)
    try:
        types = {
            item['name']: item
            for item in session.query('CustomAttributeType').all()
        }
        project = session.get('Project', project_tree['project'])
        made = {}
        for key, type_name, entity_type, object_type, hierarchical, project_id, default in (
            ('fstart', 'number', 'task', SHOT_OBJECT_TYPE, False, None, 1001),
            ('fstart_task', 'number', 'task', TASK_OBJECT_TYPE, False, None, 1),
            ('fstart_task', 'number', 'task', TASK_OBJECT_TYPE, False,
             project['id'], 2),
            ('client', 'text', 'context', None, True, None, ''),
            ('approved', 'boolean', 'assetversion', None, False, None, False),
            ('desk', 'text', 'user', None, False, None, ''),
        ):
            configuration = session.create('CustomAttributeConfiguration', {
                'key': key, 'label': key, 'type': types[type_name],
                'entity_type': entity_type, 'object_type_id': object_type,
                'is_hierarchical': hierarchical, 'project_id': project_id,
                'config': json.dumps(
                    {'isdecimal': False} if type_name == 'number' else {}
                ),
                'default': default,
            })
            made[(key, project_id)] = configuration['id']
        session.commit()
        return made
    finally:
        session.close()


def test_persisted_entity_values_read_as_a_mapping(ftrack_session, project_tree, configurations):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    values = shot['custom_attributes']
    assert isinstance(values, ftrack_api.collection.KeyValueMappedCollectionProxy)
    assert sorted(values.keys()) == ['client', 'fstart']
    assert values['fstart'] == 1001
    with pytest.raises(KeyError):
        values['fstart_task']


def test_setting_an_existing_key_updates_the_value(ftrack_session, transcript, project_tree, configurations):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][1])
    shot['custom_attributes']['fstart'] = 1010
    transcript.clear()
    ftrack_session.commit()
    assert transcript.requests[-1] == [{
        'action': 'update', 'entity_type': 'ContextCustomAttributeValue',
        'entity_key': [configurations[('fstart', None)], shot['id']],
        'entity_data': {
            '__entity_type__': 'ContextCustomAttributeValue', 'value': 1010,
        },
    }]
    fresh = new_session(type('S', (), {
        'url': ftrack_session.server_url, 'api_user': ftrack_session.api_user,
        'api_key': ftrack_session.api_key,
    }))
    try:
        assert fresh.get('Shot', shot['id'])['custom_attributes']['fstart'] == 1010
    finally:
        fresh.close()


def test_persisted_entity_cannot_gain_a_key(ftrack_session, project_tree, configurations):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    with pytest.raises(KeyError) as error:
        shot['custom_attributes']['fstart_task'] = 3
    assert error.value.args[0] == (
        'Custom attributes must be created explicitly for the given entity '
        'type before being set.'
    )


def test_new_entity_finds_its_configuration(ftrack_session, transcript, project_tree, configurations):  # noqa: F811
    project = ftrack_session.get('Project', project_tree['project'])
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    transcript.clear()
    task = ftrack_session.create('Task', {
        'name': 'ca', 'parent': shot, 'project_id': project['id'],
    })
    task['custom_attributes']['fstart_task'] = 5
    task['custom_attributes']['client'] = 'acme'
    other = ftrack_session.create('Task', {'name': 'no project', 'parent': shot})
    other['custom_attributes']['fstart_task'] = 6
    # The configurations are asked for once per session.
    assert transcript.expressions == [
        'select key, project_id, id, object_type_id, entity_type, '
        'is_hierarchical from CustomAttributeConfiguration offset 0 limit 500'
    ]
    value = task['custom_attributes'].collection[0]
    assert value.entity_type == 'ContextCustomAttributeValue'
    # The project's own configuration hides the global one.
    assert value['configuration_id'] == configurations[
        ('fstart_task', project['id'])
    ]
    assert other['custom_attributes'].collection[0]['configuration_id'] == (
        configurations[('fstart_task', None)]
    )
    assert ftrack_api.inspection.state(value) is ftrack_api.symbol.MODIFIED
    assert dict(task['custom_attributes']) == {'fstart_task': 5, 'client': 'acme'}

    transcript.clear()
    ftrack_session.commit()
    updates = [
        operation for operation in transcript.requests[-1]
        if operation['entity_type'] == 'ContextCustomAttributeValue'
    ]
    assert [update['action'] for update in updates] == ['update'] * 3
    stored = ftrack_session.query(
        'select custom_attributes from Task where id is "{0}"'.format(
            task['id']
        )
    ).one()
    assert stored['custom_attributes']['fstart_task'] == 5
    assert stored['custom_attributes']['client'] == 'acme'


def test_new_entity_with_no_matching_configuration(ftrack_session, project_tree, configurations):  # noqa: F811
    shot = ftrack_session.create('Shot', {'name': 'x'})
    with pytest.raises(ValueError) as error:
        shot['custom_attributes']['fstart_task'] = 1
    assert str(error.value) == (
        "No valid custom attribute for data {'key': 'fstart_task', "
        "'value': 1} was found."
    )
    user = ftrack_session.create('User', {'username': unique('desk')})
    user['custom_attributes']['desk'] = 'north'
    with pytest.raises(ValueError):
        user['custom_attributes']['client'] = 'hierarchical is for contexts'
    asset = ftrack_session.create('Asset', {
        'name': unique('asset'),
        'parent': ftrack_session.get('Shot', project_tree['shots'][0]),
    })
    version = ftrack_session.create('AssetVersion', {'asset': asset})
    version['custom_attributes']['approved'] = True
    version['custom_attributes']['client'] = 'hierarchical applies'
    assert sorted(version['custom_attributes'].keys()) == ['approved', 'client']


def test_version_project_is_read_through_its_asset(ftrack_server, project_tree, configurations):  # noqa: F811
    # As with the reference client: a version's project comes from its
    # asset's parent, fetched before the configurations are; without an
    # asset (or a parent) that lookup fails with a TypeError.
    session = new_session(ftrack_server)
    try:
        recorded = Transcript(session)
        shot = session.get('Shot', project_tree['shots'][0])
        asset = session.create('Asset', {'name': unique('a'), 'parent': shot})
        session.commit()
        session.reset()
        asset = session.query(
            'select name from Asset where id is "{0}"'.format(asset['id'])
        ).one()
        version = session.create('AssetVersion', {'asset': asset})
        recorded.clear()
        version['custom_attributes']['approved'] = True
        assert recorded.expressions == [
            'select parent.context_type, parent.id, parent.name from Asset '
            'where id is {0} offset 0 limit 500'.format(asset['id']),
            'select key, project_id, id, object_type_id, entity_type, '
            'is_hierarchical from CustomAttributeConfiguration '
            'offset 0 limit 500',
        ]

        recorded.clear()
        for data in ({}, {'asset': session.create('Asset', {'name': 'x'})}):
            orphan = session.create('AssetVersion', data)
            with pytest.raises(TypeError):
                orphan['custom_attributes']['approved'] = True
        assert recorded.expressions == []
    finally:
        session.close()


def test_unsupported_entity_kind(ftrack_session, transcript, configurations):  # noqa: F811
    generic_list = ftrack_session.create('List', {})
    transcript.clear()
    with pytest.raises(ValueError) as error:
        generic_list['custom_attributes']['x'] = 1
    assert str(error.value) == 'Entity {0!r} not supported.'.format(
        generic_list
    )
    # Refused before the configurations are fetched.
    assert transcript.expressions == []


def test_values_given_at_creation(ftrack_session, project_tree, configurations):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    task = ftrack_session.create('Task', {
        'name': 'with values', 'parent': shot,
        'custom_attributes': {'fstart_task': 9},
    })
    assert task['custom_attributes']['fstart_task'] == 9
    ftrack_session.commit()


# The legacy proxy, used when custom_attributes hold CustomAttributeValue.

LEGACY_PLUGIN = '''
import copy
from ftrack_api.entity.factory import StandardFactory

def register(session, **kw):
    def construct(event):
        schema = event['data']['schema']
        if schema['id'] != 'Shot':
            return None
        schema = copy.deepcopy(schema)
        schema['properties']['custom_attributes']['items']['$ref'] = (
            'CustomAttributeValue')
        return StandardFactory().create(schema)
    session.event_hub.subscribe(
        'topic=ftrack.api.session.construct-entity-type', construct)
'''


def test_legacy_custom_attribute_proxy(ftrack_server, tmp_path, project_tree, configurations, caplog):  # noqa: F811
    (tmp_path / 'legacy.py').write_text(LEGACY_PLUGIN)
    session = new_session(ftrack_server, plugin_paths=[str(tmp_path)])
    try:
        shot = session.get('Shot', project_tree['shots'][2])
        values = shot['custom_attributes']
        assert isinstance(
            values, ftrack_api.collection.CustomAttributeCollectionProxy
        )
        assert sorted(values) == ['client', 'fstart']
        assert len(values) == 2
        assert values.get_configuration_id_from_key('fstart') == (
            configurations[('fstart', None)]
        )
        assert values['fstart'] == 1001
        with pytest.raises(KeyError):
            values.get_configuration_id_from_key('missing')
        assert (values == ftrack_api.symbol.NOT_SET) is False

        values['fstart'] = 1002
        assert values['fstart'] == 1002
        assert [
            item['value'] for item in values.collection
            if item['configuration_id'] == configurations[('fstart', None)]
        ] == [1002]

        new = session.create('Shot', {'name': 'legacy', 'parent': shot['parent']})
        assert sorted(new['custom_attributes']) == ['client', 'fstart']
        new['custom_attributes']['fstart'] = 7
        created = new['custom_attributes'].collection[0]
        assert created.entity_type == 'CustomAttributeValue'
        assert created['configuration_id'] == configurations[('fstart', None)]
        assert created['entity_id'] == new['id']
        assert new['custom_attributes']['fstart'] == 7
        del new['custom_attributes']['client']
        assert 'has no value' in caplog.text
        session.commit()
    finally:
        session.close()
