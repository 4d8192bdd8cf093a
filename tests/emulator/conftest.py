"""Helpers for tests that talk to the emulator over plain HTTP, and a
guard keeping the suite out of the user's own emulator data."""

import json
import os

import pytest
import requests


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


class ApiClient:
    """Posts operations to a running emulator's ``/api``."""

    def __init__(self, server):
        self.server = server
        self.http = requests.Session()

    def headers(self, strict=False, user=None, key=None):
        return {
            'content-type': 'application/json',
            'accept': 'application/json',
            'ftrack-user': self.server.api_user if user is None else user,
            'ftrack-api-key': self.server.api_key if key is None else key,
            'ftrack-strict-api': 'true' if strict else 'false',
        }

    def post(self, body, strict=False, headers=None, **credentials):
        """Post *body* (operations, or raw bytes) and return the response."""
        if headers is None:
            headers = self.headers(strict=strict, **credentials)
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return self.http.post(self.server.url + '/api', data=body,
                              headers=headers, timeout=60)

    def call(self, operations, **options):
        """Post *operations*; return the decoded results, or raise
        ApiError when the server answered an error object."""
        response = self.post(operations, **options)
        payload = response.json()
        if isinstance(payload, dict) and 'exception' in payload:
            raise ApiError(payload, response.status_code)
        assert response.status_code == 200, response.text
        assert isinstance(payload, list) and len(payload) == len(operations)
        return payload

    def error(self, operations, **options):
        """Post *operations* expecting an error; return its payload."""
        response = self.post(operations, **options)
        payload = response.json()
        assert isinstance(payload, dict) and 'exception' in payload, payload
        return payload

    @staticmethod
    def ref(entity_type, entity_id):
        """A reference to an entity with a single ``id`` key."""
        return {'__entity_type__': entity_type, 'id': entity_id}

    def query(self, expression):
        return self.call([{'action': 'query', 'expression': expression}])[0]

    def create(self, entity_type, data):
        return self.call([{
            'action': 'create', 'entity_type': entity_type, 'entity_data':
            dict(data, __entity_type__=entity_type),
        }])[0]['data']


class ApiError(Exception):
    def __init__(self, payload, status):
        super().__init__('{exception}: {content}'.format(**payload))
        self.payload = payload
        self.status = status


@pytest.fixture(scope='module')
def api(ftrack_server):
    """An :class:`ApiClient` for the module's freshly seeded emulator."""
    client = ApiClient(ftrack_server)
    yield client
    client.http.close()
