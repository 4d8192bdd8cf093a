"""Acceptance: the REFERENCE ftrack client runs a whole production workflow
against the emulator (see ``scripts/reference_workflow.py``). The
interpreter comes from the ``reference_python`` fixture of
``tests/conftest.py``."""

import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, 'scripts', 'reference_workflow.py')


def test_reference_client_runs_the_workflow(reference_python, ftrack_server,
                                            tmp_path):
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(('FTRACK_', 'PYTHON'))}
    result = subprocess.run(
        [reference_python, '-I', SCRIPT, ftrack_server.url,
         ftrack_server.api_user, ftrack_server.api_key, str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=str(tmp_path),
        env=environment,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert result.stdout.strip().endswith('workflow complete'), output
    steps = [line for line in result.stdout.splitlines()
             if line.startswith('ok ')]
    assert len(steps) == 12, output
