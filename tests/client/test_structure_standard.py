"""ftrack_api.structure.standard: human readable paths.

Components, versions and projects are small stand-ins: mappings with an
``entity_type`` and a ``session`` offering ``created`` and ``get``, which is
all the structure reads from real entities.
"""

import pytest

import ftrack_api.exception
import ftrack_api.symbol
from ftrack_api.structure.standard import StandardStructure

NOT_SET = ftrack_api.symbol.NOT_SET

NOT_ATTACHED = (
    'Component {0} must be attached to a committed version and a committed '
    'asset with a parent context.'
)


class Session:
    """Answers ``get`` from a dictionary and lists uncommitted entities."""

    def __init__(self):
        self.created = []
        self.entities = {}
        self.requests = []

    def get(self, entity_type, entity_key):
        self.requests.append((entity_type, entity_key))
        return self.entities.get((entity_type, entity_key))

    def add(self, entity):
        self.entities[(entity.entity_type, entity['id'])] = entity
        return entity


class Entity(dict):
    def __init__(self, session, entity_type, **values):
        super().__init__(**values)
        self.session = session
        self.entity_type = entity_type

    def __repr__(self):
        return '<{0} {1}>'.format(self.entity_type, dict.get(self, 'name'))

    # Identity semantics, as entities have, for ``in session.created``.
    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__


@pytest.fixture
def session():
    session = Session()
    session.add(Entity(session, 'Project', id='p1', name='My Project'))
    return session


def make_version(session, between=('SQ 01', 'Shot_010'), number=3,
                 asset_name='Plate Main'):
    """Return a version of an asset placed under *between* in project p1.

    The version's ``link`` runs from the project to the version, as the
    server sends it.
    """
    asset = Entity(session, 'Asset', id='a1', name=asset_name)
    link = [{'id': 'p1', 'name': 'My Project', 'type': 'Project'}]
    link += [{'id': 'c%d' % n, 'name': name, 'type': 'TypedContext'}
             for n, name in enumerate(between)]
    link.append({'id': 'v1', 'name': 'v{0}'.format(number),
                 'type': 'AssetVersion'})
    return session.add(Entity(
        session, 'AssetVersion', id='v1', version=number, asset=asset,
        link=link,
    ))


def component(session, entity_type, version, container=None, **values):
    values.setdefault('id', 'c-' + entity_type)
    values.setdefault('file_type', '.exr')
    return Entity(
        session, entity_type, version=version, container=container, **values
    )


@pytest.fixture
def version(session):
    return make_version(session)


@pytest.fixture
def structure():
    return StandardStructure()


def test_attributes():
    structure = StandardStructure()
    assert vars(structure) == {
        'prefix': '', 'path_separator': '/',
        'project_versions_prefix': None, 'illegal_character_substitute': '_',
    }
    custom = StandardStructure('pvp', '-')
    assert custom.project_versions_prefix == 'pvp'
    assert custom.illegal_character_substitute == '-'


def test_file_component(session, version, structure):
    file_component = component(session, 'FileComponent', version, name='main')
    assert structure.get_resource_identifier(file_component) == (
        'my_project/sq_01/shot_010/plate_main/v003/main.exr'
    )
    assert session.requests == [('Project', 'p1')]


def test_context_is_ignored(session, version, structure):
    file_component = component(session, 'FileComponent', version, name='main')
    assert structure.get_resource_identifier(file_component, {'x': 1}) == (
        'my_project/sq_01/shot_010/plate_main/v003/main.exr'
    )


def test_version_number_is_padded_to_three_digits(session, structure):
    for number, directory in [(1, 'v001'), (1234, 'v1234'), (0, 'v000')]:
        version = make_version(session, number=number)
        file_component = component(session, 'FileComponent', version,
                                   name='m')
        assert structure.get_resource_identifier(file_component).split(
            '/'
        )[-2] == directory


