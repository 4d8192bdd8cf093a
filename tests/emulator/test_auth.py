"""Credentials are checked on every request; a bad one runs nothing."""

import uuid

import pytest

QUERY_SCHEMAS = [{'action': 'query_schemas'}]


def _create_asset_type(name):
    return [{
        'action': 'create', 'entity_type': 'AssetType',
        'entity_data': {'__entity_type__': 'AssetType', 'name': name,
                        'short': name},
    }]


def _asset_types_named(api, name):
    return api.query(
        'select id from AssetType where name is "{0}"'.format(name)
    )['data']


def test_good_credentials_run_the_operations(api):
    name = 'auth-ok-' + uuid.uuid4().hex
    api.call(_create_asset_type(name))
    assert len(_asset_types_named(api, name)) == 1


@pytest.mark.parametrize('credentials', [
    {'key': 'not-the-key'},
    {'user': 'nobody-' + uuid.uuid4().hex},
    {'key': ''},
    {'user': ''},
])
def test_bad_credentials_are_refused_and_nothing_runs(api, credentials):
    name = 'auth-bad-' + uuid.uuid4().hex
    error = api.error(_create_asset_type(name), **credentials)
    assert error['exception'] == 'InvalidCredentialsError'
    assert 'ftrack-api-key' in error['content']
    assert error['error_code'] is None
    assert _asset_types_named(api, name) == []


def test_missing_headers_are_refused(api):
    name = 'auth-missing-' + uuid.uuid4().hex
    response = api.post(_create_asset_type(name), headers={
        'content-type': 'application/json'})
    assert response.status_code == 200
    error = response.json()
    assert error['exception'] == 'InvalidCredentialsError'
    assert 'ftrack-user' in error['content']
    assert 'ftrack-api-key' in error['content']
    assert _asset_types_named(api, name) == []


def test_bad_credentials_win_over_a_bad_body(api):
    error = api.error(b'this is not json', key='wrong')
    assert error['exception'] == 'InvalidCredentialsError'


def test_the_message_does_not_tell_which_half_was_wrong(api):
    wrong_key = api.error(QUERY_SCHEMAS, key='wrong')
    wrong_user = api.error(QUERY_SCHEMAS, user='nobody')
    assert wrong_key == wrong_user


def _reset_key(api, entity_key):
    """Reset the API key of the user *entity_key* names; return the result."""
    return api.call([{
        'action': 'reset_remote', 'reset_type': 'api_key',
        'entity_type': 'User', 'entity_key': entity_key,
    }])[0]


def _user_with_a_working_key(api, prefix):
    """Create an active user and give it a key; return (username, id, key).

    The key is used once before it is returned, so the server may already
    remember it as good when a test then changes the user.
    """
    username = prefix + uuid.uuid4().hex
    user = api.create('User', {'username': username, 'is_active': True})
    key = _reset_key(api, user['id'])['data']['api_key']
    api.call(QUERY_SCHEMAS, user=username, key=key)
    return username, user['id'], key


def _refused(api, username, key):
    return api.error(QUERY_SCHEMAS, user=username,
                     key=key)['exception'] == 'InvalidCredentialsError'


def test_a_user_without_a_key_cannot_call(api):
    username = 'keyless-' + uuid.uuid4().hex
    api.create('User', {'username': username, 'is_active': True})
    assert _refused(api, username, 'anything')


def test_reset_key_works_and_the_old_one_stops(api):
    username = 'rotating-' + uuid.uuid4().hex
    user = api.create('User', {'username': username, 'is_active': True})
    first = _reset_key(api, user['id'])
    assert first['action'] == 'reset_remote'
    first_key = first['data']['api_key']
    assert api.call(QUERY_SCHEMAS, user=username, key=first_key)
    second_key = _reset_key(api, [user['id']])['data']['api_key']
    assert second_key != first_key
    assert _refused(api, username, first_key)
    api.call(QUERY_SCHEMAS, user=username, key=second_key)


def test_inactive_users_cannot_call(api):
    username, user_id, key = _user_with_a_working_key(api, 'inactive-')
    api.call([{'action': 'update', 'entity_type': 'User',
               'entity_key': [user_id],
               'entity_data': {'__entity_type__': 'User',
                               'is_active': False}}])
    assert _refused(api, username, key)


def test_renaming_a_user_invalidates_the_old_name(api):
    username, user_id, key = _user_with_a_working_key(api, 'renamed-')
    api.call([{'action': 'update', 'entity_type': 'User',
               'entity_key': [user_id],
               'entity_data': {'username': username + '-new'}}])
    assert _refused(api, username, key)
    api.call(QUERY_SCHEMAS, user=username + '-new', key=key)


def test_deleting_a_user_drops_its_key(api):
    username, user_id, key = _user_with_a_working_key(api, 'deleted-')
    api.call([{'action': 'delete', 'entity_type': 'User',
               'entity_key': [user_id]}])
    assert _refused(api, username, key)
