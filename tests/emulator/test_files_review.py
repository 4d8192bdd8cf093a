"""The web review workflow at the API level: encoded versions put into a
review session, reviewers invited (recorded in the outbox), their
statuses and notes stored."""

import datetime
import json
import time
import uuid

import pytest

from ftrack_emulator.files.media import Runner

def date(offset_days=0):
    value = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(days=offset_days)
    return {'__type__': 'datetime', 'value': value.isoformat()}


@pytest.fixture(scope='module')
def project(api):
    return api.create_project('review', 'Review')


@pytest.fixture(scope='module')
def encoded_version(api, files, project, tmp_path_factory):
    """A version with an encoded reviewable movie and a thumbnail."""
    path = tmp_path_factory.mktemp('review') / 'clip.mov'
    Runner().run(['-v', 'error', '-y', '-f', 'lavfi', '-i',
                  'testsrc=duration=0.4:size=32x32:rate=10', '-c:v', 'mpeg4',
                  str(path)])
    asset = api.create_asset('shot010',
                            api.ref('Project', project['id']))
    version = api.create('AssetVersion', {'asset': api.ref('Asset',
                                                          asset['id'])})
    source = files.publish(path.read_bytes(), 'clip.mov',
                           version_id=version['id'])
    job_id = api.call([{'action': 'encode_media', 'component_id': source,
                        'version_id': version['id'],
                        'keep_original': True}])[0]['job_id']
    deadline = time.time() + 60
    while api.query('select status from Job where id is "{0}"'.format(
            job_id))['data'][0]['status'] in ('queued', 'running'):
        assert time.time() < deadline, 'encoding did not finish'
        time.sleep(0.05)
    return api.query('select thumbnail_id, components.name from AssetVersion '
                     'where id is "{0}"'.format(version['id']))['data'][0]


def create(api, entity_type, data):
    return api.create(entity_type, dict(data, id=str(uuid.uuid4())))


def test_a_review_session_with_objects_and_invitees(api, ftrack_server,
                                                    project, encoded_version):
    assert 'ftrackreview-mp4' in {
        component['name'] for component in encoded_version['components']}
    session = create(api, 'ReviewSession', {
        'name': 'Dailies', 'description': 'Encoded today.',
        'project': api.ref('Project', project['id']),
        'start_date': date(), 'end_date': date(7),
    })
    item = create(api, 'ReviewSessionObject', {
        'name': 'shot010', 'description': 'First pass', 'version': 'v1',
        'review_session': api.ref('ReviewSession', session['id']),
        'asset_version': api.ref('AssetVersion', encoded_version['id']),
        'sort_order': 0,
    })
    invitees = [create(api, 'ReviewSessionInvitee', {
        'name': name, 'email': '{0}@example.com'.format(name.lower()),
        'review_session': api.ref('ReviewSession', session['id']),
    }) for name in ('Alice', 'Bob')]
    api.call([{'action': 'send_review_session_invite',
               'review_session_invitee_id': invitee['id']}
              for invitee in invitees])

    sent = [entry for entry in ftrack_server.outbox()
            if entry['payload'].get('review_session_id') == session['id']]
    assert sorted(entry['email'] for entry in sent) == \
        ['alice@example.com', 'bob@example.com']
    assert {entry['kind'] for entry in sent} == {'review_session_invite'}
    assert sent[0]['payload']['review_session_name'] == 'Dailies'

    create(api, 'ReviewSessionObjectStatus', {
        'status': 'approved',
        'review_session_object': api.ref('ReviewSessionObject', item['id']),
        'invitee': api.ref('ReviewSessionInvitee', invitees[0]['id']),
        'created_at': date(),
    })
    loaded = api.query(
        'select is_open, review_session_objects.asset_version.components'
        '.name, review_session_objects.statuses.status, '
        'review_session_invitees.last_sent_at from ReviewSession where id '
        'is "{0}"'.format(session['id']))['data'][0]
    assert loaded['is_open'] is True
    [loaded_item] = loaded['review_session_objects']
    assert [status['status'] for status in loaded_item['statuses']] == \
        ['approved']
    assert 'ftrackreview-mp4' in {
        component['name']
        for component in loaded_item['asset_version']['components']}
    assert all(invitee['last_sent_at'] is not None
               for invitee in loaded['review_session_invitees'])


def test_a_past_review_session_is_closed(api, project):
    session = create(api, 'ReviewSession', {
        'name': 'Last week', 'project': api.ref('Project', project['id']),
        'start_date': date(-14), 'end_date': date(-7),
    })
    loaded = api.query('select is_open from ReviewSession where id is '
                       '"{0}"'.format(session['id']))['data'][0]
    assert loaded['is_open'] is False


def test_inviting_needs_an_existing_invitee(api):
    error = api.error([{'action': 'send_review_session_invite',
                        'review_session_invitee_id': str(uuid.uuid4())}])
    assert error['exception'] == 'NoResultFoundError'


