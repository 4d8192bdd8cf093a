"""A small demo production, added by ``ftrack-emulator serve --demo``.

One project, ``demo``, with two sequences of shots, tasks on every shot,
an asset build, assets with versions and components, notes, metadata,
custom attributes (frame range on shots, a review flag on versions), two
artists and their task assignments: enough to try queries and scripts
against without creating anything first. Adding it twice adds nothing.
"""

import datetime

from ftrack_emulator.store.seed import (
    OBJECT_TYPE_IDS, PROJECT_SCHEMA_NAME, seed_id,
)

PROJECT_NAME = 'demo'

SEQUENCES = {
    'sq010': ('sh010', 'sh020', 'sh030'),
    'sq020': ('sh010', 'sh020'),
}
SHOT_TASKS = ('Animation', 'Lighting', 'Compositing')

ARTISTS = (
    ('jane.doe', 'Jane', 'Doe'),
    ('john.smith', 'John', 'Smith'),
)


def _ref(entity_type, entity_id):
    return {'__entity_type__': entity_type, 'id': entity_id}


def _configuration(create, find, key, label, type_name, entity_type,
                   object_type_id, default, config):
    type_rows = find('CustomAttributeType', {'name': type_name})
    return create('CustomAttributeConfiguration', {
        'key': key, 'label': label, 'type_id': type_rows[0]['id'],
        'entity_type': entity_type, 'object_type_id': object_type_id,
        'default': default, 'config': config, 'is_hierarchical': False,
    })[0]


def populate(writer, connection, batch):
    """Add the demo production unless a project named ``demo`` exists."""

    def create(entity_type, data):
        return writer.create(connection, batch, entity_type, data)

    def update(entity_type, entity_id, data):
        return writer.update(connection, batch, entity_type, [entity_id], data)

    def find(entity_type, criteria):
        return writer.find(connection, entity_type, criteria)

    if find('Project', {'name': PROJECT_NAME}):
        return None
    start = datetime.datetime(2024, 1, 8, 9, 0)
    artists = []
    for username, first, last in ARTISTS:
        existing = find('User', {'username': username})
        if existing:
            artists.append(existing[0]['id'])
            continue
        artists.append(create('User', {
            'username': username, 'first_name': first, 'last_name': last,
            'email': '{0}@example.com'.format(username), 'is_active': True,
        })[0])

    project = create('Project', {
        'name': PROJECT_NAME, 'full_name': 'Demo production',
        'project_schema_id': seed_id('ProjectSchema', PROJECT_SCHEMA_NAME),
        'start_date': start, 'end_date': start + datetime.timedelta(days=90),
    })[0]
    fstart = _configuration(
        create, find, 'fstart', 'Frame start', 'number', 'task',
        OBJECT_TYPE_IDS['Shot'], 1001, '{"isdecimal": false}',
    )
    fend = _configuration(
        create, find, 'fend', 'Frame end', 'number', 'task',
        OBJECT_TYPE_IDS['Shot'], 1100, '{"isdecimal": false}',
    )
    for_review = _configuration(
        create, find, 'for_review', 'For review', 'boolean', 'assetversion',
        None, False, '{}',
    )

    in_progress = seed_id('Status', 'In progress')
    not_started = seed_id('Status', 'Not started')
    image_type = seed_id('AssetType', 'img')
    unmanaged = 'cb268ecc-8809-11e3-a7e2-20c9d081909b'
    shot_number = 0
    for sequence_name, shot_names in SEQUENCES.items():
        sequence = create('Sequence', {
            'name': sequence_name, 'parent': _ref('Project', project),
            'project_id': project,
            'description': 'Sequence {0}.'.format(sequence_name),
        })[0]
        for shot_name in shot_names:
            shot_number += 1
            shot = create('Shot', {
                'name': shot_name, 'parent': _ref('Sequence', sequence),
                'project_id': project, 'status_id': in_progress,
                'description': 'Shot {0} of {1}.'.format(
                    shot_name, sequence_name),
            })[0]
            writer.update(connection, batch, 'ContextCustomAttributeValue',
                          [fstart, shot], {'value': 1001})
            writer.update(connection, batch, 'ContextCustomAttributeValue',
                          [fend, shot], {'value': 1000 + 24 * shot_number})
            create('Metadata', {
                'parent_id': shot, 'parent_type': 'Shot', 'key': 'camera',
                'value': 'cam_{0}_{1}'.format(sequence_name, shot_name),
            })
            tasks = {}
            for position, task_type in enumerate(SHOT_TASKS):
                tasks[task_type] = create('Task', {
                    'name': task_type.lower(), 'parent': _ref('Shot', shot),
                    'project_id': project,
                    'type_id': seed_id('Type', task_type),
                    'status_id': in_progress if position == 0
                    else not_started,
                    'start_date': start + datetime.timedelta(
                        days=7 * position),
                    'end_date': start + datetime.timedelta(
                        days=7 * position + 5),
                    'bid': 3600.0 * 8 * (position + 1),
                })[0]
                create('Appointment', {
                    'context_id': tasks[task_type],
                    'resource_id': artists[(shot_number + position) % 2],
                    'type': 'assignment',
                })
            asset = create('Asset', {
                'name': 'plate', 'parent': _ref('Shot', shot),
                'type_id': image_type,
            })[0]
            for number in (1, 2):
                version = create('AssetVersion', {
                    'asset': _ref('Asset', asset), 'version': number,
                    'task': _ref('Task', tasks['Compositing']),
                    'comment': 'Version {0} of the plate.'.format(number),
                    'user_id': artists[number % 2],
                })[0]
                writer.update(
                    connection, batch, 'AssetVersionCustomAttributeValue',
                    [for_review, version], {'value': number == 2},
                )
                component = create('FileComponent', {
                    'name': 'main', 'file_type': '.exr', 'size': 0,
                    'version': _ref('AssetVersion', version),
                })[0]
                create('ComponentLocation', {
                    'component': _ref('FileComponent', component),
                    'location': _ref('Location', unmanaged),
                    'resource_identifier':
                        '/projects/demo/{0}/{1}/plate_v{2:03d}.####.exr'
                        .format(sequence_name, shot_name, number),
                })
            note = create('Note', {
                'content': 'First pass of {0} looks good.'.format(shot_name),
                'user_id': artists[0], 'category_id': seed_id(
                    'NoteCategory', 'Internal'),
            })[0]
            update('Shot', shot, {'notes': [_ref('Note', note)]})

    asset_build = create('AssetBuild', {
        'name': 'hero', 'parent': _ref('Project', project),
        'project_id': project, 'type_id': seed_id('Type', 'Character'),
    })[0]
    create('Task', {
        'name': 'modeling', 'parent': _ref('AssetBuild', asset_build),
        'project_id': project, 'type_id': seed_id('Type', 'Modeling'),
    })
    return project
