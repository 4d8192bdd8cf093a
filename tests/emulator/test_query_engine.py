"""The query engine end to end on a small hand-built schema.

The schema mirrors the shape of ftrack's (a shared context table with
projects and typed contexts, references, collections, link tables, dense
custom attributes) without depending on the full definitions, so these
tests pin the engine's behaviour on their own.
"""

import datetime

import pytest
import sqlalchemy as sa

from ftrack_emulator.errors import QueryError
from ftrack_emulator.query.engine import QueryEngine
from ftrack_emulator.schema import model
from ftrack_emulator.store.tables import build_metadata

TASK_TYPE = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'
SHOT_TYPE = 'bad911de-3bd6-47b9-8b46-3476e237cb36'


def scalar(name, kind='string', column=None, fmt=None, computed_by=None):
    return model.Property(
        name, model.SCALAR, type=kind, format=fmt,
        column=None if computed_by else (column or name),
        computed_by=computed_by,
    )


def reference(name, target, local=None, remote='id', **options):
    return model.Property(
        name, model.REFERENCE, target=target,
        relation=model.Relation(local=local or name + '_id', remote=remote,
                                **options),
    )


def collection(name, target, remote, local='id', kind=model.COLLECTION,
               **options):
    return model.Property(
        name, kind, target=target,
        relation=model.Relation(local=local, remote=remote, **options),
    )


def entity_type(name, table, properties, discriminator=None, **options):
    options.setdefault('primary_key', ['id'])
    options.setdefault('default_projections', ['id'])
    return model.EntityType(
        name=name, table=table, discriminator=discriminator or {},
        properties={prop.name: prop for prop in properties}, **options
    )


def context_properties(typed):
    properties = [
        scalar('id'), scalar('name'), scalar('context_type'),
        scalar('parent_id'), reference('parent', 'Context'),
        scalar('project_id'),
        scalar('link', computed_by='link'),
        collection('children', 'Context', 'parent_id'),
        collection('metadata', 'Metadata', 'parent_id', kind=model.MAPPED),
        collection('assignments', 'Appointment', 'context_id',
                   target_filters={'type': 'assignment'}),
        collection('scopes', 'Scope', 'id', link_table='context_scope',
                   link_local='context_id', link_remote='scope_id'),
        collection(
            'custom_attributes', 'ContextCustomAttributeValue', 'entity_id',
            kind=model.MAPPED, special='custom_attributes',
        ),
        scalar('created_at', fmt='date-time'),
    ]
    if typed:
        properties += [
            scalar('object_type_id'), scalar('status_id'),
            reference('status', 'Status'), scalar('type_id'),
            reference('type', 'Type'), reference('project', 'Project'),
            scalar('bid', 'number'), scalar('sort', 'integer'),
            scalar('is_todo', 'boolean'),
            scalar('start_date', fmt='date-time'),
            scalar('time_logged', 'number', computed_by='time_logged'),
            collection('timelogs', 'Timelog', 'context_id'),
            collection('ancestors', 'TypedContext', 'id',
                       special='ancestors'),
            collection('descendants', 'TypedContext', 'id',
                       special='descendants'),
        ]
    else:
        properties += [
            collection('descendants', 'TypedContext', 'id',
                       special='descendants'),
        ]
    return properties


