"""ftrack_api.entity.location: built-in locations, adding, moving and
removing component data between disk, unmanaged, origin and server
locations, availability and resource identifiers.

Everything runs against the emulator; disk locations are real directories.
"""

import os
import time

import pytest
import requests

import ftrack_api
import ftrack_api.accessor.disk
import ftrack_api.exception
import ftrack_api.resource_identifier_transformer.base
import ftrack_api.structure.entity_id
import ftrack_api.structure.id
import ftrack_api.structure.origin
import ftrack_api.symbol
from ftrack_api.entity.location import (
    Location, MemoryLocationMixin, OriginLocationMixin, ServerLocationMixin,
    UnmanagedLocationMixin,
)
from ftrack_api.accessor.server import _ServerAccessor

from session_helpers import (
    Transcript, disk_location, new_session, origin_location, server_location,
    unique, write,
)

NOT_SET = ftrack_api.symbol.NOT_SET
SYMBOL = ftrack_api.symbol


def read_back(location, component):
    data = location.accessor.open(
        location.get_resource_identifier(component), 'rb'
    )
    try:
        return data.read()
    finally:
        data.close()


# Built-in locations ---------------------------------------------------------

@pytest.mark.parametrize('location_id, class_name, priority, accessor, '
                         'structure', [
    (SYMBOL.ORIGIN_LOCATION_ID, 'OriginLocation', 100,
     ftrack_api.accessor.disk.DiskAccessor,
     ftrack_api.structure.origin.OriginStructure),
    (SYMBOL.UNMANAGED_LOCATION_ID, 'UnmanagedLocation', 90,
     ftrack_api.accessor.disk.DiskAccessor,
     ftrack_api.structure.origin.OriginStructure),
    (SYMBOL.REVIEW_LOCATION_ID, 'UnmanagedLocation', 110,
     ftrack_api.accessor.disk.DiskAccessor,
     ftrack_api.structure.origin.OriginStructure),
    (SYMBOL.SERVER_LOCATION_ID, 'ServerLocation', 150,
     _ServerAccessor, ftrack_api.structure.entity_id.EntityIdStructure),
])
def test_built_in_locations_are_configured(
        session, location_id, class_name, priority, accessor, structure):
    location = session.get('Location', location_id)
    assert type(location).__name__ == class_name
    assert isinstance(location, session.types['Location'])
    assert location.priority == priority
    assert type(location.accessor) is accessor
    assert type(location.structure) is structure
    assert location.resource_identifier_transformer is NOT_SET
    if accessor is ftrack_api.accessor.disk.DiskAccessor:
        assert location.accessor.prefix == ''


def test_mixins_are_in_the_class_order_of_the_reference(session):
    names = [cls.__name__ for cls in type(origin_location(session)).__mro__]
    assert names[:6] == [
        'OriginLocation', 'OriginLocationMixin', 'MemoryLocationMixin',
        'UnmanagedLocationMixin', 'Location', 'Location',
    ]
    assert isinstance(server_location(session), ServerLocationMixin)
    assert isinstance(origin_location(session), MemoryLocationMixin)
    assert isinstance(origin_location(session), UnmanagedLocationMixin)
    assert not isinstance(
        session.get('Location', SYMBOL.UNMANAGED_LOCATION_ID),
        MemoryLocationMixin,
    )


def test_plain_locations_start_unconfigured(session):
    connect = session.get('Location', SYMBOL.CONNECT_LOCATION_ID)
    new = session.create('Location', {'name': unique('plain')})
    for location in (connect, new):
        assert type(location).__name__ == 'Location'
        assert isinstance(location, Location)
        assert location.accessor is NOT_SET
        assert location.structure is NOT_SET
        assert location.resource_identifier_transformer is NOT_SET
        assert location.priority == 95
        assert location.progress_callback is None


def test_string_names_the_location(session):
    name = unique('named')
    named = session.create('Location', {'name': name})
    assert str(named) == '<Location("{0}", {1})>'.format(name, named['id'])
    nameless = session.create('Location', {})
    assert str(nameless) == '<Location({0})>'.format(nameless['id'])
    assert str(server_location(session)) == (
        '<ServerLocation("ftrack.server", {0})>'.format(
            SYMBOL.SERVER_LOCATION_ID)
    )


