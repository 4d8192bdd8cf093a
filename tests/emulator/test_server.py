"""The HTTP layer: request and error shapes, status codes, limits, logging."""

import hashlib
import json
import logging
import uuid

import pytest
import requests


def test_server_information_has_what_clients_read(api):
    information = api.call([{'action': 'query_server_information'}])[0]
    assert information['version']
    assert information['is_timezone_support_enabled'] is True
    assert information['storage_scenario'] == {
        'scenario': 'ftrack.automatic', 'data': {},
    }
    assert information['user_information']['username'] == \
        api.server.api_user
    assert 'action' not in information


def test_schema_hash_is_md5_of_the_served_schemas(api):
    information, schemas = api.call([
        {'action': 'query_server_information'}, {'action': 'query_schemas'},
    ])
    assert isinstance(schemas, list) and len(schemas) == 116
    digest = hashlib.md5(
        json.dumps(schemas, sort_keys=True).encode('utf-8')
    ).hexdigest()
    assert information['schema_hash'] == digest


def test_server_information_values_select_fields(api):
    information = api.call([{
        'action': 'query_server_information', 'values': ['week_startday'],
    }])[0]
    assert set(information) == {
        'week_startday', 'version', 'schema_hash', 'storage_scenario',
        'is_timezone_support_enabled',
    }


def test_results_come_back_one_per_operation_in_order(api):
    results = api.call([
        {'action': 'query', 'expression': 'select name from Status limit 1'},
        {'action': 'query_server_information'},
        {'action': 'query', 'expression': 'select name from Priority'},
    ])
    assert results[0]['action'] == 'query'
    assert len(results[0]['data']) == 1
    assert 'schema_hash' in results[1]
    assert {item['name'] for item in results[2]['data']} >= {'None', 'High'}


def test_an_empty_batch_answers_an_empty_list(api):
    assert api.call([]) == []


@pytest.mark.parametrize('body, fragment', [
    (b'[{"action": "query"', 'not valid JSON'),
    (b'\xff\xfe', 'not valid JSON'),
    (b'{"action": "query_schemas"}', 'JSON array of operations, got a JSON '
                                     'object'),
    (b'"query"', 'got a JSON string'),
])
def test_malformed_bodies_get_a_clear_error(api, body, fragment):
    response = api.post(body)
    assert response.status_code == 200
    error = response.json()
    assert error['exception'] == 'ValidationError'
    assert fragment in error['content']
    assert set(error) == {'exception', 'content', 'error_code'}


def test_strict_requests_get_the_error_status(api):
    response = api.post(b'not json', strict=True)
    assert response.status_code == 400
    assert response.json()['exception'] == 'ValidationError'
    response = api.post([{'action': 'create', 'entity_type': 'Task',
                          'entity_data': {'nonsense': 1}}], strict=True)
    assert response.status_code == 422
    response = api.post([{'action': 'query_schemas'}], strict=True,
                        key='wrong')
    assert response.status_code == 401
    # Non-strict requests get 200 for the same errors.
    response = api.post([{'action': 'query_schemas'}], key='wrong')
    assert response.status_code == 200
    assert response.json()['exception'] == 'InvalidCredentialsError'


def test_an_operation_that_is_not_an_object_is_named(api):
    error = api.error([{'action': 'query_schemas'}, 'query'])
    assert 'must be a JSON object' in error['content']
    assert 'operation 2 of 2' in error['content']
    error = api.error([{'expression': 'Task'}])
    assert 'no "action"' in error['content']


def test_unknown_actions_use_the_wording_clients_recognise(api):
    error = api.error([{'action': 'frobnicate'}])
    assert "Invalid action u'frobnicate'" in error['content']