def build_registry():
    context = dict(
        table='context', default_projections=['context_type', 'id', 'name'],
    )
    typed_system = ['project_id', 'context_type', 'object_type_id']
    types = [
        entity_type('Context', properties=context_properties(False),
                    abstract=True, system_projections=['context_type'],
                    **context),
        entity_type('Project', properties=context_properties(False),
                    discriminator={'context_type': 'show'},
                    system_projections=['context_type'], **context),
        entity_type('TypedContext', properties=context_properties(True),
                    discriminator={'context_type': 'task'},
                    system_projections=typed_system, **context),
        entity_type('Task', properties=context_properties(True),
                    discriminator={'context_type': 'task',
                                   'object_type_id': TASK_TYPE},
                    system_projections=typed_system, **context),
        entity_type('Shot', properties=context_properties(True),
                    discriminator={'context_type': 'task',
                                   'object_type_id': SHOT_TYPE},
                    system_projections=typed_system, **context),
        entity_type('Status', 'status', [
            scalar('id'), scalar('name'), scalar('state_id'),
            reference('state', 'State'), scalar('sort', 'integer'),
        ]),
        entity_type('State', 'state', [
            scalar('id'), scalar('name'), scalar('short'),
        ]),
        entity_type('Type', 'type', [scalar('id'), scalar('name')]),
        entity_type('Scope', 'scope', [scalar('id'), scalar('name')]),
        entity_type('Resource', 'resource', [
            scalar('id'), scalar('resource_type'),
        ], abstract=True, system_projections=['resource_type']),
        entity_type('User', 'resource', [
            scalar('id'), scalar('resource_type'), scalar('username'),
            scalar('email'), scalar('is_active', 'boolean'),
            collection('assignments', 'Appointment', 'resource_id',
                       target_filters={'type': 'assignment'}),
        ], discriminator={'resource_type': 'user'},
            system_projections=['resource_type']),
        entity_type('Appointment', 'appointment', [
            scalar('id'), scalar('type'), scalar('context_id'),
            scalar('resource_id'), reference('resource', 'Resource'),
            reference('context', 'Context'),
        ]),
        entity_type('Timelog', 'timelog', [
            scalar('id'), scalar('context_id'), scalar('duration', 'number'),
        ]),
        entity_type('Metadata', 'metadata', [
            scalar('parent_id'), scalar('key'), scalar('value'),
            scalar('parent_type'),
        ], primary_key=['parent_id', 'key'],
            default_projections=['parent_id', 'key', 'value', 'parent_type']),
        entity_type('Asset', 'asset', [
            scalar('id'), scalar('name'), scalar('context_id'),
            reference('parent', 'Context', local='context_id'),
            collection('versions', 'AssetVersion', 'asset_id'),
            model.Property('latest_version', model.REFERENCE,
                           target='AssetVersion',
                           relation=model.Relation(special='latest_version')),
        ], system_projections=['context_id']),
        entity_type('AssetVersion', 'asset_version', [
            scalar('id'), scalar('version', 'integer'), scalar('asset_id'),
            reference('asset', 'Asset'), scalar('comment'),
            scalar('is_latest_version', 'boolean',
                   computed_by='is_latest_version'),
            scalar('link', computed_by='link'),
        ], system_projections=['asset_id']),
        entity_type('CustomAttributeConfiguration', 'ca_configuration', [
            scalar('id'), scalar('key'), scalar('entity_type'),
            scalar('object_type_id'), scalar('project_id'),
            scalar('is_hierarchical', 'boolean'),
            scalar('default', 'variable'), scalar('sort', 'integer'),
        ]),
        entity_type('ContextCustomAttributeValue', 'ca_value', [
            scalar('configuration_id'), scalar('entity_id'),
            scalar('value', 'variable'),
            scalar('key', computed_by='custom_attribute_key'),
            reference('configuration', 'CustomAttributeConfiguration'),
        ], primary_key=['configuration_id', 'entity_id'],
            default_projections=['configuration_id', 'entity_id', 'key']),
    ]
    link = model.Table('context_scope', {
        'context_id': model.Column('context_id', 'string', primary_key=True),
        'scope_id': model.Column('scope_id', 'string', primary_key=True),
    })
    return model.Registry(types, extra_tables=[link])