def test_reset_configures_new_instances(session):
    before = server_location(session)
    before.priority = 1
    session.reset()
    after = server_location(session)
    assert after is not before
    assert after.priority == 150
    assert type(after).__name__ == 'ServerLocation'


def test_configure_location_plugins_see_the_built_ins(ftrack_server, tmp_path):
    plugin = tmp_path / 'plugins' / 'configure.py'
    plugin.parent.mkdir()
    plugin.write_text(
        'import ftrack_api\n'
        'import ftrack_api.symbol\n'
        'def configure(event):\n'
        '    session = event["data"]["session"]\n'
        '    server = session.get("Location",\n'
        '                         ftrack_api.symbol.SERVER_LOCATION_ID)\n'
        '    server.priority = 5\n'
        '    session.seen_accessor = server.accessor\n'
        'def register(session, **kw):\n'
        '    session.event_hub.subscribe(\n'
        '        "topic=ftrack.api.session.configure-location", configure)\n'
    )
    session = new_session(ftrack_server, plugin_paths=[str(plugin.parent)])
    try:
        server = server_location(session)
        assert server.priority == 5
        assert session.seen_accessor is server.accessor
        assert session.pick_location() is server
        session.reset()
        assert server_location(session).priority == 5
    finally:
        session.close()


def test_mixin_gives_an_instance_new_behaviour(session):
    location = session.create('Location', {'name': unique('memory')})
    ftrack_api.mixin(location, MemoryLocationMixin, name='Memory')
    assert type(location).__name__ == 'Memory'
    cls = type(location)
    ftrack_api.mixin(location, MemoryLocationMixin)
    assert type(location) is cls
    ftrack_api.mixin(location, UnmanagedLocationMixin)
    assert type(location).__name__ == 'MemoryUnmanagedLocationMixin'


# Picking --------------------------------------------------------------------

def test_pick_location_prefers_lower_priority_with_an_accessor(
        session, tmp_path):
    assert session.pick_location()['id'] == SYMBOL.UNMANAGED_LOCATION_ID
    disk = disk_location(session, tmp_path, priority=-10)
    assert session.pick_location() is disk


def test_pick_location_for_a_component_needs_its_data_there(
        session, tmp_path):
    source = write(tmp_path / 'src' / 'a.txt', b'abc')
    disk = disk_location(session, tmp_path / 'disk', priority=-20)
    component = session.create_component(source, location=None)
    assert session.pick_location(component) is None
    server = server_location(session)
    server.add_component(component, origin_location(session))
    assert session.pick_location(component) is server
    disk.add_component(component, server)
    assert session.pick_locations([component, component]) == [disk, disk]


# Adding: argument checks ----------------------------------------------------

def test_sources_must_be_one_or_one_per_component(session, tmp_path):
    disk = disk_location(session, tmp_path)
    components = [session.create('FileComponent', {'name': n})
                  for n in ('a', 'b')]
    with pytest.raises(ValueError) as raised:
        disk.add_components(components, [origin_location(session)] * 3)
    assert str(raised.value) == (
        'sources must be either a single source or a sequence of sources '
        'with indexes corresponding to passed components.'
    )


def test_a_missing_structure_is_reported_even_without_components(session):
    location = session.create('Location', {'name': unique('nostructure')})
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        location.add_components([], [])
    assert str(raised.value) == (
        'No structure defined for location {0}.'.format(location)
    )


def test_adding_no_components_does_nothing(session, tmp_path):
    disk = disk_location(session, tmp_path)
    transcript = Transcript(session)
    assert disk.add_components([], origin_location(session)) is None
    assert transcript.requests == []


def test_components_already_present_are_refused_before_any_transfer(
        session, tmp_path):
    disk = disk_location(session, tmp_path / 'disk')
    first = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=disk
    )
    second = session.create_component(
        write(tmp_path / 'b.txt', b'b'), location=None
    )
    before = sorted(os.listdir(tmp_path / 'disk'))
    with pytest.raises(ftrack_api.exception.ComponentInLocationError) as \
            raised:
        disk.add_components([second, first], origin_location(session))
    assert raised.value.details['components'] == [first]
    assert str(raised.value) == (
        "Component(s) b'{0}' already exist in location {1}.".format(
            first, disk)
    )
    # Nothing of the second component was copied.
    assert sorted(os.listdir(tmp_path / 'disk')) == before
    assert disk.get_component_availability(second) == 0.0


