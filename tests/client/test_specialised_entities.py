"""Helpers of notes, project schemas, users, jobs, versions and components."""

import warnings

import pytest

import ftrack_api.exception
import ftrack_api.symbol

from session_helpers import new_session, project_tree, transcript, unique  # noqa: F401


@pytest.fixture
def shot(ftrack_session, project_tree):  # noqa: F811
    return ftrack_session.get('Shot', project_tree['shots'][0])


@pytest.fixture
def user(ftrack_session, project_tree):  # noqa: F811
    return ftrack_session.get('User', project_tree['user'])


@pytest.fixture
def artist(ftrack_session):
    name = unique('artist')
    artist = ftrack_session.create('User', {
        'username': name, 'email': name + '@example.com',
    })
    ftrack_session.commit()
    return artist


# Notes

def test_create_note_with_recipients_and_reply(ftrack_session, transcript, shot, user, artist):  # noqa: F811
    note = shot.create_note('Looks good', user, recipients=[artist])
    reply = note.create_reply('Thanks', artist)
    assert note['content'] == 'Looks good' and note['author'] is user
    assert list(shot['notes'])[-1] is note
    assert list(note['replies']) == [reply]
    transcript.clear()
    ftrack_session.commit()
    kinds = [
        (operation['action'], operation['entity_type'])
        for operation in transcript.requests[-1]
    ]
    assert kinds == [
        ('create', 'Note'), ('update', 'Shot'), ('create', 'Recipient'),
        ('update', 'Note'), ('create', 'Note'), ('update', 'Note'),
    ]
    assert transcript.requests[-1][2]['entity_data'] == {
        '__entity_type__': 'Recipient', 'note_id': note['id'],
        'resource_id': artist['id'],
    }
    stored = ftrack_session.query(
        'select content, replies.content, recipients.resource_id from Note '
        'where id is "{0}"'.format(note['id'])
    ).one()
    assert [item['content'] for item in stored['replies']] == ['Thanks']
    assert [item['resource_id'] for item in stored['recipients']] == [
        artist['id']
    ]


def test_create_note_with_labels(ftrack_session, transcript, shot, user):
    label = ftrack_session.create('NoteLabel', {'name': unique('label')})
    ftrack_session.commit()
    note = shot.create_note('labelled', user, labels=[label])
    transcript.clear()
    ftrack_session.commit()
    assert transcript.requests[-1][-1] == {
        'action': 'create', 'entity_type': 'NoteLabelLink',
        'entity_key': [note['id'], label['id']],
        'entity_data': {'__entity_type__': 'NoteLabelLink',
                        'label_id': label['id'], 'note_id': note['id']},
    }


def test_note_category_becomes_a_label(ftrack_session, transcript, shot, user):
    category = ftrack_session.query('NoteCategory').first() or (
        ftrack_session.create('NoteCategory', {'name': 'Internal'})
    )
    ftrack_session.commit()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        note = shot.create_note('categorised', user, category=category)
    assert [warning.category for warning in caught] == [
        PendingDeprecationWarning
    ]
    assert str(caught[0].message) == (
        'category argument will be removed in an upcoming version, please '
        'use labels instead.'
    )
    ftrack_session.commit()
    link = transcript.requests[-1][-1]
    assert link['entity_type'] == 'NoteLabelLink'
    assert link['entity_data']['label_id'] == category['id']
    assert link['entity_data']['note_id'] == note['id']

    with pytest.raises(ValueError) as error:
        shot.create_note('x', user, category=category, labels=[category])
    assert str(error.value) == (
        'Both category and labels cannot be set at the same time.'
    )


# Project schemas