ROWS = {
    'context': [
        dict(id='p1', name='Project One', context_type='show'),
        dict(id='p2', name='Project Two', context_type='show'),
        dict(id='s1', name='sh010', context_type='task', parent_id='p1',
             project_id='p1', object_type_id=SHOT_TYPE, status_id='st1'),
        dict(id='s2', name='sh020', context_type='task', parent_id='p1',
             project_id='p1', object_type_id=SHOT_TYPE, status_id='st2'),
        dict(id='t1', name='animation', context_type='task', parent_id='s1',
             project_id='p1', object_type_id=TASK_TYPE, status_id='st1',
             type_id='ty1', bid=3600.0, sort=1, is_todo=False,
             start_date=datetime.datetime(2024, 1, 2, 3, 4, 5),
             created_at=datetime.datetime(2022, 10, 10, 10, 12, 9)),
        dict(id='t2', name='lighting', context_type='task', parent_id='s1',
             project_id='p1', object_type_id=TASK_TYPE, status_id='st2',
             type_id='ty2', bid=7200.0, sort=2, is_todo=True,
             start_date=datetime.datetime(2024, 2, 1, 0, 0, 0, 250000)),
        dict(id='t3', name='animation', context_type='task', parent_id='s2',
             project_id='p1', object_type_id=TASK_TYPE, status_id='st1',
             type_id='ty1', bid=None, sort=3, is_todo=False),
        dict(id='t4', name='Compositing "final"', context_type='task',
             parent_id='p2', project_id='p2', object_type_id=TASK_TYPE,
             status_id='st2', type_id='ty2', bid=10.5, sort=4),
    ],
    'status': [
        dict(id='st1', name='Not started', state_id='ns', sort=1),
        dict(id='st2', name='In progress', state_id='ip', sort=2),
    ],
    'state': [
        dict(id='ns', name='Not started', short='NOT_STARTED'),
        dict(id='ip', name='In progress', short='IN_PROGRESS'),
    ],
    'type': [
        dict(id='ty1', name='Animation'), dict(id='ty2', name='Lighting'),
    ],
    'scope': [dict(id='sc1', name='scope A')],
    'context_scope': [dict(context_id='t1', scope_id='sc1')],
    'resource': [
        dict(id='u1', resource_type='user', username='alice',
             email='alice@example.com', is_active=True),
        dict(id='u2', resource_type='user', username='bob', email=None,
             is_active=False),
    ],
    'appointment': [
        dict(id='a1', type='assignment', context_id='t1', resource_id='u1'),
        dict(id='a2', type='assignment', context_id='t1', resource_id='u2'),
        dict(id='a3', type='allocation', context_id='t2', resource_id='u1'),
    ],
    'timelog': [
        dict(id='l1', context_id='t1', duration=100.0),
        dict(id='l2', context_id='t1', duration=200.0),
    ],
    'metadata': [
        dict(parent_id='t1', key='k1', value='v1', parent_type='Task'),
        dict(parent_id='t1', key='k2', value='v2', parent_type='Task'),
        dict(parent_id='s1', key='k1', value='other', parent_type='Shot'),
    ],
    'asset': [dict(id='as1', name='hero', context_id='s1')],
    'asset_version': [
        dict(id='v1', version=1, asset_id='as1', comment='first'),
        dict(id='v2', version=2, asset_id='as1', comment='second'),
        dict(id='v3', version=3, asset_id='as1', comment=None),
    ],
    'ca_configuration': [
        dict(id='c_fstart', key='fstart', entity_type='task',
             object_type_id=TASK_TYPE, project_id=None,
             is_hierarchical=False, default=1, sort=1),
        dict(id='c_fstart_p2', key='fstart', entity_type='task',
             object_type_id=TASK_TYPE, project_id='p2',
             is_hierarchical=False, default=5, sort=1),
        dict(id='c_fps', key='fps', entity_type='show', object_type_id=None,
             project_id=None, is_hierarchical=True, default=24, sort=2),
        dict(id='c_budget', key='budget', entity_type='show',
             object_type_id=None, project_id=None, is_hierarchical=False,
             default=0, sort=3),
        dict(id='c_cut', key='cut_in', entity_type='task',
             object_type_id=SHOT_TYPE, project_id=None,
             is_hierarchical=False, default=1001, sort=4),
    ],
    'ca_value': [
        dict(configuration_id='c_fstart', entity_id='t1', value=10),
        dict(configuration_id='c_fstart', entity_id='t3', value='text'),
        dict(configuration_id='c_fps', entity_id='p1', value=25),
        dict(configuration_id='c_fps', entity_id='s2', value=30),
        dict(configuration_id='c_budget', entity_id='p1', value=100),
    ],
}


def insert(connection, metadata, tables):
    """Insert rows table by table (every row with every column, as an
    executemany takes its columns from the first row)."""
    for name, rows in tables.items():
        table = metadata.tables[name]
        connection.execute(table.insert(), [
            {column.name: row.get(column.name) for column in table.c}
            for row in rows
        ])


@pytest.fixture(scope='module')
def database():
    registry = build_registry()
    metadata = build_metadata(registry)
    engine = sa.create_engine('sqlite://')
    metadata.create_all(engine)
    connection = engine.connect()
    insert(connection, metadata, ROWS)
    connection.commit()
    query_engine = QueryEngine(registry, metadata, server_url='http://h')
    yield query_engine, connection
    connection.close()
    engine.dispose()


@pytest.fixture
def run(database):
    engine, connection = database

    def run(expression):
        return engine.run(connection, expression)
    return run


@pytest.fixture
def ids(run):
    def ids(expression):
        return [item['id'] for item in run(expression)['data']]
    return ids


# Projections and encoding ------------------------------------------------

