"""The actions besides query and writes: reset_remote, delayed_job,
invitations, security roles."""

import json
import uuid

import pytest


@pytest.fixture(scope='module')
def user(api):
    return api.create('User', {
        'username': 'invited-' + uuid.uuid4().hex[:8], 'is_active': True,
        'email': 'invited@example.com', 'first_name': 'In',
        'last_name': 'Vited',
    })


@pytest.fixture(scope='module')
def project(api):
    return api.create_project('actions', 'Actions')


def role_id(api, name):
    return api.query('select id from SecurityRole where name is "{0}"'.format(
        name))['data'][0]['id']


def test_reset_remote_without_entity_resets_the_caller(api, ftrack_server):
    result = api.call([{'action': 'reset_remote', 'reset_type': 'api_key'}])
    new_key = result[0]['data']['api_key']
    assert new_key and new_key != ftrack_server.api_key
    try:
        assert api.error([{'action': 'query_schemas'}])['exception'] == \
            'InvalidCredentialsError'
        api.call([{'action': 'query_schemas'}], key=new_key)
    finally:
        # Put the emulator's key back for the other tests.
        ftrack_server.reset()


@pytest.mark.parametrize('operation, fragment', [
    ({'reset_type': 'id', 'entity_type': 'User'}, 'only "api_key"'),
    ({'reset_type': 'username', 'entity_type': 'User'}, 'only "api_key"'),
    ({'reset_type': 'api_key', 'entity_type': 'Task'},
     'only the api_key of a User'),
    ({'reset_type': 'api_key', 'entity_type': 'User',
      'entity_key': 'no-such-user'}, 'does not exist'),
])
def test_reset_remote_refuses_other_resets(api, operation, fragment):
    error = api.error([dict(operation, action='reset_remote')])
    assert fragment in error['content']


def test_delayed_job_answers_a_job_entity(api):
    result = api.call([{'action': 'delayed_job',
                        'job_type': 'SYNC_USERS_LDAP'}])[0]
    assert result['action'] == 'delayed_job'
    job = result['data']
    assert job['__entity_type__'] == 'Job'
    assert job['status'] == 'done'
    assert json.loads(job['data'])['job_type'] == 'SYNC_USERS_LDAP'
    stored = api.query('select status, type from Job where id is {0}'.format(
        job['id']))['data']
    assert stored[0]['type'] == 'api_job'


def test_delayed_job_refuses_unknown_types(api):
    error = api.error([{'action': 'delayed_job', 'job_type': 'MAKE_COFFEE'}])
    assert 'Unknown job type "MAKE_COFFEE"' in error['content']


def test_user_invites_go_to_the_outbox(api, ftrack_server, user):
    before = len(ftrack_server.outbox())
    result = api.call([{'action': 'send_user_invite', 'user_id': user['id']}])
    assert result == [{'sent': True}]
    outbox = ftrack_server.outbox()
    assert len(outbox) == before + 1
    message = outbox[-1]
    assert message['kind'] == 'user_invite'
    assert message['recipient_id'] == user['id']
    assert message['email'] == 'invited@example.com'
    assert message['payload']['username'] == user['username']


def test_invites_of_a_failed_request_are_not_sent(api, ftrack_server, user):
    before = len(ftrack_server.outbox())
    api.error([{'action': 'send_user_invite', 'user_id': user['id']},
               {'action': 'send_user_invite', 'user_id': 'missing'}])
    assert len(ftrack_server.outbox()) == before


def test_user_invite_errors(api):
    nameless = api.create('User', {'username': 'no-mail-' + uuid.uuid4().hex})
    error = api.error([{'action': 'send_user_invite',
                        'user_id': nameless['id']}])
    assert 'has no email address' in error['content']
    error = api.error([{'action': 'send_user_invite'}])
    assert 'needs "user_id"' in error['content']


