"""Acceptance: the reference client (ftrack-python-api 3.1.0 in its own
virtual environment) publishes to the emulator's server location, reads
the data back byte-identical, encodes a movie for review, invites a
reviewer and removes the data, in a subprocess.

The reference interpreter comes from the ``reference_python`` fixture
(``tests/reference_venv.py``).
"""

import json
import os
import subprocess

import pytest

from ftrack_emulator.files import service_for
from ftrack_emulator.files.media import Runner
from ftrack_emulator.files.storage import file_md5

SCRIPT = os.path.join(os.path.dirname(__file__), 'scripts',
                      'files_reference_publish.py')


@pytest.fixture(scope='module')
def movie(tmp_path_factory):
    """A 1 s 64x64 movie and a PNG frame next to it."""
    directory = tmp_path_factory.mktemp('reference-media')
    runner = Runner()
    runner.run(['-v', 'error', '-y', '-f', 'lavfi', '-i',
                'testsrc=duration=1:size=64x64:rate=25', '-c:v', 'mpeg4',
                str(directory / 'clip.mov')])
    runner.run(['-v', 'error', '-y', '-f', 'lavfi', '-i',
                'testsrc=size=64x48', '-frames:v', '1',
                str(directory / 'frame.png')])
    return directory / 'clip.mov'


@pytest.fixture(scope='module')
def report(ftrack_server, movie, tmp_path_factory, reference_python):
    python = reference_python
    work = tmp_path_factory.mktemp('reference-work')
    process = subprocess.run(
        [python, SCRIPT, ftrack_server.url, ftrack_server.api_user,
         ftrack_server.api_key, str(work), str(movie)],
        capture_output=True, text=True, timeout=180,
        env=dict(os.environ, PYTHONPATH=''),
    )
    lines = process.stdout.strip().splitlines()
    assert lines, process.stderr[-3000:]
    result = json.loads(lines[-1])
    assert process.returncode == 0 and 'error' not in result, (
        result.get('traceback') or process.stderr[-3000:]
    )
    return result


def test_published_data_comes_back_byte_identical(report):
    assert report['availability'] == 100.0
    assert report['resource_identifier'] == report['component_id']
    assert report['accessor_identical'] is True
    assert report['url_status'] == 200
    assert report['url_identical'] is True


def test_storage_holds_what_the_database_says(report, ftrack_server):
    storage = service_for(ftrack_server.backend).storage
    # Removed at the end of the script.
    assert storage.stat(report['component_id']) is None
    movie_id = report['job_data']['output'][0]['component_id']
    stored = storage.stat(movie_id)
    assert stored.content_type == 'video/mp4'
    assert file_md5(stored.path) == stored.md5


def test_thumbnails_are_served_scaled(report):
    assert report['thumbnail_status'] == 200
    assert report['thumbnail_is_jpeg'] is True


def test_encode_media_runs_as_a_job(report):
    assert report['job_type'] == 'api_job'
    assert report['job_status'] == 'done'
    data = report['job_data']
    assert data['keep_original'] is False
    assert [item['format'] for item in data['output']] == \
        ['video/mp4', 'image/jpeg']
    assert report['ftr_meta'] == {
        'frameIn': 0, 'frameOut': 25, 'frameRate': 25, 'width': 64,
        'height': 64, 'format': 'video',
    }
    assert bytes.fromhex(report['reviewable_head'])[4:8] == b'ftyp'


def test_the_review_session_is_stored_and_the_invite_recorded(
        report, ftrack_server):
    assert report['review_is_open'] is True
    assert {'ftrackreview-mp4', 'thumbnail'} <= set(
        report['review_components'])
    assert report['invite_sent'] is True
    invites = [item for item in ftrack_server.outbox()
               if item['recipient_id'] == report['invitee_id']]
    assert len(invites) == 1
    assert invites[0]['kind'] == 'review_session_invite'
    assert invites[0]['email'] == 'reviewer@example.com'
    assert invites[0]['payload']['review_session_id'] == \
        report['review_session_id']


def test_removed_data_is_gone(report):
    assert report['availability_after_remove'] == 0.0
    assert report['url_status_after_remove'] == 404