def test_selected_scalars_come_with_system_projections(run):
    result = run('select name, created_at from Task limit 1')
    assert result['action'] == 'query'
    assert result['data'] == [{
        '__entity_type__': 'Task',
        'id': 't1',
        'name': 'animation',
        'created_at': {'__type__': 'datetime', 'value': '2022-10-10T10:12:09'},
        'context_type': 'task',
        'project_id': 'p1',
        'object_type_id': TASK_TYPE,
    }]
    assert result['metadata'] == {'next': {'offset': 1}}


def test_microseconds_are_written_only_when_set(run):
    data = run('select start_date from Task where id in (t1, t2) '
               'order by name')['data']
    assert [item['start_date']['value'] for item in data] == [
        '2024-01-02T03:04:05', '2024-02-01T00:00:00.250000',
    ]


def test_without_select_the_default_projections_are_loaded(run):
    data = run('Task where id is t1')['data']
    assert data == [{
        '__entity_type__': 'Task', 'id': 't1', 'name': 'animation',
        'context_type': 'task', 'project_id': 'p1',
        'object_type_id': TASK_TYPE,
    }]


def test_unset_reference_is_null_and_empty_collection_is_a_list(run):
    data = run('select parent, children from Project where id is p2')['data']
    assert data[0]['parent'] is None
    assert [child['id'] for child in data[0]['children']] == ['t4']
    data = run('select children from Task where id is t1')['data']
    assert data[0]['children'] == []


def test_reference_projection_uses_the_target_default_projections(run):
    data = run('select parent from Task where id is t1')['data']
    assert data[0]['parent'] == {
        '__entity_type__': 'Shot', 'id': 's1', 'name': 'sh010',
        'context_type': 'task', 'project_id': 'p1',
        'object_type_id': SHOT_TYPE,
    }


def test_nested_paths_share_one_node_and_repeats_become_references(run):
    data = run('select status.state.short from Task '
               'where status.state.short is NOT_STARTED limit 2')['data']
    assert data[0]['status'] == {
        '__entity_type__': 'Status', 'id': 'st1',
        'state': {'__entity_type__': 'State', 'id': 'ns',
                  'short': 'NOT_STARTED'},
    }
    assert data[1]['status'] == {'__entity_type__': 'Status', 'id': 'st1'}


def test_result_rows_are_full_and_nested_repeats_are_references(run):
    data = run('select version, asset.versions.version from AssetVersion '
               'where asset_id is_not None limit 1')['data']
    assert data[0]['version'] == 1
    versions = data[0]['asset']['versions']
    assert versions[0] == {'__entity_type__': 'AssetVersion', 'id': 'v1'}
    assert versions[1] == {'__entity_type__': 'AssetVersion', 'id': 'v2',
                           'version': 2, 'asset_id': 'as1'}
    assert data[0]['asset']['context_id'] == 's1'


def test_collections_through_link_tables_and_target_filters(run):
    data = run('select scopes.name, assignments.resource.username from Task '
               'where id in (t1, t2) order by name')['data']
    assert data[0]['scopes'] == [
        {'__entity_type__': 'Scope', 'id': 'sc1', 'name': 'scope A'}
    ]
    assert sorted(
        item['resource']['username'] for item in data[0]['assignments']
    ) == ['alice', 'bob']
    # t2 only has an allocation, which is not an assignment.
    assert data[1]['assignments'] == []


def test_polymorphic_rows_are_typed_by_their_discriminator(run):
    data = run('select name from Context order by name')['data']
    types = {item['id']: item['__entity_type__'] for item in data}
    assert types == {
        'p1': 'Project', 'p2': 'Project', 's1': 'Shot', 's2': 'Shot',
        't1': 'Task', 't2': 'Task', 't3': 'Task', 't4': 'Task',
    }
    project = [item for item in data if item['id'] == 'p1'][0]
    assert 'object_type_id' not in project
    assert project['context_type'] == 'show'


def test_a_subtype_query_only_returns_its_rows(ids):
    assert ids('Shot') == ['s1', 's2']
    assert sorted(ids('TypedContext')) == ['s1', 's2', 't1', 't2', 't3', 't4']
    assert ids('Project') == ['p1', 'p2']


def test_metadata_projection_and_filter(run, ids):
    data = run('select metadata from Task where id is t1')['data']
    assert sorted(
        (item['key'], item['value']) for item in data[0]['metadata']
    ) == [('k1', 'v1'), ('k2', 'v2')]
    assert data[0]['metadata'][0]['__entity_type__'] == 'Metadata'
    assert ids('TypedContext where metadata any (key is k1 and value is v1)'
               ) == ['t1']
    assert ids('TypedContext where metadata any (key is k1)') == ['s1', 't1']


# Operators ---------------------------------------------------------------

