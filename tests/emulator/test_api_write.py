"""create, update and delete over HTTP: defaults, validation, links."""

import uuid

import pytest

from emulator_api import create_op, delete_op, update_op

TASK_OBJECT_TYPE = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'
SHOT_OBJECT_TYPE = 'bad911de-3bd6-47b9-8b46-3476e237cb36'
DEFAULT_PRIORITY = '9661b320-3a0c-11e2-81c1-0800200c9a66'


def new_id():
    return str(uuid.uuid4())


@pytest.fixture(scope='module')
def project(api):
    return api.create_project('writes', 'Writes', id=new_id())


@pytest.fixture
def shot(api, project):
    return api.create('Shot', {
        'id': new_id(), 'name': 'sh' + uuid.uuid4().hex[:6],
        'parent': api.ref('Project', project['id']),
        'object_type_id': SHOT_OBJECT_TYPE,
    })


def make_task(api, parent, **data):
    values = {'id': new_id(), 'name': 'task-' + uuid.uuid4().hex[:6],
              'parent': api.ref(parent['__entity_type__'], parent['id']),
              'object_type_id': TASK_OBJECT_TYPE}
    values.update(data)
    return api.create('Task', values)


def test_project_gets_defaults_and_its_context_type(api, project):
    assert project['__entity_type__'] == 'Project'
    assert project['context_type'] == 'show'
    assert project['status'] == 'active'
    assert project['is_global'] is False
    assert project['name'] == 'writes'
    assert project['created_at']['__type__'] == 'datetime'


def test_create_answers_the_persisted_entity(api, shot):
    task = make_task(api, shot, description='hello')
    assert task['__entity_type__'] == 'Task'
    assert task['description'] == 'hello'
    assert task['object_type_id'] == TASK_OBJECT_TYPE
    assert task['project_id'] == shot['project_id']
    assert task['context_type'] == 'task'
    assert task['priority_id'] is not None


def test_generated_ids_and_schema_defaults(api, shot):
    result = api.call([create_op('Task', {
        'name': 'no-id', 'parent': api.ref('Shot', shot['id'])})])[0]
    task = result['data']
    uuid.UUID(task['id'])
    assert result['action'] == 'create'
    # Defaults come from the schema: the Task classifier and priority.
    assert task['object_type_id'] == TASK_OBJECT_TYPE
    assert task['priority_id'] == DEFAULT_PRIORITY
    assert task['bid'] == 0 and task['sort'] == 0


def test_entity_key_supplies_the_primary_key(api, shot):
    task_id = new_id()
    task = api.call([create_op('Task', {
        'name': 'keyed', 'parent': api.ref('Shot', shot['id'])},
        key=[task_id])])[0]['data']
    assert task['id'] == task_id


def test_task_without_status_or_type_gets_the_schema_first(api, shot):
    task = make_task(api, shot)
    status = api.query('select name from Status where id is {0}'.format(
        task['status_id']))['data'][0]
    task_type = api.query('select name from Type where id is {0}'.format(
        task['type_id']))['data'][0]
    assert status['name'] == 'Not started'
    assert task_type['name'] == 'Generic'


def test_folder_without_statuses_keeps_none(api, project):
    folder = api.create('Folder', {
        'name': 'folder', 'parent': api.ref('Project', project['id'])})
    assert folder.get('status_id') is None
    assert folder['project_id'] == project['id']


def test_discriminator_is_set_and_checked(api, project):
    shot = api.create('Shot', {'name': 'typed',
                               'parent': api.ref('Project', project['id'])})
    assert shot['object_type_id'] == SHOT_OBJECT_TYPE
    assert shot['__entity_type__'] == 'Shot'
    error = api.error([create_op('Shot', {
        'name': 'mistyped', 'object_type_id': TASK_OBJECT_TYPE,
        'parent': api.ref('Project', project['id'])})])
    assert error['exception'] == 'ValidationError'
    assert '"object_type_id" of a Shot must be' in error['content']


def test_querying_a_supertype_types_rows_concretely(api, project, shot):
    task = make_task(api, shot)
    found = api.query(
        'select name from TypedContext where id in ({0}, {1})'.format(
            shot['id'], task['id']))['data']
    assert {item['__entity_type__'] for item in found} == {'Shot', 'Task'}


