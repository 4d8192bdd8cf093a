"""Session construction, configuration, life cycle and per-thread flags."""

import contextlib
import getpass
import json
import os
import threading

import pytest

import ftrack_api
import ftrack_api.cache
import ftrack_api.exception
import ftrack_api.symbol

from session_helpers import Transcript, new_session, project_tree  # noqa: F401

ENVIRONMENT = (
    'FTRACK_SERVER', 'FTRACK_API_KEY', 'FTRACK_APIKEY', 'FTRACK_API_USER',
    'FTRACK_EVENT_PLUGIN_PATH', 'FTRACK_API_SCHEMA_CACHE_PATH',
)


@pytest.fixture
def clean_environment(monkeypatch):
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# Configuration errors, all raised before any request.

def test_missing_server_url_is_a_type_error(clean_environment):
    with pytest.raises(TypeError) as error:
        ftrack_api.Session(api_key='k', api_user='u')
    assert str(error.value) == (
        'Required "server_url" not specified. Pass as argument or set in '
        'environment variable FTRACK_SERVER.'
    )


def test_empty_server_url_is_not_replaced_by_the_environment(clean_environment):
    clean_environment.setenv('FTRACK_SERVER', 'http://example.invalid')
    with pytest.raises(TypeError, match='"server_url"'):
        ftrack_api.Session(server_url='', api_key='k', api_user='u')


def test_missing_api_key_is_a_type_error(clean_environment):
    with pytest.raises(TypeError) as error:
        ftrack_api.Session(server_url='http://example.invalid', api_user='u')
    assert str(error.value) == (
        'Required "api_key" not specified. Pass as argument or set in '
        'environment variable FTRACK_API_KEY.'
    )


def test_empty_api_key_variable_does_not_fall_back_to_the_legacy_one(
    clean_environment
):
    clean_environment.setenv('FTRACK_API_KEY', '')
    clean_environment.setenv('FTRACK_APIKEY', 'legacy')
    with pytest.raises(TypeError, match='"api_key"'):
        ftrack_api.Session(server_url='http://example.invalid', api_user='u')


def test_missing_api_user_is_a_type_error(clean_environment):
    with pytest.raises(TypeError) as error:
        ftrack_api.Session(
            server_url='http://example.invalid', api_key='k', api_user=''
        )
    assert str(error.value) == (
        'Required "api_user" not specified. Pass as argument, set in '
        'environment variable FTRACK_API_USER or one of the standard '
        "environment variables used by Python's getpass module."
    )


@pytest.mark.parametrize('arguments, message', [
    ({'cookies': [('a', 'b')]},
     'The cookies argument is required to be a mapping.'),
    ({'headers': 'x'}, 'The headers argument is required to be a mapping.'),
    ({'strict_api': 1}, 'The strict_api argument is required to be a boolean.'),
    ({'strict_api': 'true'},
     'The strict_api argument is required to be a boolean.'),
])
def test_invalid_options_are_type_errors(arguments, message):
    with pytest.raises(TypeError) as error:
        ftrack_api.Session(
            server_url='http://example.invalid', api_key='k', api_user='u',
            **arguments
        )
    assert str(error.value) == message


# Construction against the emulator.

def test_environment_supplies_the_connection_settings(
    ftrack_server, clean_environment
):
    clean_environment.setenv('FTRACK_SERVER', ftrack_server.url + '///')
    clean_environment.setenv('FTRACK_APIKEY', ftrack_server.api_key)
    clean_environment.setenv('FTRACK_API_USER', ftrack_server.api_user)
    with ftrack_api.Session(schema_cache_path=False) as session:
        assert session.server_url == ftrack_server.url
        assert session.api_key == ftrack_server.api_key
        assert session.api_user == ftrack_server.api_user


def test_api_user_defaults_to_the_login_name(ftrack_server, clean_environment):
    clean_environment.setenv('FTRACK_SERVER', ftrack_server.url)
    clean_environment.setenv('FTRACK_API_KEY', ftrack_server.api_key)
    for name in ('LOGNAME', 'USER', 'LNAME', 'USERNAME'):
        clean_environment.setenv(name, ftrack_server.api_user)
    assert getpass.getuser() == ftrack_server.api_user
    with ftrack_api.Session(schema_cache_path=False) as session:
        assert session.api_user == ftrack_server.api_user


