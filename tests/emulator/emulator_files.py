"""Helpers for tests of the emulator's file endpoints: uploads, downloads,
thumbnails and the media they produce."""

import base64
import hashlib
import os
import struct
import time
import uuid

import requests

from ftrack_emulator.files import service_for

SERVER_LOCATION_ID = '3a372bde-05bc-11e4-8908-20c9d081909b'


def md5_base64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode('ascii')


class Files:
    """Drives the file endpoints of a running emulator over HTTP."""

    def __init__(self, server, api):
        self.server = server
        self.api = api
        self.http = requests.Session()

    @property
    def service(self):
        return service_for(self.server.backend)

    @property
    def storage(self):
        return self.service.storage

    def upload_metadata(self, component_id, data, file_name='data.bin',
                        checksum=True, **extra):
        operation = {
            'action': 'get_upload_metadata', 'component_id': component_id,
            'file_name': file_name, 'file_size': len(data),
            'checksum': md5_base64(data) if checksum else None,
        }
        operation.update(extra)
        return self.api.call([operation])[0]

    def put(self, metadata, data, headers=None):
        return requests.put(
            metadata['url'], data=data,
            headers=metadata['headers'] if headers is None else headers,
            timeout=60,
        )

    def upload(self, data, file_name='data.bin', component_id=None):
        component_id = component_id or str(uuid.uuid4())
        metadata = self.upload_metadata(component_id, data, file_name)
        response = self.put(metadata, data)
        assert response.status_code == 200, response.text
        return component_id

    def register(self, component_id, name, file_type, size, version_id=None):
        """Create the FileComponent and its ComponentLocation in the server
        location, as a client does after uploading."""
        component = {'__entity_type__': 'FileComponent', 'id': component_id,
                     'name': name, 'file_type': file_type, 'size': size}
        if version_id is not None:
            component['version_id'] = version_id
        self.api.call([
            {'action': 'create', 'entity_type': 'FileComponent',
             'entity_data': component},
            {'action': 'create', 'entity_type': 'ComponentLocation',
             'entity_data': {
                 '__entity_type__': 'ComponentLocation',
                 'component_id': component_id,
                 'location_id': SERVER_LOCATION_ID,
                 'resource_identifier': component_id,
             }},
        ])
        return component_id

    def publish(self, data, file_name, version_id=None):
        name, file_type = os.path.splitext(file_name)
        component_id = self.upload(data, file_name)
        return self.register(component_id, name, file_type, len(data),
                             version_id)

    def credentials(self, **overrides):
        parameters = {'username': self.server.api_user,
                      'apiKey': self.server.api_key}
        parameters.update(overrides)
        return {key: value for key, value in parameters.items()
                if value is not None}

    def request(self, endpoint, identifier, method='GET', headers=None,
                **parameters):
        query = dict(self.credentials(**parameters))
        if identifier is not None:
            query = dict(id=identifier, **query)
        return self.http.request(
            method, '{0}/component/{1}'.format(self.server.url, endpoint),
            params=query, headers=headers, timeout=60,
        )

    def download(self, identifier, **parameters):
        return self.request('get', identifier, **parameters)

    def remove(self, identifier, **parameters):
        return self.request('remove', identifier, **parameters)

    def thumbnail(self, identifier, **parameters):
        return self.request('thumbnail', identifier, **parameters)

    def leftovers(self):
        """Files still in the temporary area."""
        return os.listdir(self.storage.temporary_directory)

    def wait_for_no_leftovers(self, timeout=10):
        deadline = time.time() + timeout
        while self.leftovers():
            if time.time() > deadline:
                raise AssertionError(
                    'temporary files left: {0}'.format(self.leftovers())
                )
            time.sleep(0.05)


def jpeg_size(data):
    """Return (width, height) from the frame header of JPEG *data*."""
    assert data[:2] == b'\xff\xd8', 'not a JPEG'
    position = 2
    while position + 4 <= len(data):
        marker = data[position + 1]
        length = struct.unpack('>H', data[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(
                '>HH', data[position + 5:position + 9])
            return width, height
        position += 2 + length
    raise AssertionError('no frame header in the JPEG')
