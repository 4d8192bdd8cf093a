"""The server location's files: storage, uploads, downloads, thumbnails
and media encoding.

:mod:`ftrack_emulator.app` calls :func:`setup_app` while building the
application. It adds these routes (``server`` is the server URL)::

    PUT  server/component/upload/<component id>?token=..   (signed URL)
    GET  server/component/get?id=..&username=..&apiKey=..  (or &token=..)
    GET  server/component/remove?id=..&username=..&apiKey=..
    GET  server/component/thumbnail?id=..&username=..&apiKey=..[&size=N]
    GET  server/img/thumbnail2.png                          (no thumbnail)

and answers the API actions ``get_upload_metadata``,
``complete_multipart_upload`` and ``encode_media``. Files live in the
emulator's storage directory (``--storage``); see
:mod:`ftrack_emulator.files.storage` for the layout. Resetting the emulator
(:meth:`ftrack_emulator.api.backend.Backend.reset`) empties it.
"""

import functools
import logging
import os
import shutil
import weakref

from aiohttp import web

from .service import FileService

__all__ = ['FileService', 'setup_app', 'service_for', 'service_of',
           'clear_storage']

logger = logging.getLogger(__name__)

#: Key of the :class:`FileService` in the application.
SERVICE_KEY = web.AppKey('ftrack_emulator.files', FileService)

_SERVICES = weakref.WeakKeyDictionary()


def service_of(app):
    """Return the :class:`FileService` serving *app*."""
    return app[SERVICE_KEY]


def service_for(backend):
    """Return the :class:`FileService` of *backend* (for tests and tools),
    or None when no application serves files for it."""
    return _SERVICES.get(backend)


def setup_app(app, backend):
    """Serve the server location's files from *app* for *backend*; return
    the :class:`FileService`."""
    from . import downloads, encoding, thumbnails, uploads

    service = FileService(backend)
    app[SERVICE_KEY] = service
    _SERVICES[backend] = service
    router = app.router
    router.add_put('/component/upload/{component_id}', uploads.receive_upload)
    router.add_route('OPTIONS', '/component/upload/{component_id}',
                     uploads.upload_preflight)
    router.add_get('/component/get', downloads.get_component)
    router.add_get('/component/remove', downloads.remove_component)
    router.add_get('/component/thumbnail', thumbnails.get_thumbnail)
    router.add_get('/img/thumbnail2.png', thumbnails.get_placeholder)

    def bind(handler):
        def action(context, operation):
            return handler(service, context, operation)
        action.__name__ = handler.__name__
        action.__doc__ = handler.__doc__
        return action

    actions = backend.actions
    actions.register('get_upload_metadata', bind(uploads.get_upload_metadata))
    actions.register('complete_multipart_upload',
                     bind(uploads.complete_multipart_upload))
    actions.register('encode_media', bind(encoding.encode_media))
    _sign_computed_urls(backend, service)
    app.on_startup.append(service.start)
    app.on_cleanup.append(service.stop)

    forget_everything = functools.partial(clear_storage, service)
    backend.reset_listeners.append(forget_everything)

    async def stop_forgetting(app):
        if forget_everything in backend.reset_listeners:
            backend.reset_listeners.remove(forget_everything)

    app.on_cleanup.append(stop_forgetting)
    return service


#: The storage folders whose content belongs to the database's data (files
#: still being written, in ``tmp``, are left to finish or fail).
_DATA_FOLDERS = ('components', 'uploads', 'cache')


def clear_storage(service):
    """Drop every stored file, unfinished multipart upload and cached
    thumbnail of *service*, and stop honouring the URLs it signed: the
    database was reset, so none of it belongs to anything any more."""
    from .tokens import TokenSigner

    service.tokens = TokenSigner()
    root = service.storage.root
    for name in _DATA_FOLDERS:
        folder = os.path.join(root, name)
        for entry in os.listdir(folder) if os.path.isdir(folder) else ():
            path = os.path.join(folder, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.remove(path)
                except FileNotFoundError:
                    pass
        os.makedirs(folder, exist_ok=True)
    logger.info('File storage emptied after a reset.')


def _sign_computed_urls(backend, service):
    """Let computed URL attributes (``thumbnail_url``,
    ``ComponentLocation.url``) carry a read token, when the query engine
    offers a ``url_signer`` hook taking ``(base_url, identifier,
    endpoint)``; without one they name the data without credentials."""
    computed = getattr(getattr(backend, 'query_engine', None), 'computed',
                       None)
    if computed is not None and hasattr(computed, 'url_signer'):
        computed.url_signer = service.read_url
