"""The event server inside the full emulator: same port and credentials as
``/api``, and ``ftrack.update`` after commits."""

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
