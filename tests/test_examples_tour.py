"""examples/tour.py, run the way the README tells users to run it.

The tour is the first thing a new user runs, so it is tested as a user
runs it: as a script in its own process, reading nothing but the
environment. Its output is checked step by step (each line printed is
computed from what the server answered), and it must exit 0.
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOUR = os.path.join(ROOT, 'examples', 'tour.py')

#: Environment variables that would point the tour (or the session it
#: makes) somewhere else than the test intends.
CONFIGURATION = (
    'FTRACK_SERVER', 'FTRACK_API_USER', 'FTRACK_API_KEY', 'FTRACK_APIKEY',
    'FTRACK_EVENT_PLUGIN_PATH', 'FTRACK_API_SCHEMA_CACHE_PATH',
)

#: Lines the tour prints whatever server it talks to, in this order.
EXPECTED_LINES = [
    '== Connect',
    '== Look at the demo project',
    '   demo: "Demo production", from 2024-01-08 to 2024-04-07',
    '   5 shots: sq010/sh010, sq010/sh020, sq010/sh030, sq020/sh010, '
    'sq020/sh020',
    '   their statuses: In progress',
    '   2 tasks in progress on the sh010 shots',
    '== Walk the hierarchy',
    '   sq010: sh010 (3 tasks), sh020 (3 tasks), sh030 (3 tasks)',
    '   sq020: sh010 (3 tasks), sh020 (3 tasks)',
    '== Statuses and assignments',
    '   sq010/sh010/animation: Animation, In progress, assigned to '
    'john.smith',
    '   sq010/sh010/lighting: Lighting, Not started, assigned to jane.doe',
    '   jane.doe is assigned to 7 tasks',
    '== Create a shot and tasks',
    '   project schema "VFX": 14 task types, 7 task statuses',
    '   21 changes recorded, 6 new entities',
    '== Update',
    '   sh040 is now In progress, frames 1001-1144',
    '== Query it back',
    '   same object as before: True',
    '   sh040: "Blocking in progress.", status In progress',
    '   tasks: animation, lighting',
    "   custom attributes: {'fend': 1144, 'fstart': 1001}",
    "   metadata: {'camera': 'cam_sq010_sh040'}",
    '   note "Layout is ready for animation.", replies: '
    "['Thanks, starting now.']",
    '== Ensure',
    '   ensured sequence sq030; second call returned it again: True',
    '== Delete',
    '   deleted the shot and the sequence; 0 left',
    '== Events',
    "   subscriber answered: ['published plate_v003']",
    'Tour complete.',
]


def run_tour(tmp_path, python=sys.executable, **environment):
    """Run the tour in a fresh process; return the completed process."""
    env = {
        name: value for name, value in os.environ.items()
        if name not in CONFIGURATION
    }
    # Keep the schema cache out of the user's cache directory.
    env['FTRACK_API_SCHEMA_CACHE_PATH'] = str(tmp_path)
    env.update(environment)
    return subprocess.run(
        [python, '-I', TOUR], cwd=str(tmp_path), env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=180,
    )


def assert_tour_output(result):
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    position = 0
    for expected in EXPECTED_LINES:
        assert expected in lines[position:], (
            '{0!r} missing (or out of order) in the output:\n{1}'.format(
                expected, result.stdout
            )
        )
        position = lines.index(expected, position) + 1
    assert lines[-1] == 'Tour complete.'


@pytest.fixture(scope='module')
def demo_server():
    """A running emulator holding the demo production."""
    from ftrack_emulator import Emulator

    with Emulator(demo=True) as server:
        yield server


def server_environment(server):
    return {
        'FTRACK_SERVER': server.url,
        'FTRACK_API_USER': server.api_user,
        'FTRACK_API_KEY': server.api_key,
    }


def test_tour_starts_its_own_emulator_without_configuration(tmp_path):
    result = run_tour(tmp_path)
    assert_tour_output(result)
    assert 'started a local emulator at http://127.0.0.1:' in result.stdout
    # The session wrote its schema cache where it was told to.
    assert (tmp_path / 'ftrack_api_schema_cache.json').exists()


def test_tour_uses_the_configured_server_and_cleans_up(tmp_path,
                                                        demo_server):
    environment = server_environment(demo_server)
    first = run_tour(tmp_path, **environment)
    assert_tour_output(first)
    assert 'started a local emulator' not in first.stdout
    assert demo_server.url in first.stdout

    # Everything the tour made was deleted, so it runs again unchanged.
    second = run_tour(tmp_path, **environment)
    assert_tour_output(second)


def test_tour_explains_a_server_without_the_demo_project(tmp_path,
                                                         ftrack_server):
    result = run_tour(tmp_path, **server_environment(ftrack_server))
    assert result.returncode != 0
    assert 'no project named "demo"' in result.stderr
    assert 'ftrack-emulator serve --demo' in result.stderr
    assert 'Traceback' not in result.stderr


def test_tour_runs_unchanged_under_the_reference_client(
        tmp_path, demo_server, reference_python):
    # The tour uses only the public API, so the reference client (which
    # cannot start an emulator itself) runs it against a configured one.
    result = run_tour(
        tmp_path, python=reference_python, **server_environment(demo_server)
    )
    assert_tour_output(result)