# Adding and moving data -----------------------------------------------------

def test_a_file_moves_between_disk_server_and_unmanaged_locations(
        session, tmp_path):
    payload = os.urandom(150000)
    source = write(tmp_path / 'src' / 'plate.bin', payload)
    first_disk = disk_location(session, tmp_path / 'one')
    second_disk = disk_location(session, tmp_path / 'two')
    server = server_location(session)
    unmanaged = session.get('Location', SYMBOL.UNMANAGED_LOCATION_ID)

    component = session.create_component(
        source, data={'name': 'plate'}, location=first_disk
    )
    path = first_disk.get_filesystem_path(component)
    assert path.startswith(str(tmp_path / 'one'))
    assert open(path, 'rb').read() == payload
    # Ids are sharded into directories by IdStructure.
    identifier = component['id']
    assert first_disk.get_resource_identifier(component) == '/'.join(
        list(identifier[:4]) + [identifier[4:] + '.bin']
    )

    server.add_component(component, first_disk)
    assert read_back(server, component) == payload
    second_disk.add_component(component, server)
    assert open(second_disk.get_filesystem_path(component), 'rb').read() \
        == payload

    # Unmanaged only records where the data is (the source's identifier).
    unmanaged.add_component(component, second_disk)
    assert unmanaged.get_resource_identifier(component) == \
        second_disk.get_resource_identifier(component)

    availability = session.get_component_availability(component)
    for location in (first_disk, second_disk, server, unmanaged):
        assert availability[location['id']] == 100.0
    assert availability[SYMBOL.ORIGIN_LOCATION_ID] == 0.0

    first_disk.remove_component(component)
    assert not os.path.exists(path)
    unmanaged.remove_component(component)
    # The unmanaged location never touches data.
    assert os.path.exists(second_disk.get_filesystem_path(component))
    server.remove_component(component)
    availability = session.get_component_availability(component)
    assert availability[first_disk['id']] == 0.0
    assert availability[unmanaged['id']] == 0.0
    assert availability[server['id']] == 0.0
    assert availability[second_disk['id']] == 100.0
    response = requests.get(server.accessor.get_url(component['id']),
                            timeout=30)
    assert response.status_code == 404


def test_a_sequence_moves_with_its_members(session, tmp_path):
    frames = {}
    for frame in (1, 2, 3, 5):
        frames[frame] = os.urandom(1000 + frame)
        write(tmp_path / 'src' / 'shot.{0:04d}.exr'.format(frame),
              frames[frame])
    pattern = str(tmp_path / 'src' / 'shot.%04d.exr [1-3, 5]')
    disk = disk_location(session, tmp_path / 'disk')
    server = server_location(session)

    sequence = session.create_component(pattern, data={'name': 'plate'},
                                        location=server)
    members = sorted(sequence['members'], key=lambda member: member['name'])
    assert [member['name'] for member in members] == \
        ['0001', '0002', '0003', '0005']
    for member, frame in zip(members, (1, 2, 3, 5)):
        assert read_back(server, member) == frames[frame]

    disk.add_component(sequence, server)
    sequence_path = disk.get_filesystem_path(sequence)
    directory = os.path.dirname(sequence_path)
    assert sorted(os.listdir(directory)) == [
        'file.0001.exr', 'file.0002.exr', 'file.0003.exr', 'file.0005.exr'
    ]
    assert open(os.path.join(directory, 'file.0005.exr'), 'rb').read() == \
        frames[5]
    assert session.get_component_availability(sequence)[disk['id']] == 100.0

    disk.remove_component(sequence)
    assert os.listdir(directory) == []
    server.remove_component(sequence)
    availability = session.get_component_availability(sequence)
    assert availability[server['id']] == 0.0
    assert availability[disk['id']] == 0.0


