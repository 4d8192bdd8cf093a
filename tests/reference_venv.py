"""A Python interpreter with the reference ``ftrack-python-api`` installed.

Tests that run scripts under the reference client (the emulator's
acceptance test, the parity suite) get its interpreter from
:func:`reference_python`. Where it comes from, first match wins:

1. ``FTRACK_REFERENCE_PYTHON``: an interpreter that already has it.
2. ``../refvenv`` next to the repository (a developer's copy).
3. A virtual environment the suite creates once and keeps under
   ``.ci-venv/reference-<version>`` (ignored by git), with
   ``pip install ftrack-python-api==<version>``.

When the package index cannot be reached to build that environment,
:class:`ReferenceUnavailable` is raised (:func:`require_reference_python`
turns it into a pytest skip); any other failure is an error.

Scripts must run the interpreter isolated (``-I``) or from a directory
outside the repository, so that the repository's own ``ftrack_api`` is not
imported instead of the reference.
"""

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

REFERENCE_VERSION = '3.1.0'
REQUIREMENT = 'ftrack-python-api=={0}'.format(REFERENCE_VERSION)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE_DIRECTORY = os.path.join(
    ROOT, '.ci-venv', 'reference-{0}'.format(REFERENCE_VERSION)
)
DEVELOPER_VENV = os.path.join(os.path.dirname(ROOT), 'refvenv')

_found = None


class ReferenceUnavailable(Exception):
    """The reference client cannot be installed here (no package index)."""


def _interpreter(venv):
    if os.name == 'nt':
        return os.path.join(venv, 'Scripts', 'python.exe')
    return os.path.join(venv, 'bin', 'python')


def has_reference(python):
    """Return True when *python* imports the reference client at the
    expected version (isolated from this repository)."""
    if not python or not os.path.exists(python):
        return False
    try:
        result = subprocess.run(
            [python, '-I', '-c',
             'import ftrack_api; print(ftrack_api.__version__)'],
            capture_output=True, text=True, timeout=120,
            cwd=os.path.dirname(python),
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and \
        result.stdout.strip() == REFERENCE_VERSION


def _index_url():
    return (os.environ.get('PIP_INDEX_URL')
            or 'https://pypi.org/simple/').rstrip('/') + '/'


def _index_reachable():
    url = _index_url() + 'ftrack-python-api/'
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status < 400
    except (urllib.error.URLError, OSError, ValueError):
        return False


@contextlib.contextmanager
def _lock(path, timeout=900):
    """Serialise creation of the cached environment between processes."""
    lock_path = path + '.lock'
    os.makedirs(os.path.dirname(lock_path), exist_ok=True)
    deadline = time.monotonic() + timeout
    while True:
        try:
            handle = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            try:
                stale = time.time() - os.path.getmtime(lock_path) > timeout
            except OSError:
                continue
            if stale:
                with contextlib.suppress(OSError):
                    os.remove(lock_path)
                continue
            if time.monotonic() > deadline:
                raise RuntimeError(
                    'Timed out waiting for {0}.'.format(lock_path)
                )
            time.sleep(1)
    try:
        yield
    finally:
        os.close(handle)
        with contextlib.suppress(OSError):
            os.remove(lock_path)


def _build(venv):
    python = _interpreter(venv)
    if has_reference(python):
        return python
    if not _index_reachable():
        raise ReferenceUnavailable(
            'The package index ({0}) is unreachable, so {1} cannot be '
            'installed to run the reference client.'.format(
                _index_url(), REQUIREMENT)
        )
    subprocess.run([sys.executable, '-m', 'venv', '--clear', venv],
                   check=True, timeout=600)
    result = subprocess.run(
        [python, '-m', 'pip', 'install', '--disable-pip-version-check',
         '--quiet', REQUIREMENT],
        capture_output=True, text=True, timeout=900, cwd=venv,
    )
    if result.returncode != 0:
        raise RuntimeError('Installing {0} failed:\n{1}{2}'.format(
            REQUIREMENT, result.stdout, result.stderr))
    if not has_reference(python):
        raise RuntimeError(
            '{0} was installed in {1} but does not import.'.format(
                REQUIREMENT, venv)
        )
    return python


def reference_python():
    """Return the path of an interpreter with the reference client (see the
    module documentation); raise ReferenceUnavailable when it cannot be
    had."""
    global _found
    if _found is not None:
        return _found
    candidate = os.environ.get('FTRACK_REFERENCE_PYTHON')
    if candidate:
        if not has_reference(candidate):
            raise RuntimeError(
                'FTRACK_REFERENCE_PYTHON={0} does not import ftrack_api {1}.'
                .format(candidate, REFERENCE_VERSION)
            )
        _found = candidate
        return _found
    developer = _interpreter(DEVELOPER_VENV)
    if has_reference(developer):
        _found = developer
        return _found
    with _lock(CACHE_DIRECTORY):
        _found = _build(CACHE_DIRECTORY)
    return _found


def require_reference_python():
    """Like :func:`reference_python`, but skip the calling test when the
    reference cannot be installed."""
    import pytest

    try:
        return reference_python()
    except ReferenceUnavailable as error:
        pytest.skip(str(error))
