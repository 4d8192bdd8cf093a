"""Session.create_component and AssetVersion.create_component: files,
clique sequences and the location they end up in, and the exact requests
a publish to the server location makes (PROTOCOL.md section 8.1).
"""

import base64
import hashlib
import json
import os

import pytest
import requests
import requests.sessions

import ftrack_api.symbol

from session_helpers import (
    Transcript, new_session, origin_location, server_location, write,
)

SYMBOL = ftrack_api.symbol


def text(body):
    return body.decode('utf-8') if isinstance(body, bytes) else body


class HttpSpy(object):
    """Records every HTTP request made through requests, then lets it go
    through unchanged."""

    def __init__(self, monkeypatch):
        self.requests = []
        original = requests.sessions.Session.send

        def send(session, request, **kwargs):
            self.requests.append(request)
            return original(session, request, **kwargs)

        monkeypatch.setattr(requests.sessions.Session, 'send', send)


# Files ----------------------------------------------------------------------

def test_a_file_is_published_to_the_server_location_in_the_reference_order(
        session, version, tmp_path, monkeypatch):
    payload = os.urandom(70000)
    path = write(tmp_path / 'plate.exr', payload)
    checksum = base64.b64encode(hashlib.md5(payload).digest()).decode()
    spy = HttpSpy(monkeypatch)

    component = version.create_component(
        path, data={'name': 'main'}, location=server_location(session)
    )

    methods = [request.method for request in spy.requests]
    assert methods == ['POST', 'POST', 'PUT', 'POST']
    lookup, metadata, put, batch = spy.requests
    assert text(lookup.body) == (
        '[{{"action": "query", "expression": "select component_id, '
        'resource_identifier from ComponentLocation where location_id is '
        '{0} and component_id in ({1}) offset 0 limit 500"}}]'.format(
            SYMBOL.SERVER_LOCATION_ID, component['id'])
    )
    assert text(metadata.body) == (
        '[{{"action": "get_upload_metadata", "checksum": "{0}", '
        '"component_id": "{1}", "file_name": "main.exr", "file_size": {2}}}]'
        .format(checksum, component['id'], len(payload))
    )
    # Exactly the headers the server returned (requests adds the usual
    # connection headers); no credentials.
    assert put.headers['Content-MD5'] == checksum
    assert put.headers['Content-Length'] == str(len(payload))
    assert 'ftrack-api-key' not in put.headers
    assert 'ftrack-user' not in put.headers
    assert 'apiKey' not in put.url
    operations = [
        (operation['action'], operation['entity_type'])
        for operation in json.loads(batch.body)
    ]
    assert operations == [('create', 'FileComponent'),
                          ('create', 'ComponentLocation')]

    download = requests.get(server_location(session).get_url(component), timeout=30)
    assert download.content == payload


def test_file_values_come_from_the_file(session, tmp_path):
    path = write(tmp_path / 'image.png', b'12345')
    data = {'name': 'render'}
    component = session.create_component(path, data=data, location=None)
    assert data == {'name': 'render', 'size': 5, 'file_type': '.png'}
    assert component.entity_type == 'FileComponent'
    assert component['size'] == 5
    assert component['file_type'] == '.png'
    assert component['name'] == 'render'


def test_defaults_for_names_missing_files_and_extensions(session, tmp_path):
    component = session.create_component(
        str(tmp_path / 'noext'), location=None
    )
    assert component['name'] == 'main'
    assert component['size'] == 0
    assert component['file_type'] == ''


def test_given_values_are_kept(session, tmp_path):
    path = write(tmp_path / 'a.txt', b'abc')
    component = session.create_component(
        path, data={'size': 99, 'file_type': '.doc'}, location=None
    )
    assert (component['size'], component['file_type']) == (99, '.doc')


def test_plugins_may_name_the_file_type(session, tmp_path):
    seen = []

    def file_type(event):
        seen.append(event['data']['file_path'])
        return '.custom'

    session.event_hub.subscribe(
        'topic=ftrack.api.session.get-file-type-from-string', file_type
    )
    path = write(tmp_path / 'a.txt', b'abc')
    assert session.create_component(path, location=None)['file_type'] == \
        '.custom'
    assert seen == [path]
    # Asked even when the type is given, which wins.
    given = session.create_component(
        path, data={'file_type': '.given'}, location=None)
    assert given['file_type'] == '.given'
    assert seen == [path, path]


def test_location_none_registers_in_the_origin_only(session, tmp_path):
    path = write(tmp_path / 'a.txt', b'abc')
    transcript = Transcript(session)
    component = session.create_component(path, location=None)
    assert transcript.requests == []
    assert origin_location(session).get_resource_identifier(component) == path
    assert list(session.recorded_operations)


def test_location_auto_picks_a_location(session, tmp_path):
    path = write(tmp_path / 'a.txt', b'abc')
    component = session.create_component(path)
    unmanaged = session.get('Location', SYMBOL.UNMANAGED_LOCATION_ID)
    assert unmanaged.get_resource_identifier(component) == path
    assert session.get_component_availability(component)[unmanaged['id']] \
        == 100.0


@pytest.mark.parametrize('name', [
    'ftrackreview-mp4', 'ftrackreview-webm', 'ftrackreview-image'])
def test_review_components_go_to_the_review_location(session, tmp_path,
                                                     name):
    path = write(tmp_path / 'a.mp4', b'movie')
    component = session.create_component(path, data={'name': name})
    review = session.get('Location', SYMBOL.REVIEW_LOCATION_ID)
    assert review.get_resource_identifier(component) == path