@pytest.mark.parametrize('number, error', [
    (None, TypeError), ('7', ValueError),
])
def test_version_number_must_be_an_integer(session, structure, number, error):
    version = make_version(session, number=number)
    with pytest.raises(error):
        structure.get_resource_identifier(
            component(session, 'FileComponent', version, name='m')
        )


def test_sequence(session, version, structure):
    sequence = component(session, 'SequenceComponent', version, name='plate',
                         padding=4)
    assert structure.get_resource_identifier(sequence) == (
        'my_project/sq_01/shot_010/plate_main/v003/plate.%04d.exr'
    )


def test_sequence_member(session, version, structure):
    sequence = component(session, 'SequenceComponent', version, name='Pl ate',
                         padding=4)
    # The member's own version is not consulted.
    frame = component(session, 'FileComponent', NOT_SET, container=sequence,
                      name='0001')
    assert structure.get_resource_identifier(frame) == (
        'my_project/sq_01/shot_010/plate_main/v003/pl_ate.0001.exr'
    )


def test_container_and_member(session, version, structure):
    bundle = component(session, 'ContainerComponent', version, name='Bundle')
    readme = component(session, 'FileComponent', version, container=bundle,
                       name='README', file_type='.txt')
    assert structure.get_resource_identifier(bundle) == (
        'my_project/sq_01/shot_010/plate_main/v003/bundle'
    )
    assert structure.get_resource_identifier(readme) == (
        'my_project/sq_01/shot_010/plate_main/v003/bundle/readme.txt'
    )


def test_file_inside_a_file_is_placed_inside_its_path(session, version,
                                                      structure):
    outer = component(session, 'FileComponent', version, name='Pl ate')
    inner = component(session, 'FileComponent', NOT_SET, container=outer,
                      name='m')
    assert structure.get_resource_identifier(inner) == (
        'my_project/sq_01/shot_010/plate_main/v003/pl_ate.exr/m.exr'
    )


def test_sequence_ignores_its_own_container(session, version, structure):
    bundle = component(session, 'ContainerComponent', version, name='bundle')
    sequence = component(session, 'SequenceComponent', version,
                         container=bundle, name='m', padding=2)
    assert structure.get_resource_identifier(sequence) == (
        'my_project/sq_01/shot_010/plate_main/v003/m.%02d.exr'
    )


@pytest.mark.parametrize('file_type, name', [
    ('', 'm.%02d'), (None, 'm.%02dnone'), ('.E X', 'm.%02d.e_x'),
])
def test_sequence_file_type_is_sanitised_separately(session, version,
                                                    structure, file_type,
                                                    name):
    sequence = component(session, 'SequenceComponent', version, name='m',
                         padding=2, file_type=file_type)
    assert structure.get_resource_identifier(sequence).endswith('/' + name)


def test_sequence_without_padding(session, version, structure):
    for padding in (0, None, NOT_SET):
        sequence = component(session, 'SequenceComponent', version,
                             name='s', padding=padding)
        assert structure.get_resource_identifier(sequence).endswith(
            '/s.%d.exr'
        )


def test_file_name_and_type_are_joined_before_sanitising(session, version,
                                                         structure):
    weird = component(session, 'FileComponent', version, name='M M',
                      file_type='.E X')
    assert structure.get_resource_identifier(weird).endswith('/m_m.e_x')
    with pytest.raises(TypeError):
        structure.get_resource_identifier(component(
            session, 'FileComponent', version, name='m', file_type=None
        ))


def test_assets_directly_under_the_project(session):
    version = make_version(session, between=())
    file_component = component(session, 'FileComponent', version, name='m')
    assert StandardStructure().get_resource_identifier(file_component) == (
        'my_project/plate_main/v003/m.exr'
    )
    assert StandardStructure(
        project_versions_prefix='Project Versions'
    ).get_resource_identifier(file_component) == (
        'my_project/project_versions/plate_main/v003/m.exr'
    )


