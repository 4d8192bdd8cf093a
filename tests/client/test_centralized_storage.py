"""The centralized storage scenario: a server whose storage scenario names a
location and its mount points gets that location configured in every
session, and ftrack Connect's start-up check is answered.

The scenario is set through the emulator's ``storage_scenario`` setting,
which ``query_server_information`` reports.
"""

import json
import logging
import sys
import uuid

import pytest

import ftrack_api.accessor.disk
import ftrack_api.event.base
import ftrack_api.exception
import ftrack_api.structure.standard
import ftrack_api._centralized_storage_scenario as scenario_module

from session_helpers import create_version, new_session, unique

SCENARIO = 'ftrack.centralized-storage'
AUTOMATIC = {'scenario': 'ftrack.automatic', 'data': {}}

NOT_CONFIGURED = (
    'The storage scenario has not been configured for your operating system.'
    ' ftrack may not be able to store and track files correctly.'
)

pytestmark = pytest.mark.skipif(
    scenario_module._platform_key() is None,
    reason='no mount point key for {0}'.format(sys.platform),
)


def set_scenario(server, value):
    session = new_session(server)
    try:
        setting = session.query(
            'Setting where name is "storage_scenario" and group is "STORAGE"'
        ).one()
        setting['value'] = json.dumps(value)
        session.commit()
    finally:
        session.close()


@pytest.fixture
def scenario(ftrack_server):
    """Set a storage scenario for the test; the automatic one afterwards."""
    def apply(data):
        set_scenario(ftrack_server, {'scenario': SCENARIO, 'data': data})
    yield apply
    set_scenario(ftrack_server, AUTOMATIC)


def create_location(server, name):
    """Create the scenario's location on the server; return its id."""
    session = new_session(server)
    try:
        location = session.create('Location', {'name': name})
        session.commit()
        return location['id']
    finally:
        session.close()


def scenario_data(location_id, name, mount_point):
    return {
        'location_id': location_id, 'location_name': name,
        'accessor': {'mount_points': {
            scenario_module._platform_key(): mount_point,
            'other': '/elsewhere',
        }},
    }


class CentralLocation(object):
    """A location the scenario configures, and the folder it mounts."""

    def __init__(self, location_id, name, mount):
        self.id = location_id
        self.name = name
        self.mount = mount

    def scenario_data(self):
        return scenario_data(self.id, self.name, str(self.mount))


@pytest.fixture
def central_location(ftrack_server, scenario, tmp_path):
    """A new location made the scenario's, mounted at a fresh folder."""
    name = unique('studio.central')
    mount = tmp_path / 'mount'
    mount.mkdir()
    central = CentralLocation(create_location(ftrack_server, name), name,
                              mount)
    scenario(central.scenario_data())
    return central


def verify(session, data):
    return session.event_hub.publish(
        ftrack_api.event.base.Event(
            topic='ftrack.connect.verify-startup',
            data={'storage_scenario': {'scenario': SCENARIO, 'data': data}},
        ),
        synchronous=True,
    )


def test_the_scenario_location_is_configured_and_preferred(
        ftrack_server, central_location):
    session = new_session(ftrack_server)
    try:
        location = session.get('Location', central_location.id)
        assert location['name'] == central_location.name
        assert type(location).__name__ == 'Location'
        assert isinstance(location.accessor,
                          ftrack_api.accessor.disk.DiskAccessor)
        assert location.accessor.prefix == str(central_location.mount)
        assert isinstance(location.structure,
                          ftrack_api.structure.standard.StandardStructure)
        assert location.priority == 1
        assert session.pick_location() is location

        session.reset()
        again = session.get('Location', central_location.id)
        assert again is not location
        assert again.priority == 1
        assert verify(session, central_location.scenario_data()) == [None]
    finally:
        session.close()


def test_publishing_through_the_scenario_location(
        ftrack_server, central_location, tmp_path):
    session = new_session(ftrack_server)
    try:
        version = create_version(session, 'central')
        source = tmp_path / 'plate.exr'
        source.write_bytes(b'plate')
        # 'auto' picks the scenario's location: it has the lowest priority.
        component = session.create_component(
            str(source), data={'version': version}, location='auto')
        location = session.get('Location', central_location.id)
        path = location.get_filesystem_path(component)
        assert path.startswith(str(central_location.mount))
        assert open(path, 'rb').read() == b'plate'
    finally:
        session.close()


@pytest.mark.parametrize('data', [
    {},
    {'location_name': 'x', 'location_id': str(uuid.uuid4())},
    {'location_name': 'x', 'location_id': str(uuid.uuid4()), 'accessor': {}},
])
def test_incomplete_scenarios_are_logged_not_raised(
        ftrack_server, scenario, caplog, data):
    scenario(data)
    with caplog.at_level(logging.ERROR):
        session = new_session(ftrack_server)
    try:
        assert 'Unable to read storage scenario data.' in caplog.text
        assert 'Unable to configure location based on scenario.' in \
            caplog.text
        assert session.pick_location()['name'] == 'ftrack.unmanaged'
    finally:
        session.close()


def test_a_scenario_without_this_platform_is_refused(session_events):
    session = session_events
    event = ftrack_api.event.base.Event(
        topic='ftrack.storage-scenario.activate',
        data={'storage_scenario': {'scenario': SCENARIO, 'data': {
            'location_id': str(uuid.uuid4()), 'location_name': 'x',
            'accessor': {'mount_points': {'other': '/x'}}}}},
    )
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        scenario_module.activate(session, event)
    assert str(raised.value) == (
        'Unable to find accessor prefix for platform {0}.'.format(
            sys.platform)
    )


@pytest.fixture
def session_events(ftrack_server):
    session = new_session(ftrack_server)
    yield session
    session.close()


def test_verify_startup_warns_about_missing_mount_points(session_events,
                                                         tmp_path):
    session = session_events
    location_id = str(uuid.uuid4())
    assert verify(session, scenario_data(location_id, 'x', '')) == \
        [NOT_CONFIGURED]
    assert verify(session, scenario_data(location_id, 'x', None)) == \
        [NOT_CONFIGURED]
    missing = str(tmp_path / 'not-mounted')
    assert verify(session, scenario_data(location_id, 'x', missing)) == [
        'The path {0} does not exist. ftrack may not be able to store and '
        'track files correctly. \n\nIf the storage is newly setup you may '
        'want to create necessary folder structures. If the storage is a '
        'network drive you should make sure that it is mounted correctly.'
        .format(missing)
    ]
    assert verify(session, scenario_data(location_id, 'x',
                                         str(tmp_path))) == [None]


def test_other_scenarios_are_left_alone(session_events):
    replies = session_events.event_hub.publish(
        ftrack_api.event.base.Event(
            topic='ftrack.connect.verify-startup',
            data={'storage_scenario': AUTOMATIC},
        ),
        synchronous=True,
    )
    assert replies == []
