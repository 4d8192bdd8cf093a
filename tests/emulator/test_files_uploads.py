"""Uploads into the server location: get_upload_metadata, the signed PUT,
multipart uploads, and what is (not) kept when an upload goes wrong.

The ``files`` fixture and its :class:`~emulator_files.Files` helper are
shared with the other ``test_files_*`` and ``test_encode_media*`` modules.
"""

import base64
import hashlib
import os
import socket
import threading
import time
import urllib.parse
import uuid

import pytest
import requests

from emulator_files import md5_base64


# get_upload_metadata ---------------------------------------------------------

def test_single_part_metadata_has_a_signed_url_and_the_headers(files):
    component_id = str(uuid.uuid4())
    data = b'{"hello": "world"}'
    metadata = files.upload_metadata(component_id, data, 'data.json')
    assert metadata['component_id'] == component_id
    url = urllib.parse.urlsplit(metadata['url'])
    assert '{0}://{1}'.format(url.scheme, url.netloc) == files.server.url
    assert url.path == '/component/upload/' + component_id
    token = urllib.parse.parse_qs(url.query)['token'][0]
    assert files.server.api_key not in metadata['url']
    assert len(token) > 40
    assert metadata['headers'] == {
        'Content-Type': 'application/json',
        'Content-Length': str(len(data)),
        'Content-MD5': md5_base64(data),
    }


def test_metadata_without_checksum_asks_for_no_content_md5(files):
    metadata = files.upload_metadata(str(uuid.uuid4()), b'abc', 'noext',
                                     checksum=False)
    assert metadata['headers'] == {
        'Content-Type': 'application/octet-stream', 'Content-Length': '3',
    }


@pytest.mark.parametrize('changes, message', [
    ({'component_id': None}, 'component id is required'),
    ({'component_id': '../etc'}, 'Invalid component id'),
    ({'component_id': 'a/b'}, 'Invalid component id'),
    ({'file_name': None}, '"file_name" of get_upload_metadata'),
    ({'file_size': -1}, '"file_size" of get_upload_metadata must be a whole'),
    ({'file_size': '12'}, '"file_size"'),
    ({'file_size': True}, '"file_size"'),
    ({'checksum': 'not base64!'}, '"checksum" of get_upload_metadata'),
    ({'checksum': base64.b64encode(b'short').decode()}, 'base64 encoded MD5'),
    ({'parts': 0}, '"parts" of get_upload_metadata'),
    ({'parts': 10001}, 'between 1 and 10000'),
    ({'parts': 50}, 'Cannot split 12 bytes into 50 parts'),
])
def test_bad_metadata_requests_are_refused_clearly(files, changes, message):
    operation = {
        'action': 'get_upload_metadata', 'component_id': str(uuid.uuid4()),
        'file_name': 'a.txt', 'file_size': 12, 'checksum': None,
    }
    operation.update(changes)
    error = files.api.error([operation])
    assert error['exception'] == 'ValidationError'
    assert message in error['content']


def test_containers_cannot_receive_data(files):
    sequence_id = str(uuid.uuid4())
    files.api.call([{
        'action': 'create', 'entity_type': 'SequenceComponent',
        'entity_data': {'__entity_type__': 'SequenceComponent',
                        'id': sequence_id, 'name': 'frames', 'padding': 4},
    }])
    error = files.api.error([{
        'action': 'get_upload_metadata', 'component_id': sequence_id,
        'file_name': 'frames', 'file_size': 3,
    }])
    assert 'only file components hold data' in error['content']


# Single uploads --------------------------------------------------------------

def test_upload_then_download_is_byte_identical(files):
    data = os.urandom(1000) + b'\x00\xff' * 10
    component_id = files.upload(data, 'plate.png')
    response = files.download(component_id)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers['Content-Length'] == str(len(data))
    assert response.headers['Content-Type'] == 'image/png'
    assert 'plate.png' in response.headers['Content-Disposition']
    assert not files.leftovers()


def test_the_upload_answers_the_md5_as_etag(files):
    data = b'etag me'
    metadata = files.upload_metadata(str(uuid.uuid4()), data)
    response = files.put(metadata, data)
    assert response.headers['ETag'] == '"{0}"'.format(
        hashlib.md5(data).hexdigest())


