"""Encoding jobs across emulator stops and starts: nothing is left
"running" and nothing half-written survives."""

import json
import os
import time

import pytest

from ftrack_emulator.files.media import Runner
from ftrack_emulator.server import Emulator

from emulator_api import ApiClient
from emulator_files import Files


def wait_for_status(api, job_id, wanted, timeout=30):
    deadline = time.time() + timeout
    while True:
        job = api.query('select status, data from Job where id is "{0}"'
                        .format(job_id))['data'][0]
        if job['status'] == wanted:
            return job
        if time.time() > deadline:
            raise AssertionError('job is {0}, not {1}'.format(
                job['status'], wanted))
        time.sleep(0.05)


@pytest.mark.skipif(not hasattr(os, 'mkfifo'), reason='needs named pipes')
def test_a_stop_mid_job_and_a_crash_leave_no_running_job(tmp_path):
    database = 'sqlite:///' + str(tmp_path / 'ftrack.sqlite')
    storage = str(tmp_path / 'storage')
    first = Emulator(database=database, storage=storage).start()
    try:
        api = ApiClient(first)
        files = Files(first, api)
        source = files.publish(b'placeholder', 'clip.mov')
        # ffmpeg blocks on a named pipe nobody writes to: the job stays
        # running until the emulator stops it.
        path = files.storage.data_path(source)
        os.remove(path)
        os.mkfifo(path)
        blocked = api.call([{
            'action': 'encode_media', 'component_id': source,
            'version_id': None, 'keep_original': False,
        }])[0]['job_id']
        wait_for_status(api, blocked, 'running')
        # A job a crashed emulator left behind.
        crashed = api.create('Job', {'status': 'running', 'data': json.dumps({
            'output': [], 'source_component_id': source,
            'keep_original': True,
        })})['id']
        leftover = os.path.join(files.storage.temporary_directory,
                                'incoming-crashed.part')
    finally:
        first.stop()
    with open(leftover, 'wb') as handle:
        handle.write(b'half an upload')

    second = Emulator(database=database, storage=storage).start()
    try:
        api = ApiClient(second)
        jobs = {job['id']: job for job in api.query(
            'select status, data, finished_at from Job where id in '
            '("{0}", "{1}")'.format(blocked, crashed))['data']}
        assert jobs[blocked]['status'] == 'failed'
        assert jobs[blocked]['finished_at'] is not None
        # Failed by the stop itself, not found later.
        assert json.loads(jobs[blocked]['data'])['error'] == \
            'The emulator stopped while the job was running.'
        assert jobs[crashed]['status'] == 'failed'
        assert 'found unfinished at the next start' in json.loads(
            jobs[crashed]['data'])['error']
        assert api.query('select component_id from JobComponent where '
                         'job_id is "{0}"'.format(blocked))['data'] == []
        # The stopped job kept its source (it never finished).
        assert api.query('select id from ComponentLocation where '
                         'component_id is "{0}"'.format(source))['data']
        assert not os.path.exists(leftover)
        assert os.listdir(os.path.join(storage, 'tmp')) == []
        # The restarted emulator encodes again.
        picture = tmp_path / 'still.png'
        Runner().run(['-v', 'error', '-y', '-f', 'lavfi', '-i',
                      'testsrc=size=32x32', '-frames:v', '1', str(picture)])
        source = Files(second, api).publish(picture.read_bytes(), 'still.png')
        job = api.call([{
            'action': 'encode_media', 'component_id': source,
            'version_id': None, 'keep_original': True,
        }])[0]['job_id']
        assert wait_for_status(api, job, 'done')
    finally:
        second.stop()
