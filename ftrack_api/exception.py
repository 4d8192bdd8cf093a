"""The errors the API raises, one class per kind of failure.

Every class derives from :class:`Error`, which renders its text from a
message template and a *details* mapping so that callers can read the
structured facts (``error.details['entity_type']``) as well as the text.
"""

import sys
import traceback as _traceback


class Error(Exception):
    """Base of every ftrack API error.

    *message* is a :meth:`str.format` template, defaulting to the class's
    :attr:`default_message`; *details* feeds its fields. The formatted
    traceback of the exception being handled when the error was created (if
    any) is kept in :attr:`traceback`, which helps when one error is raised
    while handling another.
    """

    #: Template used when no *message* is given.
    default_message = 'Unspecified error occurred.'

    def __init__(self, message=None, details=None):
        # Exception.__init__ is deliberately not called: ``args`` keeps the
        # positional arguments given to the constructor, as the reference's
        # ``repr()`` shows.
        if message is None:
            message = self.default_message
        self.message = message
        self.details = {} if details is None else details
        self.traceback = _traceback.format_exc()

    def __str__(self):
        # Replicates a reference quirk scripts can see: str values are
        # rendered through their UTF-8 bytes, e.g. ``b'Foo'``.
        fields = {}
        for key, value in self.details.items():
            if isinstance(value, str):
                value = value.encode('utf-8')
            fields[key] = value
        return self.message.format(**fields)


def _with_details(keywords, **facts):
    """Add *facts* to the ``details`` in *keywords* and return *keywords*.

    A caller's own details dictionary is updated in place, as the
    reference does.
    """
    details = keywords.get('details')
    if details is None:
        details = keywords['details'] = {}
    details.update(facts)
    return keywords


class AuthenticationError(Error):
    """The server refused the credentials."""

    default_message = 'Authentication error.'


class ServerError(Error):
    """The server failed to process a request."""

    default_message = 'Server reported error processing request.'


class ServerCompatibilityError(ServerError):
    """The server is too old (or otherwise unsuitable) for this client."""

    default_message = 'Server incompatible.'


class NotFoundError(Error):
    """Something looked up does not exist."""

    default_message = 'Not found.'


class NotUniqueError(Error):
    """A value that must be unique is not."""

    default_message = 'Non-unique value detected.'


class IncorrectResultError(Error):
    """A query returned a different number of results than required."""

    default_message = 'Incorrect result detected.'


class NoResultFoundError(IncorrectResultError):
    """Exactly one result was required and there was none."""

    default_message = 'Expected result, but no result was found.'


class MultipleResultsFoundError(IncorrectResultError):
    """Exactly one result was required and there were several."""

    default_message = 'Expected single result, but received multiple results.'


class EntityTypeError(Error):
    """Something is wrong with an entity type."""

    default_message = 'Entity type error.'


class UnrecognisedEntityTypeError(EntityTypeError):
    """The schema has no entity type of the given name."""

    default_message = 'Entity type "{entity_type}" not recognised.'

    def __init__(self, entity_type, **kw):
        super().__init__(**_with_details(kw, entity_type=entity_type))


class OperationError(Error):
    """An operation could not be carried out."""

    default_message = 'Operation error.'


class InvalidStateError(Error):
    """An entity is in a state that does not allow what was asked."""

    default_message = 'Invalid state.'


class InvalidStateTransitionError(InvalidStateError):
    """An entity cannot move from its current state to the target one."""

    default_message = (
        'Invalid transition from {current_state!r} to {target_state!r} state '
        'for entity {entity!r}'
    )

    def __init__(self, current_state, target_state, entity, **kw):
        super().__init__(**_with_details(
            kw,
            current_state=current_state,
            target_state=target_state,
            entity=entity,
        ))


class AttributeError(Error):
    """Something is wrong with an entity attribute.

    The name mirrors the reference; this is not a subclass of the builtin
    :class:`AttributeError`.
    """

    default_message = 'Attribute error.'


class ImmutableAttributeError(AttributeError):
    """An immutable attribute was assigned to."""

    default_message = (
        'Cannot modify value of immutable {attribute.name!r} attribute.'
    )

    def __init__(self, attribute, **kw):
        super().__init__(**_with_details(kw, attribute=attribute))


class CollectionError(Error):
    """Something is wrong with a collection."""

    default_message = 'Collection error.'

    def __init__(self, collection, **kw):
        super().__init__(**_with_details(kw, collection=collection))


class ImmutableCollectionError(CollectionError):
    """An immutable collection was modified."""

    default_message = 'Cannot modify value of immutable collection {collection!r}.'


class DuplicateItemInCollectionError(CollectionError):
    """An item was added to a collection that already holds it."""

    default_message = 'Item {item!r} already exists in collection {collection!r}.'

    def __init__(self, item, collection, **kw):
        super().__init__(collection, **_with_details(kw, item=item))


class ParseError(Error):
    """Text could not be parsed."""

    default_message = 'Failed to parse.'