@pytest.mark.parametrize('expression, expected', [
    ('Task where name is animation', ['t1', 't3']),
    ('Task where name = "animation"', ['t1', 't3']),
    ("Task where name is 'animation'", ['t1', 't3']),
    ('Task where name is_not animation', ['t2', 't4']),
    ('Task where name != animation', ['t2', 't4']),
    ('Task where bid > 3600', ['t2']),
    ('Task where bid greater_than 3600', ['t2']),
    ('Task where bid after 3600', ['t2']),
    ('Task where bid < 3600', ['t4']),
    ('Task where bid less_than 3600', ['t4']),
    ('Task where bid before 3600', ['t4']),
    ('Task where bid >= 3600', ['t1', 't2']),
    ('Task where bid <= 3600', ['t1', 't4']),
    ('Task where bid > -1.5', ['t1', 't2', 't4']),
    ('Task where bid is 10.5', ['t4']),
    ('Task where bid is "3600"', ['t1']),
    ('Task where sort is 2', ['t2']),
    ('Task where sort is "2"', ['t2']),
    ('Task where name like "anim%"', ['t1', 't3']),
    ('Task where name like "%ing"', ['t2']),
    ('Task where name not_like "anim%"', ['t2', 't4']),
    ('Task where name in (animation, lighting)', ['t1', 't2', 't3']),
    ('Task where name in ("animation","lighting")', ['t1', 't2', 't3']),
    ('Task where name not_in (animation, lighting)', ['t4']),
    ('Task where id in ()', []),
    ('Task where id not_in ()', ['t1', 't2', 't3', 't4']),
    ('Task where bid is None', ['t3']),
    ('Task where bid is null', ['t3']),
    ('Task where bid is_not NONE', ['t1', 't2', 't4']),
    ('Task where bid in (3600, None)', ['t1', 't3']),
    ('Task where name is "Compositing \\"final\\""', ['t4']),
    ("Task where name is 'Compositing \"final\"'", ['t4']),
    ('Task where is_todo is true', ['t2']),
    ('Task where is_todo is True', ['t2']),
    ('Task where is_todo is "true"', ['t2']),
    ('Task where is_todo is 1', ['t2']),
    ('Task where is_todo is False', ['t1', 't3']),
    ('User where is_active is True and email is None', []),
    ('User where is_active is False and email is None', ['u2']),
])
def test_operators_and_values(ids, expression, expected):
    assert sorted(ids(expression)) == expected


def test_a_bare_number_compared_with_text_is_text(database):
    engine, connection = database
    connection.execute(
        engine.storage.metadata.tables['type'].insert(),
        [{'id': 'ty9', 'name': '1'}],
    )
    try:
        result = engine.run(connection, 'Type where name is 1')
        assert [item['id'] for item in result['data']] == ['ty9']
    finally:
        connection.execute(sa.text("delete from type where id = 'ty9'"))


@pytest.mark.parametrize('expression, expected', [
    ('Task where start_date > "2024-01-15"', ['t2']),
    ('Task where start_date after 2024-01-01', ['t1', 't2']),
    ('Task where start_date is "2024-01-02T03:04:05"', ['t1']),
    ('Task where start_date is "2024-01-02 03:04:05"', ['t1']),
    ('Task where start_date is "2024-01-02T05:04:05+02:00"', ['t1']),
    ('Task where start_date is "2024-01-02T03:04:05Z"', ['t1']),
    ('Task where start_date < "2024-01-02T03:04:06.5"', ['t1']),
    ('Task where start_date is None', ['t3', 't4']),
])
def test_datetime_values_are_parsed(ids, expression, expected):
    assert sorted(ids(expression)) == expected


def test_in_and_not_in_with_sub_queries(ids):
    assert ids('Task where status_id in (select id from Status where '
               'name is "In progress")') == ['t2', 't4']
    assert ids('Task where status_id not_in (select id from Status where '
               'name is "In progress")') == ['t1', 't3']
    assert ids('Task where parent_id in (select id from Shot where '
               'name like "sh01%")') == ['t1', 't2']
    assert ids('Task where id in (select context_id from Appointment '
               'where resource.username is bob)') == ['t1']


# Boolean logic -----------------------------------------------------------

