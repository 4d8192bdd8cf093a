"""ftrack_api.event.subscriber: who receives which events."""

import pytest

import ftrack_api.exception
from ftrack_api.event.base import Event
from ftrack_api.event.subscriber import Subscriber
from ftrack_api.event.subscription import Subscription


def callback(event):
    return event['topic']


def test_attributes():
    metadata = {'id': 'x'}
    subscriber = Subscriber('topic=foo', callback, metadata, 100)
    assert isinstance(subscriber.subscription, Subscription)
    assert str(subscriber.subscription) == 'topic=foo'
    assert subscriber.callback is callback
    assert subscriber.metadata is metadata
    assert subscriber.priority == 100


def test_str():
    subscriber = Subscriber('topic=foo', callback, {'id': 'x'}, 100)
    assert str(subscriber) == (
        '<Subscriber metadata={\'id\': \'x\'} subscription="topic=foo">'
    )
    assert str(Subscriber('topic="foo"', None, None, None)) == (
        '<Subscriber metadata=None subscription="topic="foo"">'
    )


def test_str_follows_attribute_changes_and_subclass_name():
    class Listener(Subscriber):
        pass

    listener = Listener('topic=a', None, {}, 1)
    assert str(listener) == '<Listener metadata={} subscription="topic=a">'
    listener.subscription = 'replaced'
    assert str(listener) == '<Listener metadata={} subscription="replaced">'


def test_interested_in_follows_the_subscription():
    subscriber = Subscriber('topic=foo', callback, {'id': 'x'}, 100)
    assert subscriber.interested_in(Event('foo')) is True
    assert subscriber.interested_in(Event('foox')) is False
    assert subscriber.interested_in({'topic': 'foo'}) is True


@pytest.mark.parametrize('target', ['id=y', 'id=x', 'id=', 5, None, '  '])
def test_interested_in_ignores_the_event_target(target):
    # Honouring targets is the hub's job.
    subscriber = Subscriber('topic=foo', callback, {'id': 'x'}, 100)
    assert subscriber.interested_in(Event('foo', target=target)) is True
    assert subscriber.interested_in(Event('bar', target=target)) is False


def test_invalid_subscription_fails_on_construction():
    with pytest.raises(ftrack_api.exception.ParseError):
        Subscriber('topic=', callback, {}, 1)
