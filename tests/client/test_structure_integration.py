"""Structures with real entities from the emulator: StandardStructure on a
project / sequence / shot / asset / version hierarchy, IdStructure,
EntityIdStructure and OriginStructure, alone and as the structure of a disk
location data is published to.
"""

import os

import pytest

import ftrack_api.accessor.disk
import ftrack_api.exception
import ftrack_api.structure.entity_id
import ftrack_api.structure.id
import ftrack_api.structure.origin
import ftrack_api.structure.standard
import ftrack_api.symbol

from session_helpers import Transcript, new_session, unique

NOT_ATTACHED = (
    'Component {0!r} must be attached to a committed version and a '
    'committed asset with a parent context.'
)


@pytest.fixture
def tree(session):
    """Project "Pröject <n>" > sq 01 > sh010 > asset "Plate Main" (v3),
    plus asset "top" directly under the project (v1)."""
    project = session.create('Project', {
        'name': 'Pr\u00f6ject ' + unique('s')[-4:], 'full_name': 'Structure',
        'project_schema': session.query('ProjectSchema').first(),
    })
    sequence = session.create('Sequence', {'name': 'sq 01',
                                            'parent': project})
    shot = session.create('Shot', {'name': 'sh010', 'parent': sequence})
    asset_type = session.query('AssetType').first()
    asset = session.create('Asset', {'name': 'Plate Main', 'parent': shot,
                                     'type': asset_type})
    version = session.create('AssetVersion', {'asset': asset, 'version': 3})
    top_asset = session.create('Asset', {'name': 'top', 'parent': project,
                                         'type': asset_type})
    top_version = session.create('AssetVersion', {'asset': top_asset})
    session.commit()
    prefix = ftrack_api.structure.standard.StandardStructure() \
        .sanitise_for_filesystem(project['name'])
    return {'project': project, 'version': version,
            'top_version': top_version, 'prefix': prefix}


def components(session, version):
    """A file, a sequence with a member and a container with a member."""
    made = {
        'file': session.create('FileComponent', {
            'name': 'main', 'file_type': '.exr', 'version': version}),
        'sequence': session.create('SequenceComponent', {
            'name': 'frames', 'file_type': '.exr', 'padding': 4,
            'version': version}),
        'container': session.create('ContainerComponent', {
            'name': 'bundle', 'version': version}),
    }
    made['frame'] = session.create('FileComponent', {
        'name': '0001', 'file_type': '.exr', 'container': made['sequence']})
    made['document'] = session.create('FileComponent', {
        'name': 'Read Me', 'file_type': '.txt',
        'container': made['container']})
    session.commit()
    return made


def test_standard_paths_follow_the_hierarchy(session, tree):
    made = components(session, tree['version'])
    structure = ftrack_api.structure.standard.StandardStructure()
    # The link of a version runs from the project to the version itself;
    # what lies between (link[1:-1]) becomes directories, the asset
    # included, before the asset and version directories (as with the
    # reference client).
    link = tree['version']['link']
    assert [item['name'] for item in link[1:-1]] == \
        ['sq 01', 'sh010', 'Plate Main']
    base = tree['prefix'] + '/sq_01/sh010/plate_main/plate_main/v003'
    expected = {
        'file': base + '/main.exr',
        'sequence': base + '/frames.%04d.exr',
        'frame': base + '/frames.0001.exr',
        'container': base + '/bundle',
        'document': base + '/bundle/read_me.txt',
    }
    for key, path in expected.items():
        assert structure.get_resource_identifier(made[key]) == path, key


def test_project_level_assets_and_the_versions_prefix(session, tree):
    made = components(session, tree['top_version'])
    plain = ftrack_api.structure.standard.StandardStructure()
    prefixed = ftrack_api.structure.standard.StandardStructure(
        project_versions_prefix='published')
    expected = tree['prefix'] + '/top/top/v001/main.exr'
    assert plain.get_resource_identifier(made['file']) == expected
    # The asset sits in the link itself, so the prefix is not inserted.
    assert prefixed.get_resource_identifier(made['file']) == expected


def test_names_may_be_kept_unsanitised(session, tree):
    made = components(session, tree['version'])
    structure = ftrack_api.structure.standard.StandardStructure(
        illegal_character_substitute=None)
    assert structure.get_resource_identifier(made['document']) == (
        tree['project']['name'] + '/sq 01/sh010/Plate Main/Plate Main/v003/'
        'bundle/Read Me.txt'
    )


