"""Downloads, removal and thumbnails of server location data: credentials,
tokens, 404s, ranges, scaling, and requests trying to leave the storage
directory."""

import os
import socket
import urllib.parse
import uuid

import pytest
import requests

from ftrack_emulator.files.media import Runner

from emulator_files import jpeg_size


@pytest.fixture(scope='module')
def picture(tmp_path_factory):
    """A 64x48 PNG made with ffmpeg."""
    path = tmp_path_factory.mktemp('picture') / 'frame.png'
    Runner().run(['-v', 'error', '-y', '-f', 'lavfi', '-i',
                  'testsrc=size=64x48', '-frames:v', '1', str(path)])
    return path.read_bytes()


# Downloads -------------------------------------------------------------------

def test_download_needs_credentials(files):
    component_id = files.upload(b'secret')
    response = files.download(component_id, username=None, apiKey=None)
    assert response.status_code == 401
    assert response.json()['exception'] == 'InvalidCredentialsError'
    for parameters in ({'apiKey': 'wrong'}, {'username': 'nobody'},
                       {'apiKey': None}):
        response = files.download(component_id, **parameters)
        assert response.status_code == 401, parameters
        assert b'secret' not in response.content


def test_download_of_unknown_data_is_404(files):
    response = files.download(str(uuid.uuid4()))
    assert response.status_code == 404
    assert response.json()['exception'] == 'NotFoundError'
    assert 'never uploaded' in response.json()['content']


def test_download_without_id_is_a_clear_400(files):
    response = files.download(None)
    assert response.status_code == 400
    assert 'resource identifier is required' in response.json()['content']


def test_head_and_ranges(files):
    data = bytes(range(256)) * 40
    component_id = files.upload(data, 'ramp.bin')
    response = files.request('get', component_id, method='HEAD')
    assert response.status_code == 200
    assert response.headers['Content-Length'] == str(len(data))
    assert response.content == b''
    response = files.request('get', component_id,
                             headers={'Range': 'bytes=100-199'})
    assert response.status_code == 206
    assert response.content == data[100:200]


def test_user_names_with_a_plus_work_unencoded(files):
    """The Python client does not encode the query string."""
    component_id = files.upload(b'plus')
    url = '{0}/component/get?id={1}&username={2}&apiKey={3}'.format(
        files.server.url, component_id, files.server.api_user + '+x',
        files.server.api_key,
    )
    # The user does not exist, so the plus reached the server as a plus.
    assert requests.get(url, timeout=30).status_code == 401


def test_signed_read_urls_need_no_credentials(files):
    component_id = files.upload(b'shared')
    url = files.service.read_url(files.server.url, component_id)
    assert files.server.api_key not in url
    assert requests.get(url, timeout=30).content == b'shared'
    other = files.upload(b'other')
    response = requests.get(url.replace(component_id, other), timeout=30)
    assert response.status_code == 403
    token = files.service.tokens.issue('read', -1, id=component_id)
    response = files.download(component_id, username=None, apiKey=None,
                              token=token)
    assert response.status_code == 403
    assert 'expired' in response.json()['content']


def test_a_token_cannot_remove(files):
    component_id = files.upload(b'keep me')
    url = files.service.read_url(files.server.url, component_id)
    response = requests.get(url.replace('/component/get', '/component/remove'),
                            timeout=30)
    assert response.status_code == 401
    assert files.download(component_id).content == b'keep me'


# Removal ---------------------------------------------------------------------

def test_remove_deletes_the_data_once(files):
    component_id = files.upload(b'to be removed')
    assert files.remove(component_id, apiKey='wrong').status_code == 401
    assert files.download(component_id).status_code == 200
    response = files.remove(component_id)
    assert response.status_code == 200
    assert response.json() == {'id': component_id, 'removed': True}
    assert files.download(component_id).status_code == 404
    assert files.storage.stat(component_id) is None
    response = files.remove(component_id)
    assert response.status_code == 404
    assert 'nothing to remove' in response.json()['content']


# Thumbnails ------------------------------------------------------------------

def test_thumbnail_serves_the_stored_image(files, picture):
    component_id = files.upload(picture, 'thumbnail.png')
    response = files.thumbnail(component_id)
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'image/png'
    assert response.content == picture
    assert files.thumbnail(component_id, apiKey='bad').status_code == 401
    assert files.thumbnail(str(uuid.uuid4())).status_code == 404


def test_thumbnail_scales_to_fit_and_caches(files, picture):
    component_id = files.upload(picture, 'thumbnail.png')
    response = files.thumbnail(component_id, size='32')
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'image/jpeg'
    assert jpeg_size(response.content) == (32, 24)
    cached = files.storage.cache_path('thumbnails', component_id, '32.jpg')
    assert os.path.exists(cached)
    first = os.stat(cached).st_mtime_ns
    assert files.thumbnail(component_id, size='32').content == \
        response.content
    assert os.stat(cached).st_mtime_ns == first
    # Never enlarged.
    assert jpeg_size(files.thumbnail(component_id, size='300').content) == \
        (64, 48)
    # New data drops the cache.
    files.upload(picture, 'thumbnail.png', component_id=component_id)
    assert not os.path.exists(cached)
    files.remove(component_id)
    assert files.thumbnail(component_id, size='32').status_code == 404