def test_actions_of_later_issues_are_plain_errors(api, ftrack_server):
    from ftrack_emulator.api import backend, unsupported

    defaults = backend.default_actions()
    for action in unsupported.NOT_YET_SUPPORTED:
        assert defaults.get(action) is unsupported.not_supported
        if ftrack_server.backend.actions.get(action) is not \
                unsupported.not_supported:
            continue  # a feature module implements it
        error = api.error([{'action': action, 'component_id': 'x'}])
        assert error['exception'] == 'ServerError'
        assert 'not supported by this emulator yet' in error['content']
        assert 'Invalid action' not in error['content']
    with pytest.raises(Exception) as raised:
        unsupported.not_supported(None, {'action': 'encode_media'})
    assert raised.value.payload()['content'] == (
        'The action "encode_media" is not supported by this emulator yet.')


def test_oversized_bodies_are_refused_before_anything_runs(
        api, ftrack_server, monkeypatch):
    monkeypatch.setattr(ftrack_server.backend.config, 'max_request_size',
                        2048)
    name = 'too-big-' + uuid.uuid4().hex
    operations = [{
        'action': 'create', 'entity_type': 'AssetType',
        'entity_data': {'__entity_type__': 'AssetType', 'name': name,
                        'short': name, 'component': 'x' * 4096},
    }]
    response = api.post(operations, strict=True)
    assert response.status_code == 413
    error = response.json()
    assert error['exception'] == 'RequestTooLargeError'
    assert '2048 bytes' in error['content']
    monkeypatch.undo()
    found = api.query('select id from AssetType where name is "{0}"'.format(
        name))
    assert found['data'] == []


def test_a_failing_operation_rolls_back_the_whole_batch(api):
    name = 'rolled-back-' + uuid.uuid4().hex
    error = api.error([
        {'action': 'create', 'entity_type': 'AssetType', 'entity_data': {
            '__entity_type__': 'AssetType', 'name': name, 'short': name}},
        {'action': 'create', 'entity_type': 'AssetType', 'entity_data': {
            '__entity_type__': 'AssetType', 'name': name, 'short': 5}},
    ])
    assert error['exception'] == 'ValidationError'
    assert '"short" of AssetType must be a string' in error['content']
    assert 'operation 2 of 2 (create AssetType)' in error['content']
    found = api.query('select id from AssetType where name is "{0}"'.format(
        name))
    assert found['data'] == []


def test_error_messages_carry_no_braces(api):
    error = api.error([{'action': 'create', 'entity_type': 'Task',
                        'entity_data': {'name': {'a': 1}}}])
    assert '{' not in error['content'] and '}' not in error['content']


def test_requests_are_logged_without_credentials(api, caplog):
    with caplog.at_level(logging.INFO, logger='ftrack_emulator.app'):
        api.call([{'action': 'query_schemas'},
                  {'action': 'query', 'expression': 'Status'},
                  {'action': 'query', 'expression': 'Priority'}])
    lines = [record.getMessage() for record in caplog.records
             if record.name == 'ftrack_emulator.app']
    assert any('POST /api [query_schemas, query x2] -> 200' in line
               for line in lines), lines
    assert not any(api.server.api_key in line for line in lines)


def test_get_on_api_is_not_allowed(api):
    response = requests.get(api.server.url + '/api', timeout=10)
    assert response.status_code == 405


def test_widget_urls_serve_a_page_while_valid(api):
    task_type = api.query('select id from Type limit 1')['data'][0]
    result = api.call([
        {'action': 'get_widget_url', 'name': 'info', 'theme': 'dark',
         'entity_type': 'Type', 'entity_key': [task_type['id']]},
        {'action': 'get_widget_url', 'name': 'tasks', 'theme': None},
    ])
    url = result[0]['widget_url']
    assert url.startswith(api.server.url + '/widget/info?')
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert 'text/html' in page.headers['content-type']
    assert task_type['id'] in page.text
    assert requests.get(result[1]['widget_url'], timeout=10).status_code == 200
    forged = url.replace('token=', 'token=x')
    assert requests.get(forged, timeout=10).status_code == 403
    wrong_name = url.replace('/widget/info', '/widget/tasks')
    assert requests.get(wrong_name, timeout=10).status_code == 403


