"""The query engine on the emulator's real schema (all 116 types).

Checks that every provider and special relation the schema names is
implemented, that every attribute of every type can be projected and
filtered, and runs the expressions the Python client generates (see
PROTOCOL.md §3) against a small studio.
"""

import datetime

import pytest
import sqlalchemy as sa

from ftrack_emulator.query.computed import PROVIDERS
from ftrack_emulator.query.engine import QueryEngine
from ftrack_emulator.schema import load_registry
from ftrack_emulator.store.tables import build_metadata

TASK_TYPE = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'
SHOT_TYPE = 'bad911de-3bd6-47b9-8b46-3476e237cb36'
SERVER_LOCATION = '3a372bde-05bc-11e4-8908-20c9d081909b'

REGISTRY = load_registry()

#: Special relations the engine resolves by hand.
SPECIALS = {'ancestors', 'descendants', 'latest_version', 'custom_attributes'}

#: Computed attributes that have no SQL form (so no filters on them).
PYTHON_ONLY = {
    'link', 'thumbnail_url', 'component_url', 'linked_component_url',
    'linked_component_thumbnail_url',
}

ROWS = {
    'object_type': [
        dict(id=TASK_TYPE, name='Task'), dict(id=SHOT_TYPE, name='Shot'),
    ],
    'status': [
        dict(id='st1', name='Not started', sort=1, state_id='ns'),
        dict(id='st2', name='In progress', sort=2, state_id='ip'),
    ],
    'context': [
        dict(id='p1', name='proj', context_type='show', full_name='Project',
             project_schema_id='ps1', status='active', is_global=False),
        dict(id='s1', name='sh010', context_type='task', parent_id='p1',
             project_id='p1', object_type_id=SHOT_TYPE, status_id='st1',
             bid=0, sort=0),
        dict(id='t1', name='compositing', context_type='task',
             parent_id='s1', project_id='p1', object_type_id=TASK_TYPE,
             status_id='st2', bid=7200, sort=1,
             start_date=datetime.datetime(2024, 1, 2, 3, 4, 5)),
        dict(id='t2', name='lighting', context_type='task', parent_id='s1',
             project_id='p1', object_type_id=TASK_TYPE, status_id='st1',
             bid=3600, sort=2),
    ],
    'resource': [
        dict(id='u1', resource_type='user', username='jane',
             email='jane@example.com', is_active=True),
        dict(id='g1', resource_type='group', name='artists'),
        dict(id='g2', resource_type='group', name='comp', parent_id='g1'),
    ],
    'appointment': [
        dict(id='a1', type='assignment', context_id='t1', resource_id='u1'),
    ],
    'timer': [dict(id='tm1', user_id='u1', context_id='t1', name='work')],
    'asset': [dict(id='as1', name='plate', context_id='s1')],
    'asset_version': [
        dict(id='v1', version=1, asset_id='as1', task_id='t1',
             is_published=True, status_id='st1'),
        dict(id='v2', version=2, asset_id='as1', task_id='t1',
             is_published=True, status_id='st2'),
    ],
    'component': [
        dict(id='c1', name='main', system_type='file', file_type='.exr',
             size=10, version_id='v1'),
        dict(id='c2', name='frames', system_type='sequence',
             file_type='.exr', size=20, version_id='v2', padding=4),
        dict(id='c3', name='0001', system_type='file', file_type='.exr',
             size=10, container_id='c2'),
    ],
    'location': [
        dict(id=SERVER_LOCATION, name='ftrack.server'),
    ],
    'component_location': [
        dict(id='cl1', component_id='c1', location_id=SERVER_LOCATION,
             resource_identifier='c1'),
    ],
    'setting': [
        dict(name='storage_scenario', group='STORAGE',
             value='{"scenario": "ftrack.automatic"}'),
    ],
    'metadata': [
        dict(parent_id='t1', parent_type='Task', key='k', value='v'),
    ],
    'custom_attribute_type': [
        dict(id='ty_date', name='date', core=True),
        dict(id='ty_number', name='number', core=True),
    ],
    'custom_configuration': [
        dict(id='cfg1', key='fstart', entity_type='task',
             object_type_id=TASK_TYPE, config_kind='attribute', default=1001,
             is_hierarchical=False, core=False, config='{}', sort=1),
        dict(id='cfg2', key='reviewed', entity_type='assetversion',
             config_kind='attribute', default=False, is_hierarchical=False,
             core=False, config='{}', sort=2),
        dict(id='cfg3', key='due', entity_type='task',
             object_type_id=TASK_TYPE, config_kind='attribute',
             type_id='ty_date', is_hierarchical=False, core=False,
             config='{}', sort=3),
        dict(id='cfg4', key='fps', entity_type='show', config_kind='attribute',
             type_id='ty_number', default=24, is_hierarchical=True,
             core=False, config='{}', sort=4),
    ],
    'custom_attribute_value': [
        dict(configuration_id='cfg1', entity_id='t1', value=1010,
             entity_kind='context'),
        dict(configuration_id='cfg2', entity_id='v2', value=True,
             entity_kind='asset_version'),
        dict(configuration_id='cfg3', entity_id='t1',
             value='2024-03-04T05:06:07', entity_kind='context'),
        dict(configuration_id='cfg4', entity_id='s1', value=25,
             entity_kind='context'),
        dict(configuration_id='cfg4', entity_id='v2', value=50,
             entity_kind='asset_version'),
    ],
}


