"""``get_widget_url``: links to small web pages about an entity.

ftrack answers with a token-authenticated URL to one of its embeddable
widgets (``info``, ``tasks``, ``tasks_browser``) that stays valid for a few
minutes. The emulator hands out a URL of its own, ``/widget/<name>``, with a
random token, and serves a plain page there while the token is valid.
"""

import html
import secrets
import threading
import time
import urllib.parse

from aiohttp import web

from ftrack_emulator.errors import EmulatorError, ValidationError

#: Widget names ftrack serves.
WIDGET_NAMES = ('info', 'tasks', 'tasks_browser')

#: Seconds a widget URL stays valid (ftrack uses about six minutes).
TOKEN_LIFETIME = 360.0

THEMES = ('light', 'dark')


class WidgetTokens:
    """The widget URLs handed out and not yet expired."""

    def __init__(self, lifetime=TOKEN_LIFETIME, clock=time.monotonic):
        self.lifetime = lifetime
        self._clock = clock
        self._tokens = {}
        self._lock = threading.Lock()

    def issue(self, details):
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._prune()
            self._tokens[token] = (self._clock() + self.lifetime, details)
        return token

    def lookup(self, token):
        """Return the details stored with *token*, or None when unknown or
        expired."""
        with self._lock:
            self._prune()
            entry = self._tokens.get(token)
        return None if entry is None else entry[1]

    def _prune(self):
        now = self._clock()
        expired = [key for key, (expiry, _) in self._tokens.items()
                   if expiry <= now]
        for key in expired:
            del self._tokens[key]


def get_widget_url(context, operation):
    name = operation.get('name')
    if name not in WIDGET_NAMES:
        raise ValidationError(
            'Unknown widget "{0}": expected one of {1}.'.format(
                name, ', '.join(WIDGET_NAMES)
            )
        )
    theme = operation.get('theme')
    if theme is not None and theme not in THEMES:
        raise ValidationError(
            'Unknown widget theme "{0}": expected light, dark or null.'.format(
                theme
            )
        )
    details = {'name': name, 'theme': theme or 'light'}
    entity_type = operation.get('entity_type')
    if entity_type is not None:
        from ftrack_emulator.store.values import normalise_entity_key
        backend = context.backend
        entity = backend.registry.get(entity_type)
        if entity is None:
            raise ValidationError(
                'Entity type "{0}" does not exist.'.format(entity_type)
            )
        key = normalise_entity_key(
            operation.get('entity_key'), entity.primary_key, entity_type
        )
        if backend.writer.fetch(context.connection, entity_type, key) is None:
            raise EmulatorError(
                'No {0} with key {1} exists.'.format(entity_type, ', '.join(key)),
                exception='NoResultFoundError', status=404,
            )
        details.update(entity_type=entity_type, entity_key=list(key))
    token = context.backend.widgets.issue(details)
    query = urllib.parse.urlencode({'token': token, 'theme': details['theme']})
    return {
        'widget_url': '{0}/widget/{1}?{2}'.format(
            context.base_url, name, query
        ),
    }


async def serve_widget(request):
    """``GET /widget/<name>?token=...``: a minimal page for the widget."""
    from ftrack_emulator.app import BACKEND_KEY

    backend = request.app[BACKEND_KEY]
    details = backend.widgets.lookup(request.query.get('token', ''))
    if details is None or details['name'] != request.match_info['name']:
        raise web.HTTPForbidden(text='Invalid or expired widget token.')
    subject = 'the whole workspace'
    if 'entity_type' in details:
        subject = '{0} {1}'.format(
            details['entity_type'], ', '.join(details['entity_key'])
        )
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<title>ftrack emulator: {name}</title></head>'
        '<body class="{theme}"><h1>{name}</h1><p>Widget for {subject}.</p>'
        '</body></html>'
    ).format(
        name=html.escape(details['name']),
        theme=html.escape(details['theme']),
        subject=html.escape(subject),
    )
    return web.Response(text=page, content_type='text/html')


def setup_app(app, backend):
    app.router.add_get('/widget/{name}', serve_widget)
