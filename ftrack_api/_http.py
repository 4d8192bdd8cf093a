"""The HTTP side of the JSON API: one connection pool, the headers every
request carries, and the mapping of failed responses to exceptions."""

import json
import logging

import requests

import ftrack_api.exception

logger = logging.getLogger(__name__)


class ApiTransport(object):
    """Posts JSON batches to ``<server_url>/api``.

    *headers* are sent with every request, *cookies* start the cookie jar
    (the server may add its own) and *auth* signs each request.
    """

    def __init__(self, server_url, auth, headers, cookies):
        self.url = server_url + '/api'
        self.http = requests.Session()
        self.http.auth = auth
        self.http.headers.update({'accept': 'application/json'})
        self.http.headers.update(headers)
        if cookies:
            self.http.cookies.update(cookies)

    def post(self, body, timeout):
        """Send the JSON text *body*; return the :class:`requests.Response`."""
        return self.http.post(
            self.url,
            data=body,
            headers={'content-type': 'application/json'},
            timeout=timeout,
        )

    def close(self):
        """Release the connection pool."""
        self.http.close()


def raise_for_result(response, decode):
    """Return the decoded body of *response*, or raise what the server
    reported.

    *decode* turns the body text into Python values. A body the server
    marked as an error (an object with an ``exception`` key, whatever the
    HTTP status) becomes a :exc:`~ftrack_api.exception.ServerError`, as does
    any other error status. A body that is not JSON is reported as a
    :exc:`~ftrack_api.exception.ServerError` for successful statuses; with
    an error status the decoding error itself propagates, as with the
    reference client.
    """
    text = response.text
    try:
        result = decode(text)
    except json.JSONDecodeError:
        if not response.ok:
            raise
        message = (
            'Server reported error in unexpected format. Raw error was: '
            '{0}'.format(text)
        )
        logger.error(message)
        raise ftrack_api.exception.ServerError(message)

    if isinstance(result, dict) and 'exception' in result:
        message = 'Server reported error: {0}({1})'.format(
            result['exception'], result['content']
        )
        logger.error(message)
        raise ftrack_api.exception.ServerError(message)

    try:
        response.raise_for_status()
    except requests.exceptions.HTTPError as error:
        logger.error(str(error))
        raise ftrack_api.exception.ServerError(str(error))
    return result
