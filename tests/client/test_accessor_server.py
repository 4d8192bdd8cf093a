"""ftrack_api.accessor.server: ServerFile and the server location's
accessor, over real HTTP against the emulator (and, for failures a healthy
server never produces, against small local HTTP servers).
"""

import base64
import hashlib
import http.server
import os
import socket
import threading
import tracemalloc
import types
import uuid

import pytest
import requests

import ftrack_api.accessor.disk
import ftrack_api.exception
import ftrack_api.structure.id
import ftrack_api.symbol
from ftrack_api.accessor.server import ServerFile, _ServerAccessor

from session_helpers import Transcript, origin_location, server_location

SERVER_LOCATION_ID = ftrack_api.symbol.SERVER_LOCATION_ID


@pytest.fixture
def server(session):
    return server_location(session)


@pytest.fixture
def origin(session):
    return origin_location(session)


def md5_base64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode('ascii')


def upload(session, data, name='main', file_type='.bin'):
    """Create a FileComponent and write *data* to it through ServerFile."""
    component = session.create('FileComponent', {
        'name': name, 'file_type': file_type, 'size': len(data),
    })
    handle = ServerFile(component['id'], session, mode='wb')
    handle.write(data)
    handle.close()
    return component


def stored(session, component_id):
    response = requests.get(
        session.get('Location', SERVER_LOCATION_ID).accessor.get_url(
            component_id),
        timeout=30,
    )
    return response.status_code, response.content


# ServerFile -----------------------------------------------------------------

def test_written_data_is_uploaded_and_read_back(session):
    payload = os.urandom(200000)
    transcript = Transcript(session)
    component = upload(session, payload)
    assert transcript.operations == [{
        'action': 'get_upload_metadata',
        'component_id': component['id'],
        'file_name': 'main.bin',
        'file_size': len(payload),
        'checksum': md5_base64(payload),
    }]
    handle = ServerFile(component['id'], session)
    assert handle.mode == 'rb'
    assert handle.read(10) == payload[:10]
    assert handle.read() == payload[10:]
    assert handle.read() == b''
    handle.close()
    assert stored(session, component['id']) == (200, payload)


def test_the_file_name_omits_a_missing_file_type(session):
    transcript = Transcript(session)
    upload(session, b'abc', name='notes', file_type='')
    assert transcript.operations[0]['file_name'] == 'notes'


def test_text_is_uploaded_as_utf8(session):
    component = session.create('FileComponent', {'name': 't',
                                                  'file_type': '.txt'})
    handle = ServerFile(component['id'], session, mode='wb')
    handle.write('caf\u00e9')
    handle.close()
    assert stored(session, component['id']) == (200, 'caf\u00e9'.encode())


def test_flush_uploads_and_close_only_uploads_new_writes(session):
    component = session.create('FileComponent', {'name': 'f',
                                                  'file_type': '.bin'})
    transcript = Transcript(session)
    handle = ServerFile(component['id'], session, mode='wb')
    handle.write(b'abc')
    handle.flush()
    assert stored(session, component['id']) == (200, b'abc')
    handle.close()
    assert len(transcript.operations) == 1

    handle = ServerFile(component['id'], session, mode='wb')
    handle.write(b'abc')
    handle.flush()
    handle.write(b'def')
    handle.close()
    assert stored(session, component['id']) == (200, b'abcdef')


def test_writing_needs_a_file_component(session):
    sequence = session.create('SequenceComponent', {'name': 's'})
    for identifier in (str(uuid.uuid4()), sequence['id']):
        handle = ServerFile(identifier, session, mode='wb')
        handle.write(b'abc')
        with pytest.raises(
                ftrack_api.exception.AccessorOperationFailedError) as raised:
            handle.close()
        assert str(raised.value) == (
            "Operation b'Unable to retrieve component with id: {0}.' "
            'failed: None'.format(identifier)
        )


def test_reading_missing_data_fails_clearly(session):
    identifier = str(uuid.uuid4())
    handle = ServerFile(identifier, session)
    with pytest.raises(
            ftrack_api.exception.AccessorOperationFailedError) as raised:
        handle.read()
    assert isinstance(raised.value,
                      ftrack_api.exception.AccessorResourceNotFoundError)
    assert str(raised.value).startswith(
        "Operation b'Failed to read data: 404 Client Error: Not Found for "
        'url: {0}/component/get?id={1}&'.format(session.server_url,
                                                identifier)
    )


