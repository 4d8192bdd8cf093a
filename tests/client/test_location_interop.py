"""Acceptance: the reference client (ftrack-python-api 3.1.0, in its own
virtual environment) and ours share the server location. Each publishes a
file; each downloads the other's, byte-identical.
"""

import json
import os
import subprocess

import pytest

import ftrack_api.symbol

from session_helpers import create_version, new_session

#: Run by the reference client: ``publish <path>`` prints the new
#: component's id; ``download <component id> <path>`` writes its data.
REFERENCE_SCRIPT = r'''
import json
import sys

import ftrack_api
import ftrack_api.symbol

url, user, key, command = sys.argv[1:5]
session = ftrack_api.Session(
    server_url=url, api_user=user, api_key=key, schema_cache_path=False,
)
server = session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
if command == 'publish':
    version = session.get('AssetVersion', sys.argv[5])
    component = version.create_component(
        sys.argv[6], data={'name': 'reference'}, location=server
    )
    result = {
        'component_id': component['id'],
        'availability': server.get_component_availability(component),
    }
else:
    component = session.get('FileComponent', sys.argv[5])
    data = server.accessor.open(server.get_resource_identifier(component))
    with open(sys.argv[6], 'wb') as handle:
        handle.write(data.read())
    data.close()
    result = {'size': component['size'], 'file_type': component['file_type']}
session.close()
sys.stdout.write(json.dumps(result) + '\n')
'''


@pytest.fixture
def run_reference(ftrack_server, reference_python, tmp_path):
    def run(*arguments):
        process = subprocess.run(
            # Isolated (-I), so that this repository's ftrack_api is not
            # imported instead of the reference.
            [reference_python, '-I', '-c', REFERENCE_SCRIPT,
             ftrack_server.url, ftrack_server.api_user, ftrack_server.api_key]
            + [str(argument) for argument in arguments],
            capture_output=True, text=True, timeout=180, cwd=str(tmp_path),
            env=dict(os.environ, PYTHONPATH=''),
        )
        assert process.returncode == 0, process.stderr[-3000:]
        return json.loads(process.stdout.strip().splitlines()[-1])
    return run


def test_both_clients_read_what_the_other_published(
        ftrack_server, run_reference, tmp_path):
    session = new_session(ftrack_server)
    try:
        version = create_version(session, 'interop')
        server = session.get('Location',
                             ftrack_api.symbol.SERVER_LOCATION_ID)

        ours_payload = os.urandom(2 * 1024 * 1024 + 3)
        ours_path = tmp_path / 'ours.bin'
        ours_path.write_bytes(ours_payload)
        ours = version.create_component(
            str(ours_path), data={'name': 'ours'}, location=server
        )

        reference_payload = os.urandom(1024 * 1024 + 11)
        reference_path = tmp_path / 'reference.exr'
        reference_path.write_bytes(reference_payload)
        published = run_reference('publish', version['id'], reference_path)
        assert published['availability'] == 100.0

        # Ours reads the reference's component.
        theirs = session.get('FileComponent', published['component_id'])
        assert theirs['name'] == 'reference'
        assert theirs['file_type'] == '.exr'
        assert theirs['size'] == len(reference_payload)
        data = server.accessor.open(server.get_resource_identifier(theirs))
        assert data.read() == reference_payload
        data.close()
        assert session.get_component_availability(theirs)[server['id']] == \
            100.0

        # The reference reads ours.
        downloaded = tmp_path / 'downloaded.bin'
        described = run_reference('download', ours['id'], downloaded)
        assert downloaded.read_bytes() == ours_payload
        assert described == {'size': len(ours_payload), 'file_type': '.bin'}
    finally:
        session.close()
