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
    'type': [dict(id='ty1', name='Animation'), dict(id='ty2', name='Lighting')],
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
