"""The SQL database behind one emulator.

:class:`Database` owns the SQLAlchemy engine and the tables derived from the
schema, creates and seeds a new database, recognises one it created before
and refuses one built from a different schema (its tables would not match).

Besides the entity tables the emulator keeps a few tables of its own, all
prefixed ``emulator_``: a key/value table holding the schema marker, the API
keys of users, and the outbox of invitations that a real server would mail.
"""

import hashlib
import logging
import os

import sqlalchemy
from sqlalchemy import pool

logger = logging.getLogger(__name__)

#: Bumped whenever the way the emulator lays out its data changes in a way
#: the table definitions alone do not show.
STORAGE_FORMAT = '1'

INFO_TABLE = 'emulator_info'
API_KEY_TABLE = 'emulator_api_key'
OUTBOX_TABLE = 'emulator_outbox'

_MARKER_KEY = 'schema_marker'


class DatabaseMismatchError(RuntimeError):
    """The database exists but was built for another schema."""


def is_memory_url(url):
    """Return True when *url* names an in-memory SQLite database."""
    parsed = sqlalchemy.engine.make_url(url)
    return (
        parsed.get_backend_name() == 'sqlite'
        and parsed.database in (None, '', ':memory:')
    )


def _add_internal_tables(metadata):
    """Declare the emulator's own tables in *metadata*."""
    text = sqlalchemy.Text
    string = sqlalchemy.String
    info = sqlalchemy.Table(
        INFO_TABLE, metadata,
        sqlalchemy.Column('key', string(255), primary_key=True),
        sqlalchemy.Column('value', text, nullable=False),
    )
    api_keys = sqlalchemy.Table(
        API_KEY_TABLE, metadata,
        sqlalchemy.Column('user_id', string(36), primary_key=True),
        sqlalchemy.Column('api_key', string(255), nullable=False, index=True),
    )
    outbox = sqlalchemy.Table(
        OUTBOX_TABLE, metadata,
        sqlalchemy.Column('id', string(36), primary_key=True),
        sqlalchemy.Column('kind', string(64), nullable=False),
        sqlalchemy.Column('recipient_id', string(36)),
        sqlalchemy.Column('email', string(255)),
        sqlalchemy.Column('payload', text, nullable=False),
        sqlalchemy.Column('created_at', sqlalchemy.DateTime, nullable=False),
    )
    return info, api_keys, outbox


def schema_marker(metadata):
    """Return a fingerprint of the table layout described by *metadata*.

    Two emulators agree on it exactly when their tables have the same
    names, columns, column types and keys.
    """
    digest = hashlib.md5(STORAGE_FORMAT.encode('ascii'))
    for name in sorted(metadata.tables):
        table = metadata.tables[name]
        digest.update(('\ntable ' + name).encode('utf-8'))
        for column in sorted(table.columns, key=lambda c: c.name):
            digest.update('|{0}:{1}:{2}:{3}'.format(
                column.name, column.type.__class__.__name__,
                int(bool(column.primary_key)), int(bool(column.nullable)),
            ).encode('utf-8'))
    return digest.hexdigest()