def test_non_recursive_add_leaves_members_out(session, tmp_path):
    write(tmp_path / 'src' / 'f.0001.exr', b'1')
    write(tmp_path / 'src' / 'f.0002.exr', b'2')
    sequence = session.create_component(
        str(tmp_path / 'src' / 'f.%04d.exr [1-2]'), location=None
    )
    disk = disk_location(session, tmp_path / 'disk')
    disk.add_component(sequence, origin_location(session), recursive=False)
    assert disk.get_resource_identifier(sequence)
    assert disk.get_component_availability(sequence) == 0.0
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        disk.get_resource_identifiers(list(sequence['members']))


def test_container_members_are_added_inside_the_container(session, tmp_path):
    container = session.create('ContainerComponent', {'name': 'bundle'})
    member = session.create_component(
        write(tmp_path / 'src' / 'notes.txt', b'notes'),
        data={'name': 'notes', 'container': container}, location=None,
    )
    container['members'].append(member)
    origin = origin_location(session)
    origin.add_component(container, str(tmp_path / 'src'), recursive=False)
    disk = disk_location(session, tmp_path / 'disk')

    disk.add_component(container, origin)
    container_path, member_path = disk.get_filesystem_paths(
        [container, member])
    assert os.path.isdir(container_path)
    assert member_path == os.path.join(
        container_path, member['id'] + '.txt')
    assert open(member_path, 'rb').read() == b'notes'
    assert session.get_component_availability(container)[disk['id']] == 100.0

    disk.remove_component(container)
    assert not os.path.exists(container_path)


def test_existing_target_data_is_never_overwritten(session, tmp_path):
    disk = disk_location(session, tmp_path / 'disk')
    component = session.create_component(
        write(tmp_path / 'a.txt', b'new'), location=None
    )
    target = tmp_path / 'disk' / disk.structure.get_resource_identifier(
        component)
    write(target, b'precious')
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        disk.add_component(component, origin_location(session))
    assert str(raised.value) == (
        'Failed to transfer component {0} data to location {1} due to '
        "error:\nb'    'Cannot add component as data already exists and "
        'overwriting could result in data loss. Computed target resource '
        "identifier was: {2}\nb'    'Transferred component data that may "
        'require cleanup: []'.format(
            component, disk, disk.structure.get_resource_identifier(
                component))
    )
    assert target.read_bytes() == b'precious'


def test_a_failed_transfer_lists_what_was_copied_and_registers_nothing(
        session, tmp_path):
    disk = disk_location(session, tmp_path / 'disk')
    good = session.create_component(
        write(tmp_path / 'good.txt', b'good'), location=None
    )
    missing = session.create_component(
        str(tmp_path / 'missing.txt'), location=None
    )
    assert missing['size'] == 0
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        disk.add_components([good, missing], origin_location(session))
    message = str(raised.value)
    assert message.startswith(
        'Failed to transfer component {0} data to location {1} due to '
        "error:\nb'    'Resource not found: ".format(missing, disk)
    )
    assert repr(disk.structure.get_resource_identifier(good)) in message
    session.commit()
    assert disk.get_component_availability(good) == 0.0


def test_sources_without_accessors_are_reported(session, tmp_path):
    disk = disk_location(session, tmp_path)
    bare = session.create('Location', {'name': unique('bare')})
    bare.structure = ftrack_api.structure.id.IdStructure()
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=None
    )
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        disk.add_component(component, bare)
    assert 'No accessor defined for source location {0}.'.format(bare) in \
        str(raised.value)
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        bare.add_component(component, origin_location(session))
    assert 'No accessor defined for target location {0}.'.format(bare) in \
        str(raised.value)


def test_a_path_is_only_a_source_for_the_origin_location(session, tmp_path):
    disk = disk_location(session, tmp_path)
    component = session.create('FileComponent', {'name': 'x',
                                                  'file_type': '.txt'})
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        disk.add_component(component, write(tmp_path / 'x.txt', b'x'))
    assert "'str' object has no attribute 'get_resource_identifier'" in \
        str(raised.value)


def test_a_registration_failure_is_reported_with_the_copied_data(
        session, tmp_path):
    disk = disk_location(session, tmp_path / 'disk')
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), data={'size': 'not a number'},
        location=None,
    )
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        disk.add_component(component, origin_location(session))
    message = str(raised.value)
    assert message.startswith(
        'Failed to register components with location {0} due to error:\n'
        .format(disk)
    )
    assert 'Transferred component data that may require cleanup: [(' in \
        message
    session.rollback()


