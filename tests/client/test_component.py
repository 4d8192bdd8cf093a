"""Component helpers: availability across locations (including containers
averaging their members) and thumbnails created through the server
location.
"""

import subprocess

import imageio_ffmpeg
import pytest
import requests

import ftrack_api.accessor.disk
import ftrack_api.structure.id
import ftrack_api.symbol

from session_helpers import (
    Transcript, disk_location, new_session, unique, write,
)

SYMBOL = ftrack_api.symbol


@pytest.fixture(scope='module')
def image(tmp_path_factory):
    """A 64x48 PNG made by ffmpeg."""
    path = tmp_path_factory.mktemp('images') / 'frame.png'
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), '-v', 'error', '-y', '-f', 'lavfi',
         '-i', 'testsrc=size=64x48', '-frames:v', '1', str(path)],
        check=True, timeout=60,
    )
    return path


def test_availability_of_a_file(session, tmp_path):
    disk = disk_location(session, tmp_path / 'disk')
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=disk
    )
    locations = session.query('Location').all()
    availability = component.get_availability()
    assert set(availability) == {location['id'] for location in locations}
    assert availability[disk['id']] == 100.0
    assert sum(availability.values()) == 100.0
    assert component.get_availability(locations=[disk]) == {
        disk['id']: 100.0
    }


def test_containers_average_their_members(session, tmp_path):
    for frame in (1, 2, 3):
        write(tmp_path / 'src' / 'f.{0:04d}.exr'.format(frame), b'x')
    sequence = session.create_component(
        str(tmp_path / 'src' / 'f.%04d.exr [1-3]'), location=None
    )
    disk = disk_location(session, tmp_path / 'disk')
    origin = session.get('Location', SYMBOL.ORIGIN_LOCATION_ID)
    members = list(sequence['members'])
    disk.add_components(members[:1], origin)
    session.commit()

    assert disk.get_component_availability(sequence) == pytest.approx(
        100.0 / 3)
    assert round(disk.get_component_availability(sequence), 9) == \
        disk.get_component_availability(sequence)
    disk.add_components(members[1:], origin)
    assert disk.get_component_availabilities([sequence, members[0]]) == \
        [100.0, 100.0]


def test_availability_of_persisted_components_populates_once(
        ftrack_server, session, tmp_path):
    disk = disk_location(session, tmp_path / 'disk')
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=disk
    )
    other = new_session(ftrack_server)
    try:
        loaded = other.get('FileComponent', component['id'])
        transcript = Transcript(other)
        availability = loaded.get_availability()
        assert availability[disk['id']] == 100.0
        # The component first, then the locations, as with the reference.
        assert transcript.expressions == [
            'select component_locations.location_id from FileComponent '
            'where id is {0} offset 0 limit 500'.format(component['id']),
            'select id from Location offset 0 limit 500',
        ]
    finally:
        other.close()


def test_create_thumbnail_uploads_and_links_the_image(session, image):
    project = session.create('Project', {
        'name': unique('thumbs'), 'full_name': 'Thumbs',
        'project_schema': session.query('ProjectSchema').first(),
    })
    session.commit()
    transcript = Transcript(session)
    thumbnail = project.create_thumbnail(str(image))
    assert thumbnail['name'] == 'thumbnail'
    assert thumbnail['file_type'] == '.png'
    assert project['thumbnail_id'] == thumbnail['id']
    assert not session.recorded_operations
    actions = [operation['action'] for operation in transcript.operations]
    assert actions == ['query', 'get_upload_metadata', 'create', 'create',
                       'update']
    assert transcript.operations[1]['file_name'] == 'thumbnail.png'

    server = session.get('Location', SYMBOL.SERVER_LOCATION_ID)
    assert server.get_component_availability(thumbnail) == 100.0
    response = requests.get(server.get_thumbnail_url(thumbnail, size=32),
                            timeout=30)
    assert response.status_code == 200
    assert response.content[:3] == b'\xff\xd8\xff'
    assert session.query(
        'select thumbnail_id from Project where id is "{0}"'.format(
            project['id'])
    ).one()['thumbnail_id'] == thumbnail['id']


def test_create_thumbnail_keeps_a_given_name(session, image):
    user = session.query(
        'User where username is "{0}"'.format(session.api_user)
    ).one()
    data = {'name': 'avatar'}
    thumbnail = user.create_thumbnail(str(image), data=data)
    assert thumbnail['name'] == 'avatar'
    assert user['thumbnail_id'] == thumbnail['id']