def _on_sqlite_connect(wal):
    def configure(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        try:
            if wal:
                cursor.execute('PRAGMA journal_mode=WAL')
                cursor.execute('PRAGMA synchronous=NORMAL')
            # The emulator checks references itself and applies ftrack's
            # cascades in order; SQLite's own checks would only get in the
            # way of deleting a tree breadth first.
            cursor.execute('PRAGMA foreign_keys=OFF')
        finally:
            cursor.close()
    return configure


def create_engine(url):
    """Return an engine for *url* tuned for the emulator.

    In-memory SQLite uses one shared connection (every thread must see the
    same data); file SQLite runs in WAL mode so readers never block; other
    databases use SQLAlchemy's defaults.
    """
    parsed = sqlalchemy.engine.make_url(url)
    if parsed.get_backend_name() != 'sqlite':
        return sqlalchemy.create_engine(url)
    connect_args = {'check_same_thread': False}
    if is_memory_url(url):
        engine = sqlalchemy.create_engine(
            'sqlite://', poolclass=pool.StaticPool, connect_args=connect_args,
        )
        wal = False
    else:
        directory = os.path.dirname(os.path.abspath(parsed.database))
        os.makedirs(directory, exist_ok=True)
        engine = sqlalchemy.create_engine(url, connect_args=connect_args)
        wal = True
    sqlalchemy.event.listen(engine, 'connect', _on_sqlite_connect(wal))
    return engine


class Database:
    """The engine and tables of one emulator database.

    *registry* defaults to the emulator's full schema. Nothing touches the
    database until :meth:`open` (or :meth:`reset`).
    """

    def __init__(self, url, registry=None):
        from ftrack_emulator.store.tables import build_metadata

        if registry is None:
            from ftrack_emulator.schema import load_registry
            registry = load_registry()
        self.url = url
        self.registry = registry
        self.metadata = build_metadata(registry)
        self.info_table, self.api_key_table, self.outbox_table = (
            _add_internal_tables(self.metadata)
        )
        self.marker = schema_marker(self.metadata)
        self.engine = create_engine(url)

    @property
    def is_memory(self):
        return is_memory_url(self.url)

    def table(self, name):
        """Return the SQLAlchemy table called *name*."""
        return self.metadata.tables[name]

    def begin(self):
        """Return a context manager giving a connection in a transaction."""
        return self.engine.begin()

    def open(self):
        """Make the database ready: create its tables when it is empty,
        check its marker otherwise.

        Return True when the tables were just created (the caller seeds
        them). Raise :class:`DatabaseMismatchError` when the database holds
        tables of another schema.
        """
        inspector = sqlalchemy.inspect(self.engine)
        existing = set(inspector.get_table_names())
        if not existing:
            self.create_all()
            return True
        found = self._stored_marker() if INFO_TABLE in existing else None
        if found != self.marker:
            raise DatabaseMismatchError(
                'The database {0} was created by a different version of the '
                'emulator schema (marker {1}, this emulator needs {2}). Use '
                'another --database, or delete this one to start afresh.'
                .format(self._display_url(), found or 'missing', self.marker)
            )
        return False

    def create_all(self):
        """Create every table and record the schema marker."""
        self.metadata.create_all(self.engine)
        with self.engine.begin() as connection:
            connection.execute(
                sqlalchemy.delete(self.info_table).where(
                    self.info_table.c.key == _MARKER_KEY
                )
            )
            connection.execute(
                sqlalchemy.insert(self.info_table),
                {'key': _MARKER_KEY, 'value': self.marker},
            )

    def drop_all(self):
        """Drop every table, including any this schema does not know."""
        with self.engine.begin() as connection:
            reflected = sqlalchemy.MetaData()
            reflected.reflect(connection)
            reflected.drop_all(connection)

    def reset(self):
        """Empty the database (the caller seeds it again).

        A database with this emulator's marker keeps its tables and loses
        every row, which is much faster than recreating ~150 tables; any
        other database is dropped entirely and created afresh.
        """
        inspector = sqlalchemy.inspect(self.engine)
        existing = set(inspector.get_table_names())
        if existing == set(self.metadata.tables) and self._stored_marker() \
                == self.marker:
            with self.engine.begin() as connection:
                for table in reversed(self.metadata.sorted_tables):
                    if table is not self.info_table:
                        connection.execute(table.delete())
            return
        self.drop_all()
        self.create_all()

    def _stored_marker(self):
        with self.engine.connect() as connection:
            return connection.execute(
                sqlalchemy.select(self.info_table.c.value).where(
                    self.info_table.c.key == _MARKER_KEY
                )
            ).scalar()

    def dispose(self):
        """Close every pooled connection."""
        self.engine.dispose()

    def _display_url(self):
        return sqlalchemy.engine.make_url(self.url).render_as_string(
            hide_password=True
        )