def test_project_versions_prefix_only_applies_directly_under_project(
    session
):
    version = make_version(session, between=('Shot',))
    file_component = component(session, 'FileComponent', version, name='m')
    assert StandardStructure(
        project_versions_prefix='pvp'
    ).get_resource_identifier(file_component) == (
        'my_project/shot/plate_main/v003/m.exr'
    )


def test_empty_project_versions_prefix_is_ignored(session):
    version = make_version(session, between=())
    file_component = component(session, 'FileComponent', version, name='m')
    assert StandardStructure(
        project_versions_prefix=''
    ).get_resource_identifier(file_component) == (
        'my_project/plate_main/v003/m.exr'
    )


def test_project_name_comes_from_the_project_not_the_link(session, version,
                                                          structure):
    version['link'][0]['name'] = 'Something Else'
    file_component = component(session, 'FileComponent', version, name='m')
    assert structure.get_resource_identifier(file_component).startswith(
        'my_project/'
    )


def test_structure_prefix_is_not_applied(session, version):
    structure = StandardStructure()
    structure.prefix = '/mnt/x/'
    file_component = component(session, 'FileComponent', version, name='m')
    assert structure.get_resource_identifier(file_component) == (
        'my_project/sq_01/shot_010/plate_main/v003/m.exr'
    )


def test_path_separator(session, version):
    structure = StandardStructure()
    structure.path_separator = '\\'
    bundle = component(session, 'ContainerComponent', version, name='c')
    member = component(session, 'FileComponent', version, container=bundle,
                       name='m', file_type='.x')
    assert structure.get_resource_identifier(member) == (
        'my_project\\sq_01\\shot_010\\plate_main\\v003\\c\\m.x'
    )


def test_empty_names_leave_empty_directories(session, structure):
    version = make_version(session, between=('',), asset_name='')
    file_component = component(session, 'FileComponent', version, name='m')
    assert structure.get_resource_identifier(file_component) == (
        'my_project///v003/m.exr'
    )


def test_without_sanitising_names_are_used_as_they_are(session):
    structure = StandardStructure(illegal_character_substitute=None)
    version = make_version(session, between=('A/é',), asset_name='Asset Ü')
    file_component = component(session, 'FileComponent', version, name='M M')
    assert structure.get_resource_identifier(file_component) == (
        'My Project/A/é/Asset Ü/v003/M M.exr'
    )
    sequence = component(session, 'SequenceComponent', version, name=None,
                         padding=2, file_type=None)
    assert structure.get_resource_identifier(sequence).endswith(
        '/None.%02dNone'
    )
    bundle = component(session, 'ContainerComponent', version, name=None)
    with pytest.raises(TypeError):
        structure.get_resource_identifier(bundle)


def test_version_is_looked_up_when_only_its_id_is_known(session, version,
                                                        structure):
    file_component = component(session, 'FileComponent', NOT_SET,
                               version_id='v1', name='m')
    assert structure.get_resource_identifier(file_component) == (
        'my_project/sq_01/shot_010/plate_main/v003/m.exr'
    )
    assert ('AssetVersion', 'v1') in session.requests


@pytest.mark.parametrize('version_id', [None, NOT_SET])
def test_component_without_version_is_not_attached(session, structure,
                                                   version_id):
    file_component = component(session, 'FileComponent', NOT_SET,
                               version_id=version_id, name='m')
    with pytest.raises(ftrack_api.exception.StructureError) as caught:
        structure.get_resource_identifier(file_component)
    assert str(caught.value) == NOT_ATTACHED.format('<FileComponent m>')


def test_uncommitted_version_is_not_attached(session, version, structure):
    session.created.append(version)
    file_component = component(session, 'FileComponent', version, name='m')
    with pytest.raises(ftrack_api.exception.StructureError):
        structure.get_resource_identifier(file_component)


def test_only_the_version_needs_to_be_committed(session, version, structure):
    file_component = component(session, 'FileComponent', version, name='m')
    session.created.extend([version['asset'], file_component])
    assert structure.get_resource_identifier(file_component).endswith(
        '/v003/m.exr'
    )