@pytest.mark.parametrize('attribute, value, fragment', [
    ('name', 5, '"name" of Task must be a string, got 5 (integer)'),
    ('bid', 'lots', '"bid" of Task must be a number'),
    ('bid', True, '"bid" of Task must be a number'),
    ('start_date', 'yesterday', 'Could not read "yesterday"'),
    ('start_date', 12, '"start_date" of Task'),
    ('parent', 'not-a-reference', '"parent" of Task must be a reference'),
])
def test_wrong_value_types_name_the_attribute(api, shot, attribute, value,
                                              fragment):
    error = api.error([create_op('Task', {
        'name': 'bad', 'parent': api.ref('Shot', shot['id']),
        attribute: value})])
    assert error['exception'] == 'ValidationError'
    assert fragment in error['content'], error['content']


def test_integers_and_booleans_are_checked(api):
    error = api.error([create_op('Status', {'name': 'x', 'sort': 1.5,
                                            'is_active': True})])
    assert '"sort" of Status must be an integer' in error['content']
    error = api.error([create_op('Status', {'name': 'x', 'is_active': 'yes'})])
    assert '"is_active" of Status must be a boolean' in error['content']
    status = api.create('Status', {'name': 'whole', 'sort': 2.0,
                                   'is_active': True})
    assert status['sort'] == 2


def test_unknown_attributes_and_types_are_refused(api, shot):
    error = api.error([create_op('Task', {
        'name': 'x', 'parent': api.ref('Shot', shot['id']), 'colour': 'red'})])
    assert error['exception'] == 'ValidationError'
    assert 'Entity type "Task" has no attribute "colour".' in error['content']
    error = api.error([create_op('Gizmo', {'name': 'x'})])
    assert 'Entity type "Gizmo" does not exist' in error['content']
    error = api.error([delete_op('Gizmo', ['x'])])
    assert 'Entity type "Gizmo" does not exist' in error['content']


def test_abstract_types_cannot_be_created(api):
    error = api.error([create_op('Context', {'name': 'x'})])
    assert 'abstract' in error['content']


def test_computed_attributes_are_refused(api, shot):
    task = make_task(api, shot)
    error = api.error([update_op('Task', [task['id']],
                                 {'thumbnail_url': {'url': 'x'}})])
    assert 'computed by the server' in error['content']
    error = api.error([update_op('Task', [task['id']], {'time_logged': 3})])
    assert 'computed by the server' in error['content']
    error = api.error([update_op('Task', [task['id']], {'link': 'x'})])
    assert '"link" of Task is computed by the server' in error['content']


def test_immutable_attributes_cannot_change(api, shot):
    task = make_task(api, shot)
    error = api.error([update_op('Task', [task['id']],
                                 {'object_type_id': SHOT_OBJECT_TYPE})])
    assert 'immutable attribute "object_type_id"' in error['content']
    error = api.error([update_op('Task', [task['id']], {'id': new_id()})])
    assert 'immutable attribute "id"' in error['content']
    # Re-sending the current value is harmless.
    api.call([update_op('Task', [task['id']],
                        {'object_type_id': TASK_OBJECT_TYPE})])


def test_immutable_attributes_may_fill_an_empty_value(api, project):
    sequence = api.create('Sequence', {
        'name': 'unset', 'parent': api.ref('Project', project['id'])})
    assert sequence.get('status_id') is None
    statuses = api.query('select id from Status limit 2')['data']
    api.call([update_op('Sequence', [sequence['id']], {
        'status': api.ref('Status', statuses[0]['id'])})])
    error = api.error([update_op('Sequence', [sequence['id']], {
        'status': api.ref('Status', statuses[1]['id'])})])
    assert 'immutable attribute "status"' in error['content']


def test_required_attributes(api):
    error = api.error([create_op('AssetType', {'name': 'no short'})])
    assert 'Missing required attribute "short" for AssetType' in \
        error['content']
    asset_type = api.create('AssetType', {'name': 'req', 'short': 'req'})
    error = api.error([update_op('AssetType', [asset_type['id']],
                                 {'short': None})])
    assert 'is required and cannot be null' in error['content']


def test_duplicate_primary_keys_are_refused(api, shot):
    task = make_task(api, shot)
    error = api.error([create_op('Task', {
        'id': task['id'], 'name': 'again',
        'parent': api.ref('Shot', shot['id'])})])
    assert error['exception'] == 'DuplicateEntryError'


