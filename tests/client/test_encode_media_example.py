"""examples/publish_for_web_review.py runs the whole web review workflow:
with its own emulator, and against a configured server (FTRACK_SERVER)
with a movie given on the command line."""

import os
import re
import subprocess
import sys

import imageio_ffmpeg

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, 'examples', 'publish_for_web_review.py')

UUID = r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'


def run(arguments, env, cwd):
    process = subprocess.run(
        [sys.executable, EXAMPLE] + arguments, capture_output=True,
        text=True, timeout=300, env=env, cwd=str(cwd),
    )
    assert process.returncode == 0, process.stdout + process.stderr[-3000:]
    return process.stdout


def clean_environment():
    return {key: value for key, value in os.environ.items()
            if not key.startswith('FTRACK_')}


def test_the_example_runs_on_its_own_emulator(tmp_path):
    output = run([], clean_environment(), tmp_path)
    assert 'started a local emulator at http://' in output
    for heading in ('1. A project, an asset and a version',
                    '2. Upload the movie', '3. Encode for the browser',
                    '4. Set the thumbnail',
                    '5. A review session and an invitation'):
        assert '== ' + heading in output
    assert re.search(r'job {0} is done'.format(UUID), output)
    assert 'output video/mp4: component' in output
    assert re.search(r'thumbnail: http://\S+/component/thumbnail\?id=', output)
    assert re.search(r'browser-playable movie: http://\S+/component/get\?',
                     output)
    assert re.search(
        r'outbox entry: review_session_invite to reviewer@example.com for '
        r'review session {0}'.format(UUID), output)
    assert output.rstrip().endswith('Done.')


def test_the_example_uses_a_configured_server_and_a_given_movie(
        ftrack_server, tmp_path):
    movie = tmp_path / 'given.mov'
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), '-v', 'error', '-y', '-f', 'lavfi',
         '-i', 'testsrc=duration=1:size=64x64:rate=25', '-c:v', 'mpeg4',
         str(movie)],
        check=True, timeout=60,
    )
    env = dict(clean_environment(), FTRACK_SERVER=ftrack_server.url,
               FTRACK_API_USER=ftrack_server.api_user,
               FTRACK_API_KEY=ftrack_server.api_key)
    output = run([str(movie)], env, tmp_path)
    assert 'started a local emulator' not in output
    size = re.search(r'component {0} \((\d+) bytes, \.mov\)'.format(UUID),
                     output)
    assert int(size.group(1)) == movie.stat().st_size
    # The API key stays out of what is printed.
    assert ftrack_server.api_key not in output
    assert 'apiKey=<your API key>' in output
    invitee = re.search(r'\(invitee ({0})\)'.format(UUID), output).group(1)
    invites = [entry for entry in ftrack_server.outbox()
               if entry['recipient_id'] == invitee]
    assert len(invites) == 1
    assert invites[0]['kind'] == 'review_session_invite'
