"""Errors of ftrack_api.exception: hierarchy, messages and details."""

import builtins
import pickle
import sys
import types

import pytest

import ftrack_api.exception as exception
import ftrack_api.symbol


# (class, base, default message), as observed on the reference.
HIERARCHY = [
    ('Error', 'Exception', 'Unspecified error occurred.'),
    ('AuthenticationError', 'Error', 'Authentication error.'),
    ('ServerError', 'Error', 'Server reported error processing request.'),
    ('ServerCompatibilityError', 'ServerError', 'Server incompatible.'),
    ('NotFoundError', 'Error', 'Not found.'),
    ('NotUniqueError', 'Error', 'Non-unique value detected.'),
    ('IncorrectResultError', 'Error', 'Incorrect result detected.'),
    ('NoResultFoundError', 'IncorrectResultError',
     'Expected result, but no result was found.'),
    ('MultipleResultsFoundError', 'IncorrectResultError',
     'Expected single result, but received multiple results.'),
    ('EntityTypeError', 'Error', 'Entity type error.'),
    ('UnrecognisedEntityTypeError', 'EntityTypeError',
     'Entity type "{entity_type}" not recognised.'),
    ('OperationError', 'Error', 'Operation error.'),
    ('InvalidStateError', 'Error', 'Invalid state.'),
    ('InvalidStateTransitionError', 'InvalidStateError',
     'Invalid transition from {current_state!r} to {target_state!r} state '
     'for entity {entity!r}'),
    ('AttributeError', 'Error', 'Attribute error.'),
    ('ImmutableAttributeError', 'AttributeError',
     'Cannot modify value of immutable {attribute.name!r} attribute.'),
    ('CollectionError', 'Error', 'Collection error.'),
    ('ImmutableCollectionError', 'CollectionError',
     'Cannot modify value of immutable collection {collection!r}.'),
    ('DuplicateItemInCollectionError', 'CollectionError',
     'Item {item!r} already exists in collection {collection!r}.'),
    ('ParseError', 'Error', 'Failed to parse.'),
    ('EventHubError', 'Error', 'Event hub error occurred.'),
    ('EventHubConnectionError', 'EventHubError', 'Event hub is not connected.'),
    ('EventHubPacketError', 'EventHubError', 'Invalid packet.'),
    ('PermissionDeniedError', 'Error', 'Permission denied.'),
    ('LocationError', 'Error', 'Unspecified location error'),
    ('ComponentNotInAnyLocationError', 'LocationError',
     'Component not available in any location.'),
    ('ComponentNotInLocationError', 'LocationError',
     'Component(s) {formatted_components} not found in location {location}.'),
    ('ComponentInLocationError', 'LocationError',
     'Component(s) {formatted_components} already exist in location '
     '{location}.'),
    ('AccessorError', 'Error', 'Unspecified accessor error'),
    ('AccessorOperationFailedError', 'AccessorError',
     'Operation {operation} failed: {error}'),
    ('AccessorUnsupportedOperationError', 'AccessorOperationFailedError',
     'Operation {operation} unsupported.'),
    ('AccessorPermissionDeniedError', 'AccessorOperationFailedError',
     'Cannot {operation} {resource_identifier}. Permission denied.'),
    ('AccessorResourceIdentifierError', 'AccessorError',
     'Resource identifier is invalid: {resource_identifier}.'),
    ('AccessorFilesystemPathError', 'AccessorResourceIdentifierError',
     'Could not determine filesystem path from resource identifier: '
     '{resource_identifier}.'),
    ('AccessorResourceError', 'AccessorError',
     'Unspecified resource error: {resource_identifier}'),
    ('AccessorResourceNotFoundError', 'AccessorResourceError',
     'Resource not found: {resource_identifier}'),
    ('AccessorParentResourceNotFoundError', 'AccessorResourceError',
     'Parent resource is missing: {resource_identifier}'),
    ('AccessorResourceInvalidError', 'AccessorResourceError',
     'Resource invalid: {resource_identifier}'),
    ('AccessorContainerNotEmptyError', 'AccessorResourceError',
     'Container is not empty: {resource_identifier}'),
    ('StructureError', 'Error', 'Unspecified structure error'),
    ('ConnectionClosedError', 'Error', 'Connection closed.'),
]


