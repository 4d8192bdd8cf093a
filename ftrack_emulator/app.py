"""The emulator's HTTP face: an :mod:`aiohttp` application.

``POST /api`` takes a JSON array of operations and answers a JSON array with
one result per operation, in order, or, when anything goes wrong, a single
error object ``{"exception", "content", "error_code"}``. Errors are sent with
HTTP status 200, as ftrack does, unless the request carries
``ftrack-strict-api: true``; then the error's own status is used.

A request body larger than the configured limit
(:data:`ftrack_emulator.config.DEFAULT_MAX_REQUEST_SIZE`, 32 MiB, unless
the :class:`~ftrack_emulator.config.Config` says otherwise) is refused
with a ``RequestTooLargeError`` before it is read; a body that is not a
JSON array of operations gets a ``ValidationError``; an unknown action
gets ``Invalid action u'<name>'``. Nothing runs in any of these cases.

Feature modules add their own routes (the event server, file transfer):
each module named in :data:`FEATURE_MODULES` that exists and defines
``setup_app(app, backend)`` is called while the application is built, and
may register routes, startup/cleanup hooks and extra API actions
(``backend.actions.register(name, handler)``).

Browsers may call every route from another origin, as ftrack's
JavaScript API does from a web page: a CORS preflight (``OPTIONS`` with
``Origin`` and ``Access-Control-Request-Method``) is answered before
routing and authentication, allowing the method and headers asked for,
and every answer to a request with an ``Origin`` carries
``Access-Control-Allow-Origin`` (that origin), ``-Allow-Credentials`` and
``-Expose-Headers`` (``ETag`` included, which multipart uploads read). The
emulator is a local development server: any origin is trusted.

Every request is logged at INFO level with its method, path, the actions it
carried, its status and its duration; credentials are never logged.
"""

import collections
import contextvars
import importlib
import json
import logging
import time

from aiohttp import web

from ftrack_emulator.api import auth
from ftrack_emulator.errors import EmulatorError

logger = logging.getLogger(__name__)

#: Modules asked to add routes to every application (skipped when absent).
FEATURE_MODULES = ('ftrack_emulator.events', 'ftrack_emulator.files')

#: Key of the :class:`~ftrack_emulator.api.backend.Backend` in the app.
BACKEND_KEY = web.AppKey('ftrack_emulator.backend', object)

#: What the running request asked for, for its log line: the logging
#: middleware gives each request a fresh holder and the API handler fills
#: it in (the same task runs both, so the holder is the request's own).
_ACTIONS = contextvars.ContextVar('ftrack_emulator_actions', default=None)
_STRICT_HEADER = 'ftrack-strict-api'


def is_strict(request):
    """Return True when *request* asked for strict API behaviour (errors
    with their real HTTP status)."""
    return request.headers.get(_STRICT_HEADER, '').strip().lower() == 'true'


def error_response(error, strict):
    """Return the response carrying *error* the way ftrack sends it.

    Braces in the message become parentheses: the Python client renders
    server messages with ``str.format``, so a brace quoted from a query
    expression would make the client's exception unprintable.
    """
    status = error.status if strict else 200
    payload = error.payload()
    if isinstance(payload.get('content'), str):
        payload['content'] = payload['content'].replace('{', '(').replace(
            '}', ')')
    return web.Response(
        status=status,
        text=json.dumps(payload),
        content_type='application/json',
    )


def base_url(request):
    """Return the server URL as the client used it: scheme, host and any
    path prefix in front of ``/api`` (no trailing slash)."""
    path = request.path
    prefix = path[:-len('/api')] if path.endswith('/api') else ''
    return '{0}://{1}{2}'.format(request.scheme, request.host, prefix)


def summarise_actions(operations):
    """Return e.g. ``query, create x3`` for the log line."""
    counts = collections.OrderedDict()
    for operation in operations:
        action = operation.get('action') if isinstance(operation, dict) else None
        name = action if isinstance(action, str) else '?'
        counts[name] = counts.get(name, 0) + 1
    return ', '.join(
        name if count == 1 else '{0} x{1}'.format(name, count)
        for name, count in counts.items()
    )


