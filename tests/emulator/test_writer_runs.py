"""Runs of consecutive updates and deletes in one request.

The writer reads the entities of a run of updates ahead in one select per
type and carries out a run of deletes as one deletion with the cascades of
all its entities. Neither may be observable: a request must leave the same
data, answer the same errors and announce the same changes as the same
operations sent one per request. Most tests here are comparisons: the same
operations applied to identically built data on a freshly reset emulator,
once as one request and once as one request per operation.
"""

import datetime
import json
import re

import pytest
import sqlalchemy

from emulator_api import ApiClient, create_op, delete_op, update_op

try:
    from test_events_server import RawClient
except ImportError:  # tests collected as a package
    from .test_events_server import RawClient

SHOT_TYPE = 'bad911de-3bd6-47b9-8b46-3476e237cb36'
TASK_TYPE = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'

#: The suffix the emulator appends to an error naming the failed operation.
POSITION = re.compile(r' \[operation \d+ of \d+ \([^)]*\)\]$')


ref = ApiClient.ref


# Observing the emulator -------------------------------------------------

def _plain(value):
    """*value* with timestamps replaced: data built twice is built at two
    moments, everything else must be equal."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return '<moment>'
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def api_user_id(server):
    """The API user's id: made afresh by every reset."""
    backend = server.backend

    def read():
        with backend.database.begin() as connection:
            return backend.auth.authenticate(
                connection, server.api_user, server.api_key)['id']

    return backend.call(read)


#: A timestamp as events carry them.
MOMENT = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?')

#: Ids the emulator draws at random (version 4 UUIDs): the API user's
#: security role and anything else the seed or a write makes up.
RANDOM_ID = re.compile(
    r'[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}')


def _anonymous(text, user_id):
    return text.replace(user_id, '<api-user>')


def database_state(server):
    """Every row of every table, timestamps and the API user's id blanked,
    in a stable order."""
    backend = server.backend
    user_id = api_user_id(server)

    def read():
        state = {}
        with backend.database.engine.connect() as connection:
            for table in backend.database.metadata.sorted_tables:
                rows = connection.execute(sqlalchemy.select(table)).all()
                state[table.name] = sorted(RANDOM_ID.sub(
                    '<random>', _anonymous(json.dumps(
                        _plain(list(row)), default=str), user_id))
                    for row in rows)
        return state

    return backend.call(read)


class Recorder:
    """Keeps the change records of every committed request, per request."""

    def __init__(self):
        self.requests = []

    def __call__(self, changes, user):
        self.requests.append(_plain(list(changes)))

    def flat(self, server):
        """All records so far, the API user's id blanked."""
        records = [record for changes in self.requests for record in changes]
        return json.loads(_anonymous(json.dumps(records, default=str),
                                     api_user_id(server)))


@pytest.fixture
def recorder(ftrack_server):
    listener = Recorder()
    ftrack_server.backend.commit_listeners.append(listener)
    yield listener
    ftrack_server.backend.commit_listeners.remove(listener)


@pytest.fixture(autouse=True)
def fresh(ftrack_server):
    """Every test starts from the seeded data (the comparisons reset the
    emulator themselves)."""
    ftrack_server.reset()


def same_error(batched, lone):
    """Both error payloads say the same, apart from which operation of how
    many failed."""
    assert batched['exception'] == lone['exception']
    assert batched.get('error_code') == lone.get('error_code')
    assert POSITION.sub('', batched['content']) == \
        POSITION.sub('', lone['content'])


# Data ---------------------------------------------------------------------

def seeded(api, expression):
    return api.query(expression)['data'][0]['id']