def test_references_must_exist_and_fit(api, shot):
    error = api.error([create_op('Task', {
        'name': 'orphan', 'parent': api.ref('Shot', new_id())})])
    assert 'refers to Shot' in error['content']
    assert 'which does not exist' in error['content']
    user = api.query('select id from User limit 1')['data'][0]
    error = api.error([create_op('Task', {
        'name': 'odd', 'parent': api.ref('User', user['id'])})])
    assert '"parent" of Task must refer to a Context' in error['content']


def test_foreign_keys_written_as_attributes_must_exist(api, shot):
    missing = new_id()
    error = api.error([create_op('Task', {
        'name': 'orphan', 'parent_id': missing})])
    assert error['exception'] == 'ValidationError'
    assert '"parent_id" of Task refers to Context {0}, which does not ' \
        'exist'.format(missing) in error['content']
    assert api.query('select id from Task where name is "orphan"')[
        'data'] == []
    task = make_task(api, shot)
    error = api.error([update_op('Task', [task['id']], {
        'status_id': missing})])
    assert '"status_id" of Task refers to Status' in error['content']
    # A key that exists, and one created earlier in the same request, work.
    sequence_id = new_id()
    api.call([
        create_op('Sequence', {'id': sequence_id, 'name': 'sq',
                               'parent_id': shot['parent_id']}),
        create_op('Task', {'name': 'child', 'parent_id': sequence_id}),
    ])


def test_update_changes_scalars_and_references(api, project, shot):
    task = make_task(api, shot)
    other = api.create('Shot', {'name': 'other',
                                'parent': api.ref('Project', project['id'])})
    status = api.query('select id from Status where name is "Approved"')[
        'data'][0]
    result = api.call([update_op('Task', [task['id']], {
        'name': 'renamed', 'parent': api.ref('Shot', other['id']),
        'status': api.ref('Status', status['id']),
        'start_date': {'__type__': 'datetime',
                       'value': '2024-01-02T03:04:05+02:00'},
    })])[0]
    assert result['action'] == 'update'
    data = result['data']
    assert data['name'] == 'renamed'
    assert data['parent_id'] == other['id']
    assert data['status_id'] == status['id']
    # Aware datetimes are stored as naive UTC.
    assert data['start_date'] == {'__type__': 'datetime',
                                  'value': '2024-01-02T01:04:05'}
    reloaded = api.query(
        'select name, parent.name from Task where id is {0}'.format(
            task['id']))['data'][0]
    assert reloaded['parent']['name'] == 'other'


def test_dates_and_naive_datetimes(api, shot):
    task = make_task(api, shot, start_date={'__type__': 'datetime',
                                            'value': '2024-05-06'},
                     end_date={'__type__': 'datetime',
                               'value': '2024-05-07T10:00:00.250000'})
    assert task['start_date']['value'] == '2024-05-06T00:00:00'
    # Stored to the second, as ftrack stores them, so that a client
    # querying what it wrote (clients drop microseconds) finds it again.
    assert task['end_date']['value'] == '2024-05-07T10:00:00'
    found = api.query('select id from Task where end_date is '
                      '"2024-05-07T10:00:00"')['data']
    assert [row['id'] for row in found] == [task['id']]


def test_updating_a_missing_entity_fails(api):
    error = api.error([update_op('Task', [new_id()], {'name': 'x'})])
    assert error['exception'] == 'NoResultFoundError'
    assert 'does not exist' in error['content']


@pytest.mark.parametrize('key, fragment', [
    ([], 'non-empty list'),
    (['a', 'b'], 'must hold 1 value'),
    ([None], 'must be strings'),
])
def test_bad_entity_keys(api, key, fragment):
    error = api.error([update_op('Task', key, {'name': 'x'})])
    assert fragment in error['content']


def test_metadata_with_its_composite_key(api, shot):
    task = make_task(api, shot)
    results = api.call([
        create_op('Metadata', {'parent_id': task['id'], 'parent_type': 'Task',
                               'key': 'k1', 'value': 'v1'}),
        update_op('Task', [task['id']], {'metadata': [
            {'__entity_type__': 'Metadata', 'parent_id': task['id'],
             'key': 'k1'}]}),
    ])
    metadata = results[0]['data']
    assert metadata['__entity_type__'] == 'Metadata'
    assert (metadata['parent_id'], metadata['key']) == (task['id'], 'k1')
    api.call([update_op('Metadata', [task['id'], 'k1'], {'value': 'v2'})])
    found = api.query('select metadata from Task where id is {0}'.format(
        task['id']))['data'][0]
    values = {item['key']: item['value'] for item in found['metadata']}
    assert values == {'k1': 'v2'}
    api.call([delete_op('Metadata', [task['id'], 'k1']),
              update_op('Task', [task['id']], {'metadata': []})])
    found = api.query('select metadata from Task where id is {0}'.format(
        task['id']))['data'][0]
    assert found['metadata'] == []