def test_project_schema_statuses_and_types(ftrack_session, project_tree):  # noqa: F811
    schema = ftrack_session.get('ProjectSchema', project_tree['schema'])
    task_statuses = schema.get_statuses('Task')
    assert task_statuses and all(
        status.entity_type == 'Status' for status in task_statuses
    )
    assert schema.get_statuses('AssetVersion')
    shot_statuses = schema.get_statuses('Shot')
    assert all(status.entity_type == 'Status' for status in shot_statuses)
    types = schema.get_types('Task')
    assert types and all(item.entity_type == 'Type' for item in types)
    assert isinstance(schema.get_types('Shot'), list)

    for call, message in (
        (lambda: schema.get_statuses('Bogus'), 'Schema Bogus does not exist.'),
        (lambda: schema.get_types('Bogus'), 'Schema Bogus does not exist.'),
        (lambda: schema.get_statuses('Project'),
         'Schema Project does not have statuses.'),
        (lambda: schema.get_types('AssetVersion'),
         'Schema AssetVersion does not have types.'),
    ):
        with pytest.raises(ValueError) as error:
            call()
        assert str(error.value) == message


def test_task_type_override_of_statuses(ftrack_session, project_tree):  # noqa: F811
    schema = ftrack_session.get('ProjectSchema', project_tree['schema'])
    default = schema.get_statuses('Task')
    for override in schema['_overrides']:
        overridden = schema.get_statuses('Task', override['type_id'])
        assert overridden == list(override['workflow_schema']['statuses'])
    assert schema.get_statuses('Task', 'no-such-type') == default


# Users

def test_timers(ftrack_session, transcript, shot, artist):
    timer = artist.start_timer(shot, comment='work', name='session')
    assert timer.entity_type == 'Timer'
    with pytest.raises(ftrack_api.exception.NotUniqueError) as error:
        artist.start_timer(shot)
    assert str(error.value) == (
        'Failed to start a timelog for user with id: {0}, it is likely that '
        'a timer is already running. Either use force=True or stop the '
        'timer first.'.format(artist['id'])
    )
    # The failed creation stays pending.
    assert [
        type(operation).__name__ for operation in
        ftrack_session.recorded_operations
    ] == [
        'CreateEntityOperation', 'UpdateEntityOperation',
        'UpdateEntityOperation',
    ]
    ftrack_session.rollback()

    transcript.clear()
    timelog = artist.stop_timer()
    assert transcript.expressions[0] == (
        'select id from Timer where user_id = "{0}" limit 2'.format(
            artist['id']
        )
    )
    assert timelog.entity_type == 'Timelog'
    assert timelog['comment'] == 'work' and timelog['name'] == 'session'
    assert 0 <= timelog['duration'] < 60
    with pytest.raises(ftrack_api.exception.NoResultFoundError):
        artist.stop_timer()

    artist.start_timer(shot)
    second = artist.start_timer(shot, force=True)
    assert ftrack_session.query(
        'Timer where user_id is "{0}"'.format(artist['id'])
    ).one() is second


def test_reset_api_key_and_invites(ftrack_session, transcript, artist):
    transcript.clear()
    first = artist.reset_api_key()
    second = artist.reset_api_key()
    assert isinstance(first, str) and first != second
    assert transcript.requests[0] == [{
        'action': 'reset_remote', 'reset_type': 'api_key',
        'entity_type': 'User', 'entity_key': artist['id'],
    }]
    transcript.clear()
    assert artist.send_invite() is None
    ftrack_session.send_user_invites([artist, artist])
    assert transcript.requests == [
        [{'action': 'send_user_invite', 'user_id': artist['id']}],
        [{'action': 'send_user_invite', 'user_id': artist['id']}] * 2,
    ]


def test_widget_url(ftrack_session, transcript, shot):
    transcript.clear()
    url = ftrack_session.get_widget_url('info', entity=shot, theme='dark')
    assert url.startswith('http')
    ftrack_session.get_widget_url('tasks')
    assert transcript.requests == [
        [{'action': 'get_widget_url', 'name': 'info', 'theme': 'dark',
          'entity_type': 'Shot', 'entity_key': [shot['id']]}],
        [{'action': 'get_widget_url', 'name': 'tasks', 'theme': None}],
    ]


