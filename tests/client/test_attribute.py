"""Attributes and the Attributes container."""

import pytest

import ftrack_api.attribute
import ftrack_api.collection
import ftrack_api.exception
import ftrack_api.symbol

from session_helpers import project_tree  # noqa: F401

NOT_SET = ftrack_api.symbol.NOT_SET


def test_attributes_container():
    name = ftrack_api.attribute.ScalarAttribute('name', 'string')
    other = ftrack_api.attribute.ScalarAttribute('other', 'string')
    attributes = ftrack_api.attribute.Attributes([name])
    attributes.add(other)
    assert attributes.keys() == ['name', 'other']
    assert list(attributes) == [name, other]
    assert len(attributes) == 2
    assert attributes.get('name') is name
    assert attributes.get('missing') is None
    assert name in attributes
    assert ftrack_api.attribute.ScalarAttribute('name', 'x') in attributes
    assert 'name' not in attributes

    with pytest.raises(ftrack_api.exception.NotUniqueError) as error:
        attributes.add(ftrack_api.attribute.ScalarAttribute('name', 'x'))
    assert str(error.value).startswith(
        'Attribute with name name already added as <ftrack_api.attribute.'
        'ScalarAttribute(name) object at '
    )

    attributes.remove(other)
    assert attributes.keys() == ['name']
    with pytest.raises(KeyError):
        attributes.remove(other)


def test_attribute_properties_and_repr():
    attribute = ftrack_api.attribute.ScalarAttribute(
        'bid', 'float', default_value=0, mutable=False, computed=True
    )
    assert (attribute.name, attribute.data_type, attribute.default_value) == (
        'bid', 'float', 0
    )
    assert attribute.mutable is False and attribute.computed is True
    assert repr(attribute) == (
        '<ftrack_api.attribute.ScalarAttribute(bid) object at {0}>'.format(
            id(attribute)
        )
    )
    plain = ftrack_api.attribute.Attribute('x')
    assert plain.default_value is NOT_SET
    assert plain.mutable is True and plain.computed is False
    reference = ftrack_api.attribute.ReferenceAttribute('parent', 'Context')
    assert reference.entity_type == 'Context'


def test_schema_attributes(ftrack_session):
    attributes = ftrack_session.types['Task'].attributes
    assert isinstance(attributes.get('name'), ftrack_api.attribute.ScalarAttribute)
    assert attributes.get('start_date').data_type == 'datetime'
    assert attributes.get('bid').data_type == 'float'
    assert isinstance(
        attributes.get('parent'), ftrack_api.attribute.ReferenceAttribute
    )
    assert isinstance(
        attributes.get('children'), ftrack_api.attribute.CollectionAttribute
    )
    metadata = attributes.get('metadata')
    assert isinstance(
        metadata, ftrack_api.attribute.KeyValueMappedCollectionAttribute
    )
    assert (metadata.key_attribute, metadata.value_attribute) == ('key', 'value')
    thumbnail_url = attributes.get('thumbnail_url')
    assert thumbnail_url.computed is True
    assert attributes.get('id').mutable is False
    assert callable(attributes.get('id').default_value)


def test_local_and_remote_values(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    name = shot.attributes.get('name')
    assert name.get_local_value(shot) is NOT_SET
    assert name.get_remote_value(shot) == 'sh010'
    assert name.is_set(shot) and not name.is_modified(shot)

    name.set_local_value(shot, 'local')
    assert name.get_value(shot) == 'local'
    assert name.is_modified(shot)
    name.set_local_value(shot, 'sh010')
    assert not name.is_modified(shot)

    name.set_remote_value(shot, 'server')
    assert name.get_remote_value(shot) == 'server'
    assert name.is_modified(shot)

    storage = name.get_entity_storage(shot)
    assert storage['name'] == {'local': 'sh010', 'remote': 'server'}
    assert storage['not_touched'] == {'local': NOT_SET, 'remote': NOT_SET}


def test_set_local_value_records_an_operation(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    shot.attributes.get('description').set_local_value(shot, 'direct')
    operation = list(ftrack_session.recorded_operations)[-1]
    assert (operation.attribute_name, operation.new_value) == (
        'description', 'direct'
    )


def test_reference_modification_compares_identity(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    parent = shot.attributes.get('parent')
    sequence = shot['parent']
    assert not parent.is_modified(shot)
    shot['parent'] = ftrack_session.get('Sequence', sequence['id'])
    assert not parent.is_modified(shot)
    shot['parent'] = ftrack_session.get(
        'Sequence', project_tree['sequences'][1]
    )
    assert parent.is_modified(shot)

    created = ftrack_session.create('Task', {'name': 'x', 'parent': shot})
    assert created.attributes.get('parent').is_modified(created)


def test_collection_values_are_converted(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    tasks = list(shot['children'])
    shot['children'] = tasks[:1]
    assert isinstance(shot['children'], ftrack_api.collection.Collection)
    assert list(shot['children']) == tasks[:1]
    shot['children'] = None
    assert list(shot['children']) == []

    with pytest.raises(NotImplementedError) as error:
        shot['children'] = 5
    assert str(error.value) == 'Cannot convert 5 to collection.'
    with pytest.raises(NotImplementedError):
        shot['children'] = 'text'
    with pytest.raises(ftrack_api.exception.AttributeError) as error:
        shot['children'] = shot['notes']
    assert str(error.value) == (
        'Collection already bound to a different attribute'
    )
    with pytest.raises(ftrack_api.exception.AttributeError) as error:
        shot['metadata'] = shot['custom_attributes']
    assert str(error.value) == (
        'Collection already bound to a different attribute.'
    )


def test_remote_collections_are_read_only_and_copied_locally(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    children = shot['children']
    attribute = shot.attributes.get('children')
    remote = attribute.get_remote_value(shot)
    assert remote is not children
    assert remote.mutable is False and children.mutable is True
    assert remote == children
    assert len(ftrack_session.recorded_operations) == 0
    with pytest.raises(ftrack_api.exception.ImmutableCollectionError):
        remote.append(ftrack_session.create('Task', {'name': 'x'}))


def test_immutable_collection_attribute(ftrack_session):
    attribute = ftrack_api.attribute.CollectionAttribute('items', mutable=False)
    user = ftrack_session.create('User', {'username': 'u'})
    collection = attribute._adapt_to_collection(user, [])
    collection.mutable = attribute.mutable
    with pytest.raises(ftrack_api.exception.ImmutableCollectionError):
        collection.append(user)


def test_merge_references_decorator_keeps_the_wrapped_function():
    def get_value(attribute, entity):
        """Original."""
    wrapped = ftrack_api.attribute.merge_references(get_value)
    assert wrapped.__doc__ == 'Original.'
    assert wrapped.__wrapped__ is get_value