def test_an_empty_file_can_be_uploaded(files):
    component_id = files.upload(b'', 'empty.txt')
    response = files.download(component_id)
    assert response.status_code == 200 and response.content == b''


def test_a_second_upload_replaces_the_data(files):
    component_id = files.upload(b'first version')
    files.upload(b'second', component_id=component_id)
    assert files.download(component_id).content == b'second'


def test_a_multi_megabyte_file_is_streamed_to_disk(files, tmp_path):
    size = 6 * 1024 * 1024 + 123
    data = os.urandom(size)
    component_id = str(uuid.uuid4())
    metadata = files.upload_metadata(component_id, data, 'big.bin')
    seen_on_disk = []

    def body():
        # Half the data, then wait until the server has written part of it
        # to its temporary file before sending the rest.
        half = size // 2
        for start in range(0, half, 256 * 1024):
            yield data[start:min(start + 256 * 1024, half)]
        deadline = time.time() + 20
        while time.time() < deadline:
            sizes = [os.path.getsize(os.path.join(
                files.storage.temporary_directory, name))
                for name in files.leftovers()]
            if sizes and max(sizes) >= 1024 * 1024:
                seen_on_disk.append(max(sizes))
                break
            time.sleep(0.02)
        for start in range(half, size, 256 * 1024):
            yield data[start:start + 256 * 1024]

    headers = dict(metadata['headers'])
    del headers['Content-Length']  # a generator body is sent chunked
    response = requests.put(metadata['url'], data=body(), headers=headers,
                            timeout=60)
    assert response.status_code == 200, response.text
    assert seen_on_disk, 'nothing reached the disk before the body ended'
    assert seen_on_disk[0] < size
    path = tmp_path / 'big.bin'
    path.write_bytes(data)
    with open(path, 'rb') as handle:  # and as a file, with a length
        response = requests.put(metadata['url'], data=handle,
                                headers=metadata['headers'], timeout=60)
    assert response.status_code == 200, response.text
    download = files.http.get(
        files.server.url + '/component/get',
        params=files.credentials(id=component_id), stream=True, timeout=60,
    )
    received = b''.join(download.iter_content(1024 * 1024))
    assert hashlib.md5(received).digest() == hashlib.md5(data).digest()
    assert not files.leftovers()


# Refused uploads leave nothing -----------------------------------------------

def test_a_checksum_mismatch_is_refused_and_nothing_stored(files):
    component_id = str(uuid.uuid4())
    data = b'the real data'
    metadata = files.upload_metadata(component_id, data)
    response = files.put(metadata, b'the fake data')
    assert response.status_code == 400
    assert response.json()['exception'] == 'BadDigest'
    assert 'does not match its checksum' in response.json()['content']
    assert files.storage.stat(component_id) is None
    assert files.download(component_id).status_code == 404
    assert not files.leftovers()


def test_a_content_md5_other_than_the_signed_one_is_refused(files):
    component_id = str(uuid.uuid4())
    data = b'payload'
    metadata = files.upload_metadata(component_id, data)
    headers = dict(metadata['headers'], **{'Content-MD5': md5_base64(b'x')})
    response = files.put(metadata, b'x' * len(data), headers=headers)
    assert response.status_code == 400
    assert 'differs from the checksum' in response.json()['content']
    assert files.storage.stat(component_id) is None


def test_the_body_is_checked_against_the_signed_checksum_without_header(
        files):
    component_id = str(uuid.uuid4())
    data = b'checked anyway'
    metadata = files.upload_metadata(component_id, data)
    response = files.put(metadata, b'x' * len(data),
                         headers={'Content-Type': 'text/plain'})
    assert response.status_code == 400
    assert files.storage.stat(component_id) is None


def test_a_malformed_content_md5_is_refused(files):
    metadata = files.upload_metadata(str(uuid.uuid4()), b'abc',
                                     checksum=False)
    headers = dict(metadata['headers'], **{'Content-MD5': 'nonsense'})
    response = files.put(metadata, b'abc', headers=headers)
    assert response.status_code == 400
    assert response.json()['exception'] == 'InvalidDigest'