def test_uncommitted_or_missing_versions_are_refused(session, tree):
    structure = ftrack_api.structure.standard.StandardStructure()
    pending = session.create('AssetVersion',
                             {'asset': tree['version']['asset']})
    assert pending in session.created
    for version in (pending, None):
        data = {'name': 'main', 'file_type': '.exr'}
        if version is not None:
            data['version'] = version
        component = session.create('FileComponent', data)
        with pytest.raises(ftrack_api.exception.StructureError) as raised:
            structure.get_resource_identifier(component)
        assert str(raised.value) == NOT_ATTACHED.format(component)


def test_the_version_id_is_used_when_the_version_is_not_loaded(
        ftrack_server, session, tree):
    made = components(session, tree['version'])
    other = new_session(ftrack_server)
    try:
        other.query('select name from Project where id is "{0}"'.format(
            tree['project']['id'])).one()
        other.query(
            'select version, link, asset.name from AssetVersion where id is '
            '"{0}"'.format(tree['version']['id'])).one()
        component = other.query(
            'select name, file_type, version_id from FileComponent where id '
            'is "{0}"'.format(made['file']['id'])).one()
        structure = ftrack_api.structure.standard.StandardStructure()
        transcript = Transcript(other)
        with other.auto_populating(False):
            path = structure.get_resource_identifier(component)
        assert path.endswith('/plate_main/v003/main.exr')
        assert transcript.requests == []
    finally:
        other.close()


def test_id_paths(session, tree):
    made = components(session, tree['version'])
    structure = ftrack_api.structure.id.IdStructure(prefix='store')

    def sharded(component):
        identifier = component['id']
        return 'store/' + '/'.join(identifier[:4]) + '/' + identifier[4:]

    assert structure.get_resource_identifier(made['file']) == \
        sharded(made['file']) + '.exr'
    assert structure.get_resource_identifier(made['sequence']) == \
        sharded(made['sequence']) + '/file.%04d.exr'
    assert structure.get_resource_identifier(made['frame']) == \
        sharded(made['sequence']) + '/file.0001.exr'
    assert structure.get_resource_identifier(made['container']) == \
        sharded(made['container'])
    assert structure.get_resource_identifier(made['document']) == \
        sharded(made['container']) + '/' + made['document']['id'] + '.txt'
    with pytest.raises(NotImplementedError):
        structure.get_resource_identifier(tree['version'])


def test_entity_id_and_origin_structures(session, tree, tmp_path):
    made = components(session, tree['version'])
    assert ftrack_api.structure.entity_id.EntityIdStructure() \
        .get_resource_identifier(made['file']) == made['file']['id']
    origin_structure = ftrack_api.structure.origin.OriginStructure()
    with pytest.raises(ValueError):
        origin_structure.get_resource_identifier(made['file'])
    assert origin_structure.get_resource_identifier(
        made['file'], {'source_resource_identifier': '/a/b.exr'}
    ) == '/a/b.exr'

    path = tmp_path / 'plate.exr'
    path.write_bytes(b'plate')
    component = session.create_component(str(path), location=None)
    origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
    assert origin.get_resource_identifier(component) == str(path)


def test_publishing_with_the_standard_structure(session, tree, tmp_path):
    location = session.create('Location', {'name': unique('studio')})
    location.accessor = ftrack_api.accessor.disk.DiskAccessor(
        prefix=str(tmp_path / 'studio'))
    location.structure = ftrack_api.structure.standard.StandardStructure()
    session.commit()
    for frame in (1, 2):
        (tmp_path / 'src').mkdir(exist_ok=True)
        (tmp_path / 'src' / 'f.{0:04d}.exr'.format(frame)).write_bytes(
            b'frame %d' % frame)
    sequence = tree['version'].create_component(
        str(tmp_path / 'src' / 'f.%04d.exr [1-2]'), data={'name': 'plate'},
        location=location,
    )
    directory = tmp_path / 'studio' / tree['prefix'] / 'sq_01' / 'sh010' / \
        'plate_main' / 'plate_main' / 'v003'
    assert sorted(os.listdir(directory)) == ['plate.0001.exr',
                                             'plate.0002.exr']
    assert (directory / 'plate.0002.exr').read_bytes() == b'frame 2'
    assert location.get_filesystem_path(sequence) == \
        str(directory / 'plate.%04d.exr')

    # An uncommitted version cannot be laid out: nothing is written.
    pending = session.create('AssetVersion',
                             {'asset': tree['version']['asset']})
    single = tmp_path / 'src' / 'single.exr'
    single.write_bytes(b'single')
    with pytest.raises(ftrack_api.exception.LocationError) as raised:
        pending.create_component(str(single), location=location)
    assert 'must be attached to a committed version' in str(raised.value)
    session.rollback()