def test_bad_credentials_fail_construction_with_a_server_error(ftrack_server):
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        new_session(ftrack_server, api_key='wrong')
    assert str(error.value).startswith(
        'Server reported error: InvalidCredentialsError('
    )


def test_every_request_carries_auth_and_strict_headers(ftrack_server):
    session = new_session(
        ftrack_server, headers={'X-Studio': 'north'}, cookies={'c': 'd'}
    )
    try:
        transcript = Transcript(session)
        session.query('User').first()
        headers = transcript.exchanges[0]['headers']
        assert headers['ftrack-user'] == ftrack_server.api_user
        assert headers['ftrack-api-key'] == ftrack_server.api_key
        assert headers['ftrack-strict-api'] == 'false'
        assert headers['X-Studio'] == 'north'
        assert headers['content-type'] == 'application/json'
        assert headers['accept'] == 'application/json'
        assert 'c=d' in headers['Cookie']
        assert session.event_hub._headers == {
            'X-Studio': 'north', 'ftrack-strict-api': 'false'
        }
    finally:
        session.close()


def test_strict_api_is_announced(ftrack_server):
    session = new_session(ftrack_server, strict_api=True)
    try:
        transcript = Transcript(session)
        session.query('User').first()
        assert transcript.exchanges[0]['headers']['ftrack-strict-api'] == 'true'
    finally:
        session.close()


@contextlib.contextmanager
def recorded_actions():
    """Record the actions of every session call made meanwhile (the calls
    themselves go through unchanged)."""
    actions = []
    original = ftrack_api.session.Session.call

    def record(self, data):
        actions.append([operation['action'] for operation in data])
        return original(self, data)

    ftrack_api.session.Session.call = record
    try:
        yield actions
    finally:
        ftrack_api.session.Session.call = original


def test_startup_requests(ftrack_server):
    # With the schema cache disabled the schemas are always fetched.
    with recorded_actions() as actions:
        new_session(ftrack_server).close()
    assert actions == [['query_server_information'], ['query_schemas']]


def test_public_state_after_construction(ftrack_session, ftrack_server):
    session = ftrack_session
    assert session.closed is False
    assert session.request_timeout == 60
    assert isinstance(session.cache, ftrack_api.cache.LayeredCache)
    assert isinstance(session.cache.caches[0], ftrack_api.cache.MemoryCache)
    assert len(session.cache.caches) == 1
    assert isinstance(session.cache_key_maker, ftrack_api.cache.StringKeyMaker)
    assert len(session.types) == len(session.schemas) == 116
    assert session.types['Task'].entity_type == 'Task'
    assert session.logger.name == 'ftrack_api.session.Session'
    assert not session.recorded_operations


def test_server_information_is_a_copy(ftrack_session):
    information = ftrack_session.server_information
    information['version'] = 'changed'
    assert ftrack_session.server_information['version'] != 'changed'
    assert ftrack_session.server_information['schema_hash']


@pytest.mark.parametrize('version, compatible', [
    ('3.3.11', True), ('3.3.10', False), ('2.0.0.1', False),
    ('3.4', True), ('dev', True), ('24.10.0', True), (None, False),
])
def test_server_compatibility(ftrack_session, version, compatible):
    ftrack_session._server_information = (
        {'version': version} if version is not None else {}
    )
    if compatible:
        ftrack_session.check_server_compatibility()
        return
    with pytest.raises(ftrack_api.exception.ServerCompatibilityError) as error:
        ftrack_session.check_server_compatibility()
    if version is None:
        assert str(error.value) == 'Could not determine server version.'
    else:
        assert str(error.value).startswith('Server version (')
        assert '(3, 3, 11)' in str(error.value)


def test_timeout_is_kept_as_request_timeout(ftrack_server):
    session = new_session(ftrack_server, timeout=5)
    try:
        assert session.request_timeout == 5
        session.request_timeout = 7
        assert session.query('User').first() is not None
    finally:
        session.close()


# Cache argument.

