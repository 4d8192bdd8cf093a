"""Parity scenario: session construction, configuration, plugins, events,
threads, reset and close."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ftrack_api  # noqa: E402

import recorder  # noqa: E402

PLUGIN = '''
import ftrack_api.entity.factory

SEEN = []


def register(session, **kw):
    if not hasattr(session, 'event_hub'):
        return
    hub = session.event_hub
    kw_text = sorted(kw.items())

    def construct(event):
        schema = event['data']['schema']
        SEEN.append(('construct', schema['id']))
        if schema['id'] == 'Shot':
            cls = ftrack_api.entity.factory.StandardFactory().create(schema)
            cls.made_by_plugin = True
            return cls
        return None

    def record(event):
        SEEN.append((event['topic'], sorted(event['data'].keys())))

    hub.subscribe('topic=ftrack.api.session.construct-entity-type', construct)
    for topic in ('ftrack.api.session.ready', 'ftrack.api.session.reset',
                  'ftrack.api.session.configure-location',
                  'ftrack.storage-scenario.activate'):
        hub.subscribe('topic={0}'.format(topic), record)
    SEEN.append(('registered', kw_text))
    session.plugin_seen = SEEN
'''


def main(scenario):
    step, error = scenario.step, scenario.error

    # Environment variables.
    saved = dict(os.environ)
    os.environ.update({
        'FTRACK_SERVER': scenario.server_url + '///',
        'FTRACK_API_USER': scenario.api_user,
        'FTRACK_API_KEY': scenario.api_key,
    })
    from_environment = step('a session from the environment', lambda: (
        ftrack_api.Session(schema_cache_path=False)))
    step('its server url has no trailing slashes', lambda: (
        from_environment.server_url == scenario.server_url,
        from_environment.api_user, from_environment.api_key ==
        scenario.api_key))
    from_environment.close()
    del os.environ['FTRACK_API_KEY']
    os.environ['FTRACK_APIKEY'] = scenario.api_key
    step('the legacy api key variable', lambda: ftrack_api.Session(
        schema_cache_path=False).close())
    os.environ['FTRACK_API_KEY'] = ''
    error('an empty api key variable does not fall back', lambda: (
        ftrack_api.Session(schema_cache_path=False)))
    os.environ.clear()
    os.environ.update(saved)

    # Options.
    session = step('a session with options', lambda: scenario.connect(
        headers={'x-scenario': 'parity'}, cookies={'flavour': 'oat'},
        strict_api=False, timeout=30, auto_populate=False), headers=True)
    step('a request with the options', lambda: session.call([
        {'action': 'query_server_information'}]) and None, headers=True)
    step('a strict session', lambda: scenario.connect(
        strict_api=True).call([{'action': 'query_server_information'}])
        and None, headers=True)
    step('options', lambda: (
        session.request_timeout, session.auto_populate,
        session.record_operations, session.closed,
        session.server_url == scenario.server_url))
    step('server information is a copy', lambda: (
        session.server_information is not session.server_information,
        sorted(session.server_information.keys())))
    info = session.server_information
    info['version'] = 'changed'
    step('changing the copy changes nothing', lambda: (
        session.server_information['version'] != 'changed'))
    step('compatibility check', session.check_server_compatibility)
    step('schemas', lambda: (
        len(session.schemas), sorted(session.types) == sorted(
            schema['id'] for schema in session.schemas)))

    # Per-thread flags.
    def in_thread():
        seen = {}

        def run():
            seen['auto_populate'] = session.auto_populate
            seen['record_operations'] = session.record_operations
            session.auto_populate = True
            session.record_operations = False
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        return seen, session.auto_populate, session.record_operations
    step('flags are per thread', in_thread)

    def contexts():
        values = []
        with session.auto_populating(True):
            values.append(session.auto_populate)
            with session.operation_recording(False):
                values.append(session.record_operations)
            values.append(session.record_operations)
        values.append(session.auto_populate)
        return values
    step('flag contexts restore the previous value', contexts)
    session.close()

    # Plugins and session events.
    plugin_directory = os.path.join(scenario.workdir, 'plugins')
    os.makedirs(plugin_directory, exist_ok=True)
    with open(os.path.join(plugin_directory, 'scenario_plugin.py'), 'w') as \
            handle:
        handle.write(PLUGIN)
    with_plugin = step('a session with a plugin', lambda: scenario.connect(
        plugin_paths=[plugin_directory],
        plugin_arguments={'colour': 'blue'}))

    def seen_by_plugin():
        events = with_plugin.plugin_seen
        constructed = [item for item in events if item[0] == 'construct']
        return {
            'first': events[0],
            'constructed': len(constructed),
            'others': [item for item in events if item[0] != 'construct'],
        }
    step('what the plugin saw', seen_by_plugin)
    step('the plugin made the Shot class', lambda: (
        getattr(with_plugin.types['Shot'], 'made_by_plugin', False),
        getattr(with_plugin.types['Task'], 'made_by_plugin', False)))
    del with_plugin.plugin_seen[:]
    step('reset', with_plugin.reset)
    step('events of a reset', lambda: list(with_plugin.plugin_seen))
    with_plugin.close()

    os.environ['FTRACK_EVENT_PLUGIN_PATH'] = os.pathsep.join(
        [plugin_directory, os.path.join(scenario.workdir, 'missing')])
    step('plugins from the environment', lambda: hasattr(
        scenario.connect(), 'plugin_seen'))
    del os.environ['FTRACK_EVENT_PLUGIN_PATH']

    # Context manager and close.
    def as_context():
        with scenario.connect() as managed:
            inside = managed.closed
        return inside, managed.closed
    step('a session as a context manager', as_context)

    def closes_on_error():
        holder = {}
        try:
            with scenario.connect() as managed:
                holder['session'] = managed
                raise RuntimeError('inside')
        except RuntimeError as failure:
            return str(failure), holder['session'].closed
    step('closed when the block raises', closes_on_error)
    pending = scenario.connect()
    pending.create('Sequence', {'name': 'never committed'})
    step('close with pending operations', pending.close)
    step('operations are dropped by close', lambda: len(
        pending.recorded_operations))


if __name__ == '__main__':
    recorder.run(main)