@pytest.mark.parametrize('expression, expected', [
    ('Task where name is animation or name is lighting and bid > 5000',
     ['t1', 't2', 't3']),
    ('Task where (name is animation or name is lighting) and bid > 3000',
     ['t1', 't2']),
    ('Task where not name is animation', ['t2', 't4']),
    ('Task where not (name is animation or bid > 5000)', ['t4']),
    ('Task where not not name is lighting', ['t2']),
    ('Task where name is animation and not parent.name is sh010', ['t3']),
    ('Task where (id is "t1"and name is "animation") or (id is "t2"and '
     'name is "x")', ['t1']),
    ('Task where name is lighting OR name IS animation AND sort > 2',
     ['t2', 't3']),
])
def test_boolean_logic_and_precedence(ids, expression, expected):
    assert sorted(ids(expression)) == expected


# Relations in criteria ---------------------------------------------------

@pytest.mark.parametrize('expression, expected', [
    ('Task where parent.name is sh010', ['t1', 't2']),
    ('Task where parent.parent.name is "Project One"', ['t1', 't2', 't3']),
    ('Task where status.state.short is IN_PROGRESS', ['t2', 't4']),
    ('Task where status has (name is "Not started")', ['t1', 't3']),
    ('Task where parent has (name is sh020 or name is "Project Two")',
     ['t3', 't4']),
    ('Task where not status has (state.short is NOT_STARTED)', ['t2', 't4']),
    ('Task where assignments any (resource.username is alice)', ['t1']),
    ('Task where assignments.resource.username is bob', ['t1']),
    ('Task where assignments any ()', ['t1']),
    ('Task where not assignments any ()', ['t2', 't3', 't4']),
    ('Task where timelogs any (duration > 150)', ['t1']),
    ('Task where scopes any (name is "scope A")', ['t1']),
    ('Task where parent is None', []),
    ('Context where parent is None', ['p1', 'p2']),
    ('Context where parent is_not None and parent.parent is None',
     ['s1', 's2', 't4']),
    ('Task where parent is s1', ['t1', 't2']),
    ('Task where parent in (s2, p2)', ['t3', 't4']),
    ('User where assignments any (context.name is lighting)', []),
    ('User where assignments any (context.name is animation)', ['u1', 'u2']),
    ('Shot where children any (name is lighting)', ['s1']),
    ('Project where children any (children any (bid > 7000))', ['p1']),
])
def test_relations_in_criteria(ids, expression, expected):
    assert sorted(ids(expression)) == expected


@pytest.mark.parametrize('expression, expected', [
    ('TypedContext where ancestors any (name is sh010)', ['t1', 't2']),
    ('TypedContext where not ancestors any ()', ['s1', 's2', 't4']),
    ('TypedContext where descendants any (name is lighting)', ['s1']),
    ('Project where descendants any (name is lighting)', ['p1']),
    ('Project where descendants any (bid is 10.5)', ['p2']),
])
def test_ancestors_and_descendants_in_criteria(ids, expression, expected):
    assert sorted(ids(expression)) == expected


def test_ancestors_descendants_and_link_are_loaded(run):
    data = run('select ancestors, descendants.name, link from Task '
               'where id is t1')['data']
    assert [item['id'] for item in data[0]['ancestors']] == ['s1']
    assert data[0]['descendants'] == []
    assert data[0]['link'] == [
        {'id': 'p1', 'name': 'Project One', 'type': 'Project'},
        {'id': 's1', 'name': 'sh010', 'type': 'TypedContext'},
        {'id': 't1', 'name': 'animation', 'type': 'TypedContext'},
    ]
    data = run('select descendants from Project where id is p1')['data']
    assert sorted(item['id'] for item in data[0]['descendants']) == [
        's1', 's2', 't1', 't2', 't3'
    ]


def test_latest_version_and_is_latest_version(run, ids):
    data = run('select latest_version.version from Asset')['data']
    assert data[0]['latest_version']['id'] == 'v3'
    assert data[0]['latest_version']['version'] == 3
    assert ids('Asset where latest_version has (version is 3)') == ['as1']
    assert ids('Asset where latest_version has (version is 2)') == []
    assert ids('AssetVersion where is_latest_version is true') == ['v3']
    data = run('select is_latest_version from AssetVersion order by version'
               )['data']
    assert [item['is_latest_version'] for item in data] == [
        False, False, True
    ]


def test_computed_attributes_filter_order_and_load(run, ids):
    assert ids('Task where time_logged > 0') == ['t1']
    data = run('select time_logged from Task order by time_logged desc, name'
               )['data']
    assert data[0]['id'] == 't1'
    assert data[0]['time_logged'] == 300


# Custom attributes -------------------------------------------------------

def _custom(item):
    return {
        value['key']: value['value'] for value in item['custom_attributes']
    }


