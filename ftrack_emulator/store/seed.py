"""The data of a fresh ftrack workspace.

What a new ftrack site has before anyone creates a project: object types
with their well-known ids, task types, statuses and their states,
priorities, a project schema wiring them together, the built-in locations,
asset types, note categories and labels, list categories, user types,
security roles, custom attribute types, the storage scenario setting and
the API user.

Ids that ftrack fixes (object types, locations, the default priority, the
default user type) are used as they are; every other id is derived from the
record's name (:func:`seed_id`), so a reseeded database has the same ids.
Everything is written through the :class:`~ftrack_emulator.store.writer.Writer`,
so the seed obeys the same rules as data clients create.
"""

import json
import uuid

#: Namespace of the ids derived from names.
SEED_NAMESPACE = uuid.UUID('5f0a3c1e-7d2b-4c6e-9a41-2e6f1d7b8c90')

#: Object types with their well-known ids and capabilities.
OBJECT_TYPES = (
    # name, id, statusable, typeable, taskable, leaf, schedulable,
    # time reportable, icon
    ('Folder', '3c133785-51cb-11e3-980a-20c9d0831e59',
     False, False, True, False, False, False, 'folder'),
    ('Episode', '22139355-61da-4c8f-9db4-3abc870166bc',
     False, False, True, False, False, False, 'episode'),
    ('Sequence', 'e5139355-61da-4c8f-9db4-3abc870166bc',
     False, False, True, False, False, False, 'sequence'),
    ('Shot', 'bad911de-3bd6-47b9-8b46-3476e237cb36',
     True, False, True, False, False, False, 'shot'),
    ('Task', '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c',
     True, True, False, True, True, True, 'task'),
    ('AssetBuild', '4be63b64-5010-42fb-bf1f-428af9d638f0',
     True, True, True, False, False, False, 'assetbuild'),
    ('Milestone', '01decdd1-51cb-11e3-9d5b-20c9d0831e59',
     True, False, False, True, True, False, 'milestone'),
)

OBJECT_TYPE_IDS = {row[0]: row[1] for row in OBJECT_TYPES}

#: States: name, short name.
STATES = (
    ('Not started', 'NOT_STARTED'),
    ('In progress', 'IN_PROGRESS'),
    ('Done', 'DONE'),
    ('Blocked', 'BLOCKED'),
)

#: Statuses: name, state short name, colour.
STATUSES = (
    ('Not started', 'NOT_STARTED', '#CCCCCC'),
    ('Ready', 'NOT_STARTED', '#A3E4D7'),
    ('In progress', 'IN_PROGRESS', '#5DADE2'),
    ('Pending review', 'IN_PROGRESS', '#F5B041'),
    ('Requires changes', 'IN_PROGRESS', '#EC7063'),
    ('Approved', 'DONE', '#58D68D'),
    ('Completed', 'DONE', '#1E8449'),
    ('On hold', 'BLOCKED', '#AF7AC5'),
    ('Omitted', 'BLOCKED', '#5D6D7E'),
)

TASK_WORKFLOW = ('Not started', 'Ready', 'In progress', 'Pending review',
                 'Approved', 'On hold', 'Omitted')
VERSION_WORKFLOW = ('Pending review', 'Requires changes', 'Approved')
SHOT_STATUSES = ('Not started', 'In progress', 'Completed', 'On hold',
                 'Omitted')
ASSET_BUILD_STATUSES = ('Not started', 'In progress', 'Completed', 'On hold')
MILESTONE_STATUSES = ('Not started', 'Completed')

#: Task types: name, colour.
TASK_TYPES = (
    ('Generic', '#BDC3C7'), ('Animation', '#E74C3C'),
    ('Modeling', '#3498DB'), ('Rigging', '#9B59B6'),
    ('Texture', '#F39C12'), ('Lookdev', '#D35400'),
    ('Layout', '#16A085'), ('Tracking', '#2ECC71'),
    ('FX', '#E67E22'), ('Lighting', '#F1C40F'),
    ('Compositing', '#1ABC9C'), ('Editing', '#34495E'),
    ('Previz', '#7F8C8D'), ('Concept Art', '#C0392B'),
    ('Character', '#8E44AD'), ('Prop', '#27AE60'),
    ('Environment', '#2980B9'),
)
TASK_TYPE_SCHEMA = ('Generic', 'Animation', 'Modeling', 'Rigging', 'Texture',
                    'Lookdev', 'Layout', 'Tracking', 'FX', 'Lighting',
                    'Compositing', 'Editing', 'Previz', 'Concept Art')
ASSET_BUILD_TYPES = ('Character', 'Prop', 'Environment')

#: The schema default of every typed context's priority_id.
DEFAULT_PRIORITY_ID = '9661b320-3a0c-11e2-81c1-0800200c9a66'

