"""``GET /component/get`` and ``GET /component/remove``.

Both name the data by resource identifier (``id``; for the server location
that is the component id) and authenticate with the ``username`` and
``apiKey`` query parameters, as the Python client's server accessor sends
them. Downloads may use a signed token instead (the URLs handed out by
``complete_multipart_upload``). Files are streamed from disk (``HEAD`` and
``Range`` requests work); unknown or removed data is a 404.
"""

import logging
import urllib.parse

from aiohttp import web

from . import access
from .storage import InvalidIdentifierError

logger = logging.getLogger(__name__)


def content_disposition(file_name, disposition='attachment'):
    """Return a ``Content-Disposition`` value naming *file_name* safely
    for any characters it contains."""
    plain = ''.join(
        character if 32 <= ord(character) < 127 and character not in '"\\'
        else '_' for character in file_name
    )
    return '{0}; filename="{1}"; filename*=UTF-8\'\'{2}'.format(
        disposition, plain, urllib.parse.quote(file_name, safe='')
    )


def file_response(stored, content_type=None, disposition='attachment'):
    """Return a streaming response for the :class:`StoredFile` *stored*."""
    headers = {
        'Content-Type': content_type or stored.content_type,
        'Cache-Control': 'private, max-age=0',
    }
    if stored.file_name:
        headers['Content-Disposition'] = content_disposition(
            stored.file_name, disposition
        )
    return web.FileResponse(stored.path, chunk_size=256 * 1024,
                            headers=headers)


async def stored_file(service, identifier):
    """Return the stored data of *identifier* or raise a 404 error."""
    try:
        stored = await service.run_io(service.storage.stat, identifier)
    except InvalidIdentifierError:
        # A link in the storage pointing elsewhere: not data of ours.
        stored = None
    if stored is None:
        raise access.not_found(
            'No data is stored for {0}: it was never uploaded to the server '
            'location, or it was removed.'.format(identifier)
        )
    return stored


async def get_component(request):
    """Stream the data of the component named by ``id``."""
    from . import service_of

    service = service_of(request.app)
    parameters = access.query_parameters(request)
    try:
        identifier = access.identifier_parameter(parameters)
        await access.authorise(service, parameters, identifier, 'read')
        stored = await stored_file(service, identifier)
    except access.FileRequestError as error:
        return access.error_response(error)
    return file_response(stored)


async def remove_component(request):
    """Delete the data of the component named by ``id``."""
    from . import service_of

    service = service_of(request.app)
    parameters = access.query_parameters(request)
    try:
        identifier = access.identifier_parameter(parameters)
        await access.authorise(service, parameters, identifier, 'remove')
        try:
            removed = await service.run_io(service.storage.remove,
                                           identifier)
        except InvalidIdentifierError:
            removed = False
        if not removed:
            raise access.not_found(
                'No data is stored for {0}; there is nothing to remove.'
                .format(identifier)
            )
    except access.FileRequestError as error:
        return access.error_response(error)
    logger.info('Removed the data of %s.', identifier)
    return web.json_response({'id': identifier, 'removed': True})
