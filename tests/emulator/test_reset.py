"""Resetting a running emulator: fresh data, empty file storage, event hub
clients still connected. Uses an emulator of its own, so that resetting
does not disturb other test modules."""

import logging
import os

import pytest

import ftrack_emulator

from emulator_api import ApiClient
from emulator_files import Files

try:
    from test_events_server import RawClient
except ImportError:  # collected as a package
    from .test_events_server import RawClient


@pytest.fixture(scope='module')
def server():
    with ftrack_emulator.Emulator() as emulator:
        yield emulator


@pytest.fixture
def api(server):
    client = ApiClient(server)
    yield client
    client.http.close()


def stored_files(storage):
    found = []
    for name in ('components', 'uploads', 'cache'):
        for folder, _, files in os.walk(os.path.join(storage, name)):
            found.extend(os.path.join(folder, entry) for entry in files)
    return found


def test_reset_empties_the_file_storage(server, api):
    files = Files(server, api)
    try:
        component = files.publish(b'frame data', 'frame.exr')
        assert files.request('get', component).content == b'frame data'
        thumbnail = files.publish(b'not really a picture', 'thumb.png')
        pending = files.upload_metadata('0' * 8 + '-not-yet', b'later')
        multipart = files.upload_metadata(
            'multi-part-component', b'x' * 10, parts=2)
        assert stored_files(server.storage)

        server.reset()

        assert stored_files(server.storage) == []
        for name in ('components', 'uploads', 'cache', 'tmp'):
            assert os.path.isdir(os.path.join(server.storage, name))
        assert files.request('get', component).status_code == 404
        assert files.request('thumbnail', thumbnail).status_code == 404
        # URLs signed before the reset are refused.
        assert files.put(pending, b'later').status_code == 403
        part = multipart['urls'][0]['signed_url']
        assert files.http.put(part, data=b'x' * 5).status_code in (403, 404)
        # The storage works as before.
        again = files.publish(b'new data', 'again.exr')
        assert files.request('get', again).content == b'new data'
    finally:
        files.http.close()


def test_reset_keeps_event_hub_clients_connected(server, api):
    client = RawClient(server.url, server.api_user, server.api_key)
    try:
        client.subscribe('topic=ftrack.update')
        server.reset()
        api.create('AssetType', {'name': 'After reset', 'short': 'after'})
        event = client.event()
    finally:
        client.close()
    [entity] = event['data']['entities']
    assert (entity['action'], entity['entity_type']) == ('add', 'AssetType')


def test_reset_listeners_run_after_the_reseed(server, api, caplog):
    backend = server.backend
    seen = []

    def count_statuses():
        with backend.database.engine.connect() as connection:
            seen.append(len(backend.writer.find(connection, 'Status')))

    def broken():
        raise RuntimeError('listener failed')

    api.create('Status', {'name': 'Extra', 'is_active': True})
    with backend.database.engine.connect() as connection:
        before = len(backend.writer.find(connection, 'Status'))
    backend.reset_listeners[:0] = [broken, count_statuses]
    try:
        with caplog.at_level(logging.ERROR):
            server.reset()
    finally:
        backend.reset_listeners.remove(broken)
        backend.reset_listeners.remove(count_statuses)
    # The failing listener is logged; the next one still runs, on the
    # fresh data.
    assert seen == [before - 1]
    assert 'Reset listener' in caplog.text