@pytest.fixture(scope='module')
def database():
    metadata = build_metadata(REGISTRY)
    engine = sa.create_engine('sqlite://')
    metadata.create_all(engine)
    connection = engine.connect()
    for name, rows in ROWS.items():
        table = metadata.tables[name]
        connection.execute(table.insert(), [
            {column.name: row.get(column.name) for column in table.c}
            for row in rows
        ])
    connection.commit()
    yield QueryEngine(REGISTRY, metadata, server_url='http://h'), connection
    connection.close()
    engine.dispose()


@pytest.fixture
def run(database):
    engine, connection = database
    return lambda expression: engine.run(connection, expression)


def test_every_provider_and_special_relation_is_implemented():
    computed, specials = set(), set()
    for entity_type in REGISTRY.types.values():
        for prop in entity_type.properties.values():
            if prop.computed_by:
                computed.add(prop.computed_by)
            if prop.relation is not None and prop.relation.special:
                specials.add(prop.relation.special)
    assert computed, 'the schema declares computed attributes'
    assert computed <= set(PROVIDERS)
    assert specials <= SPECIALS


@pytest.mark.parametrize('type_name', sorted(REGISTRY.types))
def test_every_attribute_can_be_projected_and_filtered(database, type_name):
    engine, connection = database
    entity_type = REGISTRY[type_name]
    engine.run(connection, type_name)
    names, criteria = [], []
    for prop in entity_type.properties.values():
        if prop.restricted_projection:
            continue
        names.append(prop.name)
        if not prop.is_scalar:
            criteria.append('{0} any ()'.format(prop.name))
        elif prop.computed_by not in PYTHON_ONLY:
            criteria.append('{0} is None'.format(prop.name))
    result = engine.run(connection, 'select {0} from {1} where {2}'.format(
        ', '.join(names), type_name, ' or '.join(criteria)
    ))
    for item in result['data']:
        assert item['__entity_type__'] in REGISTRY
        for key in REGISTRY[item['__entity_type__']].primary_key:
            assert key in item


@pytest.mark.parametrize('expression, expected', [
    ('select context_type, id, name from Task where (id is "t1") '
     'offset 0 limit 500', ['t1']),
    ('select name from Task where id is t2 offset 0 limit 500', ['t2']),
    ('select name from Task where id in (t1,t2) offset 0 limit 500',
     ['t1', 't2']),
    ('select parent.context_type, parent.id, parent.name from Task '
     'where id is t1 offset 0 limit 500', ['t1']),
    ('select id from User where username is "jane" and is_active is True '
     'and email is "jane@example.com" limit 2', ['u1']),
    ('select id from Timer where user_id = "u1" offset 0 limit 500',
     ['tm1']),
    ('select id from Location', [SERVER_LOCATION]),
    ('select component_id, resource_identifier from ComponentLocation '
     'where location_id is {0} and component_id in (c1, c3) offset 0 '
     'limit 500'.format(SERVER_LOCATION), ['cl1']),
    ('select id from ComponentLocation where component_id is c1 and '
     'location_id is {0}'.format(SERVER_LOCATION), ['cl1']),
    ('select key, project_id, id, object_type_id, entity_type, '
     'is_hierarchical from CustomAttributeConfiguration',
     ['cfg1', 'cfg2', 'cfg3', 'cfg4']),
    ('select id from Context where parent is None', ['p1']),
    ('select id from TypedContext where project.name is proj and '
     'status.name is "In progress"', ['t1']),
    ('select id from AssetVersion where task.parent.name is sh010 '
     'order by version desc', ['v2', 'v1']),
    ('select id from Group where parent.name is artists', ['g2']),
])
def test_client_generated_expressions(run, expression, expected):
    data = run(expression)['data']
    assert [item.get('id') for item in data] == expected


def test_setting_lookup_uses_group_as_an_attribute(run):
    data = run('select value from Setting where name is "storage_scenario" '
               'and group is "STORAGE"')['data']
    assert data == [{
        '__entity_type__': 'Setting', 'name': 'storage_scenario',
        'group': 'STORAGE', 'value': '{"scenario": "ftrack.automatic"}',
    }]