def test_cache_argument_becomes_the_second_layer(ftrack_server):
    extra = ftrack_api.cache.MemoryCache()
    session = new_session(ftrack_server, cache=extra)
    try:
        assert session.cache.caches[1] is extra
        user = session.query('User').first()
        assert extra.get(
            session.cache_key_maker.key(ftrack_api.inspection.identity(user))
        ) is user
    finally:
        session.close()


def test_get_finds_an_entity_held_only_by_a_lower_layer(ftrack_server):
    extra = ftrack_api.cache.MemoryCache()
    session = new_session(ftrack_server, cache=extra)
    try:
        user = session.query('User').first()
        key = session.cache_key_maker.key(ftrack_api.inspection.identity(user))
        top = session.cache.caches[0]
        top.remove(key)
        transcript = Transcript(session)
        assert session.get('User', user['id']) is user
        assert transcript.exchanges == []
        # The layered lookup copied it back into the memory layer.
        assert top.get(key) is user
    finally:
        session.close()


def test_cache_argument_may_be_a_callable(ftrack_server):
    seen = []

    def make(session):
        seen.append(session)
        return None

    session = new_session(ftrack_server, cache=make)
    try:
        assert seen == [session]
        assert len(session.cache.caches) == 1
    finally:
        session.close()


def test_custom_key_maker_is_used_for_the_cache(ftrack_server):
    key_maker = ftrack_api.cache.ObjectKeyMaker()
    session = new_session(ftrack_server, cache_key_maker=key_maker)
    try:
        user = session.query('User').first()
        assert session.cache_key_maker is key_maker
        assert all(isinstance(key, bytes) for key in session.cache.keys())
        assert session.get('User', user['id']) is user
    finally:
        session.close()


# Schema cache.

def test_schema_cache_is_written_then_reused(ftrack_server, tmp_path):
    session = new_session(ftrack_server, schema_cache_path=str(tmp_path))
    session.close()
    cache_file = tmp_path / 'ftrack_api_schema_cache.json'
    text = cache_file.read_text()
    assert text.startswith('[\n    {')
    assert json.loads(text) == session.schemas

    with recorded_actions() as actions:
        new_session(ftrack_server, schema_cache_path=str(tmp_path)).close()
    assert actions == [['query_server_information']]


def test_stale_or_broken_schema_cache_is_refetched(ftrack_server, tmp_path):
    cache_file = tmp_path / 'ftrack_api_schema_cache.json'
    cache_file.write_text('not json')
    session = new_session(ftrack_server, schema_cache_path=str(tmp_path))
    session.close()
    assert json.loads(cache_file.read_text()) == session.schemas

    cache_file.write_text(json.dumps([{'id': 'Stale'}]))
    session = new_session(ftrack_server, schema_cache_path=str(tmp_path))
    session.close()
    assert 'Task' in session.types


def test_schema_cache_path_from_environment(ftrack_server, tmp_path, monkeypatch):
    monkeypatch.setenv('FTRACK_API_SCHEMA_CACHE_PATH', str(tmp_path))
    new_session(ftrack_server, schema_cache_path=None).close()
    assert (tmp_path / 'ftrack_api_schema_cache.json').exists()


def test_unwritable_schema_cache_is_ignored(ftrack_server, tmp_path):
    missing = tmp_path / 'missing' / 'directory'
    session = new_session(ftrack_server, schema_cache_path=str(missing))
    session.close()
    assert not missing.exists()
    assert 'Task' in session.types


# Plugins and session events.

PLUGIN = '''
import ftrack_api
EVENTS = []

def register(session, **kw):
    if not isinstance(session, ftrack_api.Session):
        return
    session.plugin_arguments_seen = kw
    has_types = bool(getattr(session, 'types', None))

    def record(event):
        data = event['data']
        EVENTS.append((event['topic'], data.get('schema', {}).get('id')))
        if event['topic'] == 'ftrack.api.session.construct-entity-type':
            if data['schema']['id'] == 'Sequence':
                from ftrack_api.entity.factory import StandardFactory
                import ftrack_api.entity.base

                class Custom(ftrack_api.entity.base.Entity):
                    def describe(self):
                        return 'sequence ' + self['name']

                return StandardFactory().create(data['schema'], bases=[Custom])

    session.event_hub.subscribe('topic=ftrack.api.session.*', record)
    session.event_hub.subscribe('topic=ftrack.storage-scenario.activate', record)
    session.plugin_saw_types = has_types
    session.plugin_events = EVENTS
'''


