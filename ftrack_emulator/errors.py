"""Errors the emulator reports to clients.

A real ftrack server answers a failed request with one JSON object,
``{"exception": <name>, "content": <message>, "error_code": <code>}``; the
Python client turns it into ``ServerError("Server reported error:
<name>(<content>)")``. Raise :class:`EmulatorError` (or a subclass) anywhere
in the emulator and the HTTP layer renders it that way.
"""


class EmulatorError(Exception):
    """An error to report to the client.

    ``exception`` is the exception name the client sees (``ValidationError``,
    ``ParseError``, ``PermissionError`` ...), ``content`` the human readable
    message, ``status`` the HTTP status used when the client asked for strict
    API behaviour (errors are sent with status 200 otherwise, as ftrack does).
    """

    exception = 'ServerError'
    status = 400

    def __init__(self, content, exception=None, error_code=None, status=None):
        super().__init__(content)
        self.content = content
        if exception is not None:
            self.exception = exception
        if status is not None:
            self.status = status
        self.error_code = error_code

    def payload(self):
        return {
            'exception': self.exception,
            'content': self.content,
            'error_code': self.error_code,
        }


class ValidationError(EmulatorError):
    """Data that does not fit the schema (types, required values ...)."""

    exception = 'ValidationError'
    status = 422


class QueryError(EmulatorError):
    """A query expression that cannot be parsed or resolved."""

    exception = 'ParseError'
    status = 400


class NotFoundError(EmulatorError):
    """An operation on an entity that does not exist."""

    exception = 'NoResultFoundError'
    status = 404


class PermissionDeniedError(EmulatorError):
    exception = 'PermissionError'
    status = 403


class AuthenticationError(EmulatorError):
    """Bad or missing API credentials."""

    exception = 'InvalidCredentialsError'
    status = 401
