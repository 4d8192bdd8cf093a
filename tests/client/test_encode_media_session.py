"""Session.encode_media and AssetVersion.encode_media with a real encoder:
a one-second 64x64 movie made by ffmpeg, uploaded and encoded by the
emulator's job.
"""

import json
import subprocess
import time

import imageio_ffmpeg
import pytest

import ftrack_api.exception
import ftrack_api.symbol

from session_helpers import Transcript

SYMBOL = ftrack_api.symbol
JOB_TIMEOUT = 60


@pytest.fixture(scope='module')
def movie(tmp_path_factory):
    path = tmp_path_factory.mktemp('movies') / 'clip.mov'
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), '-v', 'error', '-y', '-f', 'lavfi',
         '-i', 'testsrc=duration=1:size=64x64:rate=25', '-c:v', 'mpeg4',
         str(path)],
        check=True, timeout=60,
    )
    return str(path)


def finished(session, job):
    deadline = time.time() + JOB_TIMEOUT
    while True:
        job = session.query(
            'select status, data from Job where id is "{0}"'.format(job['id'])
        ).one()
        if job['status'] not in ('queued', 'running'):
            return job
        assert time.time() < deadline, 'the encoding job did not finish'
        time.sleep(0.2)


def encode_request(transcript):
    return [operation for operation in transcript.operations
            if operation['action'] == 'encode_media'][0]


def test_a_path_is_uploaded_then_encoded(session, version, movie):
    transcript = Transcript(session)
    job = session.encode_media(movie, version_id=version['id'])
    assert job.entity_type == 'Job'
    request = encode_request(transcript)
    assert request['keep_original'] is False
    assert request['version_id'] == version['id']
    source = session.get('FileComponent', request['component_id'])
    server = session.get('Location', SYMBOL.SERVER_LOCATION_ID)
    assert server.get_component_availability(source) == 100.0
    # Not kept: the uploaded source is not made part of the version.
    assert source['version_id'] is None

    job = finished(session, job)
    assert job['status'] == 'done'
    data = json.loads(job['data'])
    assert data['source_component_id'] == source['id']
    assert data['keep_original'] is False
    assert [output['format'] for output in data['output']] == \
        ['video/mp4', 'image/jpeg']
    reviewable = session.get('FileComponent',
                             data['output'][0]['component_id'])
    handle = server.accessor.open(
        server.get_resource_identifier(reviewable), 'rb')
    assert handle.read(12)[4:8] == b'ftyp'
    handle.close()


def test_a_kept_path_becomes_a_component_of_the_version(session, version,
                                                        movie):
    transcript = Transcript(session)
    job = version.encode_media(movie, keep_original=True)
    request = encode_request(transcript)
    assert request['keep_original'] is True
    source = session.get('FileComponent', request['component_id'])
    assert source['version_id'] == version['id']
    assert finished(session, job)['status'] == 'done'


def test_a_component_is_encoded_as_it_is(session, version, movie):
    server = session.get('Location', SYMBOL.SERVER_LOCATION_ID)
    component = version.create_component(movie, location=server)
    transcript = Transcript(session)
    job = version.encode_media(component)
    request = encode_request(transcript)
    assert request == {
        'action': 'encode_media', 'component_id': component['id'],
        'version_id': version['id'], 'keep_original': True,
    }
    # Nothing is uploaded again.
    assert [operation['action'] for operation in transcript.operations] == \
        ['encode_media', 'query']
    assert finished(session, job)['status'] == 'done'
    components = session.query(
        'select name from Component where version_id is "{0}"'.format(
            version['id'])
    ).all()
    assert 'ftrackreview-mp4' in {item['name'] for item in components}


def test_a_component_may_be_given_up(session, version, movie):
    server = session.get('Location', SYMBOL.SERVER_LOCATION_ID)
    component = session.create_component(movie, location=server)
    transcript = Transcript(session)
    session.encode_media(component, keep_original=False)
    assert encode_request(transcript)['keep_original'] is False
    assert encode_request(transcript)['version_id'] is None


@pytest.mark.parametrize('media', [None, 3, b'clip.mov'])
def test_other_media_are_refused(session, media):
    with pytest.raises(ValueError) as raised:
        session.encode_media(media)
    assert str(raised.value) == \
        'Unable to encode media of type: {0}'.format(type(media))


def test_a_sequence_is_not_a_file(session, tmp_path):
    sequence = session.create('SequenceComponent', {'name': 'frames'})
    with pytest.raises(ValueError):
        session.encode_media(sequence)


def test_review_session_invites_go_in_one_request(ftrack_server, session,
                                                  version):
    import arrow

    now = arrow.utcnow()
    review = session.create('ReviewSession', {
        'name': 'Dailies', 'description': '', 'project':
        version['asset']['parent'], 'start_date': now,
        'end_date': now.shift(days=1),
    })
    invitees = [
        session.create('ReviewSessionInvitee', {
            'name': name, 'email': '{0}@example.com'.format(name),
            'review_session': review,
        })
        for name in ('ann', 'bob')
    ]
    session.commit()
    transcript = Transcript(session)
    assert session.send_review_session_invites(invitees) is None
    assert transcript.requests == [[
        {'action': 'send_review_session_invite',
         'review_session_invitee_id': invitee['id']}
        for invitee in invitees
    ]]
    sent = {entry['recipient_id'] for entry in ftrack_server.outbox()}
    assert {invitee['id'] for invitee in invitees} <= sent


def test_widget_urls_name_the_entity(session, version):
    transcript = Transcript(session)
    url = session.get_widget_url('info', entity=version, theme='dark')
    assert url.startswith(session.server_url)
    assert transcript.operations == [{
        'action': 'get_widget_url', 'name': 'info', 'theme': 'dark',
        'entity_type': 'AssetVersion', 'entity_key': [version['id']],
    }]
