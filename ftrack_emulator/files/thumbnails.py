"""``GET /component/thumbnail``: a component's data as a picture.

Without ``size`` the stored image is served as it is; with ``size=N`` the
first picture is scaled with ffmpeg to fit N x N pixels (never enlarged),
written as JPEG and cached next to the data until the data changes. Entities
without a thumbnail point at ``/img/thumbnail2.png``, the placeholder ftrack
serves, so that URL answers too.
"""

import logging
import os
import struct
import zlib

from aiohttp import web

from . import access
from .downloads import file_response, stored_file
from .media import MediaError, Runner, scale_to_fit

logger = logging.getLogger(__name__)

#: Largest ``size`` accepted, in pixels.
MAX_SIZE = 4096

#: Seconds one scaling run may take.
SCALE_TIMEOUT = 60.0


def parse_size(parameters):
    """Return the ``size`` parameter as pixels, or None when absent."""
    text = parameters.get('size')
    if text is None or text == '':
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_SIZE:
        raise access.bad_request(
            'size must be a whole number of pixels from 1 to {0}, got {1!r}.'
            .format(MAX_SIZE, text)
        )
    return int(text)


def scaled_thumbnail(service, stored, size):
    """Return the path of *stored* scaled to fit *size* (made once, then
    taken from the cache while the data is unchanged)."""
    cached = service.storage.cache_path(
        'thumbnails', stored.identifier, '{0}.jpg'.format(size)
    )
    try:
        if os.stat(cached).st_mtime >= stored.modified:
            return cached
    except FileNotFoundError:
        pass
    temporary = service.storage.temporary_path('.jpg')
    try:
        scale_to_fit(stored.path, temporary, size,
                     Runner(timeout=SCALE_TIMEOUT))
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        os.replace(temporary, cached)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return cached


async def get_thumbnail(request):
    """Serve the picture stored for the component named by ``id``."""
    from . import service_of

    service = service_of(request.app)
    parameters = access.query_parameters(request)
    try:
        identifier = access.identifier_parameter(parameters)
        size = parse_size(parameters)
        await access.authorise(service, parameters, identifier, 'read')
        stored = await stored_file(service, identifier)
        if size is None:
            return file_response(stored, disposition='inline')
        try:
            path = await service.run_io(scaled_thumbnail, service, stored,
                                        size)
        except MediaError as error:
            raise access.FileRequestError(
                'Cannot make a thumbnail of {0}: {1}'.format(
                    identifier, error),
                exception='MediaError', status=422,
            ) from None
    except access.FileRequestError as error:
        return access.error_response(error)
    return web.FileResponse(path, headers={
        'Content-Type': 'image/jpeg', 'Cache-Control': 'private, max-age=0',
    })


def placeholder_png(width=300, height=169, grey=0xD0):
    """Return a plain grey PNG (ftrack's "no thumbnail" picture is a
    neutral placeholder of this shape)."""
    row = b'\x00' + bytes([grey]) * width
    pixels = zlib.compress(row * height, 9)

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
                + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header)
            + chunk(b'IDAT', pixels) + chunk(b'IEND', b''))


_PLACEHOLDER = placeholder_png()


async def get_placeholder(request):
    """``GET /img/thumbnail2.png``: the picture of "no thumbnail"."""
    return web.Response(body=_PLACEHOLDER, content_type='image/png',
                        headers={'Cache-Control': 'public, max-age=86400'})