def test_a_size_other_than_declared_is_refused(files):
    component_id = str(uuid.uuid4())
    metadata = files.upload_metadata(component_id, b'12345',
                                     checksum=False)
    response = files.put(metadata, b'1234', headers={})
    assert response.status_code == 400
    assert 'issued for 5 bytes' in response.json()['content']
    response = files.put(metadata, b'123456', headers={})
    assert response.status_code == 400
    assert files.storage.stat(component_id) is None


def test_a_chunked_body_longer_than_declared_is_refused(files):
    component_id = str(uuid.uuid4())
    metadata = files.upload_metadata(component_id, b'12345',
                                     checksum=False)
    response = files.put(metadata, iter([b'123', b'456']), headers={})
    assert response.status_code == 400
    assert 'more than the 5 bytes' in response.json()['content']
    files.wait_for_no_leftovers()
    assert files.storage.stat(component_id) is None


def _send_partial_upload(url, declared, sent):
    """PUT *declared* bytes but close the socket after *sent*."""
    parts = urllib.parse.urlsplit(url)
    connection = socket.create_connection((parts.hostname, parts.port))
    try:
        connection.sendall((
            'PUT {0}?{1} HTTP/1.1\r\nHost: {2}\r\n'
            'Content-Type: application/octet-stream\r\n'
            'Content-Length: {3}\r\n\r\n'
        ).format(parts.path, parts.query, parts.netloc, declared).encode())
        connection.sendall(b'x' * sent)
        time.sleep(0.2)
    finally:
        connection.close()


def test_an_interrupted_upload_leaves_nothing(files):
    component_id = str(uuid.uuid4())
    declared = 3 * 1024 * 1024
    metadata = files.upload_metadata(component_id, b'x' * declared,
                                     checksum=False)
    _send_partial_upload(metadata['url'], declared, 2 * 1024 * 1024 + 5)
    files.wait_for_no_leftovers()
    assert files.storage.stat(component_id) is None
    assert files.download(component_id).status_code == 404
    # The URL still works for a complete upload afterwards.
    assert files.put(metadata, b'x' * declared).status_code == 200
    assert files.storage.stat(component_id).size == declared


def test_an_interrupted_upload_keeps_the_previous_data(files):
    component_id = files.upload(b'old data that stays')
    metadata = files.upload_metadata(component_id, b'y' * 100000,
                                     checksum=False)
    _send_partial_upload(metadata['url'], 100000, 5000)
    files.wait_for_no_leftovers()
    assert files.download(component_id).content == b'old data that stays'


# Tokens ----------------------------------------------------------------------

def _with_token(url, token):
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    query['token'] = [token]
    return urllib.parse.urlunsplit(parts._replace(
        query=urllib.parse.urlencode(query, doseq=True)))


def _token(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)['token'][0]


def test_a_tampered_token_is_refused(files):
    component_id = str(uuid.uuid4())
    metadata = files.upload_metadata(component_id, b'abc')
    token = _token(metadata['url'])
    payload, signature = token.split('.')
    decoded = base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4))
    forged = base64.urlsafe_b64encode(
        decoded.replace(b'"size":3', b'"size":4')).rstrip(b'=').decode()
    for bad in (forged + '.' + signature, token[:-2] + 'xx', 'garbage', ''):
        response = requests.put(_with_token(metadata['url'], bad),
                                data=b'abc', headers=metadata['headers'],
                                timeout=30)
        assert response.status_code == 403, bad
        assert response.json()['exception'] == 'PermissionError'
    assert files.storage.stat(component_id) is None


def test_a_missing_token_is_refused(files):
    component_id = str(uuid.uuid4())
    response = requests.put(
        '{0}/component/upload/{1}'.format(files.server.url, component_id),
        data=b'abc', timeout=30,
    )
    assert response.status_code == 403
    assert 'no token' in response.json()['content']


def test_an_expired_token_is_refused(files):
    component_id = str(uuid.uuid4())
    token = files.service.tokens.issue(
        'upload', -1, id=component_id, size=3, md5=None, type='text/plain',
        name='a.txt',
    )
    url = files.service.upload_url(files.server.url, component_id, token)
    response = requests.put(url, data=b'abc', timeout=30)
    assert response.status_code == 403
    assert 'expired' in response.json()['content']
    assert files.storage.stat(component_id) is None


