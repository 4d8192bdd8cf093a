"""The fresh-workspace seed and the demo production."""

import json

import pytest

from ftrack_emulator.api.backend import Backend
from ftrack_emulator.config import Config
from ftrack_emulator.store import demo, seed


def names(api, expression):
    return sorted(item['name'] for item in api.query(expression)['data'])


def test_object_types_have_their_well_known_ids(api):
    found = {item['name']: item for item in api.query(
        'select name, is_statusable, is_typeable, is_leaf from ObjectType'
    )['data']}
    assert {name: item['id'] for name, item in found.items()} == {
        'Task': '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c',
        'Shot': 'bad911de-3bd6-47b9-8b46-3476e237cb36',
        'Sequence': 'e5139355-61da-4c8f-9db4-3abc870166bc',
        'Episode': '22139355-61da-4c8f-9db4-3abc870166bc',
        'Folder': '3c133785-51cb-11e3-980a-20c9d0831e59',
        'Milestone': '01decdd1-51cb-11e3-9d5b-20c9d0831e59',
        'AssetBuild': '4be63b64-5010-42fb-bf1f-428af9d638f0',
    }
    assert found['Task']['is_leaf'] is True
    assert found['Folder']['is_statusable'] is False


def test_states_and_statuses(api):
    states = {item['name']: item['short'] for item in api.query(
        'select name, short from State')['data']}
    assert states == {'Not started': 'NOT_STARTED',
                      'In progress': 'IN_PROGRESS', 'Done': 'DONE',
                      'Blocked': 'BLOCKED'}
    shorts = {item['id']: item['short'] for item in api.query(
        'select short from State')['data']}
    # Repeated entities come back as bare references after the first.
    statuses = {item['name']: shorts[item['state']['id']] for item in
                api.query('select name, state.short from Status')['data']}
    assert statuses['Not started'] == 'NOT_STARTED'
    assert statuses['Approved'] == 'DONE'
    assert statuses['On hold'] == 'BLOCKED'


def test_priorities_include_the_schema_default(api):
    found = {item['id']: item['name'] for item in api.query(
        'select name from Priority')['data']}
    assert found[seed.DEFAULT_PRIORITY_ID] == 'None'
    assert set(found.values()) == {'Urgent', 'High', 'Medium', 'Low', 'None'}
    schemas = api.call([{'action': 'query_schemas'}])[0]
    task = next(item for item in schemas if item['id'] == 'Task')
    assert task['properties']['priority_id']['default'] == \
        seed.DEFAULT_PRIORITY_ID


def test_locations(api):
    found = {item['name']: item['id'] for item in api.query(
        'select name from Location')['data']}
    assert found == {
        'ftrack.origin': 'ce9b348f-8809-11e3-821c-20c9d081909b',
        'ftrack.unmanaged': 'cb268ecc-8809-11e3-a7e2-20c9d081909b',
        'ftrack.review': 'cd41be70-8809-11e3-b98a-20c9d081909b',
        'ftrack.server': '3a372bde-05bc-11e4-8908-20c9d081909b',
        'ftrack.connect': '07b82a97-8cf9-11e3-9383-20c9d081909b',
    }


def test_project_schema_wiring(api):
    schema = api.query(
        'select name, task_type_schema.types.name, object_types.name '
        'from ProjectSchema')['data']
    assert len(schema) == 1
    schema = schema[0]
    assert schema['name'] == 'VFX'
    for workflow, expected in (('task_workflow_schema', seed.TASK_WORKFLOW),
                               ('asset_version_workflow_schema',
                                seed.VERSION_WORKFLOW)):
        found = api.query('select {0}.statuses.name from ProjectSchema'
                          .format(workflow))['data'][0]
        assert {item['name'] for item in found[workflow]['statuses']} == \
            set(expected)
    assert {item['name'] for item in schema['task_type_schema']['types']} \
        == set(seed.TASK_TYPE_SCHEMA)
    assert len(schema['object_types']) == 7
    shot_statuses = api.query(
        'select task_status.name from SchemaStatus where schema_id in '
        '(select id from Schema where project_schema_id is {0} and '
        'object_type_id is {1})'.format(
            schema['id'], seed.OBJECT_TYPE_IDS['Shot']))['data']
    assert {item['task_status']['name'] for item in shot_statuses} == set(
        seed.SHOT_STATUSES)
    build_types = api.query(
        'select task_type.name from SchemaType where schema_id in '
        '(select id from Schema where object_type_id is {0})'.format(
            seed.OBJECT_TYPE_IDS['AssetBuild']))['data']
    assert {item['task_type']['name'] for item in build_types} == set(
        seed.ASSET_BUILD_TYPES)