@pytest.fixture
def plugin_directory(tmp_path):
    directory = tmp_path / 'plugins'
    directory.mkdir()
    (directory / 'recorder.py').write_text(PLUGIN)
    return directory


def test_plugins_see_startup_events_in_order(ftrack_server, plugin_directory):
    session = new_session(
        ftrack_server, plugin_paths=[str(plugin_directory)],
        plugin_arguments={'studio': 'north'},
    )
    try:
        assert session.plugin_arguments_seen == {'studio': 'north'}
        assert session.plugin_saw_types is False
        topics = [topic for topic, _ in session.plugin_events]
        constructs = topics[:116]
        assert set(constructs) == {'ftrack.api.session.construct-entity-type'}
        assert [schema for _, schema in session.plugin_events[:116]] == [
            schema['id'] for schema in session.schemas
        ]
        assert topics[116:] == [
            'ftrack.storage-scenario.activate',
            'ftrack.api.session.configure-location',
            'ftrack.api.session.ready',
        ]

        del session.plugin_events[:]
        session.reset()
        assert [topic for topic, _ in session.plugin_events] == [
            'ftrack.storage-scenario.activate',
            'ftrack.api.session.configure-location',
            'ftrack.api.session.reset',
        ]
    finally:
        session.close()


def test_construct_entity_type_event_can_supply_the_class(
    ftrack_server, plugin_directory, project_tree  # noqa: F811
):
    session = new_session(ftrack_server, plugin_paths=[str(plugin_directory)])
    try:
        sequence = session.get('Sequence', project_tree['sequences'][0])
        assert sequence.describe() == 'sequence sq010'
        assert isinstance(sequence, session.types['Sequence'])
    finally:
        session.close()


def test_two_classes_for_one_schema_is_an_error(ftrack_server, tmp_path):
    (tmp_path / 'twice.py').write_text(
        'def register(session, **kw):\n'
        '    for _ in range(2):\n'
        '        session.event_hub.subscribe(\n'
        '            "topic=ftrack.api.session.construct-entity-type",\n'
        '            lambda event: object)\n'
    )
    with pytest.raises(ValueError) as error:
        new_session(ftrack_server, plugin_paths=[str(tmp_path)])
    assert str(error.value).startswith(
        'Expected single entity type to represent schema "'
    )
    assert 'but received 2 entity types instead.' in str(error.value)


def test_plugin_path_from_environment(ftrack_server, plugin_directory, monkeypatch):
    monkeypatch.setenv(
        'FTRACK_EVENT_PLUGIN_PATH',
        os.pathsep.join(['', str(plugin_directory)]),
    )
    session = new_session(ftrack_server)
    try:
        assert hasattr(session, 'plugin_events')
    finally:
        session.close()


# Life cycle.

def test_close_is_idempotent_and_blocks_server_calls(ftrack_server):
    session = new_session(ftrack_server)
    user = session.query('User').first()
    session.close()
    session.close()
    assert session.closed is True
    assert list(session.cache.keys()) == []
    for call in (
        lambda: session.query('User').all(),
        lambda: session.call([{'action': 'query_server_information'}]),
        lambda: session.get('User', user['id']),
        lambda: session.populate([user], 'username'),
    ):
        with pytest.raises(ftrack_api.exception.ConnectionClosedError) as error:
            call()
        assert str(error.value) == 'Connection closed.'


def test_close_forgets_pending_operations(ftrack_server, caplog):
    session = new_session(ftrack_server)
    session.create('User', {'username': 'never'})
    session.close()
    assert len(session.recorded_operations) == 0
    assert 'pending operations' in caplog.text
    session.create('User', {'username': 'late'})
    with pytest.raises(ftrack_api.exception.ConnectionClosedError):
        session.commit()


def test_context_manager_closes_on_error(ftrack_server):
    with pytest.raises(RuntimeError):
        with new_session(ftrack_server) as session:
            assert isinstance(session, ftrack_api.Session)
            raise RuntimeError('boom')
    assert session.closed