#: Priorities: name, value, colour (the default one is "None").
PRIORITIES = (
    ('Urgent', 4, '#E74C3C'), ('High', 3, '#E67E22'),
    ('Medium', 2, '#F1C40F'), ('Low', 1, '#3498DB'),
    ('None', 0, '#BDC3C7'),
)

#: Built-in locations: name, id, label.
LOCATIONS = (
    ('ftrack.origin', 'ce9b348f-8809-11e3-821c-20c9d081909b', 'Origin'),
    ('ftrack.unmanaged', 'cb268ecc-8809-11e3-a7e2-20c9d081909b', 'Unmanaged'),
    ('ftrack.review', 'cd41be70-8809-11e3-b98a-20c9d081909b', 'Review'),
    ('ftrack.server', '3a372bde-05bc-11e4-8908-20c9d081909b', 'Server'),
    ('ftrack.connect', '07b82a97-8cf9-11e3-9383-20c9d081909b', 'Connect'),
)

#: Asset types: name, short name.
ASSET_TYPES = (
    ('Upload', 'upload'), ('Geometry', 'geo'), ('Image', 'img'),
    ('Camera', 'cam'), ('Compositing', 'comp'), ('Scene', 'scene'),
    ('Rig', 'rig'), ('Animation', 'anim'), ('Texture', 'texture'),
    ('Audio', 'audio'), ('Lookdev', 'lookdev'), ('Render', 'render'),
)

NOTE_CATEGORIES = (
    ('Default', '#BDC3C7'), ('Client feedback', '#E74C3C'),
    ('Internal', '#3498DB'),
)

LIST_CATEGORIES = ('Default', 'Dailies', 'Client review')

#: The user type ftrack gives ordinary users.
DEFAULT_USER_TYPE_ID = 'ac9fa5aa-4361-11e0-b7cc-0019bb4983d8'
USER_TYPES = (('user', DEFAULT_USER_TYPE_ID), ('service', None))

#: Security roles: name, type.
SECURITY_ROLES = (
    ('Administrator', 'ADMIN'), ('API', 'API'),
    ('Project Manager', 'PROJECT'), ('Supervisor', 'PROJECT'),
    ('User', 'PROJECT'),
)

#: Custom attribute types.
CUSTOM_ATTRIBUTE_TYPES = (
    'text', 'number', 'boolean', 'date', 'enumerator', 'dynamic enumerator',
    'expression', 'url', 'notificationtype',
)

STORAGE_SCENARIO = {'scenario': 'ftrack.automatic', 'data': {}}

PROJECT_SCHEMA_NAME = 'VFX'


def seed_id(kind, name):
    """Return the stable id of the seeded *kind* record called *name*."""
    return str(uuid.uuid5(SEED_NAMESPACE, '{0}:{1}'.format(kind, name)))


def _ref(entity_type, entity_id):
    return {'__entity_type__': entity_type, 'id': entity_id}


def seed(writer, connection, batch):
    """Write the fresh-workspace data with *writer* on *connection*."""

    def create(entity_type, data):
        return writer.create(connection, batch, entity_type, data)

    for name, object_id, statusable, typeable, taskable, leaf, schedulable, \
            reportable, icon in OBJECT_TYPES:
        create('ObjectType', {
            'id': object_id, 'name': name, 'icon': icon,
            'sort': [row[0] for row in OBJECT_TYPES].index(name),
            'is_statusable': statusable, 'is_typeable': typeable,
            'is_taskable': taskable, 'is_leaf': leaf,
            'is_schedulable': schedulable, 'is_time_reportable': reportable,
        })
    for name, short in STATES:
        create('State', {'id': seed_id('State', short), 'name': name,
                         'short': short})
    for position, (name, state, color) in enumerate(STATUSES):
        create('Status', {
            'id': seed_id('Status', name), 'name': name, 'color': color,
            'sort': position, 'is_active': True,
            'state': _ref('State', seed_id('State', state)),
        })
    for position, (name, color) in enumerate(TASK_TYPES):
        create('Type', {
            'id': seed_id('Type', name), 'name': name, 'color': color,
            'sort': position, 'is_billable': True,
        })
    for position, (name, value, color) in enumerate(PRIORITIES):
        create('Priority', {
            'id': DEFAULT_PRIORITY_ID if name == 'None'
            else seed_id('Priority', name),
            'name': name, 'value': value, 'color': color, 'sort': position,
        })
    _seed_project_schema(writer, connection, batch, create)
    for name, location_id, label in LOCATIONS:
        create('Location', {
            'id': location_id, 'name': name, 'label': label,
            'description': 'Built-in {0} location.'.format(label.lower()),
        })
    for name, short in ASSET_TYPES:
        create('AssetType', {
            'id': seed_id('AssetType', short), 'name': name, 'short': short,
        })
    for position, (name, color) in enumerate(NOTE_CATEGORIES):
        create('NoteCategory', {
            'id': seed_id('NoteCategory', name), 'name': name,
            'color': color, 'sort': position,
        })
    for name in LIST_CATEGORIES:
        create('ListCategory', {'id': seed_id('ListCategory', name),
                                'name': name})
    for name, type_id in USER_TYPES:
        create('UserType', {'id': type_id or seed_id('UserType', name),
                            'name': name})
    for name, role_type in SECURITY_ROLES:
        create('SecurityRole', {'id': seed_id('SecurityRole', name),
                                'name': name, 'type': role_type})
    for name in CUSTOM_ATTRIBUTE_TYPES:
        create('CustomAttributeType', {
            'id': seed_id('CustomAttributeType', name), 'name': name,
            'core': True,
        })
    create('Setting', {
        'name': 'storage_scenario', 'group': 'STORAGE',
        'value': json.dumps(STORAGE_SCENARIO),
    })


