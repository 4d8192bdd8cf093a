"""Recording changes and committing them in one batch."""

import pytest

import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol

from session_helpers import project_tree, transcript, unique  # noqa: F401

NOT_SET = ftrack_api.symbol.NOT_SET


def committed(transcript):  # noqa: F811
    """The operations of the last request."""
    return transcript.requests[-1]


def test_commit_payload_and_result(ftrack_session, transcript, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    transcript.clear()
    task = ftrack_session.create('Task', {'name': 'new', 'parent': shot})
    task['description'] = 'first'
    ftrack_session.commit()
    operations = committed(transcript)
    assert operations == [{
        'action': 'create', 'entity_type': 'Task',
        'entity_key': [task['id']],
        'entity_data': {
            '__entity_type__': 'Task', 'id': task['id'], 'name': 'new',
            'description': 'first',
            'parent': {'__entity_type__': 'Shot', 'id': shot['id']},
            'object_type_id': '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c',
            'priority_id': operations[0]['entity_data']['priority_id'],
        },
    }]
    assert len(ftrack_session.recorded_operations) == 0
    assert ftrack_api.inspection.state(task) is NOT_SET
    name = task.attributes.get('name')
    assert name.get_local_value(task) is NOT_SET
    assert name.get_remote_value(task) == 'new'
    # Values the server filled in are known now.
    assert task.attributes.get('project_id').get_remote_value(task) == (
        project_tree['project']
    )


def test_optimisations(ftrack_session, transcript, project_tree):  # noqa: F811
    first, second = [
        ftrack_session.get('Shot', shot_id)
        for shot_id in project_tree['shots'][:2]
    ]
    transcript.clear()
    gone = ftrack_session.create('Task', {'name': 'gone', 'parent': first})
    first['description'] = 'a'
    second['description'] = 'x'
    first['description'] = 'b'
    first['name'] = first['name']
    ftrack_session.delete(gone)
    second['description'] = NOT_SET
    ftrack_session.commit()
    assert committed(transcript) == [{
        'action': 'update', 'entity_type': 'Shot',
        'entity_key': [first['id']],
        'entity_data': {
            '__entity_type__': 'Shot', 'description': 'b', 'name': 'sh010',
        },
    }]


def test_updates_are_not_folded_across_other_entities(ftrack_session, transcript, project_tree):  # noqa: F811
    first, second = [
        ftrack_session.get('Shot', shot_id)
        for shot_id in project_tree['shots'][2:4]
    ]
    transcript.clear()
    first['description'] = 'one'
    second['description'] = 'two'
    first['name'] = first['name']
    ftrack_session.commit()
    assert [
        (operation['entity_key'][0], sorted(operation['entity_data']))
        for operation in committed(transcript)
    ] == [
        (first['id'], ['__entity_type__', 'description']),
        (second['id'], ['__entity_type__', 'description']),
        (first['id'], ['__entity_type__', 'name']),
    ]


def test_delete(ftrack_session, transcript, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][3])
    task = ftrack_session.create('Task', {'name': 'doomed', 'parent': shot})
    ftrack_session.commit()
    transcript.clear()
    ftrack_session.delete(task)
    assert ftrack_session.deleted == [task]
    ftrack_session.commit()
    assert committed(transcript) == [{
        'action': 'delete', 'entity_type': 'Task', 'entity_key': [task['id']],
    }]
    assert ftrack_session.query(
        'Task where id is "{0}"'.format(task['id'])
    ).first() is None