def test_catalogues(api):
    assert 'geo' in {item['short'] for item in api.query(
        'select short from AssetType')['data']}
    assert names(api, 'select name from NoteCategory') == sorted(
        name for name, _ in seed.NOTE_CATEGORIES)
    assert names(api, 'select name from ListCategory') == sorted(
        seed.LIST_CATEGORIES)
    user_types = {item['id']: item['name'] for item in api.query(
        'select name from UserType')['data']}
    assert user_types['ac9fa5aa-4361-11e0-b7cc-0019bb4983d8'] == 'user'
    assert 'Administrator' in names(api, 'select name from SecurityRole')
    assert set(names(api, 'select name from CustomAttributeType')) >= {
        'number', 'text', 'enumerator', 'boolean', 'date'}


def test_storage_scenario_setting(api):
    found = api.query('select value from Setting where name is '
                      '"storage_scenario" and group is "STORAGE"')['data']
    assert json.loads(found[0]['value']) == {'scenario': 'ftrack.automatic',
                                             'data': {}}


def test_the_api_user_is_an_administrator(api, ftrack_server):
    users = api.query('select username, is_active, user_security_roles.'
                      'security_role.name from User')['data']
    assert len(users) == 1
    user = users[0]
    assert user['username'] == ftrack_server.api_user
    assert user['is_active'] is True
    assert [role['security_role']['name'] for role in
            user['user_security_roles']] == ['Administrator']


def test_seed_ids_are_stable():
    assert seed.seed_id('Status', 'Approved') == seed.seed_id(
        'Status', 'Approved')
    assert seed.seed_id('Status', 'Approved') != seed.seed_id(
        'Type', 'Approved')


@pytest.fixture(scope='module')
def demo_backend(tmp_path_factory):
    backend = Backend(Config(database='sqlite://', demo=True,
                             storage=str(tmp_path_factory.mktemp('demo'))))
    backend.open()
    yield backend
    backend.close()


def run(backend, expression):
    with backend.database.begin() as connection:
        return backend.query_engine.run(connection, expression)['data']


def test_demo_production(demo_backend):
    project = run(demo_backend, 'select name from Project')
    assert [item['name'] for item in project] == [demo.PROJECT_NAME]
    shots = run(demo_backend, 'select name, parent.name, custom_attributes, '
                              'metadata from Shot')
    assert len(shots) == sum(len(items) for items in demo.SEQUENCES.values())
    first = shots[0]
    values = {item['key']: item['value']
              for item in first['custom_attributes']}
    assert values['fstart'] == 1001 and values['fend'] > 1001
    assert first['metadata'][0]['key'] == 'camera'
    tasks = run(demo_backend, 'select name, assignments from Task where '
                              'parent.object_type.name is Shot')
    assert len(tasks) == len(shots) * len(demo.SHOT_TASKS)
    assert all(task['assignments'] for task in tasks)
    versions = run(demo_backend, 'select version, components.name, '
                                 'asset.parent.name from AssetVersion')
    assert len(versions) == 2 * len(shots)
    notes = run(demo_backend, 'select content, parent_type from Note')
    assert len(notes) == len(shots)
    assert {note['parent_type'] for note in notes} == {'Shot'}
    assert len(run(demo_backend, 'select id from User')) == 3


def test_demo_is_added_once(demo_backend):
    with demo_backend.database.begin() as connection:
        assert demo.populate(demo_backend.writer, connection,
                             demo_backend.writer_batch(None)) is None
    assert len(run(demo_backend, 'select id from Project')) == 1
