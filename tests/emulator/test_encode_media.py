"""``encode_media`` as a real job: tiny generated media through ffmpeg,
the Job row and its data, the output components and what a failure
looks like."""

import json
import time
import uuid

import pytest

from ftrack_emulator.files.media import Runner

from emulator_files import SERVER_LOCATION_ID, jpeg_size

JOB_TIMEOUT = 60


def make_media(path, *arguments):
    Runner().run(['-v', 'error', '-y'] + list(arguments) + [str(path)])
    return path.read_bytes()


@pytest.fixture(scope='module')
def media_files(tmp_path_factory):
    """A 1 s 64x64 movie with sound, a 67x33 PNG and a broken movie."""
    directory = tmp_path_factory.mktemp('media')
    return {
        'movie': make_media(
            directory / 'clip.mov', '-f', 'lavfi', '-i',
            'testsrc=duration=1:size=64x64:rate=25', '-f', 'lavfi', '-i',
            'sine=duration=1', '-c:v', 'mpeg4', '-c:a', 'aac', '-shortest'),
        'odd_movie': make_media(
            directory / 'odd.mov', '-f', 'lavfi', '-i',
            'testsrc=duration=0.4:size=33x17:rate=10', '-c:v', 'mpeg4'),
        'image': make_media(
            directory / 'still.png', '-f', 'lavfi', '-i',
            'testsrc=size=67x33', '-frames:v', '1'),
    }


@pytest.fixture(scope='module')
def asset(api):
    project = api.create_project('encoding', 'Encoding')
    return api.create_asset('review', api.ref('Project', project['id']))


@pytest.fixture
def version(api, asset):
    return api.create('AssetVersion', {'asset': api.ref('Asset',
                                                        asset['id'])})


def encode(api, component_id, version_id=None, keep_original=True):
    return api.call([{
        'action': 'encode_media', 'component_id': component_id,
        'version_id': version_id, 'keep_original': keep_original,
    }])[0]


def wait_for_job(api, job_id):
    deadline = time.time() + JOB_TIMEOUT
    while True:
        job = api.query(
            'select status, data, type, finished_at, user_id from Job where '
            'id is "{0}"'.format(job_id))['data'][0]
        if job['status'] not in ('queued', 'running'):
            return job
        if time.time() > deadline:
            raise AssertionError('job still {0}'.format(job['status']))
        time.sleep(0.05)


def output_components(api, job_id):
    rows = api.query(
        'select component.name, component.file_type, component.size, '
        'component.version_id, component.metadata, '
        'component.component_locations.location_id, '
        'component.component_locations.resource_identifier '
        'from JobComponent where job_id is "{0}"'.format(job_id))['data']
    return {row['component']['name']: row['component'] for row in rows}


def metadata(component):
    return {item['key']: item['value'] for item in component['metadata']}


# Movies ----------------------------------------------------------------------

def test_a_movie_becomes_a_web_playable_mp4_and_a_thumbnail(
        api, files, media_files, version, tmp_path):
    source = files.publish(media_files['movie'], 'clip.mov',
                           version_id=version['id'])
    answer = encode(api, source, version['id'], keep_original=True)
    assert set(answer) == {'job_id'}
    job = wait_for_job(api, answer['job_id'])
    assert job['status'] == 'done', job['data']
    assert job['type'] == 'api_job'
    assert job['finished_at'] is not None
    data = json.loads(job['data'])
    assert set(data) == {'output', 'source_component_id', 'keep_original'}
    assert data['source_component_id'] == source
    assert data['keep_original'] is True
    assert [item['format'] for item in data['output']] == \
        ['video/mp4', 'image/jpeg']

    components = output_components(api, answer['job_id'])
    assert set(components) == {'ftrackreview-mp4', 'thumbnail'}
    movie = components['ftrackreview-mp4']
    thumbnail = components['thumbnail']
    assert data['output'][0]['component_id'] == movie['id']
    assert data['output'][1]['component_id'] == thumbnail['id']
    assert (movie['file_type'], thumbnail['file_type']) == ('.mp4', '.jpg')
    for component in (movie, thumbnail):
        assert component['version_id'] == version['id']
        [location] = component['component_locations']
        assert location['location_id'] == SERVER_LOCATION_ID
        assert location['resource_identifier'] == component['id']
    assert json.loads(metadata(movie)['ftr_meta']) == {
        'frameIn': 0, 'frameOut': 25, 'frameRate': 25, 'width': 64,
        'height': 64, 'format': 'video',
    }

    response = files.download(movie['id'])
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'video/mp4'
    body = response.content
    assert movie['size'] == len(body)
    assert body[4:8] == b'ftyp'
    assert body.index(b'moov') < body.index(b'mdat'), 'not faststart'
    path = tmp_path / 'review.mp4'
    path.write_bytes(body)
    _, summary = Runner().run(['-i', str(path)], check=False)
    assert 'Video: h264' in summary and 'yuv420p' in summary
    assert 'Audio: aac' in summary

    picture = files.download(thumbnail['id']).content
    assert jpeg_size(picture) == (64, 64)

    refreshed = api.query('select thumbnail_id from AssetVersion where id is '
                          '"{0}"'.format(version['id']))['data'][0]
    assert refreshed['thumbnail_id'] == thumbnail['id']
    # keep_original: the source stays where it was.
    assert files.download(source).content == media_files['movie']


