"""Logging helpers: deferred message formatting and deprecation notices."""

import functools
import warnings


class LazyLogMessage(object):
    """A log message whose :meth:`str.format` call waits until it is shown.

    Pass it to a logger instead of a preformatted string when building the
    text is costly: the formatting only happens if a handler actually emits
    the record::

        logger.debug(LazyLogMessage('Merged {0} entities', count))
    """

    __slots__ = ('message', 'args', 'kwargs')

    def __init__(self, message, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs
        self.message = message

    def __str__(self):
        return self.message.format(*self.args, **self.kwargs)


def deprecation_warning(message):
    """Return a decorator that flags the decorated callable as deprecated.

    Every call of the decorated callable issues a
    :class:`PendingDeprecationWarning` carrying *message*, then runs it
    unchanged.
    """

    def mark_deprecated(function):
        @functools.wraps(function)
        def warn_then_call(*args, **kwargs):
            # stacklevel left at 1 as in the reference, so warning filters
            # keyed on location see the same place for every deprecation.
            warnings.warn(message, PendingDeprecationWarning)
            return function(*args, **kwargs)

        return warn_then_call

    return mark_deprecated
