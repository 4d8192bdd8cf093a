"""Settings of one emulator instance and their documented defaults.

The command line, :class:`ftrack_emulator.Emulator` and the pytest plugin all
build a :class:`Config`, so a default changes in one place only.
"""

import dataclasses
import os
import typing

#: Address the server binds to unless told otherwise (local only).
DEFAULT_HOST = '127.0.0.1'

#: Port of ``ftrack-emulator serve`` (the Python API picks a free port).
DEFAULT_PORT = 8008

#: The API user that always exists and may call the API.
DEFAULT_API_USER = 'admin'

#: That user's API key. It is public on purpose: the emulator is a local
#: development tool and listens on the loopback interface by default.
DEFAULT_API_KEY = 'ftrack-emulator-api-key'

#: Largest ``/api`` request body accepted, in bytes (32 MiB). A commit of
#: several thousand entities stays far below it; anything larger is answered
#: with an error before the body is read.
DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024

#: Seconds between two ``2::`` heartbeats the event server sends; the
#: JavaScript client gives up after 15 seconds without one.
DEFAULT_EVENT_HEARTBEAT_INTERVAL = 10.0

#: Seconds an event hub connection may stay silent (not even answering a
#: heartbeat) before the server closes it; the Python client waits 60.
DEFAULT_EVENT_HEARTBEAT_TIMEOUT = 60.0

#: Reported as the server version: a modern ftrack release number, so that
#: clients enable the features they gate on the version.
SERVER_VERSION = '24.10.0'

#: Directory name used with :mod:`platformdirs` for the default database.
APP_NAME = 'ftrack-emulator'


def default_database_url():
    """Return the URL of the database ``ftrack-emulator serve`` uses when
    none is given: a SQLite file in the user data directory, which survives
    restarts."""
    import platformdirs

    directory = platformdirs.user_data_dir(APP_NAME)
    return 'sqlite:///' + os.path.join(directory, 'ftrack-emulator.sqlite')


def default_storage_directory():
    """Return where ``ftrack-emulator serve`` keeps uploaded files when no
    ``--storage`` is given (next to the default database)."""
    import platformdirs

    return os.path.join(platformdirs.user_data_dir(APP_NAME), 'storage')


@dataclasses.dataclass
class Config:
    """Everything that varies between two emulators.

    ``database`` is an SQLAlchemy URL (``sqlite://`` keeps the data in
    memory); ``storage`` the directory for file data of the server location;
    ``demo`` adds the demo production when the database has none yet (a
    new database, an existing one without the demo project, and again
    after every reset);
    ``event_heartbeat_interval`` and ``event_heartbeat_timeout`` (seconds)
    pace the event server's heartbeats and how long it waits for a silent
    client.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    database: typing.Optional[str] = None
    storage: typing.Optional[str] = None
    api_user: str = DEFAULT_API_USER
    api_key: str = DEFAULT_API_KEY
    demo: bool = False
    max_request_size: int = DEFAULT_MAX_REQUEST_SIZE
    event_heartbeat_interval: float = DEFAULT_EVENT_HEARTBEAT_INTERVAL
    event_heartbeat_timeout: float = DEFAULT_EVENT_HEARTBEAT_TIMEOUT

    def __post_init__(self):
        if not self.api_user:
            raise ValueError('api_user must be a non-empty user name.')
        if not self.api_key:
            raise ValueError('api_key must be a non-empty key.')
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            raise ValueError(
                'port must be an integer between 0 and 65535, got {0!r}.'
                .format(self.port)
            )
        if self.max_request_size <= 0:
            raise ValueError('max_request_size must be positive.')
        for name in ('event_heartbeat_interval', 'event_heartbeat_timeout'):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(
                    value, (int, float)) or not value > 0:
                raise ValueError(
                    '{0} must be a positive number of seconds, got {1!r}.'
                    .format(name, value)
                )
        if self.event_heartbeat_timeout <= self.event_heartbeat_interval:
            raise ValueError(
                'event_heartbeat_timeout ({0!r}) must exceed '
                'event_heartbeat_interval ({1!r}): a client is only silent '
                'too long after missing heartbeats.'.format(
                    self.event_heartbeat_timeout,
                    self.event_heartbeat_interval,
                )
            )
