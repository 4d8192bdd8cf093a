"""A file database survives restarts; one built for another schema is
recognised and refused."""

import os
import sqlite3

import pytest
import requests

from ftrack_emulator import Emulator
from ftrack_emulator.store.database import DatabaseMismatchError


def call(server, operations, key=None):
    response = requests.post(server.url + '/api', json=operations, headers={
        'ftrack-user': server.api_user,
        'ftrack-api-key': key or server.api_key}, timeout=30)
    return response.json()


def test_data_survives_a_restart(tmp_path):
    path = tmp_path / 'kept.sqlite'
    url = 'sqlite:///' + str(path)
    with Emulator(database=url, storage=str(tmp_path / 'files')) as server:
        schema = call(server, [{'action': 'query', 'expression':
                                'select id from ProjectSchema'}])
        created = call(server, [{
            'action': 'create', 'entity_type': 'Project', 'entity_data': {
                '__entity_type__': 'Project', 'name': 'persistent',
                'project_schema_id': schema[0]['data'][0]['id']}}])
        project_id = created[0]['data']['id']
        seeded = call(server, [{'action': 'query', 'expression':
                                'select id from Status'}])[0]['data']
    assert path.exists()
    with Emulator(database=url, storage=str(tmp_path / 'files')) as server:
        found = call(server, [{'action': 'query', 'expression':
                               'select name from Project'}])[0]['data']
        assert [(item['id'], item['name']) for item in found] == [
            (project_id, 'persistent')]
        # Not seeded a second time.
        again = call(server, [{'action': 'query', 'expression':
                               'select id from Status'}])[0]['data']
        assert len(again) == len(seeded)
    # Given paths are kept.
    assert path.exists()
    assert (tmp_path / 'files').is_dir()


def test_a_database_of_another_schema_is_refused(tmp_path):
    path = tmp_path / 'other.sqlite'
    connection = sqlite3.connect(str(path))
    connection.execute('create table task (id text primary key, name text)')
    connection.commit()
    connection.close()
    emulator = Emulator(database='sqlite:///' + str(path),
                        storage=str(tmp_path / 'files'))
    with pytest.raises(DatabaseMismatchError) as raised:
        emulator.start()
    message = str(raised.value)
    assert str(path) in message
    assert 'different version of the emulator schema' in message
    assert not emulator.running


def test_a_changed_marker_is_refused(tmp_path):
    path = tmp_path / 'marked.sqlite'
    url = 'sqlite:///' + str(path)
    with Emulator(database=url, storage=str(tmp_path / 'files')):
        pass
    connection = sqlite3.connect(str(path))
    connection.execute("update emulator_info set value = 'older' "
                       "where key = 'schema_marker'")
    connection.commit()
    connection.close()
    with pytest.raises(DatabaseMismatchError) as raised:
        Emulator(database=url, storage=str(tmp_path / 'files')).start()
    assert 'marker older' in str(raised.value)


def test_in_memory_database(tmp_path):
    with Emulator(database='sqlite://',
                  storage=str(tmp_path / 'files')) as server:
        assert server.database_url == 'sqlite://'
        result = call(server, [{'action': 'query',
                                'expression': 'select name from Location'}])
        assert len(result[0]['data']) == 5


def test_reset_restores_the_seed(tmp_path):
    with Emulator(database='sqlite:///' + str(tmp_path / 'r.sqlite'),
                  storage=str(tmp_path / 'files')) as server:
        call(server, [{'action': 'create', 'entity_type': 'AssetType',
                       'entity_data': {'__entity_type__': 'AssetType',
                                       'name': 'Extra', 'short': 'extra'}}])
        server.reset()
        found = call(server, [{'action': 'query', 'expression':
                               'select id from AssetType where short is '
                               'extra'}])[0]['data']
        assert found == []
        users = call(server, [{'action': 'query', 'expression':
                               'select username from User'}])[0]['data']
        assert [user['username'] for user in users] == [server.api_user]
    assert os.path.exists(str(tmp_path / 'r.sqlite'))