def test_custom_attributes_are_dense(run):
    data = run('select custom_attributes from TypedContext order by name'
               )['data']
    by_id = {item['id']: _custom(item) for item in data}
    # Stored values, defaults and project specific configurations.
    assert by_id['t1'] == {'fstart': 10, 'fps': 25}
    assert by_id['t2'] == {'fstart': 1, 'fps': 25}
    assert by_id['t3'] == {'fstart': 'text', 'fps': 30}
    assert by_id['t4'] == {'fstart': 5, 'fps': None}
    # Object type specific configurations.
    assert by_id['s1'] == {'cut_in': 1001, 'fps': 25}
    value = data[0]['custom_attributes'][0]
    assert value['__entity_type__'] == 'ContextCustomAttributeValue'
    assert set(value) == {'__entity_type__', 'configuration_id', 'entity_id',
                          'key', 'value'}


def test_project_custom_attributes(run):
    data = run('select custom_attributes from Project order by name')['data']
    assert _custom(data[0]) == {'fps': 25, 'budget': 100}
    # An unset hierarchical value with nothing to inherit is null.
    assert _custom(data[1]) == {'fps': None, 'budget': 0}


@pytest.mark.parametrize('expression, expected', [
    ('Task where custom_attributes any (key is fstart and value > 5)',
     ['t1']),
    ('Task where custom_attributes any (key is fstart and value is 10)',
     ['t1']),
    ('Task where custom_attributes any (key is fstart and value is "10")',
     ['t1']),
    ('Task where custom_attributes any (key is "fstart" and value is text)',
     ['t3']),
    ('Task where custom_attributes any (value > "a")', ['t3']),
    ('Project where custom_attributes any (key is fps and value >= 25)',
     ['p1']),
    ('Task where not custom_attributes any (key is fstart)', ['t2', 't4']),
])
def test_custom_attribute_filters(ids, expression, expected):
    assert sorted(ids(expression)) == expected


# Ordering and paging -----------------------------------------------------

@pytest.mark.parametrize('expression, expected', [
    ('Task order by name', ['t4', 't1', 't3', 't2']),
    ('Task order by name asc, sort desc', ['t4', 't3', 't1', 't2']),
    ('Task order by name ascending, sort descending',
     ['t4', 't3', 't1', 't2']),
    ('Task order by bid desc', ['t2', 't1', 't4', 't3']),
    ('Task order by status.sort desc, sort', ['t2', 't4', 't1', 't3']),
    ('Task order by parent.name, name desc', ['t4', 't2', 't1', 't3']),
    ('Task order by status.state.short, sort', ['t2', 't4', 't1', 't3']),
])
def test_ordering(ids, expression, expected):
    assert ids(expression) == expected


def test_paging_metadata(run):
    pages = []
    offset = 0
    while offset is not None:
        result = run('Task order by sort offset {0} limit 3'.format(offset))
        pages.append([item['id'] for item in result['data']])
        offset = result['metadata']['next']['offset']
    assert pages == [['t1', 't2', 't3'], ['t4']]
    result = run('Task order by sort limit 2 offset 2')
    assert [item['id'] for item in result['data']] == ['t3', 't4']
    assert result['metadata']['next']['offset'] is None
    assert run('Task limit 4')['metadata']['next']['offset'] is None
    assert run('Task')['metadata']['next']['offset'] is None
    assert run('Task offset 3')['metadata']['next']['offset'] is None
    assert [item['id'] for item in run('Task order by sort offset 3')[
        'data']] == ['t4']
    result = run('Task limit 0')
    assert result['data'] == []
    assert result['metadata']['next']['offset'] is None


# Aggregates --------------------------------------------------------------

def test_aggregates(run):
    assert run('select count(id), status_id from Task group by status_id '
               'order by status_id')['data'] == [
        {'count_id': 2, 'status_id': 'st1'},
        {'count_id': 2, 'status_id': 'st2'},
    ]
    data = run('select count(), sum(bid), avg(sort), min(bid), max(bid) '
               'from Task')['data']
    assert data == [{
        'count': 4, 'sum_bid': 10810.5, 'avg_sort': 2.5, 'min_bid': 10.5,
        'max_bid': 7200.0,
    }]
    data = run('select max(start_date) from Task where bid > 0')['data']
    assert data == [{'max_start_date': {
        '__type__': 'datetime', 'value': '2024-02-01T00:00:00.250000'}}]
    data = run('select count(id), status.name from Task group by status.name '
               'order by status.name limit 1')
    assert data['data'] == [{'count_id': 2, 'status.name': 'In progress'}]
    assert data['metadata']['next']['offset'] == 1