@pytest.mark.parametrize('link', [[], None])
def test_version_without_link_is_not_attached(session, version, structure,
                                              link):
    version['link'] = link
    file_component = component(session, 'FileComponent', version, name='m')
    with pytest.raises(ftrack_api.exception.StructureError):
        structure.get_resource_identifier(file_component)


def test_braces_in_the_component_text_survive(session, structure):
    file_component = component(session, 'FileComponent', NOT_SET,
                               version_id=None, name='{x}')
    with pytest.raises(ftrack_api.exception.StructureError) as caught:
        structure.get_resource_identifier(file_component)
    assert str(caught.value) == NOT_ATTACHED.format('<FileComponent {x}>')


def test_none_version_fails_plainly(session, structure):
    file_component = component(session, 'FileComponent', None, name='m')
    with pytest.raises(TypeError):
        structure.get_resource_identifier(file_component)


@pytest.mark.parametrize('entity_type', ['AssetVersion', 'Component'])
def test_unsupported_entities_raise_not_implemented(session, version,
                                                    structure, entity_type):
    entity = component(session, entity_type, version, name='x')
    with pytest.raises(NotImplementedError) as caught:
        structure.get_resource_identifier(entity)
    assert str(caught.value) == (
        'Cannot generate resource identifier for unsupported entity '
        '<{0} x>'.format(entity_type)
    )


@pytest.mark.parametrize('value, expected', [
    ('Hello World', 'hello_world'),
    ('Ünïcödé Ñame', 'unicode_name'),
    ('a/b\\c', 'a_b_c'),
    ('a.b-c_d', 'a.b-c_d'),
    ('UPPER', 'upper'),
    ('ÆØÅ æøå ß', 'a_a_'),
    ('日本語', ''),
    ('x\ty\nz', 'x_y_z'),
    ('', ''),
    ('  lead', '__lead'),
    ("it's", 'it_s'),
    ('a*b?c', 'a_b_c'),
    ('ﬁ ligature', 'fi_ligature'),
    ('①②', '12'),
    (5, '5'),
    (None, 'none'),
    (b'A B', 'b_a_b_'),
])
def test_sanitise_for_filesystem(value, expected):
    assert StandardStructure().sanitise_for_filesystem(value) == expected


@pytest.mark.parametrize('substitute, expected', [
    ('-', 'a-b-c'), ('', 'abc'), ('__', 'a__b__c'), ('X', 'axbxc'),
])
def test_sanitise_substitute(substitute, expected):
    structure = StandardStructure(illegal_character_substitute=substitute)
    assert structure.sanitise_for_filesystem('A B/C') == expected


def test_substitute_is_a_replacement_template():
    structure = StandardStructure(illegal_character_substitute='\\1')
    with pytest.raises(Exception, match='invalid group reference'):
        structure.sanitise_for_filesystem('A B')


@pytest.mark.parametrize('value', ['A B/C é', 5, None])
def test_no_substitute_returns_value_untouched(value):
    structure = StandardStructure(illegal_character_substitute=None)
    assert structure.sanitise_for_filesystem(value) is value


class Labelled(Entity):
    """An entity whose str and repr differ."""

    def __str__(self):
        return 'STR'

    def __repr__(self):
        return 'REPR'


def test_messages_show_the_repr_of_the_component(session, structure):
    unsupported = Labelled(session, 'Component', id='x')
    with pytest.raises(NotImplementedError, match='unsupported entity REPR$'):
        structure.get_resource_identifier(unsupported)
    detached = Labelled(session, 'FileComponent', version=NOT_SET,
                        version_id=None, container=None)
    with pytest.raises(ftrack_api.exception.StructureError) as caught:
        structure.get_resource_identifier(detached)
    assert str(caught.value) == NOT_ATTACHED.format('REPR')
