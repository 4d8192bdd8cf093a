"""ftrack_api.structure.entity_id: the entity id as identifier."""

import pytest

from ftrack_api.structure.entity_id import EntityIdStructure


class Entity(dict):
    entity_type = 'FileComponent'


@pytest.mark.parametrize('context', [
    None, {}, {'source_resource_identifier': 'x'},
])
def test_returns_the_id_whatever_the_context(context):
    entity = Entity(id='0123-abcd')
    assert EntityIdStructure().get_resource_identifier(entity, context) == (
        '0123-abcd'
    )


def test_ignores_prefix_and_entity_type():
    entity = Entity(id='x')
    entity.entity_type = 'AssetVersion'
    structure = EntityIdStructure(prefix='/p')
    assert structure.get_resource_identifier(entity) == 'x'


def test_missing_id_raises_key_error():
    with pytest.raises(KeyError):
        EntityIdStructure().get_resource_identifier(Entity())
