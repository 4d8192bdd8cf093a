"""Identity, primary keys and pending states of entities."""

import collections

import pytest

import ftrack_api.inspection
import ftrack_api.symbol

from session_helpers import project_tree  # noqa: F401

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
