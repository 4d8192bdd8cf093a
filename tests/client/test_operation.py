"""Recorded operations of ftrack_api.operation."""

import copy
import pickle

import pytest

import ftrack_api.operation as operation
import ftrack_api.symbol


def test_operations_start_empty_and_falsy():
    operations = operation.Operations()
    assert len(operations) == 0
    assert not operations
    assert list(operations) == []


def test_push_iterates_in_push_order_and_pop_takes_the_newest():
    operations = operation.Operations()
    first = operation.DeleteEntityOperation('User', ['1'])
    second = operation.DeleteEntityOperation('User', ['2'])
    third = operation.DeleteEntityOperation('User', ['3'])
    for item in (first, second, third):
        operations.push(item)

    assert operations
    assert len(operations) == 3
    assert list(operations) == [first, second, third]
    assert operations.pop() is third
    assert list(operations) == [first, second]


def test_pop_from_empty_stack_raises_index_error():
    with pytest.raises(IndexError):
        operation.Operations().pop()


def test_clear_forgets_everything():
    operations = operation.Operations()
    operations.push(operation.DeleteEntityOperation('User', ['1']))
    operations.clear()
    assert len(operations) == 0
    with pytest.raises(IndexError):
        operations.pop()


def test_operations_are_not_indexable():
    with pytest.raises(TypeError):
        operation.Operations()[0]


def test_iterator_yields_each_operation_once():
    operations = operation.Operations()
    operations.push(1)
    iterator = iter(operations)
    assert next(iterator) == 1
    with pytest.raises(StopIteration):
        next(iterator)


def test_create_operation_keeps_its_fields():
    key = ['1']
    created = operation.CreateEntityOperation('User', key, {'name': 'x'})
    assert isinstance(created, operation.Operation)
    assert created.entity_type == 'User'
    assert created.entity_key is key
    assert created.entity_data == {'name': 'x'}


def test_create_operation_copies_data_one_level_deep():
    nested = [1]
    data = {'values': nested, 'other': 2}
    created = operation.CreateEntityOperation('User', ['1'], data)

    assert created.entity_data is not data
    assert created.entity_data['values'] == [1]
    assert created.entity_data['values'] is not nested

    data['values'].append(2)
    data['added'] = True
    assert created.entity_data == {'values': [1], 'other': 2}


def test_create_operation_copies_are_shallow():
    inner = {'deep': [1]}
    created = operation.CreateEntityOperation('X', ['1'], {'value': inner})
    assert created.entity_data['value'] is not inner
    assert created.entity_data['value']['deep'] is inner['deep']


def test_create_operation_accepts_any_mapping_and_stores_a_dict():
    class Custom(dict):
        pass

    created = operation.CreateEntityOperation('X', ['1'], Custom(a=1))
    assert type(created.entity_data) is dict
    assert operation.CreateEntityOperation('X', ['1'], {}).entity_data == {}


def test_symbols_stay_identical_in_recorded_data():
    created = operation.CreateEntityOperation(
        'X', ['1'], {'value': ftrack_api.symbol.NOT_SET}
    )
    assert created.entity_data['value'] is ftrack_api.symbol.NOT_SET
    updated = operation.UpdateEntityOperation(
        'X', ['1'], 'value', ftrack_api.symbol.NOT_SET, 'new'
    )
    assert updated.old_value is ftrack_api.symbol.NOT_SET


def test_values_with_their_own_copy_hook_are_copied_through_it():
    class Tracked(object):
        copies = 0

        def __copy__(self):
            Tracked.copies += 1
            return self

    value = Tracked()
    operation.UpdateEntityOperation('X', ['1'], 'a', value, value)
    assert Tracked.copies == 2


@pytest.mark.parametrize('bad', [None, [('a', 1)], 'ab'])
def test_create_operation_rejects_data_that_is_not_a_mapping(bad):
    with pytest.raises(AttributeError, match='entity_data must be a mapping'):
        operation.CreateEntityOperation('User', ['1'], bad)


def test_update_operation_copies_both_values():
    key = ['1']
    old, new = ['a'], ['b']
    updated = operation.UpdateEntityOperation('User', key, 'tags', old, new)
    assert updated.entity_type == 'User'
    assert updated.entity_key is key
    assert updated.attribute_name == 'tags'
    assert updated.old_value == ['a'] and updated.old_value is not old
    assert updated.new_value == ['b'] and updated.new_value is not new


def test_update_operation_with_same_object_for_both_values():
    shared = [1]
    updated = operation.UpdateEntityOperation('X', ['1'], 'a', shared, shared)
    assert updated.old_value is not shared
    assert updated.new_value is not shared


def test_delete_operation_keeps_type_and_key():
    key = ['1']
    deleted = operation.DeleteEntityOperation('User', key)
    assert (deleted.entity_type, deleted.entity_key) == ('User', key)
    assert deleted.entity_key is key


def test_wrong_argument_counts_raise_type_error():
    with pytest.raises(TypeError):
        operation.DeleteEntityOperation('User')
    with pytest.raises(TypeError):
        operation.UpdateEntityOperation('User', ['1'], 'name', 'old')


def test_operations_can_be_copied_and_pickled():
    updated = operation.UpdateEntityOperation('X', ['1'], 'a', 1, 2)
    for clone in (copy.deepcopy(updated), pickle.loads(pickle.dumps(updated))):
        assert type(clone) is operation.UpdateEntityOperation
        assert (clone.entity_type, clone.entity_key, clone.attribute_name,
                clone.old_value, clone.new_value) == ('X', ['1'], 'a', 1, 2)

    stack = operation.Operations()
    stack.push(updated)
    assert len(pickle.loads(pickle.dumps(stack))) == 1
