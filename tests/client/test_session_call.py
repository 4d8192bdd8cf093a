"""Session.call and how server failures become exceptions."""

import json

import pytest
import requests

import ftrack_api
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


def _counting(session):
    """Wrap *session*'s call on the instance; return the list of the
    actions of every call made through it."""
    calls = []
    original = session.call

    def call(data):
        calls.append([operation['action'] for operation in data])
        return original(data)

    session.call = call
    return calls


def test_a_wrapped_call_sees_every_request(ftrack_session):
    # As with the reference client, queries, gets, population and commits
    # all go through Session.call, so wrapping it sees every request.
    user = ftrack_session.query('User').first()
    calls = _counting(ftrack_session)
    found = ftrack_session.query(
        'select username from User where id is "{0}"'.format(user['id'])
    ).one()
    assert found is user
    assert ftrack_session.get('User', user['id']) is user
    assert calls == [['query']]
    ftrack_session.get('Priority', '9661b320-3a0c-11e2-81c1-0800200c9a66')
    user['email']
    assert calls == [['query'], ['query'], ['query']]
    user['first_name'] = 'Wrapped'
    ftrack_session.commit()
    assert calls[-1] == ['update']
    assert user['first_name'] == 'Wrapped'
    assert len(ftrack_session.recorded_operations) == 0


def test_an_overridden_call_sees_every_request(ftrack_server):
    calls = []

    class LoggingSession(ftrack_api.Session):
        def call(self, data):
            calls.append([operation['action'] for operation in data])
            return super().call(data)

    session = LoggingSession(
        server_url=ftrack_server.url, api_user=ftrack_server.api_user,
        api_key=ftrack_server.api_key, schema_cache_path=False,
    )
    try:
        assert calls[:2] == [['query_server_information'], ['query_schemas']]
        del calls[:]
        project_schema = session.query('ProjectSchema').first()
        project = session.create('Project', {
            'name': 'overridden_call', 'full_name': 'Overridden call',
            'project_schema': project_schema,
        })
        session.commit()
        assert calls == [['query'], ['create']]
        # Results of the commit were merged: server values are known.
        assert project['status'] == 'active'
        assert len(calls) == 2
        # Merged instances: a later query returns the same object.
        assert session.query(
            'Project where id is "{0}"'.format(project['id'])
        ).one() is project
    finally:
        session.close()