def test_components_are_typed_and_carry_system_projections(run):
    data = run('select name, members, component_locations.location_id '
               'from Component where version_id is_not None order by name'
               )['data']
    assert [(item['__entity_type__'], item['system_type']) for item in data
            ] == [('SequenceComponent', 'sequence'), ('FileComponent', 'file')]
    assert data[0]['members'][0]['__entity_type__'] == 'FileComponent'
    assert data[0]['members'][0]['id'] == 'c3'
    assert 'members' not in data[1]
    assert data[1]['component_locations'][0]['location_id'] == SERVER_LOCATION
    data = run('select container from FileComponent where id is c3')['data']
    assert data[0]['container']['__entity_type__'] == 'SequenceComponent'


def test_dense_custom_attributes_on_tasks_and_versions(run):
    data = run('select custom_attributes from Task order by name')['data']
    assert [
        [(value['key'], value['value']) for value in item['custom_attributes']]
        for item in data
    ] == [
        [('fstart', 1010),
         ('due', {'__type__': 'datetime', 'value': '2024-03-04T05:06:07'}),
         ('fps', 25)],
        [('fstart', 1001), ('due', None), ('fps', 25)],
    ]
    assert data[0]['custom_attributes'][0]['__entity_type__'] == \
        'ContextCustomAttributeValue'
    data = run('select custom_attributes from AssetVersion order by version'
               )['data']
    assert [
        [(value['key'], value['value']) for value in item['custom_attributes']]
        for item in data
    ] == [[('reviewed', False), ('fps', 25)], [('reviewed', True),
                                               ('fps', 50)]]
    assert data[0]['custom_attributes'][0]['__entity_type__'] == \
        'AssetVersionCustomAttributeValue'
    assert [item['id'] for item in run(
        'AssetVersion where custom_attributes any (key is reviewed and '
        'value is True)')['data']] == ['v2']
    assert [item['id'] for item in run(
        'Task where custom_attributes any (key is fstart and value > 1005)'
    )['data']] == ['t1']
    data = run('select custom_attributes from Context where id in (p1, s1) '
               'order by name')['data']
    assert [
        [(value['key'], value['value']) for value in item['custom_attributes']]
        for item in data
    ] == [[('fps', None)], [('fps', 25)]]
    data = run('select custom_attributes from Asset')['data']
    assert [(value['key'], value['value'])
            for value in data[0]['custom_attributes']] == [('fps', 25)]


def test_computed_attributes(run):
    data = run('select link, thumbnail_url, time_logged from Task '
               'where id is t1')['data']
    assert data[0]['link'] == [
        {'id': 'p1', 'name': 'proj', 'type': 'Project'},
        {'id': 's1', 'name': 'sh010', 'type': 'TypedContext'},
        {'id': 't1', 'name': 'compositing', 'type': 'TypedContext'},
    ]
    assert data[0]['thumbnail_url'] == {'url': 'http://h/img/thumbnail2.png'}
    assert data[0]['time_logged'] == 0
    data = run('select link, is_latest_version from AssetVersion '
               'order by version')['data']
    assert data[1]['link'][-2:] == [
        {'id': 'as1', 'name': 'plate', 'type': 'Asset'},
        {'id': 'v2', 'name': 'v002', 'type': 'AssetVersion'},
    ]
    assert [item['is_latest_version'] for item in data] == [False, True]
    data = run('select url from ComponentLocation')['data']
    assert data[0]['url'] == {'value': 'http://h/component/get?id=c1'}
    data = run('select link from Group where id is g2')['data']
    assert [item['name'] for item in data[0]['link']] == ['artists', 'comp']


def test_computed_urls_start_with_the_server_url_of_each_call(database):
    engine, connection = database
    expression = 'select thumbnail_url from Task where id is t1'
    for server_url in ('http://a.example', 'https://b.example/prefix/', None,
                       'http://a.example'):
        [task] = engine.run(connection, expression,
                            server_url=server_url)['data']
        expected = (server_url or 'http://h').rstrip('/')
        assert task['thumbnail_url'] == {
            'url': expected + '/img/thumbnail2.png'}
        [location] = engine.load(connection, 'ComponentLocation',
                                 [row['id'] for row in ROWS[
                                     'component_location']][:1],
                                 projections=['url'], server_url=server_url)
        assert location['url'] == {'value': expected + '/component/get?id=c1'}
    # Calls never change the default.
    assert engine.computed.server_url == 'http://h'


def test_load_after_create(database):
    engine, connection = database
    loaded = engine.load(connection, 'FileComponent', ['c1'])
    assert loaded == [{
        '__entity_type__': 'FileComponent', 'id': 'c1', 'name': 'main',
        'system_type': 'file', 'file_type': '.exr', 'size': 10,
        'version_id': 'v1',
    }]
    loaded = engine.load(connection, 'User', ['u1'])
    assert loaded[0]['resource_type'] == 'user'
    assert loaded[0]['username'] == 'jane'
    assert 'first_name' not in loaded[0]