def test_reset_clears_operations_and_cache_but_keeps_types(ftrack_session):
    user = ftrack_session.query('User').first()
    types = ftrack_session.types
    ftrack_session.create('User', {'username': 'pending'})
    ftrack_session.reset()
    assert len(ftrack_session.recorded_operations) == 0
    assert ftrack_session.types is types
    fresh = ftrack_session.query('User where id is "{0}"'.format(user['id'])).one()
    assert fresh is not user
    # Built-in locations are configured again.
    assert ftrack_session.get(
        'Location', ftrack_api.symbol.ORIGIN_LOCATION_ID
    )['name'] == 'ftrack.origin'


def test_builtin_locations_need_no_request(ftrack_session):
    transcript = Transcript(ftrack_session)
    for location_id, name in (
        (ftrack_api.symbol.ORIGIN_LOCATION_ID, 'ftrack.origin'),
        (ftrack_api.symbol.UNMANAGED_LOCATION_ID, 'ftrack.unmanaged'),
        (ftrack_api.symbol.REVIEW_LOCATION_ID, 'ftrack.review'),
        (ftrack_api.symbol.SERVER_LOCATION_ID, 'ftrack.server'),
    ):
        assert ftrack_session.get('Location', location_id)['name'] == name
    assert transcript.exchanges == []
    assert ftrack_session.created == []


# Per-thread flags.

def test_auto_populate_is_per_thread(ftrack_server):
    session = new_session(ftrack_server, auto_populate=False)
    try:
        assert session.auto_populate is False
        seen = []
        session.auto_populate = True

        def other():
            seen.append(session.auto_populate)
            session.auto_populate = False

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert seen == [False]
        assert session.auto_populate is True
    finally:
        session.close()


def test_record_operations_is_per_thread(ftrack_session):
    assert ftrack_session.record_operations is True
    seen = []
    with ftrack_session.operation_recording(False):
        assert ftrack_session.record_operations is False
        thread = threading.Thread(
            target=lambda: seen.append(ftrack_session.record_operations)
        )
        thread.start()
        thread.join()
    assert seen == [True]
    assert ftrack_session.record_operations is True


def test_contexts_restore_the_previous_value(ftrack_session):
    with ftrack_session.auto_populating(False):
        with ftrack_session.auto_populating(True):
            assert ftrack_session.auto_populate is True
        assert ftrack_session.auto_populate is False
    assert ftrack_session.auto_populate is True

    with pytest.raises(RuntimeError):
        with ftrack_session.operation_recording(False):
            raise RuntimeError()
    assert ftrack_session.record_operations is True


def test_operations_are_not_recorded_when_recording_is_off(ftrack_session):
    with ftrack_session.operation_recording(False):
        ftrack_session.create('User', {'username': 'quiet'})
    assert len(ftrack_session.recorded_operations) == 0


def test_session_is_usable_from_several_threads(ftrack_session, project_tree):  # noqa: F811
    errors = []
    results = []

    def work(task_id):
        try:
            task = ftrack_session.get('Task', task_id)
            results.append((task_id, task['name'], task['parent']['name']))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=work, args=(task_id,))
        for task_id in project_tree['tasks']
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(task_id for task_id, _, _ in results) == sorted(
        project_tree['tasks']
    )
    for task_id, _, _ in results:
        assert ftrack_session.get('Task', task_id) is ftrack_session.get(
            'Task', task_id
        )


def test_package_import_exposes_the_session_and_submodules():
    import subprocess
    import sys
    code = (
        'import ftrack_api\n'
        'assert ftrack_api.Session is ftrack_api.session.Session\n'
        'for name in ("exception", "event", "symbol", "cache", "entity", '
        '"attribute", "collection", "inspection", "query", "operation", '
        '"structure", "accessor", "data", "logging", "plugin"):\n'
        '    getattr(ftrack_api, name)\n'
        'ftrack_api.event.hub.EventHub\n'
        'ftrack_api.entity.factory.StandardFactory\n'
    )
    subprocess.run([sys.executable, '-c', code], check=True)