def build_scene(api):
    """Project, sequence, shots, tasks, assets, versions, components,
    notes, metadata, custom attribute values, a list and a user, all with
    fixed ids so that two builds are identical."""
    schema = seeded(api, 'select id from ProjectSchema')
    asset_type = seeded(api, 'select id from AssetType')
    category = seeded(api, 'select id from ListCategory')
    location = seeded(api, 'select id from Location where name is '
                           '"ftrack.unmanaged"')
    text_type = seeded(api, 'select id from CustomAttributeType where name '
                            'is "text"')
    author = seeded(api, 'select id from User where username is "{0}"'
                    .format(api.server.api_user))
    operations = [
        create_op('Project', {'id': 'prj', 'name': 'runs', 'full_name': 'R',
                              'project_schema': ref('ProjectSchema',
                                                    schema)}),
        create_op('Sequence', {'id': 'seq', 'name': 'seq',
                               'parent': ref('Project', 'prj')}),
        create_op('User', {'id': 'usr', 'username': 'run-user'}),
        create_op('CustomAttributeConfiguration', {
            'id': 'cfg', 'key': 'runs_text', 'label': 'runs',
            'entity_type': 'task', 'object_type_id': TASK_TYPE,
            'config': '{}', 'type_id': text_type}),
        create_op('TypedContextList', {
            'id': 'lst', 'name': 'dailies', 'project': ref('Project', 'prj'),
            'category': ref('ListCategory', category)}),
    ]
    for number in range(1, 4):
        shot, task = 'sh{0}'.format(number), 'tk{0}'.format(number)
        asset, version = 'as{0}'.format(number), 'av{0}'.format(number)
        component, note = 'co{0}'.format(number), 'nt{0}'.format(number)
        operations += [
            create_op('Shot', {'id': shot, 'name': shot,
                               'parent': ref('Sequence', 'seq'),
                               'object_type_id': SHOT_TYPE}),
            create_op('Task', {'id': task, 'name': task,
                               'parent': ref('Shot', shot),
                               'object_type_id': TASK_TYPE}),
            create_op('Asset', {'id': asset, 'name': asset,
                                'parent': ref('Shot', shot),
                                'type_id': asset_type}),
            create_op('AssetVersion', {'id': version,
                                       'asset': ref('Asset', asset)}),
            create_op('FileComponent', {'id': component, 'name': 'main',
                                        'version_id': version}),
            create_op('ComponentLocation', {
                'id': 'cl{0}'.format(number), 'component_id': component,
                'location_id': location, 'resource_identifier': component}),
            create_op('Note', {'id': note, 'content': note,
                               'user_id': author, 'parent_id': task,
                               'parent_type': 'Task'}),
            create_op('Metadata', {'parent_id': task, 'parent_type': 'Task',
                                   'key': 'k', 'value': task}),
            update_op('ContextCustomAttributeValue', ['cfg', task],
                      {'value': task}),
            create_op('ListObject', {'id': 'lo{0}'.format(number),
                                     'list': ref('TypedContextList', 'lst'),
                                     'entity_id': task}),
        ]
    # A note hanging off a user (no cascade takes it with the user).
    operations.append(create_op('Note', {
        'id': 'nu', 'content': 'to a user', 'user_id': author,
        'parent_id': 'usr', 'parent_type': 'User'}))
    api.call(operations)


#: An operation that changes nothing but ends a run of updates or deletes.
SEPARATOR = {'action': 'query', 'expression': 'select id from Project'}


def compare(server, api, recorder, operations, build=build_scene,
            separately=True):
    """Apply *operations* to identical builds: as one request, then as one
    request with the runs broken up (every operation on its own, but in
    one transaction) and, when *separately*, as one request per operation.
    Assert the same data and change records result each time; return the
    records."""
    def apply(requests):
        server.reset()
        build(api)
        del recorder.requests[:]
        for request in requests:
            api.call(request)
        return database_state(server), recorder.flat(server)

    broken_up = [SEPARATOR]
    for operation in operations:
        broken_up += [operation, SEPARATOR]
    expected = apply([broken_up])
    if separately:
        assert apply([[operation] for operation in operations]) == expected
    # Last, so that the caller finds the batched result in the emulator.
    batched_state, batched_records = apply([operations])
    assert len(recorder.requests) == 1
    assert (batched_state, batched_records) == expected
    return batched_records


def removed(records):
    return [(record['entity_type'], record['key']) for record in records
            if record['action'] == 'remove']


def exists(api, entity_type, entity_id):
    return bool(api.query('select id from {0} where id is "{1}"'.format(
        entity_type, entity_id))['data'])


# Updates -----------------------------------------------------------------

RUN = 300