class EventHubError(Error):
    """The event hub failed."""

    default_message = 'Event hub error occurred.'


class EventHubConnectionError(EventHubError):
    """The event hub is not connected."""

    default_message = 'Event hub is not connected.'


class EventHubPacketError(EventHubError):
    """The event hub received a packet it cannot understand."""

    default_message = 'Invalid packet.'


class PermissionDeniedError(Error):
    """The user may not do what was asked."""

    default_message = 'Permission denied.'


class LocationError(Error):
    """Something went wrong in a location."""

    default_message = 'Unspecified location error'


def _component_details(components, location):
    """Return the details shared by the component-in-location errors.

    A single component entity is accepted as well as any iterable of them.
    """
    # Only an entity can be a single component, and no entity can exist
    # before its module is imported: looking it up in sys.modules avoids an
    # import cycle without importing anything.
    entity_module = sys.modules.get('ftrack_api.entity.base')
    if entity_module is not None and isinstance(
        components, entity_module.Entity
    ):
        components = [components]
    try:
        names = [str(component) for component in components]
    except TypeError:
        if hasattr(components, '__iter__'):
            raise
        raise TypeError(
            'components must be a component entity or an iterable of them, '
            'not {0!r}.'.format(components)
        ) from None
    return {
        'components': components,
        'formatted_components': ', '.join(names),
        'location': location,
    }


class ComponentNotInAnyLocationError(LocationError):
    """A component is available in no location at all."""

    default_message = 'Component not available in any location.'


class ComponentNotInLocationError(LocationError):
    """Components were expected in a location but are missing from it."""

    default_message = (
        'Component(s) {formatted_components} not found in location '
        '{location}.'
    )

    def __init__(self, components, location, **kw):
        super().__init__(**_with_details(
            kw, **_component_details(components, location)
        ))


class ComponentInLocationError(LocationError):
    """Components are already in the location they were to be added to."""

    default_message = (
        'Component(s) {formatted_components} already exist in location '
        '{location}.'
    )

    def __init__(self, components, location, **kw):
        super().__init__(**_with_details(
            kw, **_component_details(components, location)
        ))


class AccessorError(Error):
    """An accessor failed to reach or change stored data."""

    default_message = 'Unspecified accessor error'


class AccessorOperationFailedError(AccessorError):
    """An accessor operation (read, write, remove, ...) failed.

    As in the reference, the first positional argument is the *operation*
    name; give free text as ``message=`` instead.
    """

    default_message = 'Operation {operation} failed: {error}'

    def __init__(
        self, operation='', resource_identifier=None, error=None, **kw
    ):
        super().__init__(**_with_details(
            kw,
            operation=operation,
            resource_identifier=resource_identifier,
            error=error,
        ))


class AccessorUnsupportedOperationError(AccessorOperationFailedError):
    """The accessor does not support the operation."""

    default_message = 'Operation {operation} unsupported.'


class AccessorPermissionDeniedError(AccessorOperationFailedError):
    """The accessor is not allowed to perform the operation."""

    default_message = (
        'Cannot {operation} {resource_identifier}. Permission denied.'
    )


class AccessorResourceIdentifierError(AccessorError):
    """A resource identifier is invalid for the accessor."""

    default_message = 'Resource identifier is invalid: {resource_identifier}.'

    def __init__(self, resource_identifier, **kw):
        super().__init__(**_with_details(
            kw, resource_identifier=resource_identifier
        ))


class AccessorFilesystemPathError(AccessorResourceIdentifierError):
    """A resource identifier cannot be mapped to a filesystem path."""

    default_message = (
        'Could not determine filesystem path from resource identifier: '
        '{resource_identifier}.'
    )


class AccessorResourceError(AccessorError):
    """Something is wrong with a stored resource.

    *error* is accepted for symmetry with
    :class:`AccessorOperationFailedError` but, as in the reference, not
    kept in the details.
    """

    default_message = 'Unspecified resource error: {resource_identifier}'

    def __init__(
        self, operation='', resource_identifier=None, error=None, **kw
    ):
        super().__init__(**_with_details(
            kw, operation=operation, resource_identifier=resource_identifier
        ))


class AccessorResourceNotFoundError(AccessorResourceError):
    """The resource does not exist."""

    default_message = 'Resource not found: {resource_identifier}'


class AccessorParentResourceNotFoundError(AccessorResourceError):
    """The container a resource should live in does not exist."""

    default_message = 'Parent resource is missing: {resource_identifier}'


class AccessorResourceInvalidError(AccessorResourceError):
    """The resource exists but is not what the operation needs."""

    default_message = 'Resource invalid: {resource_identifier}'


class AccessorContainerNotEmptyError(AccessorResourceError):
    """A container that must be empty (to be removed, say) is not."""

    default_message = 'Container is not empty: {resource_identifier}'


class StructureError(Error):
    """A structure could not compute a resource identifier."""

    default_message = 'Unspecified structure error'


class ConnectionClosedError(Error):
    """The connection to the server was closed."""

    default_message = 'Connection closed.'
