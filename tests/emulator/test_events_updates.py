"""The ftrack.update payload built from a commit's entity changes."""

import datetime

import pytest

from ftrack_emulator.events import updates
from ftrack_emulator.events.updates import Author, EntityChange, EntityRef

AUTHOR = Author(id='user-1', username='jane', name='Jane Doe')
PROJECT = EntityRef('Project', 'project-1')
SHOT = EntityRef('Shot', 'shot-1', object_type_id='shot-type')


def test_status_change_of_a_task():
    change = EntityChange(
        'update', 'Task', 'task-1',
        changes={'status_id': ('old-status', 'new-status'), 'name': ('a', 'b')},
        ancestors=[SHOT, PROJECT], object_type_id='task-type',
    )
    event = updates.build_update_event([change], AUTHOR, client_token='tok')
    assert event['topic'] == 'ftrack.update'
    data = event['data']
    assert data['user'] == {'userid': 'user-1', 'name': 'Jane Doe'}
    assert data['clientToken'] == 'tok'
    assert len(data['pushToken']) == 32
    assert data['parents'] == ['task-1', 'shot-1', 'project-1']
    [entity] = data['entities']
    assert entity == {
        'entityId': 'task-1',
        'entityType': 'task',
        'entity_type': 'Task',
        'objectTypeId': 'task-type',
        'action': 'update',
        'keys': ['statusid', 'name'],
        'changes': {
            'statusid': {'old': 'old-status', 'new': 'new-status'},
            'name': {'old': 'a', 'new': 'b'},
        },
        'parents': [
            {'entityId': 'task-1', 'entityType': 'task',
             'entity_type': 'Task', 'parentId': 'shot-1'},
            {'entityId': 'shot-1', 'entityType': 'task',
             'entity_type': 'Shot', 'parentId': 'project-1'},
            {'entityId': 'project-1', 'entityType': 'show',
             'entity_type': 'Project', 'parentId': None},
        ],
        'parentId': 'shot-1',
    }
    assert event['source']['user'] == {'username': 'jane', 'id': 'user-1'}


def test_legacy_entity_types():
    assert updates.legacy_entity_type('Project') == 'show'
    assert updates.legacy_entity_type('Shot', 'object-type') == 'task'
    assert updates.legacy_entity_type('AssetVersion') == 'assetversion'
    change = EntityChange('add', 'Note', 'n1', legacy_type='note_table')
    event = updates.build_update_event([change], AUTHOR)
    assert event['data']['entities'][0]['entityType'] == 'note_table'


def test_values_become_json():
    when = datetime.datetime(2024, 5, 1, 12, 30)

    class Opaque:
        def __str__(self):
            return 'opaque'

    change = EntityChange('add', 'Note', 'n1', changes={
        'date': (None, when), 'tags': (None, ('a', 1)), 'x': (None, Opaque()),
        'meta': (None, {1: when.date()}),
    })
    [entity] = updates.build_update_event([change], AUTHOR)['data']['entities']
    assert entity['changes'] == {
        'date': {'old': None, 'new': '2024-05-01T12:30:00'},
        'tags': {'old': None, 'new': ['a', 1]},
        'x': {'old': None, 'new': 'opaque'},
        'meta': {'old': None, 'new': {'1': '2024-05-01'}},
    }
    assert entity['parentId'] is None
    assert entity['parents'] == [{'entityId': 'n1', 'entityType': 'note',
                                  'entity_type': 'Note', 'parentId': None}]


def test_author_name_defaults_to_username():
    event = updates.build_update_event(
        [EntityChange('remove', 'Note', 'n1')], Author('u', 'jane')
    )
    assert event['data']['user'] == {'userid': 'u', 'name': 'jane'}


def test_unknown_action_is_refused():
    with pytest.raises(ValueError, match="Unknown action 'create' for Task"):
        EntityChange('create', 'Task', 't1')


def test_nothing_changed_means_no_event():
    assert updates.build_update_event([], AUTHOR) is None
    assert updates.publish_updates(None, [], AUTHOR) is None


def test_changes_to_one_entity_are_merged():
    merged = updates.merge_changes([
        EntityChange('add', 'Task', 't1', {'name': (None, 'a')}),
        EntityChange('update', 'Shot', 's1', {'name': ('x', 'y')}),
        EntityChange('update', 'Task', 't1', {'name': ('a', 'b'),
                                              'status_id': ('s0', 's1')},
                     ancestors=[SHOT]),
        EntityChange('update', 'Shot', 's1', {'name': ('y', 'z')}),
    ])
    assert [(c.action, c.entity_id) for c in merged] == [
        ('add', 't1'), ('update', 's1'),
    ]
    assert merged[0].changes == {'name': (None, 'b'), 'status_id': ('s0', 's1')}
    assert list(merged[0].ancestors) == [SHOT]
    assert merged[1].changes == {'name': ('x', 'z')}


def test_update_then_remove_is_a_remove_and_add_then_remove_vanishes():
    merged = updates.merge_changes([
        EntityChange('update', 'Task', 't1', {'name': ('a', 'b')}),
        EntityChange('remove', 'Task', 't1', {'name': ('b', None)}),
        EntityChange('add', 'Note', 'n1', {'content': (None, 'hi')}),
        EntityChange('remove', 'Note', 'n1'),
    ])
    assert len(merged) == 1
    assert merged[0].action == 'remove'
    assert merged[0].changes == {'name': ('a', None)}
    assert updates.build_update_event([
        EntityChange('add', 'Note', 'n1'), EntityChange('remove', 'Note', 'n1'),
    ], AUTHOR) is None


def test_merge_does_not_modify_the_callers_changes():
    first = EntityChange('add', 'Task', 't1', {'name': (None, 'a')})
    updates.merge_changes([
        first, EntityChange('update', 'Task', 't1', {'name': ('a', 'b')}),
    ])
    assert first.changes == {'name': (None, 'a')}


def test_writer_records_become_entity_changes():
    from ftrack_emulator.events.integration import entity_changes

    [plain, detailed] = entity_changes([
        {'action': 'add', 'entity_type': 'Note', 'key': ['n1'],
         'attributes': ['__entity_type__', 'content']},
        {'action': 'update', 'entity_type': 'Task', 'key': ['t1'],
         'attributes': ['status_id'],
         'values': {'status_id': ['s0', 's1'], 'name': ['a', 'b']},
         'object_type_id': 'task-type',
         'ancestors': [{'entity_type': 'Project', 'entity_id': 'p1'}]},
    ])
    assert plain == EntityChange('add', 'Note', 'n1',
                                 {'content': (None, None)})
    assert detailed == EntityChange(
        'update', 'Task', 't1',
        {'status_id': ('s0', 's1'), 'name': ('a', 'b')},
        ancestors=(EntityRef('Project', 'p1'),), object_type_id='task-type',
    )
    composite = entity_changes([{
        'action': 'remove', 'entity_type': 'CustomAttributeValue',
        'key': ['c1', 'e1'], 'attributes': [],
    }])
    assert composite[0].entity_id == 'c1,e1'
