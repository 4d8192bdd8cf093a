"""Running a request's operations: one handler per action, one transaction.

Every operation of a request runs in the same database transaction, in
order. If one fails nothing of the request is kept, and the error the client
receives names the failing operation (its position and action) after the
handler's own message. Handlers are plain functions
``handler(context, operation) -> result`` registered by action name; feature
modules may register more (see :class:`ActionRegistry`).
"""

import dataclasses
import datetime
import logging
import typing

import sqlalchemy.exc

from ftrack_emulator.errors import EmulatorError

logger = logging.getLogger(__name__)


class ActionRegistry:
    """Action name → handler."""

    def __init__(self):
        self._handlers = {}

    def register(self, name, handler):
        """Make *handler* answer operations whose ``action`` is *name*,
        replacing any earlier handler."""
        self._handlers[name] = handler

    def get(self, name):
        return self._handlers.get(name)

    def names(self):
        return sorted(self._handlers)

    def __contains__(self, name):
        return name in self._handlers


def unknown_action_error(name):
    """The error for an action the emulator does not know.

    The wording matters: the Python client looks for ``Invalid action
    u'<name>'`` to tell an unsupported action from other failures.
    """
    return EmulatorError(
        "Invalid action u'{0}': the emulator does not know this action."
        .format(name)
    )


@dataclasses.dataclass
class OperationContext:
    """What a handler may use while running one request's operations.

    ``connection`` is inside the request's transaction; ``user`` is the
    authenticated caller (``id`` and ``username``); ``base_url`` is the
    server URL as the client reached it (no trailing slash); ``now`` is the
    request's timestamp (naive UTC); ``state`` is shared by all operations of
    the request (the writer keeps its bookkeeping there); ``operations`` are
    all the request's operations and ``index`` the position of the running
    one, so that a handler may prepare for a run of operations like it.
    """

    backend: typing.Any
    connection: typing.Any
    user: typing.Dict[str, typing.Any]
    base_url: str
    now: datetime.datetime
    state: typing.Any = None
    index: int = 0
    operations: typing.Sequence[typing.Any] = ()


def describe_operation(index, count, operation):
    """Return e.g. ``operation 2 of 3 (create Task)``."""
    words = []
    if isinstance(operation, dict):
        action = operation.get('action')
        if isinstance(action, str):
            words.append(action)
        entity_type = operation.get('entity_type')
        if isinstance(entity_type, str):
            words.append(entity_type)
    text = 'operation {0} of {1}'.format(index + 1, count)
    if words:
        text += ' (' + ' '.join(words) + ')'
    return text.replace('{', '(').replace('}', ')')


def annotate(error, index, count, operation):
    """Append the failing operation to *error*'s content (in place)."""
    error.content = '{0} [{1}]'.format(
        error.content, describe_operation(index, count, operation)
    )
    return error


def translate_database_error(error):
    """Return an EmulatorError for a database integrity failure."""
    text = str(getattr(error, 'orig', error)).replace('{', '(').replace(
        '}', ')')
    if 'unique' in text.lower() or 'duplicate' in text.lower():
        return EmulatorError(
            'Duplicate entry: {0}.'.format(text),
            exception='DuplicateEntryError', status=409,
        )
    return EmulatorError(
        'The database refused the change: {0}.'.format(text),
        exception='IntegrityError', status=409,
    )


def run_operations(context, operations):
    """Run *operations* with *context* and return their results in order.

    The caller owns the transaction: an exception leaving this function
    means nothing may be committed.
    """
    registry = context.backend.actions
    results = []
    count = len(operations)
    context.operations = operations
    for index, operation in enumerate(operations):
        context.index = index
        try:
            if not isinstance(operation, dict):
                raise EmulatorError(
                    'Each operation must be a JSON object with an "action" '
                    'key.'
                )
            action = operation.get('action')
            if not isinstance(action, str) or not action:
                raise EmulatorError(
                    'The operation has no "action": expected a string such '
                    'as "query" or "create".'
                )
            handler = registry.get(action)
            if handler is None:
                raise unknown_action_error(action)
            results.append(handler(context, operation))
        except EmulatorError as error:
            raise annotate(error, index, count, operation)
        except sqlalchemy.exc.IntegrityError as error:
            raise annotate(
                translate_database_error(error), index, count, operation
            ) from error
        except Exception as error:
            logger.exception(
                'Unexpected failure in %s.',
                describe_operation(index, count, operation),
            )
            raise annotate(
                EmulatorError(
                    'Internal emulator error: {0}: {1}'.format(
                        type(error).__name__, error
                    ).replace('{', '(').replace('}', ')'),
                    status=500,
                ),
                index, count, operation,
            ) from error
    return results
