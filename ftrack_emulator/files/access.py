"""Who may fetch or remove stored data, and how refusals look.

The file endpoints are plain ``GET`` requests that browsers and scripts
open directly, so credentials come in the query string (``username`` and
``apiKey``, checked against the same users and keys as ``/api``), or a
signed token stands in for them (see :mod:`ftrack_emulator.files.tokens`).
Refusals carry the same JSON error object as ``/api`` errors, with a real
HTTP status.
"""

import json
import urllib.parse

from aiohttp import web

from ftrack_emulator.errors import AuthenticationError, EmulatorError

from .storage import InvalidIdentifierError, check_identifier
from .tokens import TokenError


class FileRequestError(EmulatorError):
    """A file request that cannot be served, with its HTTP status."""


def bad_request(message, exception='ValidationError'):
    return FileRequestError(message, exception=exception, status=400)


def not_found(message):
    return FileRequestError(message, exception='NotFoundError', status=404)


def forbidden(message):
    return FileRequestError(message, exception='PermissionError', status=403)


def error_response(error):
    """Return *error* (an EmulatorError) as an HTTP response with its own
    status."""
    return web.Response(
        status=error.status, text=json.dumps(error.payload()),
        content_type='application/json',
    )


def query_parameters(request):
    """Return the query parameters of *request*.

    ``+`` is kept as a plus sign: the Python client puts user names and
    keys into the URL without encoding them, and a user name may contain
    one.
    """
    parameters = {}
    for part in request.query_string.split('&'):
        if not part:
            continue
        name, _, value = part.partition('=')
        name = urllib.parse.unquote(name)
        if name not in parameters:
            parameters[name] = urllib.parse.unquote(value)
    return parameters


def identifier_parameter(parameters, name='id'):
    """Return the resource identifier named *name* in *parameters*; raise
    a 400 error when it is missing or could not name stored data."""
    try:
        return check_identifier(parameters.get(name))
    except InvalidIdentifierError as error:
        raise bad_request(
            '{0} Pass it as the "{1}" query parameter.'.format(error, name)
        ) from None


async def authorise(service, parameters, identifier, purpose):
    """Allow the request described by *parameters* to *purpose* (``read``
    or ``remove``) the data of *identifier*, or raise FileRequestError.

    Read requests may present a token instead of credentials.
    """
    token = parameters.get('token')
    if token is not None and purpose == 'read':
        try:
            grant = service.tokens.verify(token, 'read')
        except TokenError as error:
            raise forbidden('Access denied: {0}'.format(error)) from None
        if grant.get('id') != identifier:
            raise forbidden(
                'Access denied: the token is for other data than {0}.'
                .format(identifier)
            )
        return None
    username = parameters.get('username')
    api_key = parameters.get('apiKey')
    if not username or not api_key:
        raise FileRequestError(
            'Missing credentials: pass the "username" and "apiKey" query '
            'parameters.', exception='InvalidCredentialsError', status=401,
        )
    try:
        return await service.authenticate(username, api_key)
    except AuthenticationError:
        raise FileRequestError(
            'The apiKey is not valid for the user named by username.',
            exception='InvalidCredentialsError', status=401,
        ) from None