def test_widget_url_errors_name_the_problem(api):
    error = api.error([{'action': 'get_widget_url', 'name': 'nope',
                        'theme': None}])
    assert 'Unknown widget "nope"' in error['content']
    error = api.error([{'action': 'get_widget_url', 'name': 'info',
                        'theme': None, 'entity_type': 'Task',
                        'entity_key': [str(uuid.uuid4())]}])
    assert error['exception'] == 'NoResultFoundError'


def test_computed_urls_follow_the_host_each_client_used(api):
    """Clients reaching the server under different names each get URLs
    they can follow."""
    expression = 'select thumbnail_url from User where username is "{0}"' \
        .format(api.server.api_user)
    for host in ('review.example:8443', 'localhost:9', 'review.example:8443'):
        headers = dict(api.headers(), Host=host)
        [result] = api.call([{'action': 'query', 'expression': expression}],
                            headers=headers)
        assert result['data'][0]['thumbnail_url'] == {
            'url': 'http://{0}/img/thumbnail2.png'.format(host)}


ORIGIN = 'http://review.page.example'


@pytest.mark.parametrize('path, method', [
    ('/api', 'POST'),
    ('/component/get', 'GET'),
    ('/component/thumbnail', 'GET'),
    ('/component/upload/8c2f9a2e-2d55-4b1e-9a59-0a6a1c3d2b10', 'PUT'),
])
def test_cors_preflights_are_answered(api, path, method):
    response = requests.options(api.server.url + path, headers={
        'Origin': ORIGIN, 'Access-Control-Request-Method': method,
        'Access-Control-Request-Headers':
            'content-type, ftrack-api-key, ftrack-user, ftrack-clienttoken',
    }, timeout=30)
    assert response.status_code == 200
    headers = response.headers
    assert headers['Access-Control-Allow-Origin'] == ORIGIN
    assert headers['Access-Control-Allow-Credentials'] == 'true'
    assert method in headers['Access-Control-Allow-Methods']
    assert headers['Access-Control-Allow-Headers'] == (
        'content-type, ftrack-api-key, ftrack-user, ftrack-clienttoken')
    assert int(headers['Access-Control-Max-Age']) > 0
    assert 'Origin' in headers['Vary']


def test_cross_origin_api_calls_can_be_read_by_the_page(api):
    headers = dict(api.headers(), Origin=ORIGIN)
    response = api.post([{'action': 'query_server_information'}],
                        headers=headers)
    assert response.status_code == 200
    assert response.json()[0]['schema_hash']
    assert response.headers['Access-Control-Allow-Origin'] == ORIGIN
    assert response.headers['Access-Control-Allow-Credentials'] == 'true'
    # Errors too, so that the page can show them.
    headers = dict(api.headers(key='wrong', strict=True), Origin=ORIGIN)
    refused = api.post([{'action': 'query_server_information'}],
                       headers=headers)
    assert refused.status_code == 401
    assert refused.json()['exception'] == 'InvalidCredentialsError'
    assert refused.headers['Access-Control-Allow-Origin'] == ORIGIN
    # A preflight needs no credentials and runs nothing.
    preflight = requests.options(api.server.url + '/api', headers={
        'Origin': ORIGIN, 'Access-Control-Request-Method': 'POST'},
        timeout=30)
    assert preflight.status_code == 200 and preflight.text == ''
    assert 'ftrack-api-key' in preflight.headers[
        'Access-Control-Allow-Headers']


def test_cross_origin_file_routes_expose_what_uploads_read(api):
    url = api.server.url
    placeholder = requests.get(url + '/img/thumbnail2.png',
                               headers={'Origin': ORIGIN}, timeout=30)
    assert placeholder.status_code == 200
    assert placeholder.headers['Access-Control-Allow-Origin'] == ORIGIN
    missing = requests.get(url + '/component/get', params={
        'id': str(uuid.uuid4()), 'username': api.server.api_user,
        'apiKey': api.server.api_key}, headers={'Origin': ORIGIN},
        timeout=30)
    assert missing.status_code == 404
    assert missing.headers['Access-Control-Allow-Origin'] == ORIGIN
    component_id = str(uuid.uuid4())
    [metadata] = api.call([{
        'action': 'get_upload_metadata', 'component_id': component_id,
        'file_name': 'part.bin', 'file_size': 4, 'checksum': None,
        'parts': 2}])
    part = requests.put(metadata['urls'][0]['signed_url'], data=b'data',
                        headers={'Origin': ORIGIN}, timeout=30)
    assert part.status_code == 200
    assert part.headers['Access-Control-Allow-Origin'] == ORIGIN
    exposed = [name.strip().lower() for name in
               part.headers['Access-Control-Expose-Headers'].split(',')]
    assert 'etag' in exposed and part.headers['ETag']


