"""``ftrack-emulator serve`` / ``python -m ftrack_emulator serve`` run in a
subprocess: the ready line, requests, signals, exit codes."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading

import pytest
import requests

from ftrack_emulator import config

LISTENING = re.compile(r'^ftrack emulator listening on (http://\S+:(\d+))$')


class Served:
    """An emulator process and what it printed."""

    def __init__(self, arguments, cwd, env=None):
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'ftrack_emulator', 'serve'] + arguments,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=cwd, env=env,
        )
        self.stderr = []
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        line = self.process.stdout.readline().rstrip('\n')
        match = LISTENING.match(line)
        if match is None:
            self.process.kill()
            self.process.wait(30)
            self._reader.join(5)
            self.close()
            raise AssertionError('Unexpected first line {0!r}; stderr:\n{1}'
                                 .format(line, ''.join(self.stderr)))
        self.url = match.group(1)
        self.port = int(match.group(2))

    def _read_stderr(self):
        for line in self.process.stderr:
            self.stderr.append(line)

    def call(self, operations, user=config.DEFAULT_API_USER,
             key=config.DEFAULT_API_KEY):
        response = requests.post(self.url + '/api', json=operations, headers={
            'ftrack-user': user, 'ftrack-api-key': key}, timeout=30)
        return response.json()

    def stop(self, signal_number=signal.SIGINT):
        self.process.send_signal(signal_number)
        code = self.process.wait(30)
        rest = self.process.stdout.read()
        self._reader.join(5)
        self.close()
        return code, rest

    def close(self):
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture
def serve(tmp_path):
    started = []

    def start(*arguments, env=None):
        if env is None:
            # Without --database the emulator keeps its data in the user's
            # data directory: tests never touch that.
            assert '--database' in arguments, arguments
        served = Served(list(arguments) + ['--storage', str(tmp_path / 'st')],
                        cwd=str(tmp_path), env=env)
        started.append(served)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(30)
            served._reader.join(5)
        served.close()


@pytest.mark.parametrize('signal_name', ['SIGINT', 'SIGTERM'])
def test_serve_announces_answers_and_stops_cleanly(serve, signal_name):
    served = serve('--port', '0', '--database', 'sqlite://')
    assert served.url == 'http://127.0.0.1:{0}'.format(served.port)
    result = served.call([{'action': 'query',
                           'expression': 'select name from Location'}])
    names = {item['name'] for item in result[0]['data']}
    assert 'ftrack.server' in names
    code, rest = served.stop(getattr(signal, signal_name))
    assert code == 0
    assert rest == ''  # exactly one line on stdout
    log = ''.join(served.stderr)
    assert 'POST /api [query] -> 200' in log
    assert 'API user: admin, API key: ' + config.DEFAULT_API_KEY in log


def test_custom_credentials_are_ensured_and_not_logged(serve):
    served = serve('--port', '0', '--database', 'sqlite://',
                   '--api-user', 'pipeline', '--api-key', 's3cret-key')
    result = served.call([{'action': 'query_server_information'}],
                         user='pipeline', key='s3cret-key')
    assert result[0]['user_information']['username'] == 'pipeline'
    refused = served.call([{'action': 'query_server_information'}])
    assert refused['exception'] == 'InvalidCredentialsError'
    code, _ = served.stop()
    assert code == 0
    log = ''.join(served.stderr)
    assert 's3cret-key' not in log
    assert 'API user: pipeline' in log


def test_file_database_keeps_data_and_takes_a_new_key(serve, tmp_path):
    database = 'sqlite:///' + str(tmp_path / 'cli.sqlite')
    served = serve('--port', '0', '--database', database)
    created = served.call([{
        'action': 'create', 'entity_type': 'AssetType',
        'entity_data': {'__entity_type__': 'AssetType', 'name': 'Kept',
                        'short': 'kept'}}])
    assert created[0]['data']['name'] == 'Kept'
    assert served.stop()[0] == 0
    served = serve('--port', '0', '--database', database,
                   '--api-key', 'rotated')
    found = served.call([{'action': 'query', 'expression':
                          'select name from AssetType where short is kept'}],
                        key='rotated')
    assert [item['name'] for item in found[0]['data']] == ['Kept']
    assert served.stop()[0] == 0


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='redirects the data directory through '
                           'XDG_DATA_HOME, which platformdirs reads on Linux')
def test_the_default_database_lives_in_the_user_data_directory(serve,
                                                                tmp_path):
    environment = dict(os.environ, XDG_DATA_HOME=str(tmp_path / 'data'))
    served = serve('--port', '0', env=environment)
    served.call([{'action': 'create', 'entity_type': 'AssetType',
                  'entity_data': {'__entity_type__': 'AssetType',
                                  'name': 'Default', 'short': 'default'}}])
    assert served.stop()[0] == 0
    database = tmp_path / 'data' / 'ftrack-emulator' / 'ftrack-emulator.sqlite'
    assert database.is_file()
    assert str(database) in ''.join(served.stderr)
    served = serve('--port', '0', env=environment)
    found = served.call([{'action': 'query', 'expression':
                          'select name from AssetType where short is default'}])
    assert [item['name'] for item in found[0]['data']] == ['Default']
    assert served.stop()[0] == 0


def test_demo_data(serve):
    served = serve('--port', '0', '--database', 'sqlite://', '--demo')
    result = served.call([{'action': 'query', 'expression':
                           'select name from Shot where project.name is demo'}])
    assert len(result[0]['data']) == 5
    assert served.stop()[0] == 0


def test_event_heartbeat_options(serve):
    served = serve('--port', '0', '--database', 'sqlite://',
                   '--event-heartbeat-interval', '0.5',
                   '--event-heartbeat-timeout', '7')
    handshake = requests.get(served.url + '/socket.io/1/', headers={
        'ftrack-user': config.DEFAULT_API_USER,
        'ftrack-api-key': config.DEFAULT_API_KEY}, timeout=30)
    sid, heartbeat_timeout = handshake.text.split(':')[:2]
    assert heartbeat_timeout == '7'
    import websocket

    connection = websocket.create_connection(
        served.url.replace('http://', 'ws://') + '/socket.io/1/websocket/'
        + sid, timeout=30)
    try:
        assert connection.recv() == '1::'
        connection.settimeout(4)  # the default interval would be 10 s
        assert connection.recv() == '2::'
    finally:
        connection.close()
    assert served.stop()[0] == 0


def test_bad_heartbeat_options_are_refused(tmp_path):
    process = subprocess.run(
        [sys.executable, '-m', 'ftrack_emulator', 'serve', '--database',
         'sqlite://', '--storage', str(tmp_path / 'st'),
         '--event-heartbeat-interval', '90'],
        capture_output=True, text=True, timeout=60, cwd=str(tmp_path),
    )
    assert process.returncode == 2
    assert process.stdout == ''
    assert 'event_heartbeat_timeout (60.0) must exceed' in process.stderr


def test_a_busy_port_is_reported(serve, tmp_path):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = subprocess.run(
            [sys.executable, '-m', 'ftrack_emulator', 'serve', '--port',
             str(port), '--database', 'sqlite://', '--storage',
             str(tmp_path / 'st')],
            capture_output=True, text=True, timeout=60, cwd=str(tmp_path),
        )
    assert process.returncode == 1
    assert process.stdout == ''
    assert 'Cannot listen on 127.0.0.1:{0}'.format(port) in process.stderr


def test_help_documents_the_defaults():
    process = subprocess.run(
        [sys.executable, '-m', 'ftrack_emulator', 'serve', '--help'],
        capture_output=True, text=True, timeout=60,
    )
    assert process.returncode == 0
    text = ' '.join(process.stdout.split())
    for fragment in ('--host', '127.0.0.1', '--port', '8008', '--database',
                     '--storage', '--api-user', 'admin', '--api-key',
                     config.DEFAULT_API_KEY, '--demo', 'sqlite://',
                     '--event-heartbeat-interval', '--event-heartbeat-timeout'):
        assert fragment in text, fragment


def test_without_a_command_help_is_shown():
    process = subprocess.run(
        [sys.executable, '-m', 'ftrack_emulator'],
        capture_output=True, text=True, timeout=60,
    )
    assert process.returncode == 2
    assert 'serve' in process.stderr


def test_the_console_script_is_installed():
    script = os.path.join(os.path.dirname(sys.executable), 'ftrack-emulator')
    if not os.path.exists(script):
        pytest.skip('The ftrack-emulator script is not installed here.')
    process = subprocess.run([script, '--version'], capture_output=True,
                             text=True, timeout=60)
    assert process.returncode == 0
    assert process.stdout.startswith('ftrack-emulator ')


def test_database_passwords_stay_out_of_the_log():
    from ftrack_emulator.cli import _without_password

    shown = _without_password('postgresql://bob:s3cret@db.example/ftrack')
    assert 's3cret' not in shown
    assert shown == 'postgresql://bob:***@db.example/ftrack'
    assert _without_password('sqlite://') == 'sqlite://'