# Errors ------------------------------------------------------------------

@pytest.mark.parametrize('expression, message', [
    ('Nothing where id is 1', 'Entity type "Nothing" does not exist.'),
    ('select nothing from Task',
     'Entity type "Task" has no attribute "nothing".'),
    ('Task where nothing is 1', 'has no attribute "nothing"'),
    ('Task where parent.nothing is 1',
     'Entity type "Context" has no attribute "nothing".'),
    ('Task order by nothing', 'has no attribute "nothing"'),
    ('select count(nothing) from Task', 'has no attribute "nothing"'),
])
def test_unknown_types_and_attributes_are_validation_errors(
        run, expression, message):
    # The expression parsed; the schema refused what it names, as the
    # write path refuses unknown types and attributes.
    with pytest.raises(QueryError) as error:
        run(expression)
    assert message in str(error.value)
    assert error.value.exception == 'ValidationError'


@pytest.mark.parametrize('expression, message', [
    ('select name.first from Task', '"name" of "Task" is not a relation'),
    ('Task where name.first is 1', '"name" of "Task" is not a relation'),
    ('Task where bid is abc', 'Invalid value abc for number attribute '
     '"Task.bid": expected a number'),
    ('Task where sort is 1.5', 'expected an integer'),
    ('Task where is_todo is maybe', 'expected true or false'),
    ('Task where start_date > "yesterday"', 'expected an ISO date'),
    ('Task where name like None', 'needs a value'),
    ('Task where bid > None', 'cannot compare'),
    ('Task where name has (id is 1)', 'is not a relation and cannot be used'
     ' with "has"'),
    ('Task where children is 1', 'cannot be compared with a value'),
    ('Task order by children', 'Cannot order or group by relation'),
    ('Task order by children.name', 'is not a single reference'),
    ('Task where link is 1', 'cannot be used in filters'),
    ('Task where id in (select id, name from Task)', 'exactly one attribute'),
    ('Task where (name is x', 'Unbalanced parentheses'),
    ('select custom_attributes.configuration from Task',
     'Cannot project "configuration" beyond the values of '
     '"custom_attributes"'),
    ('Task where name is', 'expected value'),
])
def test_bad_queries_get_clear_errors(run, expression, message):
    with pytest.raises(QueryError) as error:
        run(expression)
    assert message in str(error.value)
    assert error.value.exception == 'ParseError'


# load() ------------------------------------------------------------------

def test_load_returns_stored_values_and_system_projections(database):
    engine, connection = database
    loaded = engine.load(connection, 'Task', [['t3'], 't1', ['missing']])
    assert [item['id'] for item in loaded] == ['t3', 't1']
    assert loaded[0] == {
        '__entity_type__': 'Task', 'id': 't3', 'name': 'animation',
        'context_type': 'task', 'parent_id': 's2', 'project_id': 'p1',
        'object_type_id': TASK_TYPE, 'status_id': 'st1', 'type_id': 'ty1',
        'sort': 3, 'is_todo': False,
    }
    assert loaded[1]['start_date'] == {
        '__type__': 'datetime', 'value': '2024-01-02T03:04:05'
    }


def test_load_keeps_null_system_projections_and_composite_keys(database):
    engine, connection = database
    assert engine.load(connection, 'User', ['u2']) == [{
        '__entity_type__': 'User', 'id': 'u2', 'resource_type': 'user',
        'username': 'bob', 'is_active': False,
    }]
    loaded = engine.load(connection, 'Metadata', [('t1', 'k2')])
    assert loaded == [{
        '__entity_type__': 'Metadata', 'parent_id': 't1', 'key': 'k2',
        'value': 'v2', 'parent_type': 'Task',
    }]
    assert engine.load(connection, 'Context', ['p1'])[0][
        '__entity_type__'] == 'Project'


def test_load_with_projections(database):
    engine, connection = database
    loaded = engine.load(connection, 'Task', ['t1'],
                         projections=['name', 'status.name'])
    assert loaded[0]['status'] == {
        '__entity_type__': 'Status', 'id': 'st1', 'name': 'Not started'
    }
    with pytest.raises(QueryError):
        engine.load(connection, 'Task', [['t1', 'extra']])


def test_plans_are_cached_per_expression(database):
    engine, connection = database
    first = engine.plan('select name from Task where bid > 1')
    assert engine.plan('select name from Task where bid > 1') is first