def test_the_documented_example_needs_no_dates(api, project,
                                               encoded_version):
    session = create(api, 'ReviewSession', {
        'name': 'Weekly review', 'description': 'See updates from last week.',
        'project': api.ref('Project', project['id']),
    })
    item = create(api, 'ReviewSessionObject', {
        'name': 'Compositing', 'description': 'Fixed shadows.',
        'version': 'Version 3',
        'review_session': api.ref('ReviewSession', session['id']),
        'asset_version': api.ref('AssetVersion', encoded_version['id']),
    })
    loaded = api.query('select is_open, start_date, end_date from '
                       'ReviewSession where id is "{0}"'.format(
                           session['id']))['data'][0]
    assert loaded['is_open'] is True
    assert loaded['start_date'] is not None
    assert loaded['end_date'] is not None
    assert item['sort_order'] is not None


def test_the_session_thumbnail_follows_its_first_version(
        api, project, encoded_version):
    session = create(api, 'ReviewSession', {
        'name': 'With thumbnail', 'project': api.ref('Project', project['id']),
        'start_date': date(), 'end_date': date(1),
    })
    create(api, 'ReviewSessionObject', {
        'name': 'shot010', 'version': 'v1', 'sort_order': 0,
        'review_session': api.ref('ReviewSession', session['id']),
        'asset_version': api.ref('AssetVersion', encoded_version['id']),
    })
    loaded = api.query('select thumbnail_id from ReviewSession where id is '
                       '"{0}"'.format(session['id']))['data'][0]
    assert encoded_version['thumbnail_id'] is not None
    assert loaded['thumbnail_id'] == encoded_version['thumbnail_id']


def test_job_data_stays_json_text(api, encoded_version):
    jobs = api.query('select data from Job where status is "done"')['data']
    assert jobs
    for job in jobs:
        assert isinstance(json.loads(job['data']), dict)


def test_the_session_thumbnail_is_kept_up_to_date(api, project):
    """Adding, reordering and removing objects, and changing a shown
    version's thumbnail, all move the session's thumbnail along."""
    asset = api.create_asset('thumbs', api.ref('Project', project['id']))
    first, second = [
        api.create('AssetVersion', {'asset': api.ref('Asset', asset['id'])})
        for _ in range(2)]
    thumbnails = [api.create('FileComponent', {'name': 'thumbnail'})['id']
                  for _ in range(3)]
    api.call([{
        'action': 'update', 'entity_type': 'AssetVersion',
        'entity_key': [version['id']],
        'entity_data': {'__entity_type__': 'AssetVersion',
                        'thumbnail_id': thumbnail}}
        for version, thumbnail in zip((first, second), thumbnails)])
    session = create(api, 'ReviewSession', {
        'name': 'Moving', 'project': api.ref('Project', project['id'])})

    def shown():
        return api.query(
            'select thumbnail_id, thumbnail_url from ReviewSession where id '
            'is "{0}"'.format(session['id']))['data'][0]

    def update(entity_type, entity_id, **data):
        api.call([{'action': 'update', 'entity_type': entity_type,
                   'entity_key': [entity_id],
                   'entity_data': dict(data, __entity_type__=entity_type)}])

    assert shown()['thumbnail_id'] is None
    later = create(api, 'ReviewSessionObject', {
        'name': 'second', 'version': 'v2', 'sort_order': 1,
        'review_session': api.ref('ReviewSession', session['id']),
        'asset_version': api.ref('AssetVersion', second['id'])})
    assert shown()['thumbnail_id'] == thumbnails[1]
    earlier = create(api, 'ReviewSessionObject', {
        'name': 'first', 'version': 'v1', 'sort_order': 0,
        'review_session': api.ref('ReviewSession', session['id']),
        'asset_version': api.ref('AssetVersion', first['id'])})
    loaded = shown()
    assert loaded['thumbnail_id'] == thumbnails[0]
    assert 'id={0}'.format(thumbnails[0]) in loaded['thumbnail_url']['url']
    update('ReviewSessionObject', earlier['id'], sort_order=5)
    assert shown()['thumbnail_id'] == thumbnails[1]
    update('AssetVersion', second['id'], thumbnail_id=thumbnails[2])
    assert shown()['thumbnail_id'] == thumbnails[2]
    api.call([{'action': 'delete', 'entity_type': 'ReviewSessionObject',
               'entity_key': [later['id']]}])
    assert shown()['thumbnail_id'] == thumbnails[0]
    # Deleting the version removes its object from the session too.
    api.call([{'action': 'delete', 'entity_type': 'AssetVersion',
               'entity_key': [first['id']]}])
    loaded = shown()
    assert loaded['thumbnail_id'] is None
    assert loaded['thumbnail_url']['url'].endswith('/img/thumbnail2.png')


def test_the_session_thumbnail_cannot_be_set_by_clients(api, project):
    session = create(api, 'ReviewSession', {
        'name': 'Fixed', 'project': api.ref('Project', project['id'])})
    error = api.error([{
        'action': 'update', 'entity_type': 'ReviewSession',
        'entity_key': [session['id']],
        'entity_data': {'__entity_type__': 'ReviewSession',
                        'thumbnail_id': str(uuid.uuid4())}}])
    assert error['exception'] == 'ValidationError'
    assert '"thumbnail_id" of ReviewSession is computed' in error['content']