def make_shots(api, count=RUN):
    schema = seeded(api, 'select id from ProjectSchema')
    api.call([create_op('Project', {
        'id': 'prj', 'name': 'many', 'full_name': 'Many',
        'project_schema': ref('ProjectSchema', schema)})] + [
        create_op('Shot', {'id': 'shot{0:04d}'.format(number),
                           'name': 'shot{0:04d}'.format(number),
                           'parent': ref('Project', 'prj')})
        for number in range(count)])
    return ['shot{0:04d}'.format(number) for number in range(count)]


def names(api):
    return {shot['id']: (shot['name'], shot.get('description'))
            for shot in api.query('select name, description from Shot where '
                                  'project_id is "prj"')['data']}


def test_a_long_run_of_updates_stores_every_change(api):
    shots = make_shots(api)
    results = api.call([
        update_op('Shot', [shot], {'name': 'renamed-' + shot,
                                   'description': shot[::-1]})
        for shot in shots])
    assert [result['data']['id'] for result in results] == shots
    assert all(result['data']['name'] == 'renamed-' + result['data']['id']
               for result in results)
    assert names(api) == {shot: ('renamed-' + shot, shot[::-1])
                          for shot in shots}


def test_a_run_updating_one_entity_twice_keeps_the_last_value(api):
    shots = make_shots(api, 3)
    api.call([
        update_op('Shot', [shots[0]], {'name': 'first'}),
        update_op('Shot', [shots[1]], {'name': 'other'}),
        update_op('Shot', [shots[0]], {'name': 'second',
                                       'description': 'kept'}),
        update_op('Shot', [shots[0]], {'description': 'last'}),
    ])
    found = names(api)
    assert found[shots[0]] == ('second', 'last')
    assert found[shots[1]] == ('other', None)


