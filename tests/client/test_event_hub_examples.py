"""The example event plugins, run by ``examples/run_event_plugins.py``."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)
)))
SCRIPT = os.path.join(ROOT, 'examples', 'run_event_plugins.py')


def run(python, env, isolated=False, cwd=ROOT):
    command = [python] + (['-I'] if isolated else []) + [SCRIPT]
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def check_output(output):
    lines = output.splitlines()
    assert '  topic=ftrack.update' in lines
    assert 'offered: Count tasks (examples.count-tasks)' in lines
    assert 'success: True; message: sh010: 3 task(s)' in lines
    updates = [line for line in lines if line.startswith('ftrack.update: ')]
    assert len(updates) == 2, output
    assert "(status: 'In progress' -> 'Not started')" in updates[0]
    assert "(status: 'Not started' -> 'In progress')" in updates[1]
    assert lines[-1] == 'Done.'


def clean_environment():
    env = dict(os.environ)
    for name in ('FTRACK_SERVER', 'FTRACK_API_USER', 'FTRACK_API_KEY',
                 'FTRACK_EVENT_PLUGIN_PATH'):
        env.pop(name, None)
    return env


def test_runs_against_an_embedded_emulator():
    output = run(sys.executable, clean_environment())
    assert output.startswith('Started a local emulator at http://')
    check_output(output)


@pytest.fixture(scope='module')
def demo_server():
    from ftrack_emulator.server import Emulator

    with Emulator(demo=True) as server:
        yield server


def test_runs_under_the_reference_client(reference_python, demo_server,
                                         tmp_path):
    env = clean_environment()
    env.update({
        'FTRACK_SERVER': demo_server.url,
        'FTRACK_API_USER': demo_server.api_user,
        'FTRACK_API_KEY': demo_server.api_key,
    })
    output = run(reference_python, env, isolated=True, cwd=str(tmp_path))
    check_output(output)