@pytest.mark.parametrize('name, base, message', HIERARCHY)
def test_class_hierarchy_and_default_messages(name, base, message):
    error_class = getattr(exception, name)
    assert [b.__name__ for b in error_class.__bases__] == [base]
    assert error_class.default_message == message


def test_every_error_class_is_covered():
    defined = {
        name for name, value in vars(exception).items()
        if isinstance(value, type) and issubclass(value, BaseException)
        and value.__module__ == exception.__name__
    }
    assert defined == {name for name, _, _ in HIERARCHY}


def test_attribute_error_does_not_extend_the_builtin():
    assert not issubclass(exception.AttributeError, builtins.AttributeError)
    assert issubclass(exception.ImmutableAttributeError, exception.Error)


def test_error_defaults():
    error = exception.Error()
    assert error.message == 'Unspecified error occurred.'
    assert error.details == {}
    assert str(error) == 'Unspecified error occurred.'
    assert error.args == ()
    assert repr(error) == 'Error()'


def test_args_are_the_positional_constructor_arguments():
    assert exception.Error('text').args == ('text',)
    assert repr(exception.Error('text')) == "Error('text')"
    assert exception.Error(message='text').args == ()
    assert exception.UnrecognisedEntityTypeError('Foo').args == ('Foo',)


def test_empty_message_is_kept():
    assert str(exception.Error('')) == ''


def test_message_is_formatted_with_details():
    error = exception.Error('Got {count} of {total}', {'count': 1, 'total': 2})
    assert str(error) == 'Got 1 of 2'
    assert error.message == 'Got {count} of {total}'


def test_str_details_render_as_bytes_like_the_reference():
    error = exception.Error('value={value}', details={'value': 'abc'})
    assert str(error) == "value=b'abc'"
    # The stored details stay untouched.
    assert error.details == {'value': 'abc'}


def test_non_ascii_str_details_render_as_utf8_bytes():
    error = exception.Error('{value}', details={'value': 'é'})
    assert str(error) == "b'\\xc3\\xa9'"


def test_str_subclass_details_render_as_bytes_too():
    class Name(str):
        pass

    assert str(exception.Error('{v}', details={'v': Name('q')})) == "b'q'"


def test_other_details_render_normally():
    error = exception.Error('{a} {b} {c}', details={
        'a': ['x'], 'b': ('y',), 'c': {'k': 'v'},
    })
    assert str(error) == "['x'] ('y',) {'k': 'v'}"


def test_unbalanced_braces_make_str_raise():
    error = exception.ServerError('Server reported error: X({"a": 1})')
    with pytest.raises(KeyError):
        str(error)
    with pytest.raises(ValueError):
        str(exception.Error('broken {value', {'value': 1}))


def test_missing_detail_makes_str_raise_key_error():
    with pytest.raises(KeyError):
        str(exception.Error('{missing}', {'present': 1}))


@pytest.mark.parametrize('message', [b'bytes {x}', 5])
def test_non_text_message_makes_str_raise_attribute_error(message):
    with pytest.raises(builtins.AttributeError):
        str(exception.Error(message, {'x': 1}))


def test_details_that_are_not_a_mapping_fail_when_rendered():
    error = exception.Error(details=[1])
    with pytest.raises(builtins.AttributeError):
        str(error)


def test_details_dictionary_is_used_as_given():
    details = {}
    assert exception.Error(details=details).details is details


def test_subclass_adds_its_facts_to_the_callers_details():
    details = {'extra': 1}
    error = exception.UnrecognisedEntityTypeError('Foo', details=details)
    assert error.details is details
    assert details == {'extra': 1, 'entity_type': 'Foo'}
    assert str(error) == 'Entity type "b\'Foo\'" not recognised.'


def test_subclass_accepts_a_custom_message():
    error = exception.UnrecognisedEntityTypeError(
        'Foo', message='No {entity_type} here'
    )
    assert str(error) == "No b'Foo' here"