def test_a_failed_copy_leaves_no_half_written_file(session, tmp_path):
    disk = disk_location(session, tmp_path / 'disk')
    source = write(tmp_path / 'big.bin', os.urandom(3 * 1024 * 1024))
    component = session.create_component(source, location=None)
    calls = []

    def cancel(progress):
        calls.append(progress.bytes_transferred)
        if progress.bytes_transferred >= 1024 * 1024:
            raise RuntimeError('cancelled by the user')

    disk.progress_callback = cancel
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        disk.add_component(component, origin_location(session))
    assert 'cancelled by the user' in str(raised.value)
    target = tmp_path / 'disk' / disk.structure.get_resource_identifier(
        component)
    assert not target.exists()
    assert target.parent.exists()
    session.commit()
    assert disk.get_component_availability(component) == 0.0


# Registration details -------------------------------------------------------

class PrefixTransformer(
        ftrack_api.resource_identifier_transformer.base
        .ResourceIdentifierTransformer):
    """Stores identifiers with a prefix and gives them back without."""

    def __init__(self, session):
        super().__init__(session)
        self.contexts = []

    def encode(self, resource_identifier, context=None):
        self.contexts.append(('encode', context['component']['id']))
        return 'stored:' + resource_identifier

    def decode(self, resource_identifier, context=None):
        self.contexts.append(('decode', context['component']['id']))
        assert resource_identifier.startswith('stored:')
        return resource_identifier[len('stored:'):]


def test_the_transformer_encodes_what_is_stored(session, tmp_path):
    disk = disk_location(session, tmp_path / 'disk')
    transformer = disk.resource_identifier_transformer = PrefixTransformer(
        session)
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=disk
    )
    stored = session.query(
        'select resource_identifier from ComponentLocation where '
        'component_id is "{0}" and location_id is "{1}"'.format(
            component['id'], disk['id'])
    ).one()['resource_identifier']
    expected = disk.structure.get_resource_identifier(component)
    assert stored == 'stored:' + expected
    assert disk.get_resource_identifier(component) == expected
    assert open(disk.get_filesystem_path(component), 'rb').read() == b'a'
    assert ('encode', component['id']) in transformer.contexts
    assert ('decode', component['id']) in transformer.contexts


def test_registration_creates_one_component_location_and_commits(
        session, tmp_path):
    disk = disk_location(session, tmp_path / 'disk')
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=None
    )
    transcript = Transcript(session)
    disk.add_component(component, origin_location(session))
    creates = [operation for operation in transcript.operations
               if operation['action'] == 'create']
    assert [operation['entity_type'] for operation in creates] == [
        'FileComponent', 'ComponentLocation'
    ]
    data = creates[1]['entity_data']
    assert data['component'] == {'__entity_type__': 'FileComponent',
                                 'id': component['id']}
    assert data['location'] == {'__entity_type__': 'Location',
                                'id': disk['id']}
    assert data['resource_identifier'] == \
        disk.structure.get_resource_identifier(component)
    assert not session.recorded_operations


def test_the_origin_location_keeps_registrations_in_memory(
        session, tmp_path):
    path = write(tmp_path / 'a.txt', b'a')
    transcript = Transcript(session)
    component = session.create_component(path, location=None)
    origin = origin_location(session)
    assert origin.get_resource_identifier(component) == path
    assert transcript.requests == []
    # The session's availability looks at the server only.
    assert origin.get_component_availability(component) == 0.0
    origin.remove_component(component)
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        origin.get_resource_identifier(component)
    assert os.path.exists(path)


def test_memory_locations_forget_on_reset(session, tmp_path):
    path = write(tmp_path / 'a.txt', b'a')
    component = session.create_component(path, location=None)
    component_id = component['id']
    session.reset()
    component = session.create('FileComponent', {'id': component_id})
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        origin_location(session).get_resource_identifier(component)


# Resource identifiers, paths and URLs --------------------------------------