# Multipart and integrity ---------------------------------------------------

def test_large_files_go_up_in_parts(session, server, origin, tmp_path):
    payload = os.urandom(5 * 256 * 1024 + 123)
    path = tmp_path / 'large.bin'
    path.write_bytes(payload)
    server.accessor.multipart_threshold = 1024 * 1024
    server.accessor.multipart_part_size = 256 * 1024
    component = session.create_component(str(path), location=None)
    transcript = Transcript(session)
    server.add_component(component, origin)

    metadata, complete = transcript.operations[1:3]
    assert metadata == {
        'action': 'get_upload_metadata', 'component_id': component['id'],
        'file_name': 'main.bin', 'file_size': len(payload), 'parts': 6,
    }
    assert complete['action'] == 'complete_multipart_upload'
    assert complete['component_id'] == component['id']
    assert [part['part_number'] for part in complete['parts']] == \
        list(range(1, 7))
    assert complete['parts'][0]['e_tag'] == \
        hashlib.md5(payload[:256 * 1024]).hexdigest()
    # Registration comes after the data is complete.
    assert [operation['action'] for operation in transcript.operations[3:]] \
        == ['create', 'create']
    assert stored(session, component['id']) == (200, payload)
    assert server.get_component_availability(component) == 100.0


def test_a_failing_part_stops_the_multipart_upload(session, server, origin,
                                                   tmp_path):
    path = tmp_path / 'parts.bin'
    path.write_bytes(os.urandom(4 * 1024 * 1024))
    server.accessor.multipart_threshold = 1024 * 1024
    server.accessor.multipart_part_size = 256 * 1024
    server.accessor.multipart_concurrency = 3
    component = session.create_component(str(path), location=None)
    transcript = Transcript(session)

    def interrupt(progress):
        if progress.bytes_transferred >= 1024 * 1024:
            raise RuntimeError('stop the upload')

    server.progress_callback = interrupt
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        server.add_component(component, origin)
    assert 'stop the upload' in str(raised.value)
    actions = [operation['action'] for operation in transcript.operations]
    assert 'complete_multipart_upload' not in actions
    assert stored(session, component['id'])[0] == 404
    session.commit()
    assert server.get_component_availability(component) == 0.0


def test_files_below_the_threshold_use_one_put(session, server, origin,
                                               tmp_path):
    path = tmp_path / 'small.bin'
    path.write_bytes(b'x' * 1000)
    server.accessor.multipart_threshold = 1001
    component = session.create_component(str(path), location=None)
    transcript = Transcript(session)
    server.add_component(component, origin)
    assert 'parts' not in transcript.operations[1]
    assert transcript.operations[1]['checksum'] == md5_base64(b'x' * 1000)


def test_data_changed_during_upload_is_refused(session, server, origin,
                                               tmp_path):
    payload = os.urandom(4 * 1024 * 1024)
    path = tmp_path / 'changing.bin'
    path.write_bytes(payload)
    component = session.create_component(str(path), location=None)

    def corrupt(progress):
        if progress.bytes_transferred and not progress.finished:
            with open(str(path), 'r+b') as handle:
                handle.seek(3 * 1024 * 1024)
                handle.write(b'corrupted')

    server.progress_callback = corrupt
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        server.add_component(component, origin)
    assert "Failed to put file to server: 400 Client Error" in \
        str(raised.value)
    assert stored(session, component['id'])[0] == 404
    session.commit()
    assert server.get_component_availability(component) == 0.0


def test_an_interrupted_upload_keeps_nothing(session, server, origin,
                                             tmp_path):
    path = tmp_path / 'interrupted.bin'
    path.write_bytes(os.urandom(3 * 1024 * 1024))
    component = session.create_component(str(path), location=None)

    def interrupt(progress):
        if progress.bytes_transferred >= 1024 * 1024:
            raise KeyboardInterrupt

    server.progress_callback = interrupt
    with pytest.raises(KeyboardInterrupt):
        server.add_component(component, origin)
    server.progress_callback = None
    assert stored(session, component['id'])[0] == 404
    session.commit()
    assert server.get_component_availability(component) == 0.0
    # The same component can be added afterwards.
    server.add_component(component, origin)
    assert stored(session, component['id']) == (200, path.read_bytes())