def test_traceback_is_empty_outside_exception_handling():
    assert exception.Error().traceback == 'NoneType: None\n'


def test_traceback_records_the_exception_being_handled():
    try:
        raise KeyError('boom')
    except KeyError:
        error = exception.Error()
    assert error.traceback.startswith('Traceback (most recent call last):')
    assert "KeyError: 'boom'" in error.traceback


def test_errors_can_be_raised_and_caught_by_base():
    with pytest.raises(exception.IncorrectResultError) as info:
        raise exception.NoResultFoundError()
    assert str(info.value) == 'Expected result, but no result was found.'


def test_errors_survive_pickling():
    error = pickle.loads(pickle.dumps(exception.UnrecognisedEntityTypeError('X')))
    assert isinstance(error, exception.UnrecognisedEntityTypeError)
    assert error.details == {'entity_type': 'X'}


@pytest.mark.parametrize('arguments, keywords, problem', [
    (('a', 'b', 'c'), {}, 'positional'),
    ((), {'unknown': 1}, 'unexpected keyword'),
])
def test_wrong_arguments_raise_type_error(arguments, keywords, problem):
    with pytest.raises(TypeError, match=problem):
        exception.Error(*arguments, **keywords)


def test_required_subclass_arguments():
    with pytest.raises(TypeError, match='entity_type'):
        exception.UnrecognisedEntityTypeError()
    with pytest.raises(TypeError, match='resource_identifier'):
        exception.AccessorResourceIdentifierError()
    with pytest.raises(TypeError, match='unexpected keyword'):
        exception.CollectionError('c', foo=1)


def test_invalid_state_transition():
    error = exception.InvalidStateTransitionError(
        ftrack_api.symbol.CREATED, ftrack_api.symbol.DELETED, 5
    )
    assert str(error) == (
        'Invalid transition from Symbol(CREATED) to Symbol(DELETED) state '
        'for entity 5'
    )
    assert error.details == {
        'current_state': ftrack_api.symbol.CREATED,
        'target_state': ftrack_api.symbol.DELETED,
        'entity': 5,
    }
    text_states = exception.InvalidStateTransitionError('a', 'b', 'ent')
    assert str(text_states) == (
        "Invalid transition from b'a' to b'b' state for entity b'ent'"
    )


def test_immutable_attribute_error_names_the_attribute():
    attribute = types.SimpleNamespace(name='status')
    error = exception.ImmutableAttributeError(attribute)
    assert str(error) == "Cannot modify value of immutable 'status' attribute."
    assert error.details == {'attribute': attribute}


def test_collection_errors():
    assert str(exception.CollectionError('c')) == 'Collection error.'
    assert exception.CollectionError('c').details == {'collection': 'c'}
    assert str(exception.ImmutableCollectionError(['a'])) == (
        "Cannot modify value of immutable collection ['a']."
    )
    duplicate = exception.DuplicateItemInCollectionError('item', 'coll')
    assert str(duplicate) == (
        "Item b'item' already exists in collection b'coll'."
    )
    assert list(duplicate.details) == ['item', 'collection']
    assert duplicate.args == ('item', 'coll')
    assert str(exception.DuplicateItemInCollectionError(1, [1])) == (
        'Item 1 already exists in collection [1].'
    )


class Component(object):
    def __str__(self):
        return 'COMP'


@pytest.mark.parametrize('error_class, verb', [
    (exception.ComponentNotInLocationError, 'not found in'),
    (exception.ComponentInLocationError, 'already exist in'),
])
def test_component_errors_take_a_list(error_class, verb):
    components = [Component(), Component()]
    error = error_class(components, 'loc')
    assert str(error) == "Component(s) b'COMP, COMP' {0} location b'loc'.".format(
        verb
    )
    assert error.details == {
        'components': components,
        'formatted_components': 'COMP, COMP',
        'location': 'loc',
    }


def test_component_errors_take_any_iterable():
    error = exception.ComponentNotInLocationError((Component(),), 5)
    assert str(error) == "Component(s) b'COMP' not found in location 5."
    assert exception.ComponentNotInLocationError([], 'l').details[
        'formatted_components'
    ] == ''
    # A string is an iterable of characters, as in the reference.
    assert exception.ComponentInLocationError('abc', 'l').details[
        'formatted_components'
    ] == 'a, b, c'


