"""The event server inside the full emulator: same port and credentials as
``/api``, and ``ftrack.update`` after commits."""

import uuid

import requests

try:
    from test_events_server import RawClient
except ImportError:  # tests collected as a package
    from .test_events_server import RawClient


def api(server, *operations):
    response = requests.post(server.url + '/api', json=list(operations),
                             headers={'ftrack-user': server.api_user,
                                      'ftrack-api-key': server.api_key})
    assert response.status_code == 200, response.text
    return response.json()


def test_handshake_uses_the_api_credentials(ftrack_server):
    url = ftrack_server.url + '/socket.io/1/'
    good = requests.get(url, headers={'ftrack-user': ftrack_server.api_user,
                                      'ftrack-api-key': ftrack_server.api_key})
    assert good.status_code == 200
    assert good.text.split(':')[3] == 'websocket,xhr-polling'
    for user, key in ((ftrack_server.api_user, 'wrong'),
                      ('nobody', ftrack_server.api_key)):
        bad = requests.get(url, headers={'ftrack-user': user,
                                         'ftrack-api-key': key})
        assert bad.status_code == 401
    js = requests.get(url, params={'api_user': ftrack_server.api_user,
                                   'api_key': ftrack_server.api_key})
    assert js.status_code == 200


def test_commits_are_announced_as_ftrack_update(ftrack_server):
    client = RawClient(ftrack_server.url, ftrack_server.api_user,
                       ftrack_server.api_key)
    try:
        client.subscribe('topic=ftrack.update')
        [result] = api(ftrack_server, {
            'action': 'query',
            'expression': 'select id, username from User where username is '
                          '"{0}"'.format(ftrack_server.api_user),
        })
        user = result['data'][0]
        api(ftrack_server, {
            'action': 'update', 'entity_type': 'User',
            'entity_key': [user['id']], 'entity_data': {'first_name': 'Zed'},
        })
        event = client.event()
        # Queries change nothing and publish nothing.
        assert client.events() == []
    finally:
        client.close()
    assert event['topic'] == 'ftrack.update'
    assert event['data']['user']['userid'] == user['id']
    assert event['source']['user']['username'] == ftrack_server.api_user
    [entity] = event['data']['entities']
    assert entity['action'] == 'update'
    assert entity['entityId'] == user['id']
    assert entity['entity_type'] == 'User'
    assert entity['entityType'] == 'user'
    assert 'first_name' in entity['keys']


def ref(entity_type, entity_id):
    return {'__entity_type__': entity_type, 'id': entity_id}


def create(entity_type, data):
    data = dict(data, __entity_type__=entity_type)
    data.setdefault('id', str(uuid.uuid4()))
    return {'action': 'create', 'entity_type': entity_type,
            'entity_key': [data['id']], 'entity_data': data}


def update(entity_type, entity_id, data):
    return {'action': 'update', 'entity_type': entity_type,
            'entity_key': [entity_id],
            'entity_data': dict(data, __entity_type__=entity_type)}