def test_version_components_belong_to_the_version(session, version,
                                                  tmp_path):
    path = write(tmp_path / 'a.txt', b'abc')
    other = session.create('AssetVersion', {'asset': version['asset']})
    component = version.create_component(
        path, data={'version_id': other['id'], 'name': 'mine'}
    )
    assert component['version'] is version
    # No location by default for versions: origin only.
    assert session.get_component_availability(component)[
        SYMBOL.UNMANAGED_LOCATION_ID] == 0.0
    session.commit()
    assert session.query(
        'select version_id from FileComponent where id is "{0}"'.format(
            component['id'])
    ).one()['version_id'] == version['id']


# Sequences ------------------------------------------------------------------

def frames(tmp_path, numbers, size=None):
    contents = {}
    for number in numbers:
        contents[number] = os.urandom(size or (100 + number))
        write(tmp_path / 'seq' / 'f.{0:04d}.exr'.format(number),
              contents[number])
    return contents


def test_a_sequence_becomes_a_container_of_members(session, tmp_path):
    contents = frames(tmp_path, (1, 2, 3, 7))
    pattern = str(tmp_path / 'seq' / 'f.%04d.exr [1-3, 7]')
    transcript = Transcript(session)
    sequence = session.create_component(pattern, location=None)
    assert transcript.requests == []
    assert sequence.entity_type == 'SequenceComponent'
    assert sequence['padding'] == 4
    assert sequence['file_type'] == '.exr'
    assert sequence['size'] == sum(len(data) for data in contents.values())
    members = list(sequence['members'])
    assert [(member['name'], member['size'], member['file_type'])
            for member in members] == [
        ('0001', 101, '.exr'), ('0002', 102, '.exr'), ('0003', 103, '.exr'),
        ('0007', 107, '.exr'),
    ]
    assert all(member['container'] is sequence for member in members)
    origin = origin_location(session)
    assert origin.get_resource_identifier(sequence) == \
        str(tmp_path / 'seq' / 'f.%04d.exr')
    assert origin.get_resource_identifier(members[-1]) == \
        str(tmp_path / 'seq' / 'f.0007.exr')


def test_a_given_sequence_size_is_shared_by_the_members(session, tmp_path):
    frames(tmp_path, (1, 2, 3))
    sequence = session.create_component(
        str(tmp_path / 'seq' / 'f.%04d.exr [1-3]'), data={'size': 10},
        location=None,
    )
    assert sequence['size'] == 10
    assert [member['size'] for member in sequence['members']] == [3, 3, 3]


def test_unpadded_and_empty_sequences(session, tmp_path):
    unpadded = session.create_component(
        str(tmp_path / 'f.%d.exr [1-3]'), location=None
    )
    assert unpadded['padding'] == 0
    assert unpadded['size'] == 0
    assert [member['name'] for member in unpadded['members']] == \
        ['1', '2', '3']
    empty = session.create_component(
        str(tmp_path / 'f.%04d.exr []'), location=None
    )
    assert empty['padding'] == 4
    assert list(empty['members']) == []


def test_the_sequence_file_type_comes_from_the_plugins(session, tmp_path):
    session.event_hub.subscribe(
        'topic=ftrack.api.session.get-file-type-from-string',
        lambda event: '.plugin',
    )
    frames(tmp_path, (1, 2))
    sequence = session.create_component(
        str(tmp_path / 'seq' / 'f.%04d.exr [1-2]'),
        data={'file_type': '.given'}, location=None,
    )
    assert sequence['file_type'] == '.given'
    assert {member['file_type'] for member in sequence['members']} == \
        {'.plugin'}


def test_a_sequence_published_to_the_server_downloads_identical(
        ftrack_server, session, version, tmp_path):
    contents = frames(tmp_path, (1, 2, 3, 4, 5), size=4096)
    transcript = Transcript(session)
    sequence = version.create_component(
        str(tmp_path / 'seq' / 'f.%04d.exr [1-5]'), data={'name': 'plate'},
        location=server_location(session),
    )
    # The container and then its members are looked up, members uploaded
    # one by one, then everything registered in one commit and the
    # container's location in another.
    requests_sent = transcript.requests
    assert [request[0]['action'] for request in requests_sent] == \
        ['query', 'query'] + ['get_upload_metadata'] * 5 + \
        ['create', 'create']
    assert [request[0]['file_name'] for request in requests_sent[2:7]] == \
        ['0001.exr', '0002.exr', '0003.exr', '0004.exr', '0005.exr']
    registered = [
        (operation['action'], operation['entity_type'])
        for operation in requests_sent[7]
    ]
    assert registered.count(('create', 'FileComponent')) == 5
    assert registered.count(('create', 'ComponentLocation')) == 5
    assert ('create', 'SequenceComponent') in registered
    assert [(operation['entity_type'],
             operation['entity_data']['component']['id'])
            for operation in requests_sent[8]] == \
        [('ComponentLocation', sequence['id'])]

    other = new_session(ftrack_server)
    try:
        loaded = other.get('SequenceComponent', sequence['id'])
        location = other.get('Location', SYMBOL.SERVER_LOCATION_ID)
        for member in loaded['members']:
            data = location.accessor.open(
                location.get_resource_identifier(member), 'rb'
            )
            assert data.read() == contents[int(member['name'])]
            data.close()
        assert other.get_component_availability(loaded)[
            SYMBOL.SERVER_LOCATION_ID] == 100.0
    finally:
        other.close()