def test_component_error_with_custom_message_and_details():
    error = exception.ComponentNotInLocationError(
        [Component()], 'loc', message='custom {location}', details={'z': 1}
    )
    assert str(error) == "custom b'loc'"
    assert list(error.details) == [
        'z', 'components', 'formatted_components', 'location'
    ]


def test_component_error_rejects_a_single_non_entity_clearly():
    with pytest.raises(TypeError, match='components must be a component'):
        exception.ComponentNotInLocationError(Component(), 'loc')


def test_component_error_wraps_a_single_entity(monkeypatch):
    # Stand-in for ftrack_api.entity.base, whose Entity class marks what
    # counts as a single component.
    fake_module = types.ModuleType('ftrack_api.entity.base')

    class Entity(object):
        def __str__(self):
            return 'ENTITY'

        def __iter__(self):
            return iter(['key_one', 'key_two'])

    fake_module.Entity = Entity
    monkeypatch.setitem(sys.modules, 'ftrack_api.entity.base', fake_module)
    entity = Entity()
    error = exception.ComponentInLocationError(entity, 'loc')
    assert error.details['components'] == [entity]
    assert error.details['formatted_components'] == 'ENTITY'


def test_accessor_operation_failed_error():
    error = exception.AccessorOperationFailedError(
        'read', 'res/x', ValueError('bad')
    )
    assert str(error) == "Operation b'read' failed: bad"
    assert error.details['resource_identifier'] == 'res/x'
    assert set(error.details) == {'operation', 'resource_identifier', 'error'}
    assert str(exception.AccessorOperationFailedError()) == (
        "Operation b'' failed: None"
    )


def test_accessor_error_free_text_lands_in_operation_like_the_reference():
    error = exception.AccessorOperationFailedError('Failed to read data: x.')
    assert str(error) == "Operation b'Failed to read data: x.' failed: None"
    custom = exception.AccessorOperationFailedError(
        message='Failed to read data.', operation='read'
    )
    assert str(custom) == 'Failed to read data.'


def test_accessor_operation_subclasses():
    denied = exception.AccessorPermissionDeniedError(
        operation='read', resource_identifier='res/x'
    )
    assert str(denied) == "Cannot b'read' b'res/x'. Permission denied."
    unsupported = exception.AccessorUnsupportedOperationError('move')
    assert str(unsupported) == "Operation b'move' unsupported."
    assert unsupported.details == {
        'operation': 'move', 'resource_identifier': None, 'error': None,
    }


def test_accessor_resource_errors_drop_the_error_argument():
    error = exception.AccessorResourceError('read', 'res/x', 'err')
    assert str(error) == "Unspecified resource error: b'res/x'"
    assert error.details == {'operation': 'read', 'resource_identifier': 'res/x'}


@pytest.mark.parametrize('name, text', [
    ('AccessorResourceNotFoundError', 'Resource not found'),
    ('AccessorParentResourceNotFoundError', 'Parent resource is missing'),
    ('AccessorResourceInvalidError', 'Resource invalid'),
    ('AccessorContainerNotEmptyError', 'Container is not empty'),
])
def test_accessor_resource_error_subclasses(name, text):
    error = getattr(exception, name)(resource_identifier='r/1')
    assert str(error) == "{0}: b'r/1'".format(text)
    assert error.details == {'operation': '', 'resource_identifier': 'r/1'}
    assert str(getattr(exception, name)()) == '{0}: None'.format(text)


def test_accessor_resource_identifier_errors():
    assert str(exception.AccessorResourceIdentifierError('id1')) == (
        "Resource identifier is invalid: b'id1'."
    )
    error = exception.AccessorFilesystemPathError('id1', details={'a': 1})
    assert str(error) == (
        "Could not determine filesystem path from resource identifier: "
        "b'id1'."
    )
    assert error.details == {'a': 1, 'resource_identifier': 'id1'}
