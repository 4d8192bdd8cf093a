"""The event hub's local side: subscribers, synchronous delivery, targets."""

import socket

import pytest

import ftrack_api.event.base
import ftrack_api.event.hub
import ftrack_api.exception

Event = ftrack_api.event.base.Event


@pytest.fixture
def hub():
    return ftrack_api.event.hub.EventHub('https://example.com:8443/path', 'bob', 'key')


def test_construction_checks_its_arguments():
    with pytest.raises(ValueError) as error:
        ftrack_api.event.hub.EventHub('example.com', 'u', 'k')
    assert str(error.value) == 'Could not determine scheme from server url.'
    with pytest.raises(ValueError) as error:
        ftrack_api.event.hub.EventHub('http://', 'u', 'k')
    assert str(error.value) == 'Could not determine hostname from server url.'
    for keyword in ('headers', 'cookies'):
        with pytest.raises(TypeError) as error:
            ftrack_api.event.hub.EventHub('http://h', 'u', 'k', **{keyword: [1]})
        assert str(error.value) == 'Expected mapping, got [1].'


def test_server_address_ignores_the_path(hub):
    assert hub.get_server_url() == 'https://example.com:8443'
    assert hub.get_network_location() == 'example.com:8443'
    assert hub.secure is True
    assert hub.connected is False
    assert len(hub.id) == 32
    plain = ftrack_api.event.hub.EventHub('http://example.com', 'u', 'k')
    assert plain.get_server_url() == 'http://example.com'
    assert plain.secure is False
    assert ftrack_api.event.hub.ServerDetails._fields == (
        'scheme', 'hostname', 'port'
    )
    assert ftrack_api.event.hub.SocketIoSession._fields == (
        'id', 'heartbeatTimeout', 'supportedTransports'
    )


def test_synchronous_publish_calls_subscribers_by_priority(hub, caplog):
    calls = []
    hub.subscribe('topic=test', lambda event: calls.append('late') or 'late',
                  priority=200)
    hub.subscribe('topic=test', lambda event: calls.append('early') or 'early',
                  priority=10)
    hub.subscribe('topic=test', lambda event: calls.append('early2'),
                  priority=10)
    hub.subscribe('topic=other', lambda event: calls.append('other'))

    def broken(event):
        raise RuntimeError('boom')

    hub.subscribe('topic=test', broken, priority=50)
    event = Event('test', data={'n': 1})
    assert hub.publish(event, synchronous=True) == ['early', None, 'late']
    assert calls == ['early', 'early2', 'late']
    assert 'boom' in caplog.text
    assert event['source'] == {
        'id': hub.id, 'user': {'username': 'bob'},
        'host': event['source']['host'],
    }
    assert event['sent'] is None


def test_stopping_an_event_skips_later_subscribers(hub):
    def stopper(event):
        event.stop()
        return 'stopped'

    hub.subscribe('topic=test', stopper, priority=1)
    hub.subscribe('topic=test', lambda event: 'never')
    assert hub.publish(Event('test'), synchronous=True) == ['stopped']


def test_subscriber_identifiers(hub):
    metadata = {'applicationId': 'maya'}
    identifier = hub.subscribe('topic=test', lambda event: None,
                               subscriber=metadata)
    assert metadata['id'] == identifier
    subscriber = hub.get_subscriber_by_identifier(identifier)
    assert subscriber.metadata is metadata
    assert hub.get_subscriber_by_identifier('missing') is None

    with pytest.raises(ftrack_api.exception.NotUniqueError) as error:
        hub.subscribe('topic=test', lambda event: None,
                      subscriber={'id': identifier})
    assert str(error.value) == (
        'Subscriber with identifier {0} already exists.'.format(identifier)
    )
    with pytest.raises(ftrack_api.exception.ParseError):
        hub.subscribe('topic is test', lambda event: None,
                      subscriber={'id': 'bad'})
    assert hub.get_subscriber_by_identifier('bad') is None

    hub.unsubscribe(identifier)
    assert hub.get_subscriber_by_identifier(identifier) is None
    with pytest.raises(ftrack_api.exception.NotFoundError) as error:
        hub.unsubscribe(identifier)
    assert str(error.value) == (
        'Cannot unsubscribe missing subscriber with identifier '
        '{0}'.format(identifier)
    )


def test_subscription_context_manager(hub):
    with hub.subscription('topic=test', lambda event: 'inside') as value:
        assert value is None
        assert hub.publish(Event('test'), synchronous=True) == ['inside']
    assert hub.publish(Event('test'), synchronous=True) == []


def test_targets_select_subscribers(hub):
    maya = hub.subscribe('topic=test', lambda event: 'maya',
                         subscriber={'applicationId': 'maya'})
    hub.subscribe('topic=test', lambda event: 'nuke',
                  subscriber={'applicationId': 'nuke'})
    assert hub.publish(
        Event('test', target='applicationId=maya'), synchronous=True
    ) == ['maya']
    assert hub.publish(
        Event('test', target='id={0}'.format(maya)), synchronous=True
    ) == ['maya']
    assert hub.publish(
        Event('test', target='not valid !'), synchronous=True
    ) is None


def test_asynchronous_publish_needs_a_connection(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.publish(Event('test'))
    assert str(error.value) == (
        'Cannot publish event asynchronously as not connected to server.'
    )
    assert hub.publish(Event('test'), on_error='ignore') is None
    hub.init_connection()
    assert hub.publish(Event('test')) is True


def _closed_port():
    """Return a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_network_methods_report_the_missing_connection(hub):
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.wait(0)
    assert 'only be able to receive syncronous events' in str(error.value)
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.disconnect()
    assert str(error.value) == 'Not currently connected.'


def test_connecting_to_nothing_fails_clearly():
    url = 'http://127.0.0.1:{0}'.format(_closed_port())
    hub = ftrack_api.event.hub.EventHub(url + '/path', 'bob', 'key')
    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.connect()
    # The reference renders both details through their UTF-8 bytes.
    message = str(error.value)
    assert message.startswith(
        'Failed to connect to event server at {0!r} with error: '
        '"b\'Failed to connect to server: '.format(url.encode())
    ), message
    assert message.endswith('.\'".')
    assert hub.connected is False
    # connect() initialised the connection: events wait for the next try.
    assert hub.publish(Event('test')) is True
    hub.wait(0.01)

    with pytest.raises(ftrack_api.exception.EventHubConnectionError) as error:
        hub.reconnect(attempts=2, delay=0.01)
    assert str(error.value) == (
        'Failed to reconnect to event server at {0} after 2 '
        'attempts.'.format(url)
    )


def test_reply_callbacks_need_the_hub_reply_subscriber(hub):
    # The hub subscribes itself to replies only once connected; until then
    # a reply addressed to it reaches nobody.
    replies = []
    hub.init_connection()
    event = Event('test')
    hub.publish(event, on_reply=replies.append)
    reply = Event('ftrack.meta.reply', target='id=' + hub.id,
                  in_reply_to_event=event['id'])
    assert hub.publish(reply, synchronous=True) == []
    assert replies == []


def test_replies_are_sent_to_the_source(hub):
    hub.init_connection()
    source = Event('test', source={'id': 'publisher'})
    hub.publish_reply(source, {'answer': 42}, source={'id': 'replier'})
    reply = hub._event_queue[-1]
    assert reply['topic'] == 'ftrack.meta.reply'
    assert reply['target'] == 'id=publisher'
    assert reply['in_reply_to_event'] == source['id']
    assert reply['data'] == {'answer': 42}
    assert reply['source']['id'] == 'replier'