def test_memory_stays_flat_whatever_the_file_size(session, server, origin,
                                                  tmp_path):
    size = 32 * 1024 * 1024
    path = tmp_path / 'large.bin'
    with open(str(path), 'wb') as handle:
        for _ in range(size // (4 * 1024 * 1024)):
            handle.write(os.urandom(4 * 1024 * 1024))
    component = session.create_component(str(path), location=None)
    disk = session.create('Location', {'name': 'memory-' + uuid.uuid4().hex})
    disk.accessor = ftrack_api.accessor.disk.DiskAccessor(
        prefix=str(tmp_path / 'disk'))
    disk.structure = ftrack_api.structure.id.IdStructure()
    session.commit()

    tracemalloc.start()
    try:
        server.add_component(component, origin)
        uploaded_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        disk.add_component(component, server)
        downloaded_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # A few blocks of 1 MiB at most, never the file.
    assert uploaded_peak < 8 * 1024 * 1024
    assert downloaded_peak < 8 * 1024 * 1024
    copy = disk.get_filesystem_path(component)
    assert os.path.getsize(copy) == size
    assert _md5_file(copy) == _md5_file(str(path))


def _md5_file(path):
    digest = hashlib.md5()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b''):
            digest.update(block)
    return digest.hexdigest()


class _ShortBodyHandler(http.server.BaseHTTPRequestHandler):
    """Promises 100 bytes and sends 50."""

    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Length', '100')
        self.end_headers()
        self.wfile.write(b'x' * 50)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def short_body_server():
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                            _ShortBodyHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:{0}'.format(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


def stand_in_session(url, timeout=5):
    """What ServerFile reads from a session, pointing at *url*."""
    return types.SimpleNamespace(
        server_url=url, api_user='user', api_key='key',
        request_timeout=timeout,
    )


def test_a_truncated_download_is_detected(short_body_server):
    handle = ServerFile('abc', stand_in_session(short_body_server))
    with pytest.raises(ftrack_api.exception.AccessorOperationFailedError) \
            as raised:
        handle.read()
    assert 'Failed to read data' in str(raised.value)


@pytest.fixture
def silent_server():
    """A socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    yield 'http://127.0.0.1:{0}'.format(listener.getsockname()[1])
    listener.close()


def test_downloads_and_removals_honour_the_request_timeout(silent_server):
    session = stand_in_session(silent_server, timeout=0.3)
    with pytest.raises(ftrack_api.exception.AccessorOperationFailedError) \
            as raised:
        ServerFile('abc', session).read()
    assert 'timed out' in str(raised.value)
    with pytest.raises(ftrack_api.exception.AccessorOperationFailedError) \
            as raised:
        _ServerAccessor(session).remove('abc')
    assert 'Failed to remove file: ' in str(raised.value)
    assert 'timed out' in str(raised.value)


# The accessor ---------------------------------------------------------------

def test_accessor_urls(session, server):
    accessor = server.accessor
    base = '{0}/component/{{0}}?id=abc&username={1}&apiKey={2}'.format(
        session.server_url, session.api_user, session.api_key
    )
    assert accessor.get_url('abc') == base.format('get')
    assert accessor.get_thumbnail_url('abc') == base.format('thumbnail')
    assert accessor.get_thumbnail_url('abc', size=0) == base.format(
        'thumbnail')
    assert accessor.get_thumbnail_url('abc', size=300) == \
        base.format('thumbnail') + '&size=300'


def test_accessor_capabilities(server):
    accessor = server.accessor
    assert isinstance(accessor.open('abc'), ServerFile)
    assert accessor.open('abc', 'wb').mode == 'wb'
    assert accessor.exists('abc') is False
    assert accessor.get_container('abc') is None
    assert accessor.make_container('abc') is None
    for name in ('list', 'is_file', 'is_container', 'is_sequence'):
        with pytest.raises(NotImplementedError):
            getattr(accessor, name)('abc')


def test_remove_deletes_the_data(session, server):
    component = upload(session, b'data')
    server.accessor.remove(component['id'])
    assert stored(session, component['id'])[0] == 404
    with pytest.raises(
            ftrack_api.exception.AccessorOperationFailedError) as raised:
        server.accessor.remove(component['id'])
    assert isinstance(raised.value,
                      ftrack_api.exception.AccessorResourceNotFoundError)
    assert type(raised.value).__name__ == 'AccessorOperationFailedError'
    assert str(raised.value).startswith(
        "Operation b'Failed to remove file: 404 Client Error")
