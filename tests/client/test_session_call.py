"""Session.call and how server failures become exceptions."""

import json

import pytest
import requests

import ftrack_api._http
import ftrack_api.exception

from session_helpers import Transcript, new_session, transcript  # noqa: F401


def test_call_returns_one_result_per_operation(ftrack_session, transcript):  # noqa: F811
    results = ftrack_session.call([
        {'action': 'query_server_information'},
        {'action': 'query', 'expression': 'select username from User'},
    ])
    assert len(results) == 2
    assert results[0]['version'] == ftrack_session.server_information['version']
    users = results[1]['data']
    assert users and users[0].entity_type == 'User'
    # Entities returned by call are not the session's cached instances.
    cached = ftrack_session.get('User', users[0]['id'])
    assert cached is not users[0] and cached == users[0]
    body = transcript.exchanges[0]
    assert body['request'] == [
        {'action': 'query_server_information'},
        {'action': 'query', 'expression': 'select username from User'},
    ]


def test_call_encodes_entities_with_their_changes(ftrack_session, transcript):  # noqa: F811
    user = ftrack_session.query('User').first()
    user['first_name'] = 'Changed'
    transcript.clear()
    ftrack_session.call([{'action': 'query_server_information', 'x': user}])
    assert transcript.requests[0][0]['x'] == {
        '__entity_type__': 'User', 'id': user['id'], 'first_name': 'Changed'
    }


def test_server_errors(ftrack_session):
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        ftrack_session.call([{'action': 'query', 'expression': 'bogus'}])
    assert str(error.value).startswith('Server reported error: ')
    # The session stays usable.
    assert ftrack_session.query('User').first() is not None


def test_strict_servers_use_http_status_codes(ftrack_server):
    session = new_session(ftrack_server, strict_api=True)
    try:
        transcript = Transcript(session)
        with pytest.raises(ftrack_api.exception.ServerError) as error:
            session.call([{'action': 'query', 'expression': 'bogus'}])
        assert transcript.exchanges[-1]['status'] >= 400
        assert str(error.value).startswith('Server reported error: ')
    finally:
        session.close()


# The mapping itself, for responses the emulator never sends.

def make_response(status, text):
    response = requests.Response()
    response.status_code = status
    response._content = text.encode('utf-8')
    response.url = 'http://example.invalid/api'
    response.reason = 'Reason'
    return response


def test_error_body_with_any_status():
    body = json.dumps({'exception': 'ValidationError', 'content': 'bad'})
    for status in (200, 422):
        with pytest.raises(ftrack_api.exception.ServerError) as error:
            ftrack_api._http.raise_for_result(make_response(status, body), json.loads)
        assert str(error.value) == 'Server reported error: ValidationError(bad)'


def test_error_status_without_an_error_body():
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        ftrack_api._http.raise_for_result(make_response(400, '{"x": 1}'), json.loads)
    assert str(error.value) == (
        '400 Client Error: Reason for url: http://example.invalid/api'
    )


def test_body_that_is_not_json():
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        ftrack_api._http.raise_for_result(make_response(200, 'oops'), json.loads)
    assert str(error.value) == (
        'Server reported error in unexpected format. Raw error was: oops'
    )
    with pytest.raises(json.JSONDecodeError):
        ftrack_api._http.raise_for_result(make_response(500, 'oops'), json.loads)


def test_braces_in_server_messages_break_str_as_in_the_reference():
    body = json.dumps({'exception': 'E', 'content': 'a {name} here'})
    with pytest.raises(ftrack_api.exception.ServerError) as error:
        ftrack_api._http.raise_for_result(make_response(200, body), json.loads)
    assert error.value.message == 'Server reported error: E(a {name} here)'
    with pytest.raises(KeyError):
        str(error.value)


def test_error_body_without_content_is_a_key_error():
    with pytest.raises(KeyError):
        ftrack_api._http.raise_for_result(
            make_response(200, '{"exception": "E"}'), json.loads
        )


def test_successful_object_without_exception_is_returned():
    assert ftrack_api._http.raise_for_result(
        make_response(200, '{"content": "c"}'), json.loads
    ) == {'content': 'c'}