def test_review_session_invites(api, ftrack_server, project):
    session = api.create('ReviewSession', {
        'name': 'dailies', 'description': 'today',
        'project': api.ref('Project', project['id']),
        'start_date': {'__type__': 'datetime', 'value': '2024-01-01T10:00'},
        'end_date': {'__type__': 'datetime', 'value': '2024-01-01T11:00'},
    })
    invitee = api.create('ReviewSessionInvitee', {
        'name': 'Client', 'email': 'client@example.com',
        'review_session': api.ref('ReviewSession', session['id']),
    })
    api.call([{'action': 'send_review_session_invite',
               'review_session_invitee_id': invitee['id']}])
    message = ftrack_server.outbox()[-1]
    assert message['kind'] == 'review_session_invite'
    assert message['email'] == 'client@example.com'
    assert message['payload']['review_session_name'] == 'dailies'
    stored = api.query('select last_sent_at from ReviewSessionInvitee where '
                       'id is {0}'.format(invitee['id']))['data'][0]
    assert stored['last_sent_at'] is not None
    error = api.error([{'action': 'send_review_session_invite',
                        'review_session_invitee_id': str(uuid.uuid4())}])
    assert error['exception'] == 'NoResultFoundError'


def user_roles(api, user_id):
    return api.query(
        'select security_role.name, is_all_projects, '
        'user_security_role_projects.project_id from UserSecurityRole '
        'where user_id is {0}'.format(user_id))['data']


def test_security_role_actions(api, user, project):
    supervisor = role_id(api, 'Supervisor')
    manager = role_id(api, 'Project Manager')
    added = api.call([{'action': 'add_user_security_role',
                       'user_id': user['id'], 'role_id': supervisor}])[0]
    assert added['action'] == 'add_user_security_role'
    assert added['data']['__entity_type__'] == 'UserSecurityRole'
    # Adding again changes nothing.
    api.call([{'action': 'add_user_security_role', 'user_id': user['id'],
               'role_id': supervisor}])
    roles = user_roles(api, user['id'])
    assert [role['security_role']['name'] for role in roles] == [
        'Supervisor']
    assert roles[0]['is_all_projects'] is True

    api.call([{'action': 'update_user_security_role', 'user_id': user['id'],
               'role_id': supervisor, 'new_role_id': manager}])
    roles = user_roles(api, user['id'])
    assert [role['security_role']['name'] for role in roles] == [
        'Project Manager']

    granted = api.call([{
        'action': 'grant_user_security_role_project', 'user_id': user['id'],
        'role_id': manager, 'project_id': project['id']}])[0]
    assert granted['data']['__entity_type__'] == 'UserSecurityRoleProject'
    roles = user_roles(api, user['id'])
    assert [item['project_id'] for item in
            roles[0]['user_security_role_projects']] == [project['id']]

    api.call([{'action': 'revoke_user_security_role_project',
               'user_id': user['id'], 'role_id': manager,
               'project_id': project['id']}])
    roles = user_roles(api, user['id'])
    assert roles[0]['user_security_role_projects'] == []

    result = api.call([{'action': 'remove_user_security_role',
                        'user_id': user['id'], 'role_id': manager}])[0]
    assert result == {'action': 'remove_user_security_role', 'data': True}
    assert user_roles(api, user['id']) == []


def test_granting_a_project_gives_the_role(api, project):
    someone = api.create('User', {'username': 'grant-' + uuid.uuid4().hex})
    api.call([{'action': 'grant_user_security_role_project',
               'user_id': someone['id'], 'role_id': role_id(api, 'User'),
               'project_id': project['id']}])
    roles = user_roles(api, someone['id'])
    assert roles[0]['is_all_projects'] is False
    assert len(roles[0]['user_security_role_projects']) == 1


@pytest.mark.parametrize('operation, fragment', [
    ({'action': 'add_user_security_role', 'user_id': 'nobody',
      'role_id': 'x'}, 'No User with id nobody'),
    ({'action': 'remove_user_security_role', 'user_id': 'nobody',
      'role_id': 'x'}, 'does not have the security role'),
    ({'action': 'revoke_user_security_role_project', 'user_id': 'nobody',
      'role_id': 'x', 'project_id': 'y'}, 'has no security role'),
    ({'action': 'update_user_security_role', 'user_id': 'nobody'},
     'needs "role_id"'),
])
def test_security_role_errors(api, operation, fragment):
    error = api.error([operation])
    assert fragment in error['content']