def test_same_origin_requests_get_no_cors_headers(api):
    response = api.post([{'action': 'query_server_information'}])
    assert not any(name.lower().startswith('access-control-')
                   for name in response.headers)


def _without_operation(content):
    """The message without the ``[operation 1 of 1 (...)]`` suffix."""
    return content[:content.rindex(' [operation ')]


def test_unknown_types_get_the_same_error_from_every_action(api):
    errors = [api.error([operation]) for operation in (
        {'action': 'query', 'expression': 'select id from Gizmo'},
        {'action': 'query', 'expression': 'Gizmo where name is x'},
        {'action': 'create', 'entity_type': 'Gizmo',
         'entity_data': {'__entity_type__': 'Gizmo', 'name': 'x'}},
        {'action': 'update', 'entity_type': 'Gizmo', 'entity_key': ['x'],
         'entity_data': {'__entity_type__': 'Gizmo', 'name': 'y'}},
        {'action': 'delete', 'entity_type': 'Gizmo', 'entity_key': ['x']},
        {'action': 'create', 'entity_type': 'Asset', 'entity_data': {
            '__entity_type__': 'Asset', 'name': 'x',
            'parent': {'__entity_type__': 'Gizmo', 'id': 'x'}}},
    )]
    assert {error['exception'] for error in errors} == {'ValidationError'}
    assert {_without_operation(error['content']) for error in errors} == {
        'Entity type "Gizmo" does not exist.'}


def test_unknown_attributes_get_the_same_error_from_every_action(api):
    task_id = api.create('Task', {'name': 'errors'})['id']
    errors = [api.error([operation]) for operation in (
        {'action': 'query', 'expression': 'select colour from Task'},
        {'action': 'query', 'expression': 'Task where colour is red'},
        {'action': 'query', 'expression': 'Task order by colour'},
        {'action': 'create', 'entity_type': 'Task',
         'entity_data': {'__entity_type__': 'Task', 'colour': 'red'}},
        {'action': 'update', 'entity_type': 'Task', 'entity_key': [task_id],
         'entity_data': {'__entity_type__': 'Task', 'colour': 'red'}},
        # Even when the entity to update does not exist.
        {'action': 'update', 'entity_type': 'Task',
         'entity_key': [str(uuid.uuid4())],
         'entity_data': {'__entity_type__': 'Task', 'colour': 'red'}},
    )]
    assert {error['exception'] for error in errors} == {'ValidationError'}
    assert {_without_operation(error['content']) for error in errors} == {
        'Entity type "Task" has no attribute "colour".'}


def test_malformed_queries_are_parse_errors_naming_the_problem(api):
    error = api.error([{'action': 'query',
                        'expression': 'select name from Task where name iz x'}])
    assert error['exception'] == 'ParseError'
    assert error['content'].startswith(
        "Failed to parse query expression 'select name from Task where name "
        "iz x' at position 33 (near 'iz x'): expected operator.")


@pytest.mark.parametrize('expression', [
    'select name from Task where name iz "{x}"',
    'select {x} from Task',
    'select name from {Task}',
])
def test_error_messages_never_carry_braces(api, expression):
    # The Python client formats server messages with str.format: a brace
    # would make its ServerError unprintable (KeyError).
    error = api.error([{'action': 'query', 'expression': expression}])
    assert '{' not in error['content'] and '}' not in error['content']
    assert '(x)' in error['content'] or '(Task)' in error['content']