def test_a_token_only_opens_its_own_component(files):
    metadata = files.upload_metadata(str(uuid.uuid4()), b'abc')
    other = str(uuid.uuid4())
    url = metadata['url'].replace(metadata['component_id'], other)
    response = requests.put(url, data=b'abc', headers=metadata['headers'],
                            timeout=30)
    assert response.status_code == 403
    assert 'another component' in response.json()['content']
    assert files.storage.stat(other) is None


def test_a_download_token_cannot_upload(files):
    component_id = str(uuid.uuid4())
    url = files.service.read_url(files.server.url, component_id)
    token = _token(url)
    response = requests.put(
        files.service.upload_url(files.server.url, component_id, token),
        data=b'abc', timeout=30,
    )
    assert response.status_code == 403
    assert 'not upload' in response.json()['content']


# Multipart uploads -----------------------------------------------------------

def _multipart(files, data, parts, file_name='movie.mov'):
    component_id = str(uuid.uuid4())
    metadata = files.upload_metadata(component_id, data, file_name,
                                     checksum=False, parts=parts)
    return component_id, metadata


def _put_parts(files, metadata, chunks):
    etags = []
    for entry, chunk in zip(metadata['urls'], chunks):
        response = requests.put(entry['signed_url'], data=chunk, timeout=30)
        assert response.status_code == 200, response.text
        assert 'ETag' in response.headers['Access-Control-Expose-Headers'].split(
        ', ')
        etags.append({'part_number': entry['part_number'],
                      'e_tag': response.headers['ETag'].strip('"')})
    return etags


def _complete(files, component_id, metadata, parts):
    return {
        'action': 'complete_multipart_upload', 'component_id': component_id,
        'upload_id': metadata['upload_id'], 'parts': parts,
    }


def test_multipart_upload_assembles_the_parts_in_order(files):
    chunks = [os.urandom(70000), os.urandom(70000), os.urandom(1234)]
    data = b''.join(chunks)
    component_id, metadata = _multipart(files, data, 3)
    assert metadata['component_id'] == component_id
    assert [entry['part_number'] for entry in metadata['urls']] == [1, 2, 3]
    assert 'url' not in metadata
    # Parts may arrive in any order.
    etags = _put_parts(files, {'urls': metadata['urls'][::-1]},
                       chunks[::-1])[::-1]
    assert files.storage.stat(component_id) is None
    result = files.api.call([_complete(files, component_id, metadata,
                                       etags)])[0]
    assert result['action'] == 'complete_multipart_upload'
    assert result['component_id'] == component_id
    assert files.download(component_id).content == data
    # The URL answered is a signed download URL.
    assert requests.get(result['url'], timeout=30).content == data
    assert not os.path.exists(
        files.storage.upload_directory(metadata['upload_id']))
    error = files.api.error([_complete(files, component_id, metadata,
                                       etags)])
    assert 'No multipart upload' in error['content']


def test_multipart_etags_are_checked(files):
    chunks = [b'a' * 10, b'b' * 10]
    component_id, metadata = _multipart(files, b''.join(chunks), 2)
    etags = _put_parts(files, metadata, chunks)
    etags[1]['e_tag'] = hashlib.md5(b'other').hexdigest()
    error = files.api.error([_complete(files, component_id, metadata, etags)])
    assert error['exception'] == 'ValidationError'
    assert 'ETag given for part 2' in error['content']
    assert files.storage.stat(component_id) is None


def test_multipart_needs_every_byte(files):
    chunks = [b'a' * 10, b'b' * 10, b'c' * 3]
    component_id, metadata = _multipart(files, b''.join(chunks), 3)
    etags = _put_parts(files, metadata, chunks[:2])
    error = files.api.error([_complete(files, component_id, metadata,
                                       etags)])
    assert 'hold 20 bytes but the upload was started for 23' in \
        error['content']
    missing = etags + [{'part_number': 3, 'e_tag': 'abc'}]
    error = files.api.error([_complete(files, component_id, metadata,
                                       missing)])
    assert 'Part 3 of multipart upload' in error['content']
    assert files.storage.stat(component_id) is None


