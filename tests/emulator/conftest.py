"""Helpers for tests that talk to the emulator over plain HTTP, and a
guard keeping the suite out of the user's own emulator data."""

import os

import pytest

from emulator_api import ApiClient
from emulator_files import Files


def _snapshot(directory):
    """Every file under *directory* with its size and modification time."""
    found = {}
    for folder, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(folder, name)
            try:
                status = os.stat(path)
            except OSError:
                continue
            found[path] = (status.st_size, status.st_mtime_ns)
    return found


@pytest.fixture(scope='session', autouse=True)
def user_data_directory_untouched():
    """Fail the run if any test wrote to the directory where
    ``ftrack-emulator serve`` keeps its data by default: tests must always
    give a database of their own."""
    import platformdirs

    from ftrack_emulator.config import APP_NAME

    directory = platformdirs.user_data_dir(APP_NAME)
    existed = os.path.exists(directory)
    before = _snapshot(directory)
    yield
    created = not existed and os.path.exists(directory)
    if created or _snapshot(directory) != before:
        pytest.fail('The tests wrote to the default emulator data directory '
                    '{0}; give each emulator a temporary database.'.format(
                        directory))


@pytest.fixture(scope='module')
def api(ftrack_server):
    """An :class:`ApiClient` for the module's freshly seeded emulator."""
    client = ApiClient(ftrack_server)
    yield client
    client.http.close()


@pytest.fixture(scope='module')
def files(ftrack_server, api):
    """A :class:`~emulator_files.Files` driving the module's emulator."""
    helper = Files(ftrack_server, api)
    yield helper
    helper.http.close()