@pytest.mark.parametrize('size', ['0', '-5', 'big', '4097', '1.5'])
def test_thumbnail_sizes_are_validated(files, picture, size):
    component_id = files.upload(picture, 'thumbnail.png')
    response = files.thumbnail(component_id, size=size)
    assert response.status_code == 400
    assert 'size must be a whole number' in response.json()['content']


def test_a_thumbnail_of_something_else_is_a_clear_error(files):
    component_id = files.upload(b'not a picture at all', 'notes.txt')
    response = files.thumbnail(component_id, size='32')
    assert response.status_code == 422
    assert response.json()['exception'] == 'MediaError'
    assert 'Cannot make a thumbnail' in response.json()['content']
    assert not files.leftovers()


def test_the_no_thumbnail_picture_is_served(files):
    response = requests.get(files.server.url + '/img/thumbnail2.png',
                            timeout=30)
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'image/png'
    assert response.content.startswith(b'\x89PNG\r\n\x1a\n')


# Leaving the storage directory -----------------------------------------------

TRAVERSALS = [
    '..', '.', '../secret.txt', '../../etc/passwd', '/etc/passwd',
    'components/../../secret.txt', 'a/../../secret.txt', '..\\secret.txt',
    'secret.txt', 'x\x00y', '%2e%2e%2fsecret.txt', 'a' * 129, ' ab',
    'ab.meta', 'ab.meta.json',
]


@pytest.fixture(scope='module')
def secret(files):
    """A file next to (outside) the storage directory."""
    path = os.path.join(os.path.dirname(files.storage.root), 'secret.txt')
    with open(path, 'w') as handle:
        handle.write('top secret')
    yield path
    os.remove(path)


@pytest.mark.parametrize('identifier', TRAVERSALS)
@pytest.mark.parametrize('endpoint', ['get', 'remove', 'thumbnail'])
def test_identifiers_cannot_leave_the_storage(files, secret, endpoint,
                                              identifier):
    response = files.request(endpoint, identifier)
    assert response.status_code == 400, response.text
    assert b'top secret' not in response.content
    assert os.path.exists(secret)


def test_raw_paths_cannot_leave_the_storage(files, secret):
    """Paths sent byte for byte, without a client normalising them."""
    parts = urllib.parse.urlsplit(files.server.url)
    query = 'username={0}&apiKey={1}'.format(files.server.api_user,
                                             files.server.api_key)
    targets = [
        '/component/get?id=../secret.txt&' + query,
        '/component/get?id=..%2Fsecret.txt&' + query,
        '/component/get?id=%2E%2E%2Fsecret.txt&' + query,
        '/component/../../secret.txt?' + query,
        '/component/upload/..%2F..%2Fsecret.txt?token=x',
        '/component/upload/../../secret.txt?token=x',
    ]
    for target in targets:
        method = 'PUT' if '/upload/' in target else 'GET'
        connection = socket.create_connection((parts.hostname, parts.port))
        try:
            connection.sendall((
                '{0} {1} HTTP/1.1\r\nHost: {2}\r\nContent-Length: 0\r\n'
                'Connection: close\r\n\r\n'
            ).format(method, target, parts.netloc).encode())
            answer = b''
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        finally:
            connection.close()
        status = int(answer.split(b' ', 2)[1])
        assert status in (400, 403, 404), (target, answer[:200])
        assert b'top secret' not in answer
    with open(secret) as handle:
        assert handle.read() == 'top secret'


def test_links_out_of_the_storage_are_not_followed(files, secret):
    component_id = str(uuid.uuid4())
    path = files.storage.data_path(component_id)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(secret, path)
    try:
        response = files.download(component_id)
        assert response.status_code == 404
        assert b'top secret' not in response.content
        assert files.remove(component_id).status_code == 404
        assert os.path.exists(secret)
    finally:
        os.remove(path)


# Computed URLs ---------------------------------------------------------------

def test_computed_urls_carry_their_own_authorisation(files, picture):
    """``thumbnail_url`` and ``ComponentLocation.url`` are fetched by
    browsers and scripts without ftrack credentials, as a real server's
    signed URLs are."""
    component_id = files.publish(picture, 'frame.png')
    user = files.api.call([{
        'action': 'query',
        'expression': 'select id from User where username is "{0}"'.format(
            files.server.api_user),
    }])[0]['data'][0]
    files.api.call([{
        'action': 'update', 'entity_type': 'User', 'entity_key': [user['id']],
        'entity_data': {'__entity_type__': 'User',
                        'thumbnail_id': component_id},
    }])
    result = files.api.call([
        {'action': 'query', 'expression':
            'select thumbnail_url from User where id is {0}'.format(
                user['id'])},
        {'action': 'query', 'expression':
            'select url from ComponentLocation where component_id is '
            '{0}'.format(component_id)},
    ])
    thumbnail_url = result[0]['data'][0]['thumbnail_url']['url']
    download_url = result[1]['data'][0]['url']['value']
    assert 'apiKey' not in thumbnail_url and 'apiKey' not in download_url
    thumbnail = requests.get(thumbnail_url, timeout=30)
    assert thumbnail.status_code == 200, thumbnail.text
    assert thumbnail.content == picture
    download = requests.get(download_url, timeout=30)
    assert download.status_code == 200, download.text
    assert download.content == picture
