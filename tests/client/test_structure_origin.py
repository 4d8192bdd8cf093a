"""ftrack_api.structure.origin: data stays where it was found."""

import pytest

from ftrack_api.structure.origin import OriginStructure

MESSAGE = (
    'Could not generate resource identifier as no source resource identifier'
    ' found in passed context.'
)


class Entity(dict):
    entity_type = 'FileComponent'


@pytest.mark.parametrize('source', ['/a/b.txt', 'relative/path', ''])
def test_returns_the_source_resource_identifier(source):
    structure = OriginStructure()
    assert structure.get_resource_identifier(
        Entity(id='1'), {'source_resource_identifier': source}
    ) == source


def test_prefix_is_not_applied():
    assert OriginStructure(prefix='/x').get_resource_identifier(
        Entity(id='1'), context={'source_resource_identifier': 'a'}
    ) == 'a'


@pytest.mark.parametrize('context', [
    None, {}, {'source_resource_identifier': None}, {'other': 'x'},
])
def test_missing_source_raises_value_error(context):
    with pytest.raises(ValueError) as caught:
        OriginStructure().get_resource_identifier(Entity(id='1'), context)
    assert str(caught.value) == MESSAGE
