"""The session: a connection to an ftrack server and the unit of work.

:class:`Session` coordinates; the work is done elsewhere: :mod:`._http`
talks to the server, :mod:`._schema` turns schemas into classes,
:mod:`._merge` keeps one instance per entity, :mod:`._unit_of_work` turns
recorded changes into a commit and :mod:`._encoding` writes JSON.
"""

from __future__ import absolute_import, division

import collections.abc
import datetime
import getpass
import logging
import os
import re
import threading

import arrow
import clique
import requests.auth

import ftrack_api.cache
import ftrack_api.event.base
import ftrack_api.event.hub
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.logging
import ftrack_api.operation
import ftrack_api.plugin
import ftrack_api.query
import ftrack_api.symbol
import ftrack_api._centralized_storage_scenario
import ftrack_api._encoding
import ftrack_api._http
import ftrack_api._locations
import ftrack_api._merge
import ftrack_api._properties
import ftrack_api._schema
import ftrack_api._unit_of_work

# The location machinery's building blocks; importing them here also makes
# them reachable after ``import ftrack_api``, as with the reference client.
import ftrack_api.accessor.disk  # noqa: F401
import ftrack_api.data  # noqa: F401
import ftrack_api.structure.entity_id  # noqa: F401
import ftrack_api.structure.origin  # noqa: F401
import ftrack_api.structure.standard  # noqa: F401

NOT_SET = ftrack_api.symbol.NOT_SET

#: Oldest server version this client works with.
MINIMUM_SERVER_VERSION = (3, 3, 11)

_VERSION_PATTERN = re.compile(r'^(\d+)\.(\d+)\.(\d+)')

_REVIEW_COMPONENT_NAMES = (
    'ftrackreview-mp4', 'ftrackreview-webm', 'ftrackreview-image'
)


class SessionAuthentication(requests.auth.AuthBase):
    """Sign API requests with the user name and API key headers."""

    def __init__(self, api_key, api_user):
        super().__init__()
        self.api_user = api_user
        self.api_key = api_key

    def __call__(self, request):
        request.headers['ftrack-api-key'] = self.api_key
        request.headers['ftrack-user'] = self.api_user
        return request


class _ThreadFlagContext(object):
    """Set one per-thread flag of a session for a ``with`` block and put
    the previous value back afterwards."""

    #: Name of the session property to set.
    flag = None

    def __init__(self, session, value):
        super().__init__()
        self._session = session
        self._value = value
        self._saved = []

    def __enter__(self):
        self._saved.append(getattr(self._session, self.flag))
        setattr(self._session, self.flag, self._value)

    def __exit__(self, exception_type, exception_value, traceback):
        setattr(self._session, self.flag, self._saved.pop())


class AutoPopulatingContext(_ThreadFlagContext):
    """Set whether *session* fetches unset values, for a ``with`` block."""

    flag = 'auto_populate'

    def __init__(self, session, auto_populate):
        super().__init__(session, auto_populate)


class OperationRecordingContext(_ThreadFlagContext):
    """Set whether *session* records changes, for a ``with`` block."""

    flag = 'record_operations'

    def __init__(self, session, record_operations):
        super().__init__(session, record_operations)