def test_odd_sizes_are_made_even(api, files, media_files, tmp_path):
    source = files.publish(media_files['odd_movie'], 'odd.mov')
    job = wait_for_job(api, encode(api, source)['job_id'])
    assert job['status'] == 'done', job['data']
    movie = output_components(api, job['id'])['ftrackreview-mp4']
    meta = json.loads(metadata(movie)['ftr_meta'])
    assert (meta['width'], meta['height']) == (32, 16)
    assert (meta['frameOut'], meta['frameRate']) == (4, 10)
    # Without a version the outputs stand alone.
    assert movie['version_id'] is None


def test_without_keep_original_the_source_leaves_the_server(
        api, files, media_files, version):
    source = files.publish(media_files['movie'], 'clip.mov')
    job = wait_for_job(api, encode(api, source, version['id'],
                                   keep_original=False)['job_id'])
    assert job['status'] == 'done', job['data']
    assert json.loads(job['data'])['keep_original'] is False
    assert files.download(source).status_code == 404
    locations = api.query(
        'select id from ComponentLocation where component_id is "{0}"'
        .format(source))['data']
    assert locations == []
    # The component itself is still known.
    assert api.query('select id from FileComponent where id is "{0}"'.format(
        source))['data']


# Images ----------------------------------------------------------------------

def test_an_image_becomes_a_web_image_and_a_thumbnail(
        api, files, media_files, version):
    source = files.publish(media_files['image'], 'still.png',
                           version_id=version['id'])
    answer = encode(api, source, version['id'])
    job = wait_for_job(api, answer['job_id'])
    assert job['status'] == 'done', job['data']
    data = json.loads(job['data'])
    assert [item['format'] for item in data['output']] == \
        ['image/jpeg', 'image/jpeg']
    components = output_components(api, answer['job_id'])
    assert set(components) == {'ftrackreview-image', 'thumbnail'}
    review = components['ftrackreview-image']
    assert review['file_type'] == '.jpg'
    assert json.loads(metadata(review)['ftr_meta']) == {
        'format': 'image', 'width': 67, 'height': 33,
    }
    assert jpeg_size(files.download(review['id']).content) == (67, 33)
    thumbnail = files.download(components['thumbnail']['id'])
    assert thumbnail.headers['Content-Type'] == 'image/jpeg'
    assert jpeg_size(thumbnail.content) == (67, 33)


# Failures --------------------------------------------------------------------

def test_a_corrupt_source_fails_the_job_with_the_encoder_message(
        api, files, version):
    source = files.publish(b'\x00\x00\x00\x18ftypqt  garbage' * 20,
                           'broken.mov', version_id=version['id'])
    answer = encode(api, source, version['id'])
    job = wait_for_job(api, answer['job_id'])
    assert job['status'] == 'failed'
    assert job['finished_at'] is not None
    data = json.loads(job['data'])
    assert data['output'] == []
    assert data['source_component_id'] == source
    assert 'Invalid data' in data['error'] or 'moov' in data['error']
    assert files.storage.root not in data['error']
    assert output_components(api, answer['job_id']) == {}
    refreshed = api.query('select thumbnail_id from AssetVersion where id is '
                          '"{0}"'.format(version['id']))['data'][0]
    assert refreshed['thumbnail_id'] is None
    # A failed job keeps the original even without keep_original.
    answer = encode(api, source, keep_original=False)
    assert wait_for_job(api, answer['job_id'])['status'] == 'failed'
    assert files.download(source).status_code == 200
    assert not files.leftovers()


def test_a_file_without_pictures_fails_clearly(api, files, tmp_path):
    sound = make_media(tmp_path / 'tone.m4a', '-f', 'lavfi', '-i',
                       'sine=duration=0.2', '-c:a', 'aac')
    source = files.publish(sound, 'tone.m4a')
    job = wait_for_job(api, encode(api, source)['job_id'])
    assert job['status'] == 'failed'
    assert 'no video stream' in json.loads(job['data'])['error']


