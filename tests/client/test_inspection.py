"""Identity, primary keys and pending states of entities."""

import collections

import pytest

import ftrack_api.inspection
import ftrack_api.symbol

from session_helpers import new_session, project_tree, transcript  # noqa: F401

CREATED = ftrack_api.symbol.CREATED
MODIFIED = ftrack_api.symbol.MODIFIED
DELETED = ftrack_api.symbol.DELETED
NOT_SET = ftrack_api.symbol.NOT_SET


def test_identity_and_primary_key(ftrack_session):
    metadata = ftrack_session.create('Metadata', {
        'parent_id': 'p', 'key': 7, 'value': 'v'
    })
    assert ftrack_api.inspection.identity(metadata) == ('Metadata', ['p', '7'])
    key = ftrack_api.inspection.primary_key(metadata)
    assert isinstance(key, collections.OrderedDict)
    assert list(key.items()) == [('parent_id', 'p'), ('key', '7')]


def test_missing_primary_key_is_a_key_error(ftrack_session):
    user = ftrack_session.types['User'](ftrack_session, {}, reconstructing=True)
    with pytest.raises(KeyError) as error:
        ftrack_api.inspection.primary_key(user)
    assert error.value.args[0] == (
        'Missing required value for primary key attribute "id" on entity '
        '{0!r}.'.format(user)
    )


def test_states_follow_recorded_operations(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    other = ftrack_session.get('Shot', project_tree['shots'][1])
    created = ftrack_session.create('User', {'username': 'state'})
    assert ftrack_api.inspection.state(shot) is NOT_SET
    assert ftrack_api.inspection.state(created) is CREATED

    shot['name'] = 'changed'
    created['first_name'] = 'still created'
    assert ftrack_api.inspection.state(shot) is MODIFIED
    assert ftrack_api.inspection.state(created) is CREATED

    ftrack_session.delete(shot)
    assert ftrack_api.inspection.state(shot) is DELETED
    assert ftrack_api.inspection.states([shot, other, created]) == [
        DELETED, NOT_SET, CREATED
    ]
    assert ftrack_api.inspection.states([]) == []

    assert ftrack_session.created == [created]
    assert ftrack_session.modified == []
    assert ftrack_session.deleted == [shot]


def test_states_has_one_state_per_distinct_entity(ftrack_session, ftrack_server, project_tree):  # noqa: F811
    # As with the reference client: duplicates (the same instance twice, or
    # instances with one identity) get one state, in order of first
    # appearance.
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    other = ftrack_session.get('Shot', project_tree['shots'][1])
    created = ftrack_session.create('Sequence', {'name': 'distinct'})
    assert ftrack_api.inspection.states([shot, shot]) == [NOT_SET]
    assert ftrack_api.inspection.states([created, shot, created, other]) == [
        CREATED, NOT_SET, NOT_SET
    ]
    twin = new_session(ftrack_server)
    try:
        same = twin.get('Shot', shot['id'])
        assert ftrack_api.inspection.states([shot, same]) == [NOT_SET]
    finally:
        twin.close()


def test_populate_skips_only_created_entities_among_duplicates(ftrack_session, transcript, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    other = ftrack_session.get('Shot', project_tree['shots'][1])
    created = ftrack_session.create('Shot', {'name': 'skipped'})
    transcript.clear()
    ftrack_session.populate([shot, created, shot, other], 'description')
    assert transcript.expressions == [
        'select description from Shot where id in ({0},{0},{1}) '
        'offset 0 limit 500'.format(shot['id'], other['id'])
    ]
    ftrack_session.rollback()