def test_missing_components_are_named(session, tmp_path):
    disk = disk_location(session, tmp_path)
    present = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=disk
    )
    absent = session.create('FileComponent', {'name': 'absent'})
    transcript = Transcript(session)
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError) as \
            raised:
        disk.get_resource_identifiers([present, absent])
    assert raised.value.details['components'] == [absent]
    assert str(raised.value) == (
        "Component(s) b'{0}' not found in location {1}.".format(absent, disk)
    )
    assert transcript.expressions == [
        'select component_id, resource_identifier from ComponentLocation '
        'where location_id is {0} and component_id in ({1}, {2}) offset 0 '
        'limit 500'.format(disk['id'], present['id'], absent['id'])
    ]


def test_urls_and_paths_come_from_the_accessor(session, tmp_path):
    disk = disk_location(session, tmp_path)
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=disk
    )
    with pytest.raises(
            ftrack_api.exception.AccessorUnsupportedOperationError):
        disk.get_url(component)
    server = server_location(session)
    server.add_component(component, disk)
    assert server.get_url(component) == (
        '{0}/component/get?id={1}&username={2}&apiKey={3}'.format(
            session.server_url, component['id'], session.api_user,
            session.api_key)
    )
    with pytest.raises(
            ftrack_api.exception.AccessorUnsupportedOperationError):
        server.get_filesystem_path(component)
    assert server.get_thumbnail_url(component, size=64).endswith(
        '&apiKey={0}&size=64'.format(session.api_key))


def test_locations_without_accessors_give_no_paths(session, tmp_path):
    bare = session.create('Location', {'name': unique('bare')})
    session.commit()
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=None)
    session.create('ComponentLocation', {
        'component': component, 'location': bare,
        'resource_identifier': 'a/b.txt',
    })
    session.commit()
    message = 'No accessor defined for location {0}.'.format(bare)
    for method in (bare.get_filesystem_path, bare.get_url,
                   bare.remove_component):
        with pytest.raises(ftrack_api.exception.LocationError) as raised:
            method(component)
        assert str(raised.value) == message
    # As with the reference client, paths and URLs fail with an
    # AttributeError too.
    with pytest.raises(AttributeError):
        bare.get_url(component)


def test_removing_a_missing_component_is_an_error(session, tmp_path):
    disk = disk_location(session, tmp_path)
    component = session.create('FileComponent', {'name': 'absent'})
    with pytest.raises(ftrack_api.exception.ComponentNotInLocationError):
        disk.remove_component(component)


def test_removing_data_that_vanished_is_an_error_for_files(
        session, tmp_path):
    disk = disk_location(session, tmp_path)
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=disk
    )
    os.remove(disk.get_filesystem_path(component))
    with pytest.raises(ftrack_api.exception.AccessorResourceNotFoundError):
        disk.remove_component(component)


# Events ---------------------------------------------------------------------

def test_added_and_removed_events_reach_the_event_server(
        ftrack_server, tmp_path):
    session = new_session(ftrack_server, auto_connect_event_hub=True)
    try:
        received = []
        session.event_hub.subscribe(
            'topic=ftrack.location.*', lambda event: received.append(event)
        )
        deadline = time.time() + 10
        while not session.event_hub.connected and time.time() < deadline:
            time.sleep(0.05)
        assert session.event_hub.connected
        server = server_location(session)
        component = session.create_component(
            write(tmp_path / 'a.txt', b'a'), location=server
        )
        server.remove_component(component)
        deadline = time.time() + 10
        while len(received) < 3 and time.time() < deadline:
            session.event_hub.wait(0.2)
        assert [(event['topic'], event['data']) for event in received] == [
            ('ftrack.location.component-added',
             {'component_id': component['id'],
              'location_id': SYMBOL.ORIGIN_LOCATION_ID}),
            ('ftrack.location.component-added',
             {'component_id': component['id'],
              'location_id': SYMBOL.SERVER_LOCATION_ID}),
            ('ftrack.location.component-removed',
             {'component_id': component['id'],
              'location_id': SYMBOL.SERVER_LOCATION_ID}),
        ]
    finally:
        session.close()


def test_events_are_not_required(session, tmp_path):
    # Not connected: the events are dropped silently.
    assert not session.event_hub.connected
    component = session.create_component(
        write(tmp_path / 'a.txt', b'a'), location=server_location(session)
    )
    assert session.get_component_availability(component)[
        SYMBOL.SERVER_LOCATION_ID] == 100.0
