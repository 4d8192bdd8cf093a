"""ftrack_api.structure.id: paths derived from component ids.

Components are small stand-ins here: mappings with an ``entity_type``, as
the structure reads real entities.
"""

import pytest

import ftrack_api.symbol
from ftrack_api.structure.id import IdStructure

FILE_ID = '0123456789abcdef'
SEQUENCE_ID = 'fedcba9876'
CONTAINER_ID = 'abcdef0123'


class Entity(dict):
    """Reads like an entity: item access plus ``entity_type``."""

    def __init__(self, entity_type, **values):
        super().__init__(**values)
        self.entity_type = entity_type


def file_component(container=None, **values):
    values.setdefault('id', FILE_ID)
    values.setdefault('file_type', '.png')
    return Entity('FileComponent', container=container, **values)


def sequence(**values):
    values.setdefault('id', SEQUENCE_ID)
    values.setdefault('file_type', '.exr')
    values.setdefault('padding', 4)
    return Entity('SequenceComponent', container=None, **values)


def container(**values):
    values.setdefault('id', CONTAINER_ID)
    return Entity('ContainerComponent', container=None, **values)


@pytest.fixture
def structure():
    return IdStructure()


@pytest.mark.parametrize('parent', [None, ftrack_api.symbol.NOT_SET])
def test_file_is_sharded_by_its_first_four_id_characters(structure, parent):
    assert structure.get_resource_identifier(file_component(parent)) == (
        '0/1/2/3/456789abcdef.png'
    )


def test_file_without_file_type(structure):
    assert structure.get_resource_identifier(
        file_component(file_type='')
    ) == '0/1/2/3/456789abcdef'
    with pytest.raises(TypeError):
        structure.get_resource_identifier(file_component(file_type=None))


def test_short_ids_give_fewer_directories(structure):
    assert structure.get_resource_identifier(
        file_component(id='ab', file_type='.x')
    ) == 'a/b/.x'


def test_prefix_starts_the_path_and_slashes_are_trimmed():
    assert IdStructure(prefix='root').get_resource_identifier(
        file_component()
    ) == 'root/0/1/2/3/456789abcdef.png'
    assert IdStructure(prefix='/root/').get_resource_identifier(
        file_component()
    ) == 'root//0/1/2/3/456789abcdef.png'
    assert IdStructure().get_resource_identifier(
        file_component(file_type='.x/')
    ) == '0/1/2/3/456789abcdef.x'


def test_only_forward_slashes_are_trimmed():
    structure = IdStructure(prefix='/a/')
    structure.path_separator = '\\'
    assert structure.get_resource_identifier(
        file_component(file_type='.x')
    ) == 'a/\\0\\1\\2\\3\\456789abcdef.x'


def test_sequence(structure):
    assert structure.get_resource_identifier(sequence()) == (
        'f/e/d/c/ba9876/file.%04d.exr'
    )
    assert structure.get_resource_identifier(sequence(padding=0)) == (
        'f/e/d/c/ba9876/file.%d.exr'
    )


@pytest.mark.parametrize('file_type, name', [
    ('', 'file.%04d'), (None, 'file.%04d'),
    (ftrack_api.symbol.NOT_SET, 'file.%04d'), ('exr', 'file.%04dexr'),
])
def test_sequence_file_type_is_optional(structure, file_type, name):
    assert structure.get_resource_identifier(
        sequence(file_type=file_type)
    ) == 'f/e/d/c/ba9876/' + name


def test_container(structure):
    assert structure.get_resource_identifier(container()) == 'a/b/c/d/ef0123'
    assert IdStructure(prefix='/a/').get_resource_identifier(container()) == (
        'a//a/b/c/d/ef0123'
    )


def test_sequences_and_containers_ignore_their_own_container(structure):
    nested = sequence(id=FILE_ID, padding=1, file_type='.x')
    nested['container'] = container()
    assert structure.get_resource_identifier(nested) == (
        '0/1/2/3/456789abcdef/file.%01d.x'
    )


def test_file_in_a_container_uses_its_full_id(structure):
    member = file_component(container())
    assert structure.get_resource_identifier(member) == (
        'a/b/c/d/ef0123/0123456789abcdef.png'
    )


def test_file_in_a_sequence_sits_beside_the_frame_pattern(structure):
    frame = file_component(sequence(), name='0001', file_type='.exr')
    assert structure.get_resource_identifier(frame) == (
        'f/e/d/c/ba9876/file.0001.exr'
    )


def test_members_keep_the_prefix_once():
    structure = IdStructure(prefix='/a/')
    assert structure.get_resource_identifier(
        file_component(container(), file_type='.x')
    ) == 'a//a/b/c/d/ef0123/0123456789abcdef.x'
    assert structure.get_resource_identifier(
        file_component(sequence(file_type='.x', padding=2), name='7',
                       file_type='.x')
    ) == 'a//f/e/d/c/ba9876/file.7.x'


def test_file_in_a_file_is_placed_inside_it(structure):
    outer = file_component(id=SEQUENCE_ID, file_type='.y')
    inner = file_component(outer, file_type='.x')
    assert structure.get_resource_identifier(inner) == (
        'f/e/d/c/ba9876.y/0123456789abcdef.x'
    )


def test_context_is_ignored(structure):
    assert structure.get_resource_identifier(
        file_component(), context={'source_resource_identifier': 'x'}
    ) == '0/1/2/3/456789abcdef.png'


@pytest.mark.parametrize('entity_type', ['AssetVersion', 'Component'])
def test_unsupported_entities_raise_not_implemented(structure, entity_type):
    entity = Entity(entity_type, id=FILE_ID)
    with pytest.raises(NotImplementedError) as caught:
        structure.get_resource_identifier(entity)
    assert str(caught.value) == (
        "Cannot generate path for unsupported entity {'id': "
        "'0123456789abcdef'}"
    )


def test_unsupported_container_raises_not_implemented(structure):
    member = file_component(Entity('Component', id='1'))
    with pytest.raises(NotImplementedError):
        structure.get_resource_identifier(member)


def test_file_needs_its_container_attribute(structure):
    with pytest.raises(KeyError):
        structure.get_resource_identifier(
            Entity('FileComponent', id=FILE_ID, file_type='.x')
        )


def test_unsupported_message_shows_the_str_of_the_entity(structure):
    class Labelled(Entity):
        def __str__(self):
            return 'STR'

        def __repr__(self):
            return 'REPR'

    with pytest.raises(NotImplementedError) as caught:
        structure.get_resource_identifier(Labelled('Component'))
    assert str(caught.value) == (
        'Cannot generate path for unsupported entity STR'
    )
