"""ftrack_api.event.subscription: parsed subscription expressions."""

import pytest

import ftrack_api.exception
from ftrack_api.event.base import Event
from ftrack_api.event.expression import Parser
from ftrack_api.event.subscription import Subscription


def test_str_is_the_original_text_unchanged():
    text = '  topic=foo   and a=b '
    assert str(Subscription(text)) == text


def test_includes_matching_events():
    subscription = Subscription('topic=ftrack.update and data.entity=task')
    assert subscription.includes(
        Event('ftrack.update', data={'entity': 'task'})
    ) is True
    assert subscription.includes(
        Event('ftrack.update', data={'entity': 'shot'})
    ) is False
    assert subscription.includes({'topic': 'ftrack.update'}) is False
    assert subscription.includes(
        {'topic': 'ftrack.update', 'data': {'entity': 'task'}}
    ) is True


def test_wildcard_subscription():
    subscription = Subscription('topic=ftrack.*')
    assert subscription.includes(Event('ftrack.action.discover'))
    assert not subscription.includes(Event('other.topic'))


def test_invalid_text_fails_on_construction():
    with pytest.raises(ftrack_api.exception.ParseError) as caught:
        Subscription('topic=foo and')
    assert str(caught.value).startswith('Failed to parse: topic=foo and. ')


def test_empty_text_fails_with_the_reference_quirk():
    with pytest.raises(AttributeError):
        Subscription('')


def test_a_subscription_object_is_not_accepted_as_text():
    with pytest.raises(AttributeError):
        Subscription(Subscription('topic=a'))


def test_one_parser_is_shared_by_all_subscriptions():
    assert isinstance(Subscription.parser, Parser)
    assert Subscription('topic=a').parser is Subscription.parser


def test_subscriptions_compare_by_identity():
    assert Subscription('topic=a') != Subscription('topic=a')


def test_parsed_expression_and_repr():
    subscription = Subscription('topic=foo')
    assert str(subscription._expression) == '<Condition topic=foo>'
    assert repr(subscription).startswith(
        '<ftrack_api.event.subscription.Subscription object'
    )