async def _read_operations(request, limit):
    """Return the decoded operations of an ``/api`` request or raise
    EmulatorError describing what is wrong with the body."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(request.content_length, limit)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise _too_large(None, limit) from None
    if len(body) > limit:
        raise _too_large(len(body), limit)
    try:
        operations = json.loads(body.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as error:
        raise EmulatorError(
            'The request body is not valid JSON: {0}. Send a JSON array of '
            'operations.'.format(error).replace('{', '(').replace('}', ')'),
            exception='ValidationError', status=400,
        ) from None
    if not isinstance(operations, list):
        raise EmulatorError(
            'The request body must be a JSON array of operations, got a JSON '
            '{0}.'.format(_json_kind(operations)),
            exception='ValidationError', status=400,
        )
    return operations


def _json_kind(value):
    if isinstance(value, dict):
        return 'object'
    if isinstance(value, str):
        return 'string'
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'boolean'
    return 'number'


def _too_large(size, limit):
    described = 'of {0} bytes '.format(size) if size is not None else ''
    return EmulatorError(
        'The request body {0}is larger than the emulator accepts ({1} '
        'bytes). Split the operations into several requests.'.format(
            described, limit
        ),
        exception='RequestTooLargeError', status=413,
    )


async def handle_api(request):
    """``POST /api``: run a batch of operations."""
    backend = request.app[BACKEND_KEY]
    strict = is_strict(request)
    try:
        username, api_key = auth.credentials_from_headers(request.headers)
        if not username or not api_key:
            raise auth.missing_credentials_error()
        try:
            operations = await _read_operations(
                request, backend.config.max_request_size
            )
        except EmulatorError:
            # Bad credentials are reported before anything else.
            await backend.run(backend.authenticate, username, api_key)
            raise
        holder = _ACTIONS.get()
        if holder is not None:
            holder.append(summarise_actions(operations))
        body = await backend.run(
            backend.execute_encoded, operations, username, api_key,
            base_url(request),
        )
    except EmulatorError as error:
        logger.debug('Request failed: %s', error.content)
        return error_response(error, strict)
    return web.Response(body=body, content_type='application/json')


#: Methods a preflight is told every route may be called with.
CORS_ALLOW_METHODS = 'GET, HEAD, POST, PUT, DELETE, OPTIONS'

#: Headers allowed when a preflight does not say which it needs: those the
#: JavaScript API sends.
CORS_ALLOW_HEADERS = (
    'Accept, Content-Type, Content-MD5, ftrack-api-key, ftrack-user, '
    'ftrack-clienttoken, ftrack-pushtoken, ftrack-strict-api, '
    'ftrack-api-options'
)

#: Response headers scripts on another origin may read.
CORS_EXPOSE_HEADERS = 'Content-Disposition, Content-Length, ETag'

#: Seconds a browser may remember a preflight answer.
CORS_MAX_AGE = '86400'


def is_preflight(request):
    """Return True when *request* is a browser's CORS preflight."""
    return (request.method == 'OPTIONS' and 'Origin' in request.headers
            and 'Access-Control-Request-Method' in request.headers)


@web.middleware
async def answer_preflights(request, handler):
    """Answer CORS preflights for every route, before anything else."""
    if not is_preflight(request):
        return await handler(request)
    requested = request.headers.get('Access-Control-Request-Headers', '')
    return web.Response(status=200, headers={
        'Access-Control-Allow-Methods': CORS_ALLOW_METHODS,
        'Access-Control-Allow-Headers': requested.strip()
        or CORS_ALLOW_HEADERS,
        'Access-Control-Max-Age': CORS_MAX_AGE,
    })


async def add_cors_headers(request, response):
    """Let the page that sent *request* read *response* (every response,
    streamed ones and errors included, passes here before its headers
    are sent)."""
    origin = request.headers.get('Origin')
    if not origin:
        return
    headers = response.headers
    headers['Access-Control-Allow-Origin'] = origin
    headers['Access-Control-Allow-Credentials'] = 'true'
    exposed = [name.strip() for name in headers.get(
        'Access-Control-Expose-Headers', '').split(',') if name.strip()]
    for name in CORS_EXPOSE_HEADERS.split(', '):
        if name.lower() not in {item.lower() for item in exposed}:
            exposed.append(name)
    headers['Access-Control-Expose-Headers'] = ', '.join(exposed)
    vary = [name.strip() for name in headers.get('Vary', '').split(',')
            if name.strip()]
    if 'origin' not in {name.lower() for name in vary}:
        vary.append('Origin')
    headers['Vary'] = ', '.join(vary)


@web.middleware
async def log_requests(request, handler):
    started = time.perf_counter()
    status = 500
    holder = []
    token = _ACTIONS.set(holder)
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        _ACTIONS.reset(token)
        duration = (time.perf_counter() - started) * 1000.0
        actions = holder[0] if holder else None
        logger.info(
            '%s %s%s -> %s in %.1f ms',
            request.method, request.path,
            ' [{0}]'.format(actions) if actions else '',
            status, duration,
        )


def create_app(backend, features=FEATURE_MODULES):
    """Return the aiohttp application serving *backend*.

    *features* names the modules asked to add routes (see module doc).
    """
    app = web.Application(
        middlewares=[log_requests, answer_preflights],
        # Bodies are size-checked by the handlers, which answer with an
        # ftrack error object rather than a bare 413 page.
        client_max_size=backend.config.max_request_size + 1,
    )
    app[BACKEND_KEY] = backend
    app.on_response_prepare.append(add_cors_headers)
    app.router.add_post('/api', handle_api)
    from ftrack_emulator.api import widgets
    widgets.setup_app(app, backend)
    for module_name in features:
        _setup_feature(app, backend, module_name)
    return app


def _setup_feature(app, backend, module_name):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        logger.debug('Feature module %s is not available.', module_name)
        return
    setup = getattr(module, 'setup_app', None)
    if setup is None:
        logger.debug('Feature module %s adds no routes.', module_name)
        return
    setup(app, backend)
