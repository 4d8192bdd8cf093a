"""The emulator's event server (socket.io 0.9 over websockets).

The emulator's application picks it up through :func:`setup_app`; any other
:mod:`aiohttp` application can use :func:`setup`. Publish server-side events
with :meth:`EventServer.publish` and entity changes with
:func:`~ftrack_emulator.events.updates.publish_updates`.
"""

from .integration import setup_app
from .server import EVENT_SERVER, EventServer, get_event_server, setup
from .updates import Author, EntityChange, EntityRef, publish_updates

__all__ = [
    'EVENT_SERVER', 'EventServer', 'get_event_server', 'setup', 'setup_app',
    'Author', 'EntityChange', 'EntityRef', 'publish_updates',
]
