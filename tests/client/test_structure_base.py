"""ftrack_api.structure.base: the abstract structure."""

import pytest

import ftrack_api.symbol
from ftrack_api.structure.base import Structure


class Sequence(dict):
    entity_type = 'SequenceComponent'


class PassThrough(Structure):
    def get_resource_identifier(self, entity, context=None):
        return super().get_resource_identifier(entity, context)


def test_structure_is_abstract():
    with pytest.raises(TypeError, match='get_resource_identifier'):
        Structure()
    assert Structure.__abstractmethods__ == frozenset(
        ['get_resource_identifier']
    )


def test_defaults_and_attributes():
    structure = PassThrough()
    assert vars(structure) == {'prefix': '', 'path_separator': '/'}
    assert PassThrough(prefix='/mnt/x').prefix == '/mnt/x'
    assert PassThrough('p').prefix == 'p'


def test_base_get_resource_identifier_returns_none():
    assert PassThrough().get_resource_identifier(Sequence(id='1')) is None


@pytest.mark.parametrize('padding, expected', [
    (4, '%04d'), (1, '%01d'), ('3', '%03d'), (0, '%d'), (None, '%d'),
    (ftrack_api.symbol.NOT_SET, '%d'),
])
def test_sequence_expression(padding, expected):
    structure = PassThrough()
    assert structure._get_sequence_expression(
        Sequence(padding=padding)
    ) == expected


def test_sequence_expression_needs_padding():
    with pytest.raises(KeyError):
        PassThrough()._get_sequence_expression(Sequence())