def test_empty_batch_sends_nothing_and_keeps_operations(ftrack_session, transcript, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    transcript.clear()
    shot['description'] = 'temporary'
    del shot['description']
    ftrack_session.commit()
    assert transcript.exchanges == []
    assert len(ftrack_session.recorded_operations) == 2
    assert ftrack_session.modified == [shot]


def test_unrecorded_local_values_are_dropped_by_commit(ftrack_session, project_tree):  # noqa: F811
    first, second = [
        ftrack_session.get('Shot', shot_id)
        for shot_id in project_tree['shots'][:2]
    ]
    with ftrack_session.operation_recording(False):
        first['name'] = 'not recorded'
    second['description'] = second['description']
    ftrack_session.commit()
    assert first['name'] == 'sh010'


def test_failed_commit_keeps_everything_for_a_retry(ftrack_session, transcript, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    configuration = ftrack_session.create('CustomAttributeConfiguration', {
        'key': unique('frames'), 'label': 'Frames',
        'type': ftrack_session.query(
            'CustomAttributeType where name is "number"'
        ).one(),
        'entity_type': 'task', 'object_type_id': shot['object_type_id'],
        'config': '{"isdecimal": false}', 'default': None,
    })
    ftrack_session.commit()

    task = ftrack_session.create('Task', {'name': 'kept', 'parent': shot})
    value = ftrack_session.create(
        'ContextCustomAttributeValue',
        {'configuration_id': configuration['id'], 'entity_id': shot['id'],
         'key': configuration['key']},
        reconstructing=True,
    )
    value['value'] = 'not a number'
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        ftrack_session.commit()
    assert 'ValidationError' in str(error.value)
    assert len(ftrack_session.recorded_operations) == 3
    assert ftrack_api.inspection.state(task) is ftrack_api.symbol.CREATED
    # Nothing of the batch was applied.
    assert ftrack_session.query(
        'Task where id is "{0}"'.format(task['id'])
    ).first() is None

    value['value'] = 12
    ftrack_session.commit()
    assert ftrack_session.query(
        'Task where id is "{0}"'.format(task['id'])
    ).one() is task


def test_rollback(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    name = shot['name']
    shot['name'] = 'changed'
    created = ftrack_session.create('Task', {'name': 'rolled', 'parent': shot})
    ftrack_session.delete(shot)
    ftrack_session.rollback()
    assert len(ftrack_session.recorded_operations) == 0
    assert shot['name'] == name
    assert ftrack_session.created == []
    assert created not in ftrack_session.cache.values()
    assert ftrack_session.get('Task', created['id']) is None
    # The session is still usable.
    shot['description'] = 'after rollback'
    ftrack_session.commit()
    assert shot['description'] == 'after rollback'


def test_ensure(ftrack_session, transcript):  # noqa: F811
    username = unique('ensured')
    user = ftrack_session.ensure(
        'User', {'username': username, 'first_name': 'A'}
    )
    assert transcript.expressions[0] == (
        'select id from User where username is "{0}" and first_name is "A" '
        'limit 2'.format(username)
    )
    assert ftrack_api.inspection.state(user) is NOT_SET
    transcript.clear()
    again = ftrack_session.ensure(
        'User', {'username': username, 'first_name': 'A'}
    )
    assert again is user
    assert len(transcript.exchanges) == 1

    changed = ftrack_session.ensure(
        'User', {'username': username, 'first_name': 'B'},
        identifying_keys=['username'],
    )
    assert changed is user
    assert transcript.requests[-1] == [{
        'action': 'update', 'entity_type': 'User', 'entity_key': [user['id']],
        'entity_data': {'__entity_type__': 'User', 'first_name': 'B'},
    }]


def test_ensure_query_literals(ftrack_session, transcript):  # noqa: F811
    import arrow
    import datetime
    ftrack_session.ensure('Timelog', {
        'start': arrow.get('2024-01-02T03:04:05.123+02:00'),
        'duration': 5, 'comment': None,
    })
    ftrack_session.ensure('Timelog', {'start': datetime.date(2024, 1, 2)})
    assert transcript.expressions == [
        'select id from Timelog where start is "2024-01-02T03:04:05" and '
        'duration is 5 and comment is None limit 2',
        'select id from Timelog where start is "2024-01-02T00:00:00" limit 2',
    ]


def test_ensure_bad_input(ftrack_session):
    with pytest.raises(ValueError) as error:
        ftrack_session.ensure('User', {})
    assert str(error.value) == (
        "Could not determine any identifying data to check against when "
        "ensuring 'User' with data {}. Identifying keys: []"
    )
    with pytest.raises(KeyError):
        ftrack_session.ensure('User', {'username': 'x'}, ['email'])


def test_recorded_operations_track_states(ftrack_session, project_tree):  # noqa: F811
    import ftrack_api.operation
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    operations = ftrack_session.recorded_operations
    assert isinstance(operations, ftrack_api.operation.Operations)
    shot['name'] = 'a'
    assert ftrack_api.inspection.state(shot) is ftrack_api.symbol.MODIFIED
    ftrack_session.delete(shot)
    assert ftrack_api.inspection.state(shot) is ftrack_api.symbol.DELETED
    operations.pop()
    assert ftrack_api.inspection.state(shot) is ftrack_api.symbol.MODIFIED
    operations.pop()
    assert ftrack_api.inspection.state(shot) is NOT_SET
    operations.push(ftrack_api.operation.DeleteEntityOperation(
        'Shot', [shot['id']]
    ))
    assert ftrack_api.inspection.state(shot) is ftrack_api.symbol.DELETED
    operations.clear()
    assert ftrack_api.inspection.state(shot) is NOT_SET


def test_states_with_plain_operations(ftrack_session, project_tree):  # noqa: F811
    import ftrack_api.operation
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    ftrack_session.recorded_operations = ftrack_api.operation.Operations()
    user = ftrack_session.create('User', {'username': 'plain'})
    shot['name'] = 'b'
    assert ftrack_api.inspection.states([user, shot]) == [
        ftrack_api.symbol.CREATED, ftrack_api.symbol.MODIFIED
    ]


def test_states_of_many_new_entities(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    for index in range(300):
        task = ftrack_session.create('Task', {
            'name': 'bulk{0}'.format(index), 'parent': shot,
        })
        task['metadata']['index'] = str(index)
    # Per task: create, parent, metadata create, metadata collection.
    assert len(ftrack_session.recorded_operations) == 1200
    created = ftrack_session.created
    assert len(created) == 600
    assert set(ftrack_api.inspection.states(created)) == {
        ftrack_api.symbol.CREATED
    }
    ftrack_session.rollback()
    assert ftrack_session.created == []


def test_entities_created_and_deleted_in_a_commit_leave_the_cache(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    gone = ftrack_session.create('Task', {'name': 'gone', 'parent': shot})
    gone_id = gone['id']
    ftrack_session.delete(gone)
    shot['description'] = 'changed'
    ftrack_session.commit()
    # The server never heard of it, and the session forgets it too.
    assert ftrack_session.get('Task', gone_id) is None
    # A later rollback leaves the session fully usable.
    ftrack_session.rollback()
    assert ftrack_session.created == []
    assert ftrack_session.modified == []
    assert ftrack_session.deleted == []
    assert gone['id'] == gone_id
