"""Subscriptions and routing, without the network.

The router's indexes are shortcuts; the tests below check them against the
plain rule (evaluate every subscription and target expression in full).
"""

import itertools
import random

import pytest

from ftrack_api.event.expression import Parser
from ftrack_emulator.events.router import (
    Router, SubscriptionError, exact_id, exact_topic,
)


@pytest.mark.parametrize('text, expected', [
    ('topic=ftrack.update', ('ftrack.update', None)),
    ('  topic = ftrack.update  ', ('ftrack.update', None)),
    ('topic="a b"', ('a b', None)),
    ("topic='a'", ('a', None)),
    ('topic=a and data.x=1', ('a', 'data.x=1')),
    ('topic=a AND data.x=1 and not source.id=b',
     ('a', 'data.x=1 and not source.id=b')),
    ('topic=a and data.x="or"', ('a', 'data.x="or"')),
    ('topic=a and data.x=1 or data.y=2', None),
    ('topic=a and (data.x=1 OR data.y=2)', None),
    ('topic=a*', None),
    ('topic="a*"', None),
    ('topic!=a', None),
    ('not topic=a', None),
    ('data.x=1 and topic=a', None),
    ('topic=a or topic=b', None),
    ('topics=a', None),
    ('source.topic=a', None),
])
def test_exact_topic(text, expected):
    assert exact_topic(text) == expected


@pytest.mark.parametrize('text, expected', [
    ('id=abc', 'abc'),
    (' id = "a b" ', 'a b'),
    ('id=abc*', None),
    ('id=abc and applicationId=x', None),
    ('applicationId=x', None),
    ('id!=abc', None),
])
def test_exact_id(text, expected):
    assert exact_id(text) == expected


def test_subscribe_validates_before_registering():
    router = Router()
    with pytest.raises(SubscriptionError, match="Invalid subscription 'topic is x'"):
        router.subscribe('c', {'id': 's'}, 'topic is x')
    with pytest.raises(SubscriptionError, match='Invalid subscription'):
        router.subscribe('c', {'id': 's'}, 'topic=a and')
    with pytest.raises(SubscriptionError, match='has no id'):
        router.subscribe('c', {}, 'topic=a')
    assert router.subscribers() == []


def test_unsubscribe_and_drop():
    router = Router()
    router.subscribe('c1', {'id': 'a'}, 'topic=x')
    router.subscribe('c1', {'id': 'b'}, 'data.k=v')
    router.subscribe('c2', {'id': 'a'}, 'topic=x')
    assert router.recipients({'topic': 'x', 'target': 'id=a'}) == ['c1', 'c2']
    router.unsubscribe('c1', {'id': 'a'})
    with pytest.raises(SubscriptionError, match="'a' is not subscribed"):
        router.unsubscribe('c1', {'id': 'a'})
    assert router.recipients({'topic': 'x'}) == ['c2']
    assert router.drop('c2') == 1
    assert router.drop('c2') == 0
    assert router.recipients({'topic': 'x'}) == []
    assert router.recipients({'topic': 'y', 'data': {'k': 'v'}}) == ['c1']
    # Nothing lingers in the indexes.
    router.drop('c1')
    assert not router._by_topic and not router._any_topic
    assert not router._by_id and not router._connections


def test_shared_expressions_keep_per_connection_membership():
    router = Router()
    for connection in ('c1', 'c2'):
        router.subscribe(connection, {'id': 'a'}, 'topic=x and data.k=1')
        router.subscribe(connection, {'id': 'b'}, 'topic=x and data.k=1')
        router.subscribe(connection, {'id': 'c'}, 'data.k=1')
    event = {'topic': 'x', 'data': {'k': '1'}}
    assert sorted(router.recipients(event)) == ['c1', 'c2']
    router.unsubscribe('c1', {'id': 'a'})
    router.unsubscribe('c1', {'id': 'c'})
    assert sorted(router.recipients(event)) == ['c1', 'c2']
    router.unsubscribe('c1', {'id': 'b'})
    assert router.recipients(event) == ['c2']
    assert router.recipients(dict(event, topic='y')) == ['c2']
    router.drop('c2')
    assert router.recipients(event) == []
    assert not router._by_topic and not router._any_topic


def test_parsed_expressions_are_cached():
    calls = []
    parser = Parser()

    def parse(text):
        calls.append(text)
        return parser.parse(text)

    router = Router(parse=parse)
    for connection in range(50):
        router.subscribe(connection, {'id': 's'}, 'data.kind=shot')
        router.subscribe(connection, {'id': 't'}, 'topic=a and data.n=1')
    for _ in range(20):
        router.recipients({'topic': 'a', 'data': {}, 'target': 'source.x=1'})
    assert sorted(calls) == sorted(
        ['data.kind=shot', 'topic=a and data.n=1', 'data.n=1', 'source.x=1']
    )


def test_matching_errors_mean_no_match():
    router = Router()
    router.subscribe('c', {'id': 's'}, 'data.n>4')
    assert router.recipients({'topic': 'x', 'data': {'n': 5}}) == []
    assert router.recipients({'topic': 'x', 'data': {'n': '5'}}) == ['c']


SUBSCRIPTIONS = [
    'topic=a', 'topic=b', 'topic="a"', 'topic=a and data.k=1',
    'topic=a and not data.k=1', 'topic=a and data.k=1 or topic=b',
    'topic=a*', 'topic=*', 'data.k=1', 'data.k!=1', 'source.id=p',
    'topic=a and (data.k=2 or source.id=p)', 'not topic=a', 'data.k>=1',
    'in_reply_to_event=e1', 'topic=b and target=""',
]
METADATA = [
    {'id': 'x'}, {'id': 'y', 'app': 'maya'}, {'id': 'z', 'app': 'nuke'},
]
TARGETS = ['', 'id=x', 'id=y', 'id="z"', 'app=maya', 'app=nu*',
           'id=x or app=nuke', 'not app=maya', 'id=missing']


def brute_force(subscribers, event, parser):
    chosen = []
    for connection, metadata, subscription in subscribers:
        if connection in chosen:
            continue
        try:
            if not parser.parse(subscription).match(event):
                continue
            if event['target'] and not parser.parse(event['target']).match(
                    metadata):
                continue
        except Exception:  # e.g. TypeError from ordering a number
            continue
        chosen.append(connection)
    return sorted(chosen)


def test_indexes_agree_with_evaluating_everything():
    parser = Parser()
    rng = random.Random(7)
    subscribers = []
    router = Router()
    for connection in range(12):
        for number in range(rng.randint(1, 4)):
            metadata = dict(rng.choice(METADATA))
            metadata['id'] = metadata['id'] if rng.random() < 0.7 else (
                '{0}-{1}'.format(connection, number)
            )
            subscription = rng.choice(SUBSCRIPTIONS)
            router.subscribe(connection, metadata, subscription)
            subscribers = [s for s in subscribers
                           if (s[0], s[1]['id']) != (connection, metadata['id'])]
            subscribers.append((connection, metadata, subscription))

    events = []
    for topic, k, source, target, reply in itertools.product(
            ['a', 'b', 'ab', 'c'], ['1', '2', None], ['p', 'q'], TARGETS,
            [None, 'e1']):
        data = {} if k is None else {'k': k}
        events.append({'id': 'e', 'topic': topic, 'data': data,
                       'source': {'id': source}, 'target': target,
                       'sent': None, 'in_reply_to_event': reply})
    for event in events:
        assert sorted(router.recipients(event)) == brute_force(
            subscribers, event, parser
        ), event