def _seed_project_schema(writer, connection, batch, create):
    """One project schema with task and version workflows, a task type
    schema, the object types and a status/type schema per object type."""
    statuses = [_ref('Status', seed_id('Status', name))
                for name in TASK_WORKFLOW]
    task_workflow = create('WorkflowSchema', {
        'id': seed_id('WorkflowSchema', 'Task'), 'name': 'VFX tasks',
    })[0]
    writer.update(connection, batch, 'WorkflowSchema', [task_workflow],
                  {'statuses': statuses})
    version_workflow = create('WorkflowSchema', {
        'id': seed_id('WorkflowSchema', 'AssetVersion'),
        'name': 'VFX versions',
    })[0]
    writer.update(connection, batch, 'WorkflowSchema', [version_workflow], {
        'statuses': [_ref('Status', seed_id('Status', name))
                     for name in VERSION_WORKFLOW],
    })
    type_schema = create('TaskTypeSchema', {
        'id': seed_id('TaskTypeSchema', 'VFX'), 'name': 'VFX task types',
    })[0]
    writer.update(connection, batch, 'TaskTypeSchema', [type_schema], {
        'types': [_ref('Type', seed_id('Type', name))
                  for name in TASK_TYPE_SCHEMA],
    })
    schema_id = create('ProjectSchema', {
        'id': seed_id('ProjectSchema', PROJECT_SCHEMA_NAME),
        'name': PROJECT_SCHEMA_NAME,
        'task_workflow_schema_id': task_workflow,
        'asset_version_workflow_schema_id': version_workflow,
        'task_type_schema_id': type_schema,
    })[0]
    writer.update(connection, batch, 'ProjectSchema', [schema_id], {
        'object_types': [_ref('ObjectType', object_id)
                         for _, object_id, *_ in OBJECT_TYPES],
    })
    per_object = {
        'Shot': (SHOT_STATUSES, ()),
        'AssetBuild': (ASSET_BUILD_STATUSES, ASSET_BUILD_TYPES),
        'Milestone': (MILESTONE_STATUSES, ()),
        'Folder': ((), ()), 'Episode': ((), ()), 'Sequence': ((), ()),
    }
    for object_name, (status_names, type_names) in per_object.items():
        schema = create('Schema', {
            'id': seed_id('Schema', object_name),
            'project_schema_id': schema_id,
            'object_type_id': OBJECT_TYPE_IDS[object_name],
        })[0]
        for position, name in enumerate(status_names):
            create('SchemaStatus', {
                'schema_id': schema, 'status_id': seed_id('Status', name),
                'sort': position,
            })
        for position, name in enumerate(type_names):
            create('SchemaType', {
                'schema_id': schema, 'type_id': seed_id('Type', name),
                'sort': position,
            })


def ensure_api_user(writer, authenticator, connection, batch, username,
                    api_key):
    """Make sure *username* exists, is active, is an administrator and has
    *api_key*; return its id."""
    users = writer.find(connection, 'User', {'username': username})
    if users:
        user_id = users[0]['id']
        if users[0].get('is_active') is False:
            writer.update(connection, batch, 'User', [user_id],
                          {'is_active': True})
    else:
        user_id = writer.create(connection, batch, 'User', {
            'username': username, 'first_name': username.capitalize(),
            'last_name': 'Emulator', 'email': '{0}@example.com'.format(
                username if '@' not in username else username.split('@')[0]
            ),
            'is_active': True, 'user_type_id': DEFAULT_USER_TYPE_ID,
        })[0]
        role_id = seed_id('SecurityRole', 'Administrator')
        if writer.fetch(connection, 'SecurityRole', (role_id,)) is not None:
            writer.create(connection, batch, 'UserSecurityRole', {
                'user_id': user_id, 'security_role_id': role_id,
                'is_all_open_projects': True,
            })
    authenticator.set_key(connection, user_id, api_key)
    return user_id