def test_update_events_carry_old_and_new_values_and_parents(ftrack_server):
    """What an event plugin sees of a version's status change, a note on it
    (written the way the Python client writes notes) and their removal."""
    [schemas, asset_types, statuses, users] = api(
        ftrack_server,
        {'action': 'query', 'expression': 'select id from ProjectSchema'},
        {'action': 'query', 'expression': 'select id from AssetType'},
        {'action': 'query', 'expression': 'select id, name from Status'},
        {'action': 'query', 'expression': 'select id from User where '
         'username is "{0}"'.format(ftrack_server.api_user)},
    )
    project = create('Project', {
        'name': 'events', 'full_name': 'Events',
        'project_schema': ref('ProjectSchema', schemas['data'][0]['id'])})
    shot = create('Shot', {'name': 'sh010',
                           'parent': ref('Project', project['entity_key'][0])})
    asset = create('Asset', {'name': 'plate',
                             'parent': ref('Shot', shot['entity_key'][0]),
                             'type_id': asset_types['data'][0]['id']})
    version = create('AssetVersion', {
        'asset': ref('Asset', asset['entity_key'][0])})
    api(ftrack_server, project, shot, asset, version)
    ids = {operation['entity_type']: operation['entity_key'][0]
           for operation in (project, shot, asset, version)}
    [loaded] = api(ftrack_server, {
        'action': 'query', 'expression': 'select status_id from AssetVersion '
        'where id is "{0}"'.format(ids['AssetVersion'])})
    old_status = loaded['data'][0]['status_id']
    new_status = next(status['id'] for status in statuses['data']
                      if status['id'] != old_status)
    chain = [
        {'entityId': ids['AssetVersion'], 'entityType': 'assetversion',
         'entity_type': 'AssetVersion', 'parentId': ids['Asset']},
        {'entityId': ids['Asset'], 'entityType': 'asset',
         'entity_type': 'Asset', 'parentId': ids['Shot']},
        {'entityId': ids['Shot'], 'entityType': 'task',
         'entity_type': 'Shot', 'parentId': ids['Project']},
        {'entityId': ids['Project'], 'entityType': 'show',
         'entity_type': 'Project', 'parentId': None},
    ]

    client = RawClient(ftrack_server.url, ftrack_server.api_user,
                       ftrack_server.api_key)
    try:
        client.subscribe('topic=ftrack.update')
        api(ftrack_server, update('AssetVersion', ids['AssetVersion'],
                                  {'status_id': new_status}))
        status_event = client.event()
        note = create('Note', {'content': 'Looks good',
                               'user_id': users['data'][0]['id']})
        note_id = note['entity_key'][0]
        api(ftrack_server, note, update(
            'AssetVersion', ids['AssetVersion'],
            {'notes': [ref('Note', note_id)]}))
        note_event = client.event()
        api(ftrack_server, {'action': 'delete', 'entity_type': 'Note',
                            'entity_key': [note_id]})
        removal_event = client.event()
    finally:
        client.close()

    [entity] = status_event['data']['entities']
    assert entity['action'] == 'update'
    assert entity['entityType'] == 'assetversion'
    assert entity['keys'] == ['statusid']
    assert entity['changes'] == {
        'statusid': {'old': old_status, 'new': new_status}}
    assert entity['parents'] == chain
    assert entity['parentId'] == ids['Asset']
    assert status_event['data']['parents'] == [
        ids['AssetVersion'], ids['Asset'], ids['Shot'], ids['Project']]

    added, owner = note_event['data']['entities']
    assert (added['action'], added['entity_type'], added['entityId']) == \
        ('add', 'Note', note_id)
    assert added['changes']['content'] == {'old': None, 'new': 'Looks good'}
    assert added['changes']['parent_id'] == {
        'old': None, 'new': ids['AssetVersion']}
    assert added['parents'][1:] == chain
    assert added['parentId'] == ids['AssetVersion']
    assert (owner['action'], owner['entityId'], owner['keys']) == \
        ('update', ids['AssetVersion'], ['notes'])

    [removed] = removal_event['data']['entities']
    assert (removed['action'], removed['entityId']) == ('remove', note_id)
    assert removed['changes']['content'] == {'old': 'Looks good',
                                             'new': None}
    assert removed['parents'][1:] == chain


def test_a_reference_change_is_announced_by_its_foreign_key(ftrack_server):
    """The Python client writes ``status: {ref}``; the event names the
    change ``statusid`` with old and new ids, and not ``status`` as well."""
    [schemas, statuses] = api(
        ftrack_server,
        {'action': 'query', 'expression': 'select id from ProjectSchema'},
        {'action': 'query', 'expression': 'select id from Status'},
    )
    project = create('Project', {
        'name': 'by_reference', 'full_name': 'By reference',
        'project_schema': ref('ProjectSchema', schemas['data'][0]['id'])})
    task = create('Task', {'name': 'comp',
                           'parent': ref('Project', project['entity_key'][0])})
    api(ftrack_server, project, task)
    task_id = task['entity_key'][0]
    [loaded] = api(ftrack_server, {
        'action': 'query',
        'expression': 'select status_id from Task where id is ' + task_id})
    old_status = loaded['data'][0]['status_id']
    new_status = next(status['id'] for status in statuses['data']
                      if status['id'] != old_status)
    client = RawClient(ftrack_server.url, ftrack_server.api_user,
                       ftrack_server.api_key)
    try:
        client.subscribe('topic=ftrack.update')
        api(ftrack_server, update('Task', task_id,
                                  {'status': ref('Status', new_status)}))
        event = client.event()
    finally:
        client.close()
    [entity] = event['data']['entities']
    assert entity['keys'] == ['statusid']
    assert entity['changes'] == {
        'statusid': {'old': old_status, 'new': new_status}}