def test_notes_are_linked_through_the_parent_collection(api, shot):
    task = make_task(api, shot)
    user = api.query('select id from User limit 1')['data'][0]
    note_ids = [new_id(), new_id()]
    api.call([
        create_op('Note', {'id': note_ids[0], 'content': 'first',
                           'author': api.ref('User', user['id'])}),
        update_op('Task', [task['id']], {
            'notes': [api.ref('Note', note_ids[0])]}),
    ])
    api.call([
        create_op('Note', {'id': note_ids[1], 'content': 'second',
                           'user_id': user['id']}),
        update_op('Task', [task['id']], {
            'notes': [api.ref('Note', note_ids[0]),
                      api.ref('Note', note_ids[1])]}),
    ])
    notes = api.query(
        'select content, parent_id, parent_type from Note where id in '
        '({0}, {1})'.format(*note_ids))['data']
    assert {note['parent_id'] for note in notes} == {task['id']}
    assert {note['parent_type'] for note in notes} == {'Task'}
    found = api.query('select notes.content from Task where id is {0}'.format(
        task['id']))['data'][0]
    assert sorted(note['content'] for note in found['notes']) == [
        'first', 'second']
    # Dropping a note from the collection unlinks it.
    api.call([update_op('Task', [task['id']], {
        'notes': [api.ref('Note', note_ids[1])]})])
    first = api.query('select parent_id from Note where id is {0}'.format(
        note_ids[0]))['data'][0]
    assert first.get('parent_id') is None


def test_collection_updates_check_their_items(api, shot):
    task = make_task(api, shot)
    error = api.error([update_op('Task', [task['id']], {'notes': 'x'})])
    assert 'must be a list of references' in error['content']
    error = api.error([update_op('Task', [task['id']], {
        'notes': [api.ref('Note', new_id())]})])
    assert 'which does not exist' in error['content']


def test_redundant_collection_updates_are_accepted(api, shot):
    user = api.query('select id from User limit 1')['data'][0]
    note_id = new_id()
    api.call([
        create_op('Note', {'id': note_id, 'content': 'to you',
                           'user_id': user['id']}),
        create_op('Recipient', {'note_id': note_id,
                                'resource_id': user['id']}),
        update_op('Note', [note_id], {'recipients': [{
            '__entity_type__': 'Recipient', 'note_id': note_id,
            'resource_id': user['id']}]}),
    ])
    found = api.query(
        'select recipients.resource_id from Note where id is {0}'.format(
            note_id))['data'][0]
    assert [item['resource_id'] for item in found['recipients']] == [
        user['id']]


def test_sequence_members_via_container_and_collection(api):
    container = new_id()
    members = [new_id(), new_id()]
    api.call([
        create_op('SequenceComponent', {'id': container, 'name': 'seq',
                                        'padding': 4}),
    ] + [
        create_op('FileComponent', {
            'id': member, 'name': '000{0}'.format(index),
            'container': {'__entity_type__': 'SequenceComponent',
                          'id': container}})
        for index, member in enumerate(members)
    ] + [
        update_op('SequenceComponent', [container], {'members': [
            {'__entity_type__': 'FileComponent', 'id': member}
            for member in members]}),
    ])
    found = api.query(
        'select members, system_type from SequenceComponent where id is '
        '{0}'.format(container))['data'][0]
    assert found['system_type'] == 'sequence'
    assert sorted(item['id'] for item in found['members']) == sorted(members)


def test_link_table_collections(api):
    object_type = api.create('ObjectType', {'name': 'Custom' + uuid.uuid4()
                                            .hex[:4]})
    schema = api.create('ProjectSchema', {'name': 'linked'})
    api.call([update_op('ProjectSchema', [schema['id']], {
        'object_types': [api.ref('ObjectType', object_type['id'])]})])
    found = api.query('select object_types.name from ProjectSchema where id '
                      'is {0}'.format(schema['id']))['data'][0]
    assert [item['id'] for item in found['object_types']] == [
        object_type['id']]
    api.call([update_op('ProjectSchema', [schema['id']],
                        {'object_types': []})])
    found = api.query('select object_types from ProjectSchema where id '
                      'is {0}'.format(schema['id']))['data'][0]
    assert found['object_types'] == []