@pytest.mark.parametrize('parts, message', [
    ([], 'must list the uploaded parts'),
    ([{'part_number': 2, 'e_tag': 'x'}, {'part_number': 1, 'e_tag': 'x'}],
     'ascending order'),
    ([{'part_number': 5, 'e_tag': 'x'}], 'outside 1 to 2'),
    ([{'part_number': '1', 'e_tag': 'x'}], 'integer "part_number"'),
])
def test_multipart_part_lists_are_validated(files, parts, message):
    component_id, metadata = _multipart(files, b'x' * 20, 2)
    error = files.api.error([_complete(files, component_id, metadata, parts)])
    assert message in error['content']


def test_multipart_upload_belongs_to_its_component(files):
    component_id, metadata = _multipart(files, b'x' * 20, 2)
    error = files.api.error([_complete(
        files, str(uuid.uuid4()), metadata,
        [{'part_number': 1, 'e_tag': 'x'}])])
    assert 'is for component {0}'.format(component_id) in error['content']


def test_part_urls_cannot_be_rewired(files):
    component_id, metadata = _multipart(files, b'x' * 20, 2)
    url = metadata['urls'][0]['signed_url'].replace(
        'part_number=1', 'part_number=2')
    response = requests.put(url, data=b'x' * 10, timeout=30)
    assert response.status_code == 403
    assert 'do not match' in response.json()['content']


def test_a_part_larger_than_the_whole_file_is_refused(files):
    component_id, metadata = _multipart(files, b'x' * 20, 2)
    response = requests.put(metadata['urls'][0]['signed_url'],
                            data=b'x' * 21, timeout=30)
    assert response.status_code == 400
    assert not files.leftovers()


def test_a_part_with_a_bad_content_md5_is_refused(files):
    component_id, metadata = _multipart(files, b'x' * 20, 2)
    response = requests.put(
        metadata['urls'][0]['signed_url'], data=b'x' * 10,
        headers={'Content-MD5': md5_base64(b'y' * 10)}, timeout=30,
    )
    assert response.status_code == 400
    assert response.json()['exception'] == 'BadDigest'


def test_browsers_may_send_parts(files):
    component_id, metadata = _multipart(files, b'x' * 20, 2)
    response = requests.options(metadata['urls'][0]['signed_url'], headers={
        'Origin': 'http://example.com',
        'Access-Control-Request-Method': 'PUT',
    }, timeout=30)
    assert response.status_code == 200
    assert 'PUT' in response.headers['Access-Control-Allow-Methods']
    assert 'ETag' in response.headers['Access-Control-Expose-Headers'].split(
        ', ')


def test_concurrent_uploads_do_not_mix(files):
    payloads = {str(uuid.uuid4()): os.urandom(300000) for _ in range(4)}
    metadata = {component_id: files.upload_metadata(component_id, data)
                for component_id, data in payloads.items()}
    statuses = []

    def send(component_id):
        statuses.append(files.put(metadata[component_id],
                                  payloads[component_id]).status_code)

    threads = [threading.Thread(target=send, args=(component_id,))
               for component_id in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 4
    for component_id, data in payloads.items():
        assert files.download(component_id).content == data


def test_abandoned_multipart_uploads_expire(files, monkeypatch):
    monkeypatch.setattr(files.service, 'upload_url_lifetime', 1.0)
    component_id, metadata = _multipart(files, b'x' * 20, 2)
    etags = _put_parts(files, metadata, [b'x' * 10])
    directory = files.storage.upload_directory(metadata['upload_id'])
    assert os.path.isdir(directory)
    time.sleep(1.1)
    response = requests.put(metadata['urls'][1]['signed_url'],
                            data=b'x' * 10, timeout=30)
    assert response.status_code == 403
    error = files.api.error([_complete(files, component_id, metadata,
                                       etags)])
    assert 'has expired' in error['content']
    monkeypatch.undo()
    _multipart(files, b'y' * 4, 2)  # starting another one tidies up
    assert not os.path.exists(directory)