class OperationPayload(collections.abc.MutableMapping):
    """A dict-like server action."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        self._fields = dict(*args, **kwargs)

    def __str__(self):
        return '<{0} {1}>'.format(type(self).__name__, self._fields)

    def __len__(self):
        return len(self._fields)

    def __iter__(self):
        return iter(self._fields)

    def __getitem__(self, name):
        return self._fields[name]

    def __setitem__(self, name, value):
        self._fields[name] = value

    def __delitem__(self, name):
        del self._fields[name]


def _setting(value, variable):
    """Return *value*, or the environment *variable* when value is None."""
    if value is None:
        value = os.environ.get(variable)
    return value


def _credentials(server_url, api_key, api_user):
    """Return the server URL (without trailing slashes), API key and user,
    completed from the environment; raise :exc:`TypeError` for a missing
    one."""
    server_url = _setting(server_url, 'FTRACK_SERVER')
    if not server_url:
        raise TypeError(
            'Required "server_url" not specified. Pass as argument or set '
            'in environment variable FTRACK_SERVER.'
        )

    if api_key is None:
        # The legacy variable counts only when the current one is unset.
        api_key = os.environ.get(
            'FTRACK_API_KEY', os.environ.get('FTRACK_APIKEY')
        )
    if not api_key:
        raise TypeError(
            'Required "api_key" not specified. Pass as argument or set in '
            'environment variable FTRACK_API_KEY.'
        )

    api_user = _setting(api_user, 'FTRACK_API_USER')
    if api_user is None:
        try:
            api_user = getpass.getuser()
        except Exception:
            api_user = None
    if not api_user:
        raise TypeError(
            'Required "api_user" not specified. Pass as argument, set in '
            'environment variable FTRACK_API_USER or one of the standard '
            "environment variables used by Python's getpass module."
        )
    return server_url.rstrip('/'), api_key, api_user


def _request_options(headers, cookies, strict_api):
    """Return the headers and cookies every request carries; raise
    :exc:`TypeError` for invalid options."""
    if cookies and not isinstance(cookies, collections.abc.Mapping):
        raise TypeError('The cookies argument is required to be a mapping.')
    if headers and not isinstance(headers, collections.abc.Mapping):
        raise TypeError('The headers argument is required to be a mapping.')
    if not isinstance(strict_api, bool):
        raise TypeError(
            'The strict_api argument is required to be a boolean.'
        )
    headers = dict(headers or {})
    headers['ftrack-strict-api'] = 'true' if strict_api else 'false'
    return headers, dict(cookies or {})


class Session(object):
    """A connection to an ftrack server.

    Missing *server_url*, *api_key* and *api_user* are read from the
    environment (``FTRACK_SERVER``, ``FTRACK_API_KEY``, ``FTRACK_API_USER``).
    Changes to entities are recorded and sent together by :meth:`commit`.
    Entities are cached in :attr:`cache`, a layered cache whose top layer is
    an in-memory cache; *cache* adds a layer below it (a cache, or a callable
    taking the session and returning one).
    """

    def __init__(
        self, server_url=None, api_key=None, api_user=None,
        auto_populate=True, plugin_paths=None, cache=None,
        cache_key_maker=None, auto_connect_event_hub=False,
        schema_cache_path=None, plugin_arguments=None, timeout=60,
        cookies=None, headers=None, strict_api=False,
    ):
        super().__init__()
        self.logger = logging.getLogger(
            __name__ + '.' + self.__class__.__name__
        )
        self._closed = False

        self._server_url, self._api_key, self._api_user = _credentials(
            server_url, api_key, api_user
        )
        headers, cookies = _request_options(headers, cookies, strict_api)

        self._thread_state = threading.local()
        self._default_auto_populate = auto_populate
        self._lock = threading.RLock()
        self.recorded_operations = (
            ftrack_api._unit_of_work.RecordedOperations()
        )

        self._local_cache = ftrack_api.cache.MemoryCache()
        layers = [self._local_cache]
        if callable(cache):
            cache = cache(self)
        if cache is not None:
            layers.append(cache)
        self.cache = ftrack_api.cache.LayeredCache(layers)
        if cache_key_maker is None:
            cache_key_maker = ftrack_api.cache.StringKeyMaker()
        self.cache_key_maker = cache_key_maker

        self.request_timeout = timeout
        self._transport = ftrack_api._http.ApiTransport(
            self._server_url,
            SessionAuthentication(self._api_key, self._api_user),
            headers, cookies,
        )

        self._server_information = self.call(
            [{'action': 'query_server_information'}]
        )[0]
        self.check_server_compatibility()

        self._event_hub = ftrack_api.event.hub.EventHub(
            self._server_url, self._api_user, self._api_key,
            headers=headers, cookies=cookies,
        )
        self._auto_connect_event_hub_thread = None
        if auto_connect_event_hub:
            self._event_hub.init_connection()
            self._auto_connect_event_hub_thread = threading.Thread(
                target=self._connect_event_hub, daemon=True
            )
            self._auto_connect_event_hub_thread.start()

        if plugin_paths is None:
            plugin_paths = os.environ.get(
                'FTRACK_EVENT_PLUGIN_PATH', ''
            ).split(os.pathsep)
        self._plugin_paths = plugin_paths
        self._plugin_arguments = plugin_arguments or {}
        ftrack_api.plugin.discover(
            self._plugin_paths, [self], self._plugin_arguments
        )

        self.schemas = ftrack_api._schema.load(
            self._fetch_schemas,
            self._server_information.get('schema_hash'),
            ftrack_api._schema.cache_file_path(schema_cache_path),
        )
        self.types = ftrack_api._schema.build_types(
            self._event_hub, self.schemas
        )

        ftrack_api._centralized_storage_scenario.register(self)
        self._configure_locations()
        self._publish_session_event('ftrack.api.session.ready')

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        self.close()

    # Configuration and state.

    server_url = ftrack_api._properties.read_only(
        '_server_url', 'The server URL, without trailing slashes.'
    )
    api_user = ftrack_api._properties.read_only(
        '_api_user', 'The user this session acts as.'
    )
    api_key = ftrack_api._properties.read_only(
        '_api_key', 'The API key this session authenticates with.'
    )
    event_hub = ftrack_api._properties.read_only(
        '_event_hub',
        'The :class:`~ftrack_api.event.hub.EventHub` of this session.'
    )
    closed = ftrack_api._properties.read_only(
        '_closed', 'Whether :meth:`close` was called.'
    )

    @property
    def server_information(self):
        """A copy of what the server said about itself at start-up."""
        return dict(self._server_information)

    @property
    def auto_populate(self):
        """Whether reading an unset value fetches it (per thread)."""
        return getattr(
            self._thread_state, 'auto_populate', self._default_auto_populate
        )

    @auto_populate.setter
    def auto_populate(self, value):
        self._thread_state.auto_populate = value

    @property
    def record_operations(self):
        """Whether changes are recorded for the next commit (per thread)."""
        return getattr(self._thread_state, 'record_operations', True)

    @record_operations.setter
    def record_operations(self, value):
        self._thread_state.record_operations = value

    def auto_populating(self, auto_populate):
        """Return a context manager setting :attr:`auto_populate`."""
        return AutoPopulatingContext(self, auto_populate)

    def operation_recording(self, record_operations):
        """Return a context manager setting :attr:`record_operations`."""
        return OperationRecordingContext(self, record_operations)

    @property
    def created(self):
        """Cached entities created since the last commit."""
        return self._entities_in_state(ftrack_api.symbol.CREATED)

    @property
    def modified(self):
        """Cached entities changed since the last commit."""
        return self._entities_in_state(ftrack_api.symbol.MODIFIED)

    @property
    def deleted(self):
        """Cached entities deleted since the last commit."""
        return self._entities_in_state(ftrack_api.symbol.DELETED)

    def _cached_entities(self):
        """Return the entities held by the in-memory cache layer."""
        return [
            value for value in self._local_cache.values()
            if isinstance(value, ftrack_api.entity.base.Entity)
        ]

    def _forget_cached(self, entity_type, key_values):
        """Remove the entity *entity_type* with primary key *key_values*
        from every cache layer, if it is there."""
        key = self.cache_key_maker.key(
            (str(entity_type), [str(value) for value in key_values])
        )
        try:
            self.cache.remove(key)
        except KeyError:
            pass

    def _entities_in_state(self, state):
        entities = self._cached_entities()
        return [
            entity for entity, entity_state in zip(
                entities, ftrack_api.inspection._states_of_each(entities)
            )
            if entity_state is state
        ]

    def check_server_compatibility(self):
        """Raise :exc:`~ftrack_api.exception.ServerCompatibilityError` if the
        server is older than this client supports."""
        version = self._server_information.get('version')
        if version is None:
            raise ftrack_api.exception.ServerCompatibilityError(
                'Could not determine server version.'
            )
        match = _VERSION_PATTERN.match(version)
        if match is None:
            # Development servers ("dev") and unusual versions are trusted.
            return
        parsed = tuple(int(part) for part in match.groups())
        if parsed < MINIMUM_SERVER_VERSION:
            raise ftrack_api.exception.ServerCompatibilityError(
                'Server version {0!r} incompatible with this version of the '
                'API which requires a server version >= {1!r}'.format(
                    parsed, MINIMUM_SERVER_VERSION
                )
            )

    def close(self):
        """Close the session: forget pending changes and cached entities and
        release the connection. Server requests fail from then on."""
        if self._closed:
            self.logger.debug('Session already closed.')
            return
        self._closed = True
        self.logger.debug('Closing session.')
        if self.recorded_operations:
            self.logger.warning(
                'Session closed with pending operations not persisted.'
            )
        self.recorded_operations.clear()
        self._local_cache.clear()
        self._transport.close()
        try:
            self._event_hub.disconnect()
        except ftrack_api.exception.EventHubConnectionError:
            pass
        if self._auto_connect_event_hub_thread is not None:
            self._auto_connect_event_hub_thread.join()

    def reset(self):
        """Forget pending changes and cached entities, keeping the schema
        and connection; locations are configured again."""
        if self.recorded_operations:
            self.logger.warning(
                'Resetting session with pending operations not persisted.'
            )
        self.recorded_operations.clear()
        self._local_cache.clear()
        self._configure_locations()
        self._publish_session_event('ftrack.api.session.reset')

    def _publish_session_event(self, topic):
        self._event_hub.publish(
            ftrack_api.event.base.Event(topic=topic, data={'session': self}),
            synchronous=True,
        )

    def _connect_event_hub(self):
        """Connect the event hub in the background, logging failures."""
        try:
            self._event_hub.connect()
        except Exception:
            if self._closed:
                # close() cancelled the attempt: nothing went wrong.
                self.logger.debug('Event hub connection cancelled.')
            else:
                self.logger.exception('Error connecting to the event server.')

    # Server calls.

    def _fetch_schemas(self):
        return self.call([{'action': 'query_schemas'}])[0]

    def _post(self, data):
        if self._closed:
            raise ftrack_api.exception.ConnectionClosedError()
        body = ftrack_api._encoding.encode(data, 'modified_only')
        self.logger.debug(ftrack_api.logging.LazyLogMessage(
            'Calling server {0} with {1}', self._server_url, body
        ))
        return self._transport.post(body, self.request_timeout)

    def call(self, data):
        """Send the list of actions *data* to the server in one request and
        return the list of results, one per action.

        Errors reported by the server raise
        :exc:`~ftrack_api.exception.ServerError`. Entities in the results are
        not merged into the session.
        """
        response = self._post(data)
        return ftrack_api._http.raise_for_result(response, self.decode)

    def _call_and_merge(self, data):
        """Like :meth:`call`, merging entities of the results as they are
        parsed."""
        if 'call' in vars(self) or type(self).call is not Session.call:
            # Scripts wrap or override call to log, count or retry requests;
            # as with the reference client, every request then goes through
            # it, and what it returns is merged afterwards.
            results = self.call(data)
            merged = {}
            with self._lock, self.operation_recording(False):
                return _merge_results(self, results, merged)
        response = self._post(data)
        with self._lock, self.operation_recording(False):
            return ftrack_api._http.raise_for_result(
                response,
                ftrack_api._encoding.json_decoder(
                    ftrack_api._merge.merging_object_hook(self)
                ),
            )

    def _query(self, expression):
        """Return (entities, metadata) of one query request."""
        result = self._call_and_merge(
            [{'action': 'query', 'expression': expression}]
        )[0]
        return result['data'], result['metadata']

    def _call_helper(self, action, operations):
        """Call *operations*, reporting servers without *action* clearly."""
        try:
            return self.call(operations)
        except ftrack_api.exception.ServerError as error:
            if "Invalid action u'{0}'".format(action) in error.message:
                raise ftrack_api.exception.ServerCompatibilityError(
                    'Server version {0!r} does not support "{1}", please '
                    'update server and try again.'.format(
                        self._server_information.get('version'), action
                    )
                )
            raise

    # Encoding.

    def encode(self, data, entity_attribute_strategy='set_only'):
        """Return *data* as JSON text the server understands.

        Entities are encoded with the attributes *entity_attribute_strategy*
        selects: ``all`` (fetching unset ones), ``set_only`` (known values),
        ``modified_only`` (unsaved changes) or ``persisted_only`` (server
        values, without computed attributes).
        """
        return ftrack_api._encoding.encode(data, entity_attribute_strategy)

    def decode(self, string):
        """Return the values of the JSON text *string*; entity objects become
        entities outside the session's cache."""
        with self.operation_recording(False):
            return ftrack_api._encoding.json_decoder(
                ftrack_api._encoding.detached_object_hook(self)
            )(string)

    def entity_reference(self, entity):
        """Return the type and primary key of *entity* as a mapping."""
        return ftrack_api._encoding.entity_reference(entity)

    # Entities.

    def create(self, entity_type, data=None, reconstructing=False):
        """Create an entity of *entity_type* from *data* and return the
        session's instance of it.

        Unless *reconstructing*, the creation is recorded for the next
        commit.
        """
        entity_class = self.types.get(entity_type)
        if entity_class is None:
            raise ftrack_api.exception.UnrecognisedEntityTypeError(
                entity_type=entity_type
            )
        entity = entity_class(self, data=data, reconstructing=reconstructing)
        with self._lock, self.operation_recording(False):
            return ftrack_api._merge.adopt_entity(self, entity)

    def delete(self, entity):
        """Record that *entity* is to be deleted on the next commit."""
        if self.record_operations:
            self.recorded_operations.push(
                ftrack_api.operation.DeleteEntityOperation(
                    entity.entity_type,
                    ftrack_api.inspection.primary_key(entity),
                )
            )

    def get(self, entity_type, entity_key):
        """Return the entity of *entity_type* with primary key *entity_key*
        (a value or a list of values), from the cache if possible; None when
        the server has none."""
        entity_class = self.types[entity_type]
        if isinstance(entity_key, str):
            entity_key = [entity_key]
        primary_key = entity_class.primary_key_attributes
        if len(entity_key) != len(primary_key):
            raise ValueError(
                'Incompatible entity_key {0!r} supplied. Entity type {1} '
                'expects a primary key composed of {2} values ({3}).'.format(
                    entity_key, entity_type, len(primary_key),
                    ', '.join(primary_key)
                )
            )

        item = (str(entity_type), [str(value) for value in entity_key])
        key_maker = self.cache_key_maker
        if type(key_maker) is ftrack_api.cache.StringKeyMaker:
            # What the default key maker makes of one item, without calls.
            key = str(item)
        else:
            key = key_maker.key(item)
        cache = self.cache
        top = ftrack_api.cache._top_memory_store(cache)
        if top is not None:
            # A hit in the top layer is what the layered lookup returns
            # first; only a miss needs the layers below.
            found = top.get(key)
            if found is not None:
                return found
        try:
            return cache.get(key)
        except KeyError:
            pass

        criteria = ' and '.join(
            '{0} is "{1}"'.format(name, value)
            for name, value in zip(primary_key, entity_key)
        )
        results = self.query(
            '{0} where ({1})'.format(entity_type, criteria)
        ).all()
        if results:
            return results[0]
        return None

    def query(self, expression, page_size=500):
        """Return a lazy :class:`~ftrack_api.query.QueryResult` for
        *expression*.

        An expression not starting with ``select`` selects the default
        projections of its entity type.
        """
        if not expression.startswith('select'):
            entity_type = expression.split(' ', 1)[0]
            projections = self.types[entity_type].default_projections
            expression = 'select {0} from {1}'.format(
                ', '.join(projections), expression
            )
        return ftrack_api.query.QueryResult(
            self, expression, page_size=page_size
        )

    def populate(self, entities, projections):
        """Fetch *projections* (text as in a ``select``) for *entities* in
        one query. Entities created in this session are skipped; local
        values are kept."""
        if isinstance(entities, ftrack_api.query.QueryResult):
            entities = entities.all()
        elif not isinstance(entities, (list, tuple)):
            entities = [entities]

        entities = [
            entity for entity, state in zip(
                entities, ftrack_api.inspection._states_of_each(list(entities))
            )
            if state is not ftrack_api.symbol.CREATED
        ]
        if not entities:
            return

        first = entities[0]
        primary_key = first.primary_key_attributes
        keys = [
            ftrack_api.inspection._primary_key_values(entity)
            for entity in entities
        ]
        if len(primary_key) > 1:
            criteria = ' or '.join(
                '({0})'.format('and '.join(
                    '{0} is "{1}"'.format(name, value)
                    for name, value in zip(primary_key, key)
                ))
                for key in keys
            )
        elif len(keys) > 1:
            criteria = '{0} in ({1})'.format(
                primary_key[0], ','.join(key[0] for key in keys)
            )
        else:
            criteria = '{0} is {1}'.format(primary_key[0], keys[0][0])

        self.query(
            'select {0} from {1} where {2}'.format(
                projections, first.entity_type, criteria
            )
        ).all()

    def merge(self, value, merged=None):
        """Return *value* with its entities replaced by the session's
        instances, merging their values into them."""
        if merged is None:
            merged = {}
        with self._lock, self.operation_recording(False):
            return ftrack_api._merge.merge(self, value, merged)

    def _merge(self, value, merged):
        """Merge *value* within an ongoing merge."""
        return ftrack_api._merge.merge(self, value, merged)

    def ensure(self, entity_type, data, identifying_keys=None):
        """Return the entity of *entity_type* matching *data*, creating it
        (and committing) if none exists.

        Only *identifying_keys* (default: every key of *data*) are used to
        find the entity; other values of *data* are updated when different.
        """
        if not identifying_keys:
            identifying_keys = list(data.keys())
        if not identifying_keys:
            raise ValueError(
                'Could not determine any identifying data to check against '
                'when ensuring {0!r} with data {1!r}. Identifying keys: '
                '{2!r}'.format(entity_type, data, identifying_keys)
            )

        criteria = []
        for key in identifying_keys:
            criteria.append(
                '{0} is {1}'.format(key, _query_literal(data[key]))
            )
        expression = '{0} where {1}'.format(
            entity_type, ' and '.join(criteria)
        )

        try:
            entity = self.query(expression).one()
        except ftrack_api.exception.NoResultFoundError:
            entity = self.create(entity_type, data)
            self.commit()
            return entity

        changed = False
        for key, value in data.items():
            if entity[key] != value:
                entity[key] = value
                changed = True
        if changed:
            self.commit()
        return entity

    # Unit of work.

    def commit(self):
        """Send every recorded change to the server in one request.

        On success the changes become the entities' remote values. On
        failure the exception propagates and the changes stay recorded (see
        :meth:`rollback`).
        """
        with self._lock:
            batch = ftrack_api._unit_of_work.build_batch(
                self.recorded_operations
            )
            if not batch:
                return
            results = self._call_and_merge(batch)

            # Entities created and deleted in this batch never reached the
            # server: they leave the cache, as a rollback would drop them.
            for entity_type, key_values in (
                ftrack_api._unit_of_work.transient_identities(
                    self.recorded_operations
                )
            ):
                self._forget_cached(entity_type, key_values)
            self.recorded_operations.clear()
            ftrack_api._unit_of_work.forget_local_values(
                self._cached_entities(), keep_primary_keys=True
            )
            # Entities in the results were merged while parsing; a result
            # that does not name its action is malformed (KeyError).
            for result in results:
                result['action']

    def rollback(self):
        """Forget every recorded change: created entities leave the cache
        and local values revert to the remote ones."""
        with self._lock, self.operation_recording(False):
            for operation in self.recorded_operations:
                if isinstance(
                    operation, ftrack_api.operation.CreateEntityOperation
                ):
                    # The reference builds this key itself, ignoring the
                    # session's key maker.
                    key = str((
                        str(operation.entity_type),
                        list(operation.entity_key.values()),
                    ))
                    try:
                        self.cache.remove(key)
                    except KeyError:
                        pass
            ftrack_api._unit_of_work.forget_local_values(
                self._cached_entities(), keep_primary_keys=False
            )
            self.recorded_operations.clear()

    # Locations.

    def _configure_locations(self):
        """Set up the built-in locations, then let plugins add theirs.

        In the reference's order: the built-in locations
        (:mod:`ftrack_api._locations`), then
        ``ftrack.storage-scenario.activate`` when the server has a storage
        scenario (:mod:`ftrack_api._centralized_storage_scenario` handles
        the centralized one), then ``ftrack.api.session.configure-location``.
        """
        ftrack_api._locations.configure_builtin_locations(self)

        storage_scenario = self._server_information.get('storage_scenario')
        if storage_scenario and storage_scenario.get('scenario'):
            self._event_hub.publish(
                ftrack_api.event.base.Event(
                    topic='ftrack.storage-scenario.activate',
                    data={'storage_scenario': storage_scenario},
                ),
                synchronous=True,
            )

        self._publish_session_event('ftrack.api.session.configure-location')

    def pick_location(self, component=None):
        """Return the preferred location: the accessible location with the
        lowest priority (holding *component*, when given), or None."""
        if component is not None:
            return self.pick_locations([component])[0]
        locations = self._accessible_locations()
        return locations[0] if locations else None

    def pick_locations(self, components):
        """Return :meth:`pick_location` of each of *components*."""
        locations = self._accessible_locations()
        availabilities = self.get_component_availabilities(
            components, locations=locations
        )
        picked = []
        for availability in availabilities:
            chosen = None
            for location in locations:
                if availability.get(location['id'], 0.0) > 0.0:
                    chosen = location
                    break
            picked.append(chosen)
        return picked

    def _accessible_locations(self):
        """Return the locations with an accessor, preferred first."""
        locations = [
            location for location in self.query('Location').all()
            if getattr(location, 'accessor', NOT_SET)
        ]
        return sorted(
            locations, key=lambda location: getattr(location, 'priority', 95)
        )

    def get_component_availability(self, component, locations=None):
        """Return {location id: percentage of *component* present there}."""
        return self.get_component_availabilities(
            [component], locations=locations
        )[0]

    def get_component_availabilities(self, components, locations=None):
        """Return :meth:`get_component_availability` of each of
        *components* (all locations by default)."""
        containers = [c for c in components if 'members' in c.keys()]
        plain = [c for c in components if 'members' not in c.keys()]
        if plain:
            self.populate(plain, 'component_locations.location_id')
        if containers:
            self.populate(
                containers, 'members, component_locations.location_id'
            )
        # Asked after the components, as the reference client does.
        if locations is None:
            locations = self.query('Location').all()

        empty = dict.fromkeys((location['id'] for location in locations), 0.0)
        availabilities = []
        for component in components:
            availability = dict(empty)
            members = (
                component['members'] if 'members' in component.keys() else None
            )
            if members:
                share = 1.0 / len(members)
                for member_availability in self.get_component_availabilities(
                    members, locations=locations
                ):
                    for location_id, percentage in member_availability.items():
                        availability[location_id] += percentage * share
            else:
                for component_location in component['component_locations']:
                    location_id = component_location['location_id']
                    if location_id in availability:
                        availability[location_id] = 100.0
            for location_id, percentage in availability.items():
                availability[location_id] = max(
                    0.0, min(round(percentage, 9), 100.0)
                )
            availabilities.append(availability)
        return availabilities

    def create_component(self, path, data=None, location='auto'):
        """Create a component for the file or clique sequence at *path*.

        The component is registered in the origin location and then added
        to *location*: ``'auto'`` picks one (:meth:`pick_location`), None
        adds it nowhere else. *data* holds extra values and is updated with
        the computed size and file type.
        """
        if data is None:
            data = {}
        if location == 'auto':
            if data.get('name') in _REVIEW_COMPONENT_NAMES:
                location = self.get(
                    'Location', ftrack_api.symbol.REVIEW_LOCATION_ID
                )
            else:
                location = self.pick_location()

        try:
            collection = clique.parse(path)
        except ValueError:
            data.setdefault('size', _file_size(path))
            # Plugins are asked even when *data* names the type, as the
            # reference does.
            data.setdefault('file_type', self._file_type(path))
            return self._create_component(
                'FileComponent', path, data, location
            )

        member_sizes = {}
        size = data.get('size')
        if size is not None:
            if collection.indexes:
                share = int(round(size / len(collection.indexes)))
                member_sizes = dict.fromkeys(collection, share)
        else:
            size = 0
            for member_path in collection:
                member_sizes[member_path] = _file_size(member_path)
                size += member_sizes[member_path]

        container_path = collection.format('{head}{padding}{tail}')
        # Members take the type found for the pattern, whatever *data* says
        # of the container's.
        file_type = self._file_type(container_path)
        data.setdefault('padding', collection.padding)
        data.setdefault('file_type', file_type)
        data.setdefault('size', size)
        container = self._create_component(
            'SequenceComponent', container_path, data, location=None
        )
        for member_path in collection:
            member = self._create_component(
                'FileComponent',
                member_path,
                {
                    'name': collection.match(member_path).group('index'),
                    'container': container,
                    'size': member_sizes.get(member_path, 0),
                    'file_type': file_type,
                },
                location=None,
            )
            container['members'].append(member)

        if location:
            origin = self.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
            location.add_component(container, origin, recursive=True)
        return container

    def _file_type(self, path):
        """Ask plugins for the file type of *path*, else use its extension."""
        results = self._event_hub.publish(
            ftrack_api.event.base.Event(
                topic='ftrack.api.session.get-file-type-from-string',
                data={'file_path': path},
            ),
            synchronous=True,
        )
        for result in results or ():
            if result:
                return result
        return os.path.splitext(path)[-1]

    def _create_component(self, entity_type, path, data, location):
        component = self.create(entity_type, data)
        origin = self.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
        origin.add_component(component, path, recursive=False)
        if location:
            location.add_component(component, origin, recursive=False)
        return component

    def encode_media(self, media, version_id=None, keep_original='auto'):
        """Ask the server to encode *media* (a file path or a
        ``FileComponent``) for review; return the encoding ``Job``.

        A path is first uploaded to the server location. *keep_original*
        (default: False for paths, True for components) keeps the source as
        a component of the version *version_id*.
        """
        if isinstance(media, str):
            server = self.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
            if keep_original == 'auto':
                keep_original = False
            component_data = None
            if keep_original:
                component_data = {'version_id': version_id}
            component = self.create_component(
                media, data=component_data, location=server
            )
            self.commit()
        elif getattr(media, 'entity_type', None) == 'FileComponent':
            component = media
            if keep_original == 'auto':
                keep_original = True
        else:
            raise ValueError(
                'Unable to encode media of type: {0}'.format(type(media))
            )

        result = self._call_helper('encode_media', [{
            'action': 'encode_media',
            'component_id': component['id'],
            'version_id': version_id,
            'keep_original': keep_original,
        }])
        return self.get('Job', result[0]['job_id'])

    # Server helpers.

    def get_widget_url(self, name, entity=None, theme=None):
        """Return an authenticated URL of the widget *name* (``info``,
        ``tasks`` or ``tasks_browser``), about *entity* if given."""
        operation = {'action': 'get_widget_url', 'name': name, 'theme': theme}
        if entity is not None:
            operation['entity_type'] = entity.entity_type
            operation['entity_key'] = list(
                ftrack_api.inspection.primary_key(entity).values()
            )
        result = self._call_helper('get_widget_url', [operation])
        return result[0]['widget_url']

    def get_upload_metadata(
        self, component_id, file_name, file_size, checksum=None
    ):
        """Return where and how to upload the data of a component."""
        return self._call_helper('get_upload_metadata', [{
            'action': 'get_upload_metadata',
            'component_id': component_id,
            'file_name': file_name,
            'file_size': file_size,
            'checksum': checksum,
        }])[0]

    def send_user_invite(self, user):
        """Email *user* an invitation to the server."""
        self.send_user_invites([user])

    def send_user_invites(self, users):
        """Email each of *users* an invitation, in one request."""
        self._call_helper('send_user_invite', [
            {'action': 'send_user_invite', 'user_id': user['id']}
            for user in users
        ])

    def send_review_session_invite(self, invitee):
        """Email a review session *invitee* an invitation."""
        self.send_review_session_invites([invitee])

    def send_review_session_invites(self, invitees):
        """Email each review session invitee an invitation, in one request."""
        self._call_helper('send_review_session_invite', [
            {
                'action': 'send_review_session_invite',
                'review_session_invitee_id': invitee['id'],
            }
            for invitee in invitees
        ])

    def reset_remote(self, reset_type, entity=None):
        """Reset a server-side value, e.g. ``'api_key'`` of a user, and
        return the result data."""
        operation = {'action': 'reset_remote', 'reset_type': reset_type}
        if entity is not None:
            operation['entity_type'] = entity.entity_type
            operation['entity_key'] = entity['id']
        return self._call_helper('reset_remote', [operation])[0]['data']


def _file_size(path):
    """Return the size of the file at *path*, 0 if it cannot be read."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _merge_results(session, value, merged):
    """Return the results *value* of a call with every entity in them
    replaced by the session's merged instance."""
    if isinstance(value, ftrack_api.entity.base.Entity):
        return ftrack_api._merge.merge_entity(session, value, merged)
    if isinstance(value, list):
        return [_merge_results(session, item, merged) for item in value]
    if isinstance(value, dict):
        return {
            key: _merge_results(session, item, merged)
            for key, item in value.items()
        }
    return value


def _query_literal(value):
    """Return *value* written as a query criterion value."""
    if isinstance(value, str):
        return '"{0}"'.format(value)
    if isinstance(value, (arrow.Arrow, datetime.datetime, datetime.date)):
        # The server keeps neither time zones nor microseconds.
        wall_clock = arrow.get(value).naive.replace(microsecond=0)
        return '"{0}"'.format(wall_clock.isoformat())
    return str(value)