def test_delete_answers_true(api):
    status = api.create('Status', {'name': 'gone', 'is_active': True})
    result = api.call([delete_op('Status', [status['id']])])[0]
    assert result == {'action': 'delete', 'data': True}
    assert api.query('select id from Status where id is {0}'.format(
        status['id']))['data'] == []
    error = api.error([delete_op('Status', [status['id']])])
    assert error['exception'] == 'NoResultFoundError'


def test_deleting_a_context_cascades(api, project):
    sequence = api.create('Sequence', {
        'name': 'doomed', 'parent': api.ref('Project', project['id'])})
    shot = api.create('Shot', {'name': 'doomed-shot',
                               'parent': api.ref('Sequence', sequence['id'])})
    task = make_task(api, shot)
    user = api.query('select id from User limit 1')['data'][0]
    note_id, asset_id, version_id, component_id = (new_id() for _ in range(4))
    asset_type = api.query('select id from AssetType limit 1')['data'][0]
    location = api.query('select id from Location where name is '
                         '"ftrack.unmanaged"')['data'][0]
    configuration = api.create('CustomAttributeConfiguration', {
        'key': 'cascade_' + uuid.uuid4().hex[:6], 'label': 'c',
        'entity_type': 'task', 'object_type_id': TASK_OBJECT_TYPE,
        'config': '{}', 'type_id': api.query(
            'select id from CustomAttributeType where name is "text"')[
            'data'][0]['id'],
    })
    api.call([
        create_op('Note', {'id': note_id, 'content': 'n',
                           'user_id': user['id']}),
        update_op('Task', [task['id']], {'notes': [api.ref('Note', note_id)]}),
        create_op('Metadata', {'parent_id': task['id'], 'parent_type': 'Task',
                               'key': 'k', 'value': 'v'}),
        update_op('ContextCustomAttributeValue',
                  [configuration['id'], task['id']], {'value': 'x'}),
        create_op('Appointment', {'context_id': task['id'],
                                  'resource_id': user['id'],
                                  'type': 'assignment'}),
        create_op('Asset', {'id': asset_id, 'name': 'a',
                            'parent': api.ref('Shot', shot['id']),
                            'type_id': asset_type['id']}),
        create_op('AssetVersion', {'id': version_id,
                                   'asset': api.ref('Asset', asset_id)}),
        create_op('FileComponent', {'id': component_id, 'name': 'main',
                                    'version_id': version_id}),
        create_op('ComponentLocation', {
            'component_id': component_id, 'location_id': location['id'],
            'resource_identifier': '/x'}),
    ])
    api.call([delete_op('Sequence', [sequence['id']])])
    for expression in (
        'select id from Context where id in ({0}, {1}, {2})'.format(
            sequence['id'], shot['id'], task['id']),
        'select id from Note where id is {0}'.format(note_id),
        'select key from Metadata where parent_id is {0}'.format(task['id']),
        'select id from Appointment where context_id is {0}'.format(
            task['id']),
        'select id from Asset where id is {0}'.format(asset_id),
        'select id from AssetVersion where id is {0}'.format(version_id),
        'select id from Component where id is {0}'.format(component_id),
        'select id from ComponentLocation where component_id is {0}'.format(
            component_id),
        'select value from CustomAttributeValue where entity_id is {0}'
        .format(task['id']),
    ):
        assert api.query(expression)['data'] == [], expression
    # The project and shared data stay.
    assert api.query('select id from Project where id is {0}'.format(
        project['id']))['data']
    assert api.query('select id from User where id is {0}'.format(
        user['id']))['data']


def test_deleting_a_component_removes_its_locations(api):
    component_id = new_id()
    location = api.query('select id from Location where name is '
                         '"ftrack.server"')['data'][0]
    api.call([
        create_op('FileComponent', {'id': component_id, 'name': 'c'}),
        create_op('ComponentLocation', {
            'component': {'__entity_type__': 'FileComponent',
                          'id': component_id},
            'location': api.ref('Location', location['id']),
            'resource_identifier': component_id}),
        create_op('Metadata', {'parent_id': component_id,
                               'parent_type': 'FileComponent', 'key': 'k',
                               'value': 'v'}),
    ])
    api.call([delete_op('FileComponent', [component_id])])
    assert api.query('select id from ComponentLocation where component_id '
                     'is {0}'.format(component_id))['data'] == []
    assert api.query('select key from Metadata where parent_id is '
                     '{0}'.format(component_id))['data'] == []
    assert api.query('select id from Location where id is {0}'.format(
        location['id']))['data']