@pytest.mark.parametrize('position', [0, RUN // 2, RUN - 1])
def test_a_missing_entity_in_a_run_of_updates_fails_like_a_lone_update(
        api, position):
    shots = make_shots(api)
    before = names(api)
    operations = [update_op('Shot', [shot], {'name': 'changed'})
                  for shot in shots]
    operations.insert(position, update_op('Shot', ['no-such-shot'],
                                          {'name': 'x'}))
    batched = api.error(operations)
    lone = api.error([update_op('Shot', ['no-such-shot'], {'name': 'x'})])
    same_error(batched, lone)
    assert batched['exception'] == 'NoResultFoundError'
    assert batched['content'].endswith('[operation {0} of {1} (update Shot)]'
                                       .format(position + 1, RUN + 1))
    # One transaction: the updates before it are not kept either.
    assert names(api) == before


def test_a_shot_of_the_wrong_type_in_a_run_of_updates_is_missing(api):
    make_shots(api, 2)
    api.call([create_op('Task', {'id': 'tsk', 'name': 'tsk',
                                 'parent': ref('Shot', 'shot0000')})])
    batched = api.error([update_op('Shot', ['shot0000'], {'name': 'a'}),
                         update_op('Shot', ['tsk'], {'name': 'b'})])
    lone = api.error([update_op('Shot', ['tsk'], {'name': 'b'})])
    same_error(batched, lone)
    assert names(api)['shot0000'][0] == 'shot0000'


@pytest.mark.parametrize('key', [[], ['a', 'b'], [None], 'plain'])
def test_a_malformed_key_in_a_run_of_updates_fails_like_a_lone_update(
        api, key):
    make_shots(api, 3)
    batched = api.error([
        update_op('Shot', ['shot0000'], {'name': 'a'}),
        update_op('Shot', key, {'name': 'b'}),
        update_op('Shot', ['shot0001'], {'name': 'c'}),
    ])
    lone = api.error([update_op('Shot', key, {'name': 'b'})])
    same_error(batched, lone)
    assert 'operation 2 of 3' in batched['content']
    assert names(api)['shot0000'][0] == 'shot0000'


def test_a_run_of_mixed_updates_matches_updates_one_by_one(
        ftrack_server, api, recorder):
    """Types sharing a table, composite keys, custom attribute values
    created by the run and changed again, references and collections."""
    done = seeded(api, 'select id from Status where name is "Completed"')
    records = compare(ftrack_server, api, recorder, [
        update_op('Shot', ['sh1'], {'name': 'renamed', 'description': 'd'}),
        update_op('Task', ['tk1'], {'status': ref('Status', done)}),
        update_op('Metadata', ['tk1', 'k'], {'value': 'changed'}),
        update_op('ContextCustomAttributeValue', ['cfg', 'tk1'],
                  {'value': 'again'}),
        # Created by the run (no value stored yet), then changed.
        update_op('ContextCustomAttributeValue', ['cfg', 'sh2'],
                  {'value': 'new'}),
        update_op('ContextCustomAttributeValue', ['cfg', 'sh2'],
                  {'value': 'newer'}),
        update_op('TypedContext', ['tk2'], {'name': 'via supertype'}),
        update_op('Task', ['tk1'], {'notes': [ref('Note', 'nt1'),
                                              ref('Note', 'nt2')]}),
        update_op('Note', ['nt2'], {'content': 'moved'}),
        update_op('AssetVersion', ['av1'], {'comment': 'c'}),
        update_op('Shot', ['sh1'], {'name': 'renamed twice'}),
    ])
    assert [record['action'] for record in records].count('update') >= 11
    found = api.query('select value from ContextCustomAttributeValue where '
                      'entity_id is "sh2"')['data']
    assert [value['value'] for value in found] == ['newer']


def test_a_link_entity_removed_earlier_in_the_run_cannot_be_updated(api):
    build_scene(api)
    separated = api.error([
        update_op('TypedContextList', ['lst'], {'items': []}),
        create_op('Status', {'name': 'separator', 'is_active': True}),
        update_op('ListObject', ['lo1'], {'entity_id': 'tk2'}),
    ])
    assert separated['exception'] == 'NoResultFoundError'
    batched = api.post([
        update_op('TypedContextList', ['lst'], {'items': []}),
        update_op('ListObject', ['lo1'], {'entity_id': 'tk2'}),
    ]).json()
    assert isinstance(batched, dict), batched
    same_error(batched, separated)


def test_a_link_entity_deleted_then_linked_again_can_be_deleted_again(api):
    api.call([create_op('ObjectType', {'id': 'ot', 'name': 'Linked'}),
              create_op('ProjectSchema', {'id': 'ps', 'name': 'linked'})])
    api.call([update_op('ProjectSchema', ['ps'],
                        {'object_types': [ref('ObjectType', 'ot')]})])
    api.call([
        delete_op('ProjectSchemaObjectType', ['ot', 'ps']),
        update_op('ProjectSchema', ['ps'],
                  {'object_types': [ref('ObjectType', 'ot')]}),
        delete_op('ProjectSchemaObjectType', ['ot', 'ps']),
    ])
    assert api.query('select object_type_id from ProjectSchemaObjectType '
                     'where project_schema_id is "ps"')['data'] == []


# Deletes -------------------------------------------------------------------

def test_a_long_run_of_deletes_removes_every_entity(ftrack_server, api,
                                                    recorder):
    shots = make_shots(api)
    api.call([create_op('Task', {'id': 'task-' + shot, 'name': 't',
                                 'parent': ref('Shot', shot)})
              for shot in shots])
    del recorder.requests[:]
    results = api.call([delete_op('Shot', [shot]) for shot in shots])
    assert results == [{'action': 'delete', 'data': True}] * RUN
    assert api.query('select id from Context where project_id is "prj" '
                     'and id is_not "prj"')['data'] == []
    assert removed(recorder.flat(ftrack_server)) == [('Shot', [shot]) for shot in shots]


@pytest.mark.parametrize('order', ['parent first', 'child first'])
def test_a_shot_and_its_task_in_one_run(ftrack_server, api, recorder, order):
    operations = [delete_op('Shot', ['sh1']), delete_op('Task', ['tk1'])]
    if order == 'child first':
        operations.reverse()
    # Parent first, the task is gone by the time a second request would
    # name it: only one request can send these operations.
    records = compare(ftrack_server, api, recorder, operations,
                      separately=order == 'child first')
    assert not exists(api, 'Context', 'sh1')
    assert not exists(api, 'Context', 'tk1')
    assert exists(api, 'Context', 'sh2')
    if order == 'parent first':
        # The cascade took the task: its own delete announces nothing.
        assert removed(records) == [('Shot', ['sh1'])]
    else:
        assert removed(records) == [('Task', ['tk1']), ('Shot', ['sh1'])]
        [task, shot] = records
        # The task still hung off its shot when it went; the shot then
        # names what is left above it.
        assert [item['entity_id'] for item in task['ancestors']] == [
            'sh1', 'seq', 'prj']
        assert [item['entity_id'] for item in shot['ancestors']] == [
            'seq', 'prj']


def test_entities_of_several_types_in_one_run(ftrack_server, api, recorder):
    records = compare(ftrack_server, api, recorder, [
        delete_op('FileComponent', ['co2']),
        delete_op('Task', ['tk3']),
        delete_op('User', ['usr']),
        delete_op('Note', ['nu']),
        delete_op('AssetVersion', ['av1']),
        delete_op('Asset', ['as1']),
        delete_op('ListObject', ['lo2']),
        delete_op('TypedContextList', ['lst']),
        delete_op('Metadata', ['tk2', 'k']),
        delete_op('Sequence', ['seq']),
        delete_op('Project', ['prj']),
    ])
    assert removed(records) == [
        ('FileComponent', ['co2']), ('Task', ['tk3']), ('User', ['usr']),
        ('Note', ['nu']), ('AssetVersion', ['av1']), ('Asset', ['as1']),
        ('ListObject', ['lo2']), ('TypedContextList', ['lst']),
        ('Metadata', ['tk2', 'k']), ('Sequence', ['seq']),
        ('Project', ['prj']),
    ]
    by_key = {tuple(record['key']): record for record in records}
    # The note's user went first: nothing is named above the note.
    assert by_key[('nu',)]['ancestors'] == []
    # The version's asset was still there when the version went.
    assert [item['entity_id'] for item in by_key[('av1',)]['ancestors']] == [
        'as1', 'sh1', 'seq', 'prj']
    assert [item['entity_type'] for item in by_key[('co2',)]['ancestors']] \
        == ['AssetVersion', 'Asset', 'Shot', 'Sequence', 'Project']
    assert [item['entity_id'] for item in by_key[('lo2',)]['ancestors']] == [
        'lst', 'prj']
    assert by_key[('tk3',)]['object_type_id'] == TASK_TYPE
    # Everything the scene built went, with its cascades; the seed stays.
    for entity_type in ('Asset', 'AssetVersion', 'Note', 'ListObject',
                        'Metadata', 'ContextCustomAttributeValue',
                        'TypedContextList'):
        assert api.query('select {0} from {1}'.format(
            'key' if entity_type == 'Metadata' else 'value'
            if entity_type.endswith('Value') else 'id', entity_type))[
            'data'] == [], entity_type
    assert api.query('select id from ComponentLocation where id in '
                     '("cl1", "cl2", "cl3")')['data'] == []
    assert api.query('select id from Component where id in '
                     '("co1", "co2", "co3")')['data'] == []
    assert api.query('select id from Context where project_id is "prj" '
                     'or id is "prj"')['data'] == []
    assert api.query('select id from ProjectSchema')['data']


def test_entities_taken_by_an_earlier_cascade_in_the_run(
        ftrack_server, api, recorder):
    """Each cascaded entity belongs to the first delete reaching it: the
    later deletes naming it announce nothing, the rest announce once."""
    records = compare(ftrack_server, api, recorder, [
        delete_op('Shot', ['sh1']),
        delete_op('Asset', ['as1']),
        delete_op('FileComponent', ['co1']),
        delete_op('Note', ['nt1']),
        delete_op('Task', ['tk2']),
        delete_op('Shot', ['sh2']),
        delete_op('Shot', ['sh1']),
        delete_op('Task', ['tk2']),
    ], separately=False)
    assert removed(records) == [('Shot', ['sh1']), ('Task', ['tk2']),
                                ('Shot', ['sh2'])]


def test_composite_key_entities_go_with_their_owner(
        ftrack_server, api, recorder):
    def values(task):
        return (
            api.query('select key from Metadata where parent_id is "{0}"'
                      .format(task))['data'],
            api.query('select value from ContextCustomAttributeValue where '
                      'entity_id is "{0}"'.format(task))['data'],
        )

    build_scene(api)
    assert values('tk1') != ([], [])
    records = compare(ftrack_server, api, recorder, [
        # Owner first: the values went with it and are not missing.
        delete_op('Task', ['tk1']),
        delete_op('Metadata', ['tk1', 'k']),
        delete_op('ContextCustomAttributeValue', ['cfg', 'tk1']),
        # Values first, then their owner.
        delete_op('Metadata', ['tk2', 'k']),
        delete_op('ContextCustomAttributeValue', ['cfg', 'tk2']),
        delete_op('Task', ['tk2']),
        # Only the owner: its values go too.
        delete_op('Task', ['tk3']),
    ], separately=False)
    for task in ('tk1', 'tk2', 'tk3'):
        assert values(task) == ([], []), task
    assert removed(records) == [
        ('Task', ['tk1']), ('Metadata', ['tk2', 'k']),
        ('ContextCustomAttributeValue', ['cfg', 'tk2']), ('Task', ['tk2']),
        ('Task', ['tk3']),
    ]
    value = records[2]
    assert [item['entity_id'] for item in value['ancestors']][:2] == [
        'tk2', 'sh2']


@pytest.mark.parametrize('position', [0, 2, 4])
def test_a_missing_entity_in_a_run_of_deletes_fails_like_a_lone_delete(
        api, position):
    build_scene(api)
    operations = [delete_op('Shot', ['sh1']), delete_op('Task', ['tk2']),
                  delete_op('User', ['usr']), delete_op('Note', ['nt3'])]
    operations.insert(position, delete_op('Task', ['no-such-task']))
    batched = api.error(operations)
    lone = api.error([delete_op('Task', ['no-such-task'])])
    same_error(batched, lone)
    assert batched['exception'] == 'NoResultFoundError'
    assert 'operation {0} of 5'.format(position + 1) in batched['content']
    # The deletes before it are rolled back with the request.
    for entity_type, entity_id in (('Shot', 'sh1'), ('Task', 'tk1'),
                                   ('Task', 'tk2'), ('User', 'usr'),
                                   ('Note', 'nt3'), ('Note', 'nt1')):
        assert exists(api, entity_type, entity_id), entity_id


def test_a_delete_of_an_entity_deleted_by_an_earlier_request_fails(api):
    build_scene(api)
    api.call([delete_op('Task', ['tk1'])])
    batched = api.error([delete_op('Task', ['tk2']),
                         delete_op('Task', ['tk1'])])
    lone = api.error([delete_op('Task', ['tk1'])])
    same_error(batched, lone)
    assert exists(api, 'Task', 'tk2')


@pytest.mark.parametrize('operation', [
    delete_op('Shot', ['a', 'b']),
    delete_op('Shot', []),
    delete_op('Shot', [None]),
    delete_op('Metadata', ['tk1']),
    delete_op('NoSuchType', ['x']),
    delete_op('Task', ['sh2']),
], ids=['two parts', 'empty', 'not a string', 'composite short',
        'unknown type', 'wrong type'])
def test_a_bad_delete_in_a_run_fails_like_a_lone_one(api, operation):
    build_scene(api)
    lone = api.error([operation])
    for position in (0, 1, 2):
        operations = [delete_op('Task', ['tk1']), delete_op('Shot', ['sh3'])]
        operations.insert(position, operation)
        batched = api.error(operations)
        same_error(batched, lone)
        assert 'operation {0} of 3'.format(position + 1) in \
            batched['content']
    assert exists(api, 'Task', 'tk1')
    assert exists(api, 'Shot', 'sh3')


def test_a_run_of_deletes_is_announced_like_deletes_one_by_one(
        ftrack_server, api):
    """What an event subscriber receives: the same removals, in operation
    order, with the same parents."""
    operations = [
        delete_op('Task', ['tk1']), delete_op('Shot', ['sh1']),
        delete_op('Task', ['tk2']), delete_op('Shot', ['sh2']),
        delete_op('Note', ['nt3']), delete_op('User', ['usr']),
        delete_op('Note', ['nu']),
    ]

    def announced(requests):
        client = RawClient(ftrack_server.url, ftrack_server.api_user,
                           ftrack_server.api_key)
        try:
            client.subscribe('topic=ftrack.update')
            for request in requests:
                api.call(request)
            events = [client.event() for _ in requests]
        finally:
            client.close()
        entities = [entity for event in events
                    for entity in event['data']['entities']]
        text = _anonymous(json.dumps(entities), api_user_id(ftrack_server))
        return json.loads(MOMENT.sub('<moment>', text))

    ftrack_server.reset()
    build_scene(api)
    batched = announced([operations])
    ftrack_server.reset()
    build_scene(api)
    one_by_one = announced([[operation] for operation in operations])
    assert batched == one_by_one
    assert [(entity['action'], entity['entityId']) for entity in batched] \
        == [('remove', 'tk1'), ('remove', 'sh1'), ('remove', 'tk2'),
            ('remove', 'sh2'), ('remove', 'nt3'), ('remove', 'usr'), ('remove', 'nu')]
    task = batched[0]
    assert [parent['entityId'] for parent in task['parents']] == [
        'tk1', 'sh1', 'seq', 'prj']


# Review sessions -----------------------------------------------------------

def build_review(api):
    """A review session showing three versions, each with its own
    thumbnail, in the order ob1, ob2, ob3."""
    build_scene(api)
    operations = [
        create_op('ReviewSession', {'id': 'rs', 'name': 'dailies',
                                    'description': '',
                                    'project': ref('Project', 'prj')}),
    ]
    for number in range(1, 4):
        operations += [
            create_op('FileComponent', {'id': 'th{0}'.format(number),
                                        'name': 'thumbnail'}),
            update_op('AssetVersion', ['av{0}'.format(number)], {
                'thumbnail_id': 'th{0}'.format(number)}),
            create_op('ReviewSessionObject', {
                'id': 'ob{0}'.format(number), 'name': str(number),
                'description': '', 'version': 'v1', 'sort_order': number,
                'review_session': ref('ReviewSession', 'rs'),
                'asset_version': ref('AssetVersion',
                                     'av{0}'.format(number))}),
        ]
    api.call(operations)


def review_thumbnail(api):
    return api.query('select thumbnail_id from ReviewSession where id is '
                     '"rs"')['data'][0]['thumbnail_id']


def test_review_scene_starts_with_the_first_objects_thumbnail(api):
    build_review(api)
    assert review_thumbnail(api) == 'th1'


@pytest.mark.parametrize('operations, thumbnail', [
    ([delete_op('ReviewSessionObject', ['ob1']),
      delete_op('ReviewSessionObject', ['ob2'])], 'th3'),
    ([delete_op('ReviewSessionObject', ['ob2']),
      delete_op('ReviewSessionObject', ['ob1'])], 'th3'),
    ([delete_op('ReviewSessionObject', ['ob1']),
      delete_op('ReviewSessionObject', ['ob3'])], 'th2'),
    ([delete_op('ReviewSessionObject', ['ob3']),
      delete_op('ReviewSessionObject', ['ob2']),
      delete_op('ReviewSessionObject', ['ob1'])], None),
    # Versions take their review objects with them.
    ([delete_op('AssetVersion', ['av1']),
      delete_op('AssetVersion', ['av2'])], 'th3'),
    ([delete_op('Asset', ['as1']), delete_op('Task', ['tk1']),
      delete_op('ReviewSessionObject', ['ob2'])], 'th3'),
], ids=['first two', 'first two reversed', 'first and last', 'all',
        'versions', 'asset and object'])
def test_deleting_review_objects_in_one_run_keeps_the_thumbnail_right(
        ftrack_server, api, recorder, operations, thumbnail):
    records = compare(ftrack_server, api, recorder, operations,
                      build=build_review)
    assert review_thumbnail(api) == thumbnail
    updates = [record for record in records
               if record['entity_type'] == 'ReviewSession']
    assert updates, 'the session thumbnail change was not announced'
    assert updates[-1]['values']['thumbnail_id'][1] == thumbnail


def test_deleting_the_review_session_with_its_objects(
        ftrack_server, api, recorder):
    records = compare(ftrack_server, api, recorder, [
        delete_op('ReviewSessionObject', ['ob2']),
        delete_op('ReviewSession', ['rs']),
        delete_op('ReviewSessionObject', ['ob3']),
    ], build=build_review, separately=False)
    assert removed(records) == [('ReviewSessionObject', ['ob2']),
                                ('ReviewSession', ['rs'])]
    assert api.query('select id from ReviewSessionObject')['data'] == []