def test_unsupported_action_is_a_compatibility_error(ftrack_session, monkeypatch):
    original = ftrack_session.call

    def old_server(operations):
        if operations[0]['action'] == 'send_review_session_invite':
            raise ftrack_api.exception.ServerError(
                "Server reported error: ServerError(Invalid action "
                "u'send_review_session_invite')"
            )
        return original(operations)

    monkeypatch.setattr(ftrack_session, 'call', old_server)
    invitee = ftrack_session.create('ReviewSessionInvitee', {})
    with pytest.raises(ftrack_api.exception.ServerCompatibilityError) as error:
        ftrack_session.send_review_session_invite(invitee)
    assert str(error.value) == (
        'Server version {0!r} does not support "send_review_session_invite", '
        'please update server and try again.'.format(
            ftrack_session.server_information['version']
        )
    )


# Jobs

def test_job_type_is_checked(ftrack_session, user):
    job = ftrack_session.create('Job', {'user': user})
    assert job['type'] == 'api_job' and job['status'] == 'queued'
    ftrack_session.commit()
    with pytest.raises(ValueError) as error:
        ftrack_session.create('Job', {'type': 'sync'})
    assert str(error.value) == 'Invalid job type "sync". Must be "api_job"'
    rebuilt = ftrack_session.create(
        'Job', {'id': 'x', 'type': 'sync'}, reconstructing=True
    )
    assert rebuilt['type'] == 'sync'
    with pytest.raises(AttributeError):
        ftrack_session.create('Job')


# Versions and components

def test_asset_version_helpers_delegate_to_the_session(ftrack_session, monkeypatch):
    calls = []
    monkeypatch.setattr(
        ftrack_session, 'create_component',
        lambda path, data=None, location='auto': calls.append(
            ('create_component', path, data, location)
        ),
    )
    monkeypatch.setattr(
        ftrack_session, 'encode_media',
        lambda media, version_id=None, keep_original='auto': calls.append(
            ('encode_media', media, version_id, keep_original)
        ),
    )
    version = ftrack_session.create('AssetVersion', {})
    data = {'version_id': 'other', 'name': 'main'}
    version.create_component('/tmp/file.exr', data=data)
    version.encode_media('/tmp/movie.mov')
    assert calls == [
        ('create_component', '/tmp/file.exr',
         {'name': 'main', 'version': version}, None),
        ('encode_media', '/tmp/movie.mov', version['id'], 'auto'),
    ]
    assert data == {'name': 'main', 'version': version}


def test_encode_media_rejects_other_objects(ftrack_session):
    with pytest.raises(ValueError) as error:
        ftrack_session.encode_media(42)
    assert str(error.value) == "Unable to encode media of type: <class 'int'>"


def test_component_availability(ftrack_session, transcript):  # noqa: F811
    locations = ftrack_session.query('Location').all()
    unmanaged = ftrack_session.get(
        'Location', ftrack_api.symbol.UNMANAGED_LOCATION_ID
    )
    component = ftrack_session.create('FileComponent', {'name': 'main'})
    ftrack_session.create('ComponentLocation', {
        'component': component, 'location': unmanaged,
        'resource_identifier': '/tmp/file.exr',
    })
    container = ftrack_session.create('SequenceComponent', {'name': 'seq'})
    member = ftrack_session.create('FileComponent', {
        'name': '0001', 'container': container,
    })
    container['members'].append(member)
    ftrack_session.create('ComponentLocation', {
        'component': member, 'location': unmanaged,
        'resource_identifier': '/tmp/seq.0001.exr',
    })
    other_member = ftrack_session.create('FileComponent', {
        'name': '0002', 'container': container,
    })
    container['members'].append(other_member)
    ftrack_session.commit()

    transcript.clear()
    availability = component.get_availability()
    assert set(availability) == {location['id'] for location in locations}
    assert availability[unmanaged['id']] == 100.0
    assert sum(availability.values()) == 100.0
    # The reference asks for the components first, then for the locations.
    assert transcript.expressions[0] == (
        'select component_locations.location_id from FileComponent where id '
        'is {0} offset 0 limit 500'.format(component['id'])
    )
    assert transcript.expressions[1].startswith('select id from Location')

    both = ftrack_session.get_component_availabilities(
        [component, container], locations=[unmanaged]
    )
    assert both == [{unmanaged['id']: 100.0}, {unmanaged['id']: 50.0}]
