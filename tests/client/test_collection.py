"""Collections and the mapping proxies over them."""

import copy

import pytest

import ftrack_api.collection
import ftrack_api.entity.factory
import ftrack_api.inspection
import ftrack_api.exception
import ftrack_api.operation
import ftrack_api.symbol


@pytest.fixture
def owner(ftrack_session):
    return ftrack_session.create('Task', {'name': 'owner'})


@pytest.fixture
def children(ftrack_session):
    return [
        ftrack_session.create('Task', {'name': 'child{0}'.format(index)})
        for index in range(3)
    ]


def updates_of(session, entity, name):
    return [
        operation for operation in session.recorded_operations
        if isinstance(operation, ftrack_api.operation.UpdateEntityOperation)
        and operation.entity_key['id'] == entity['id']
        and operation.attribute_name == name
    ]


def test_initial_data_records_nothing(ftrack_session, owner, children):
    before = len(ftrack_session.recorded_operations)
    collection = ftrack_api.collection.Collection(
        owner, owner.attributes.get('children'), data=children
    )
    assert list(collection) == children
    assert len(collection) == 3
    assert len(ftrack_session.recorded_operations) == before
    with pytest.raises(ftrack_api.exception.DuplicateItemInCollectionError):
        ftrack_api.collection.Collection(
            owner, owner.attributes.get('children'), data=children[:1] * 2
        )


def test_each_change_records_one_update(ftrack_session, owner, children):
    collection = owner['children']
    collection.append(children[0])
    collection.insert(0, children[1])
    collection[1] = children[2]
    del collection[0]
    updates = updates_of(ftrack_session, owner, 'children')
    assert len(updates) == 4
    assert [list(update.old_value) for update in updates] == [
        [], [children[0]], [children[1], children[0]],
        [children[1], children[2]],
    ]
    assert list(updates[-1].new_value) == [children[2]]
    assert list(collection) == [children[2]]


def test_membership_is_by_identity(ftrack_session, owner, children):
    collection = owner['children']
    collection.extend(children[:2])
    assert children[0] in collection
    assert children[2] not in collection
    # As with the reference client, only entities may be looked for.
    with pytest.raises(AttributeError) as error:
        'text' in collection
    assert str(error.value) == "'str' object has no attribute 'entity_type'"
    same = ftrack_session.types['Task'](
        ftrack_session, {'id': children[0]['id']}, reconstructing=True
    )
    assert same in collection
    assert collection.index(same) == 0
    assert collection.count(children[1]) == 1

    with pytest.raises(ftrack_api.exception.DuplicateItemInCollectionError) as error:
        collection.append(same)
    assert str(error.value) == (
        'Item {0!r} already exists in collection {1!r}.'.format(
            same, collection
        )
    )
    with pytest.raises(ftrack_api.exception.DuplicateItemInCollectionError):
        collection[1] = children[0]
    # Putting an item back at its own place is fine.
    collection[0] = same
    assert list(collection) == [same, children[1]]


def test_immutable_collections_refuse_changes(owner, children):
    collection = ftrack_api.collection.Collection(
        owner, owner.attributes.get('children'), mutable=False,
        data=children[:1],
    )
    for change in (
        lambda: collection.append(children[1]),
        lambda: collection.__setitem__(0, children[1]),
        lambda: collection.__delitem__(0),
        lambda: collection.pop(),
    ):
        with pytest.raises(ftrack_api.exception.ImmutableCollectionError) as error:
            change()
        assert str(error.value) == (
            'Cannot modify value of immutable collection {0!r}.'.format(
                collection
            )
        )
    with pytest.raises(IndexError):
        owner['children'].__delitem__(5)


def test_equality_ignores_order_and_other_types(owner, children):
    attribute = owner.attributes.get('children')
    first = ftrack_api.collection.Collection(owner, attribute, data=children)
    second = ftrack_api.collection.Collection(
        owner, attribute, data=list(reversed(children))
    )
    assert first == second
    assert not first != second
    assert first != list(children)
    assert not first == list(children)


def test_copy_is_independent(owner, children):
    collection = owner['children']
    collection.append(children[0])
    duplicate = copy.copy(collection)
    assert duplicate is not collection
    assert duplicate.entity is owner and duplicate.attribute is collection.attribute
    duplicate.append(children[1])
    assert list(collection) == [children[0]]
    assert list(duplicate) == children[:2]


def test_mapped_proxy_reads_and_writes_through(ftrack_session, owner):
    proxy = owner['metadata']
    assert isinstance(proxy, ftrack_api.collection.KeyValueMappedCollectionProxy)
    assert proxy.mutable is True
    proxy.mutable = False
    assert proxy.collection.mutable is False
    with pytest.raises(ftrack_api.exception.ImmutableCollectionError):
        proxy['key'] = 'value'
    proxy.mutable = True
    assert proxy.attribute is owner.attributes.get('metadata')

    duplicate = copy.copy(proxy)
    assert duplicate.collection is not proxy.collection
    assert duplicate.collection.entity is owner


def test_key_value_proxy(ftrack_session, owner):
    proxy = owner['metadata']
    proxy['a'] = '1'
    proxy['b'] = '2'
    assert proxy['a'] == '1'
    assert sorted(proxy) == ['a', 'b']
    assert sorted(proxy.keys()) == ['a', 'b']
    assert isinstance(proxy.keys(), list)
    assert len(proxy) == 2
    assert dict(proxy) == {'a': '1', 'b': '2'}
    with pytest.raises(KeyError):
        proxy['missing']

    entity = proxy.collection[0]
    proxy['a'] = 'changed'
    assert entity['value'] == 'changed'
    assert len(proxy.collection) == 2

    del proxy['a']
    assert 'a' not in proxy
    assert entity in ftrack_session.deleted or ftrack_api.inspection.state(
        entity
    ) is ftrack_api.symbol.DELETED
    with pytest.raises(KeyError):
        del proxy['a']


def test_mapping_assignment_replaces_every_key(ftrack_session, owner):
    owner['metadata'] = {'a': '1', 'b': '2'}
    before = len(ftrack_session.recorded_operations)
    owner['metadata'] = {'b': '3', 'c': '4'}
    assert dict(owner['metadata']) == {'b': '3', 'c': '4'}
    kinds = [
        (type(operation).__name__, operation.entity_type)
        for operation in list(ftrack_session.recorded_operations)[before:]
    ]
    assert kinds == [
        ('UpdateEntityOperation', 'Task'),
        ('DeleteEntityOperation', 'Metadata'),
        ('UpdateEntityOperation', 'Metadata'),
        ('CreateEntityOperation', 'Metadata'),
        ('UpdateEntityOperation', 'Task'),
        ('UpdateEntityOperation', 'Task'),
    ]


def test_per_session_key_makers():
    class FakeSession(object):
        pass

    class FakeEntity(object):
        session = FakeSession()

    session = FakeSession()
    collection_keys = ftrack_api.collection.PerSessionDefaultKeyMaker()
    assert collection_keys.key({'session': session}) == str(id(session))
    assert collection_keys.key({'session': session, 'x': 1}) == str(id(session))
    assert collection_keys.key('a', 1) == 'a1'
    assert collection_keys.key({'entity': 1}) == str({'entity': 1})

    factory_keys = ftrack_api.entity.factory.PerSessionDefaultKeyMaker()
    entity = FakeEntity()
    assert factory_keys.key({'entity': entity}) == str(id(entity.session))
    assert factory_keys.key({'session': session}) == str({'session': session})