def test_delete_of_an_entity_cascaded_earlier_in_the_batch(api, project):
    shot = api.create('Shot', {'name': 'twice',
                               'parent': api.ref('Project', project['id'])})
    task = make_task(api, shot)
    api.call([delete_op('Shot', [shot['id']]),
              delete_op('Task', [task['id']])])
    assert api.query('select id from Task where id is {0}'.format(
        task['id']))['data'] == []


def test_create_then_delete_in_one_batch(api, shot):
    task_id = new_id()
    results = api.call([
        create_op('Task', {'id': task_id, 'name': 'brief',
                           'parent': api.ref('Shot', shot['id'])}),
        delete_op('Task', [task_id]),
    ])
    assert results[0]['data'] == {'__entity_type__': 'Task', 'id': task_id}
    assert results[1] == {'action': 'delete', 'data': True}


def test_a_user_gets_a_username_and_duplicates_are_refused(api):
    user = api.create('User', {'first_name': 'No', 'last_name': 'Name'})
    assert user['username']
    assert user['resource_type'] == 'user'
    assert user['is_active'] is False
    assert user['user_type_id'] == 'ac9fa5aa-4361-11e0-b7cc-0019bb4983d8'
    error = api.error([create_op('User', {'username': user['username']})])
    assert error['exception'] == 'DuplicateEntryError'


def test_one_timer_per_user(api, shot):
    user = api.create('User', {'username': 'timed-' + uuid.uuid4().hex})
    api.create('Timer', {'user': api.ref('User', user['id']),
                         'context': api.ref('Shot', shot['id'])})
    error = api.error([create_op('Timer', {
        'user': api.ref('User', user['id'])})])
    assert error['exception'] == 'DuplicateEntryError'
    assert 'DuplicateEntryError' in error['content']


def test_asset_versions_get_number_and_status(api, shot):
    asset = api.create_asset('numbered', api.ref('Shot', shot['id']))
    first = api.create('AssetVersion', {'asset': api.ref('Asset',
                                                          asset['id'])})
    second = api.create('AssetVersion', {'asset': api.ref('Asset',
                                                           asset['id'])})
    assert (first['version'], second['version']) == (1, 2)
    status = api.query('select name from Status where id is {0}'.format(
        first['status_id']))['data'][0]
    assert status['name'] == 'Pending review'


def test_lists_lose_their_entries_with_the_list_or_the_entity(api, project,
                                                             shot):
    category = api.query('select id from ListCategory limit 1')['data'][0]
    task = make_task(api, shot)
    kept = make_task(api, shot)
    task_list = api.create('TypedContextList', {
        'name': 'dailies', 'project': api.ref('Project', project['id']),
        'category': api.ref('ListCategory', category['id'])})
    entries = [api.create('ListObject', {
        'list': api.ref('TypedContextList', task_list['id']),
        'entity_id': item['id']}) for item in (task, kept)]
    api.call([delete_op('Task', [task['id']])])
    remaining = api.query('select entity_id from ListObject where list_id is '
                          '{0}'.format(task_list['id']))['data']
    assert [item['entity_id'] for item in remaining] == [kept['id']]
    api.call([delete_op('TypedContextList', [task_list['id']])])
    assert api.query('select id from ListObject where id is {0}'.format(
        entries[1]['id']))['data'] == []
    assert api.query('select id from Task where id is {0}'.format(
        kept['id']))['data']


def test_review_sessions_get_dates_and_objects_an_order(api, project, shot):
    session = api.create('ReviewSession', {
        'name': 'Weekly review', 'description': 'See updates.',
        'project': api.ref('Project', project['id'])})
    assert session['start_date'] is not None
    assert session['end_date']['value'] > session['start_date']['value']
    asset = api.create_asset('review', api.ref('Shot', shot['id']))
    version = api.create('AssetVersion', {'asset': api.ref('Asset',
                                                            asset['id'])})
    orders = [api.create('ReviewSessionObject', {
        'name': name, 'description': '', 'version': 'v1',
        'review_session': api.ref('ReviewSession', session['id']),
        'asset_version': api.ref('AssetVersion', version['id']),
    })['sort_order'] for name in ('first', 'second')]
    assert orders == [0, 1]
