"""Metadata read and written as a mapping."""

import pytest

import ftrack_api.inspection
import ftrack_api.symbol

from session_helpers import new_session, project_tree, transcript  # noqa: F401


def reopened(session, entity_type, entity_id):
    """Return the entity as a brand-new session sees it."""
    fresh = new_session(type('S', (), {
        'url': session.server_url, 'api_user': session.api_user,
        'api_key': session.api_key,
    }))
    try:
        entity = fresh.query(
            'select metadata from {0} where id is "{1}"'.format(
                entity_type, entity_id
            )
        ).one()
        return dict(entity['metadata'])
    finally:
        fresh.close()


def test_new_key_creates_metadata_and_updates_the_collection(ftrack_session, transcript, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    shot['metadata']['camera'] = 'A'
    transcript.clear()
    ftrack_session.commit()
    assert transcript.requests[-1] == [
        {
            'action': 'create', 'entity_type': 'Metadata',
            'entity_key': [shot['id'], 'camera'],
            'entity_data': {
                '__entity_type__': 'Metadata', 'key': 'camera', 'value': 'A',
                'parent_id': shot['id'], 'parent_type': 'Shot',
            },
        },
        {
            'action': 'update', 'entity_type': 'Shot',
            'entity_key': [shot['id']],
            'entity_data': {
                '__entity_type__': 'Shot',
                'metadata': [{'__entity_type__': 'Metadata',
                              'parent_id': shot['id'], 'key': 'camera'}],
            },
        },
    ]
    assert reopened(ftrack_session, 'Shot', shot['id']) == {'camera': 'A'}


def test_changing_and_deleting_keys(ftrack_session, transcript, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][1])
    shot['metadata']['a'] = '1'
    shot['metadata']['b'] = '2'
    ftrack_session.commit()

    shot = ftrack_session.query(
        'select metadata from Shot where id is "{0}"'.format(shot['id'])
    ).one()
    transcript.clear()
    shot['metadata']['a'] = 'changed'
    del shot['metadata']['b']
    ftrack_session.commit()
    actions = [
        (operation['action'], operation['entity_type'])
        for operation in transcript.requests[-1]
    ]
    assert actions == [
        ('update', 'Metadata'), ('update', 'Shot'), ('delete', 'Metadata'),
    ]
    assert reopened(ftrack_session, 'Shot', shot['id']) == {'a': 'changed'}


def test_metadata_given_at_creation(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][2])
    task = ftrack_session.create('Task', {
        'name': 'tagged', 'parent': shot, 'metadata': {'x': '1', 'y': '2'},
    })
    assert dict(task['metadata']) == {'x': '1', 'y': '2'}
    assert all(
        ftrack_api.inspection.state(item) is ftrack_api.symbol.CREATED
        for item in task['metadata'].collection
    )
    ftrack_session.commit()
    assert reopened(ftrack_session, 'Task', task['id']) == {'x': '1', 'y': '2'}


def test_replacing_all_metadata(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][3])
    shot['metadata'] = {'keep': '1', 'drop': '2'}
    ftrack_session.commit()
    shot = ftrack_session.query(
        'select metadata from Shot where id is "{0}"'.format(shot['id'])
    ).one()
    shot['metadata'] = {'keep': 'one', 'new': '3'}
    ftrack_session.commit()
    assert reopened(ftrack_session, 'Shot', shot['id']) == {
        'keep': 'one', 'new': '3'
    }


def test_missing_key(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    with pytest.raises(KeyError):
        shot['metadata']['missing']
    with pytest.raises(KeyError):
        del shot['metadata']['missing']


def test_replacing_records_the_collection_as_it_was(ftrack_session, project_tree):  # noqa: F811
    # The reference client records a mapping assignment as a change from
    # the local collection before any key changed: keys removed or added
    # by the assignment stay as they were in the old value.
    task = ftrack_session.create('Task', {
        'name': 'replaced', 'metadata': {'stored': 'S'},
        'parent': ftrack_session.get('Shot', project_tree['shots'][1]),
    })
    ftrack_session.commit()
    task['metadata']['local'] = 'L'
    task['metadata'] = {'fresh': 'F'}
    operation = list(ftrack_session.recorded_operations)[-1]
    assert operation.attribute_name == 'metadata'
    assert dict(operation.old_value) == {'stored': 'S', 'local': 'L'}
    assert dict(operation.new_value) == {'fresh': 'F'}
    assert dict(task['metadata']) == {'fresh': 'F'}
    ftrack_session.rollback()