def test_the_job_is_committed_when_the_action_answers(api, files,
                                                      media_files):
    source = files.publish(media_files['image'], 'still.png')
    job_id = encode(api, source)['job_id']
    job = api.query('select status, type, data from Job where id is "{0}"'
                    .format(job_id))['data'][0]
    assert job['type'] == 'api_job'
    assert job['status'] in ('queued', 'running', 'done')
    assert isinstance(job['data'], str)
    wait_for_job(api, job_id)


def test_a_rolled_back_request_starts_no_job(api, files, media_files):
    source = files.publish(media_files['image'], 'still.png')
    error = api.error([
        {'action': 'encode_media', 'component_id': source,
         'version_id': None, 'keep_original': True},
        {'action': 'delete', 'entity_type': 'Task',
         'entity_key': [str(uuid.uuid4())]},
    ])
    assert 'operation 2 of 2' in error['content']
    time.sleep(0.3)
    jobs = api.query('select data from Job')['data']
    assert not [job for job in jobs
                if source in (job['data'] or '')]


# Bad requests ----------------------------------------------------------------

def test_encode_media_validates_its_arguments(api, files, media_files):
    source = files.publish(media_files['image'], 'still.png')
    cases = [
        ({'component_id': None}, 'ValidationError',
         'component id is required'),
        ({'component_id': '../x'}, 'ValidationError', 'Invalid component id'),
        ({'component_id': str(uuid.uuid4())}, 'NoResultFoundError',
         'it does not exist'),
        ({'version_id': str(uuid.uuid4())}, 'NoResultFoundError',
         'AssetVersion'),
        ({'version_id': 5}, 'NoResultFoundError', 'AssetVersion'),
        ({'keep_original': 'yes'}, 'ValidationError', '"keep_original"'),
    ]
    for changes, exception, message in cases:
        operation = {'action': 'encode_media', 'component_id': source,
                     'version_id': None, 'keep_original': True}
        operation.update(changes)
        error = api.error([operation])
        assert error['exception'] == exception, changes
        assert message in error['content'], changes


def test_only_file_components_in_the_server_location_can_be_encoded(
        api, files):
    elsewhere = str(uuid.uuid4())
    api.call([{'action': 'create', 'entity_type': 'FileComponent',
               'entity_data': {'__entity_type__': 'FileComponent',
                               'id': elsewhere, 'name': 'main',
                               'file_type': '.mov'}}])
    error = api.error([{'action': 'encode_media', 'component_id': elsewhere,
                        'version_id': None, 'keep_original': True}])
    assert 'not in the ftrack.server location' in error['content']

    unuploaded = str(uuid.uuid4())
    files.register(unuploaded, 'main', '.mov', 10)
    error = api.error([{'action': 'encode_media', 'component_id': unuploaded,
                        'version_id': None, 'keep_original': True}])
    assert 'has no data' in error['content']

    sequence = str(uuid.uuid4())
    api.call([{'action': 'create', 'entity_type': 'SequenceComponent',
               'entity_data': {'__entity_type__': 'SequenceComponent',
                               'id': sequence, 'name': 'frames',
                               'padding': 4}}])
    error = api.error([{'action': 'encode_media', 'component_id': sequence,
                        'version_id': None, 'keep_original': True}])
    assert 'only file components can be encoded' in error['content']


# Restarts --------------------------------------------------------------------

def test_recovery_fails_only_interrupted_encoding_jobs(api, files,
                                                       ftrack_server):
    encoding = json.dumps({'output': [], 'source_component_id': 'x',
                           'keep_original': True})
    running = api.create('Job', {'status': 'running', 'data': encoding})
    queued = api.create('Job', {'status': 'queued', 'data': encoding})
    foreign = api.create('Job', {'status': 'running',
                                 'data': json.dumps({'description': 'mine'})})
    ftrack_server.backend.call(files.service.jobs.recover)
    states = {job['id']: job for job in api.query(
        'select status, data from Job where id in ({0})'.format(', '.join(
            '"{0}"'.format(job['id'])
            for job in (running, queued, foreign))))['data']}
    assert states[running['id']]['status'] == 'failed'
    assert 'still running when the emulator stopped' in json.loads(
        states[running['id']]['data'])['error']
    assert states[queued['id']]['status'] == 'failed'
    assert 'had not started when the emulator stopped' in json.loads(
        states[queued['id']]['data'])['error']
    assert states[foreign['id']]['status'] == 'running'
