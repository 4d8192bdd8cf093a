"""The emulator's data and actions, independent of HTTP.

A :class:`Backend` owns the database, the schema, the query engine, the
writer and the table of actions. Every database access runs on one worker
thread, in order: SQLite has a single writer anyway, the in-memory database
is one shared connection, and it keeps the event loop free while a large
request runs. Feature modules reach the database the same way, through
:meth:`Backend.run` (from the event loop) or :meth:`Backend.call` (from any
other thread).
"""

import concurrent.futures
import datetime
import functools
import json
import logging
import threading

from ftrack_emulator.api import dispatch
from ftrack_emulator.api.auth import Authenticator
from ftrack_emulator.api.widgets import WidgetTokens

logger = logging.getLogger(__name__)


class RawJSON:
    """A result that is already JSON text (sent as is)."""

    __slots__ = ('text',)

    def __init__(self, text):
        self.text = text


def utcnow():
    """Return the current time as naive UTC (how the database stores it)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return {'__type__': 'datetime', 'value': value.isoformat()}
    if isinstance(value, datetime.date):
        return {'__type__': 'date', 'value': value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return value.decode('utf-8', 'replace')
    raise TypeError('Cannot encode {0!r} as JSON.'.format(value))


def encode_results(results):
    """Return *results* (one per operation) as a JSON array."""
    parts = []
    for result in results:
        if isinstance(result, RawJSON):
            parts.append(result.text)
        else:
            parts.append(json.dumps(result, default=_json_default))
    return '[' + ', '.join(parts) + ']'


def default_actions():
    """Return the registry of the actions every emulator answers."""
    from ftrack_emulator.api import (
        invites, jobs, query, reset_remote, security_roles, server_info,
        unsupported, widgets, write,
    )
    registry = dispatch.ActionRegistry()
    registry.register(
        'query_server_information', server_info.query_server_information
    )
    registry.register('query_schemas', server_info.query_schemas)
    registry.register('query', query.query)
    registry.register('create', write.create)
    registry.register('update', write.update)
    registry.register('delete', write.delete)
    registry.register('reset_remote', reset_remote.reset_remote)
    registry.register('delayed_job', jobs.delayed_job)
    registry.register('send_user_invite', invites.send_user_invite)
    registry.register(
        'send_review_session_invite', invites.send_review_session_invite
    )
    registry.register('get_widget_url', widgets.get_widget_url)
    for name, handler in security_roles.ACTIONS.items():
        registry.register(name, handler)
    for name in unsupported.NOT_YET_SUPPORTED:
        registry.register(name, unsupported.not_supported)
    return registry


class Backend:
    """One emulator's database, schema and actions.

    *config* is a :class:`ftrack_emulator.config.Config` whose ``database``
    is set. Call :meth:`open` before use and :meth:`close` after.
    """

    def __init__(self, config, registry=None):
        from ftrack_emulator.query.engine import QueryEngine
        from ftrack_emulator.schema.render import render_schemas, schema_hash
        from ftrack_emulator.store.database import Database
        from ftrack_emulator.store.writer import Writer

        self.config = config
        self.database = Database(config.database, registry=registry)
        self.registry = self.database.registry
        self.writer = Writer(self.registry, self.database.metadata)
        self.auth = Authenticator(self.database, self.writer)
        self.query_engine = QueryEngine(self.registry, self.database.metadata)
        self.actions = default_actions()
        self.widgets = WidgetTokens()
        self.schemas = render_schemas(self.registry)
        self.schema_hash = schema_hash(self.schemas)
        self.schemas_json = RawJSON(json.dumps(self.schemas))
        #: Callables ``listener(changes, user)`` told about every committed
        #: write request (``changes`` as recorded by the writer).
        self.commit_listeners = []
        #: Callables ``listener()`` called on the database thread once
        #: :meth:`reset` has reseeded the database, so that feature modules
        #: forget what belonged to the old data (see :meth:`reset`).
        self.reset_listeners = []
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix='ftrack-emulator-db'
        )
        self._closed = False

    @property
    def storage(self):
        return self.config.storage

    # Threading ----------------------------------------------------------

    async def run(self, function, *args, **kwargs):
        """Run *function* on the database thread; await its result."""
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, functools.partial(function, *args, **kwargs)
        )

    def call(self, function, *args, **kwargs):
        """Run *function* on the database thread and return its result
        (blocking; not for use on the database thread itself)."""
        if threading.current_thread().name.startswith('ftrack-emulator-db'):
            return function(*args, **kwargs)
        return self._executor.submit(function, *args, **kwargs).result()

    # Lifecycle ----------------------------------------------------------

    def open(self):
        """Create (and seed) or check the database; make sure the API user
        exists with its key."""
        self.call(self._open)

    def _open(self):
        created = self.database.open()
        if created:
            self._seed()
        else:
            self._ensure_api_user()
            if self.config.demo:
                self._add_demo()
        logger.info(
            'Database %s %s.', self.database._display_url(),
            'created and seeded' if created else 'opened',
        )

    def reset(self):
        """Replace all data with a freshly seeded database.

        The API user keeps its key. Everything derived from the old data
        goes too: remembered credentials, widget tokens and whatever the
        :attr:`reset_listeners` drop (the file service empties its storage
        and its caches, and stops honouring URLs it signed before). Event
        hub connections and their subscriptions are left alone: clients
        stay connected across a reset, as they would while a real server's
        data changes under them.
        """
        self.call(self._reset)

    def _reset(self):
        self.widgets = WidgetTokens()
        self.auth.forget_all()
        self.database.reset()
        self._seed()
        for listener in list(self.reset_listeners):
            try:
                listener()
            except Exception:
                logger.exception('Reset listener %r failed.', listener)

    def _seed(self):
        from ftrack_emulator.store import seed

        with self.database.begin() as connection:
            batch = self.writer_batch(None)
            seed.seed(self.writer, connection, batch)
        self._ensure_api_user()
        if self.config.demo:
            self._add_demo()

    def _add_demo(self):
        from ftrack_emulator.store import demo

        with self.database.begin() as connection:
            user = self._api_user_row(connection)
            demo.populate(
                self.writer, connection, self.writer_batch(user['id'])
            )

    def _api_user_row(self, connection):
        rows = self.writer.find(
            connection, 'User', {'username': self.config.api_user}
        )
        return rows[0]

    def _ensure_api_user(self):
        from ftrack_emulator.store import seed

        with self.database.begin() as connection:
            seed.ensure_api_user(
                self.writer, self.auth, connection, self.writer_batch(None),
                self.config.api_user, self.config.api_key,
            )

    def writer_batch(self, user_id):
        from ftrack_emulator.store.writer import WriteBatch

        return WriteBatch(user_id=user_id, now=utcnow())

    def close(self):
        """Stop the database thread and release the database."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)
        self.database.dispose()

    # Requests -----------------------------------------------------------

    def authenticate(self, username, api_key):
        """Return the user *username* (``id`` and ``username``) when
        *api_key* is theirs; raise AuthenticationError otherwise."""
        with self.database.begin() as connection:
            return self.auth.authenticate(connection, username, api_key)

    def execute(self, operations, username, api_key, base_url):
        """Authenticate, then run *operations* in one transaction and
        return their results (raises EmulatorError, nothing kept)."""
        now = utcnow()
        with self.database.begin() as connection:
            user = self.auth.authenticate(connection, username, api_key)
            context = dispatch.OperationContext(
                backend=self, connection=connection, user=user,
                base_url=base_url, now=now,
                state=self.writer_batch(user['id']),
            )
            context.state.now = now
            results = dispatch.run_operations(context, operations)
            results = [self._finish(context, result) for result in results]
        changes = context.state.changes
        user_table = self.registry['User'].table
        if any(self.registry[record['entity_type']].table == user_table
               for record in changes):
            # A user was renamed, deactivated or deleted.
            self.auth.forget_all()
        if changes:
            for listener in list(self.commit_listeners):
                try:
                    listener(changes, user)
                except Exception:
                    logger.exception('Commit listener %r failed.', listener)
        return results

    def execute_encoded(self, operations, username, api_key, base_url):
        """Like :meth:`execute` but return the JSON text of the results."""
        return encode_results(
            self.execute(operations, username, api_key, base_url)
        ).encode('utf-8')

    @staticmethod
    def _finish(context, result):
        finish = getattr(result, 'finish', None)
        if finish is not None:
            return finish(context)
        return result

    # Conveniences for tests and feature modules -------------------------

    def outbox(self):
        """Return the invitations sent so far, oldest first."""
        return self.call(self._outbox)

    def _outbox(self):
        import sqlalchemy

        table = self.database.outbox_table
        with self.database.engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.select(table).order_by(table.c.created_at)
            )
            result = []
            for row in rows:
                item = dict(row._mapping)
                item['payload'] = json.loads(item['payload'])
                result.append(item)
            return result
