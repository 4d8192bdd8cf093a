"""Subscriptions and routing: which connections receive an event.

ftrack filters on the server: a connection gets one copy of an event when
at least one of its subscribers has a subscription matching the event and
the event's ``target`` (an expression over subscriber metadata) is empty or
matches that subscriber. The client then fans the copy out locally, so each
of its subscribers sees the event exactly once.

Routing must stay cheap with many subscribers and many events, so the
router avoids evaluating expressions it can rule out beforehand:

* subscriptions of the common form ``topic=<name>`` (optionally followed by
  ``and`` conditions) are indexed by topic; only the rest are evaluated
  against every event;
* subscribers sharing an expression are grouped, and each group's
  expression is evaluated once per event;
* targets of the form ``id=<value>`` (what replies carry) are resolved
  through an index of subscriber ids;
* parsed expressions are cached by their text.
"""

import functools
import logging
import re

logger = logging.getLogger(__name__)

#: Subscriptions and targets are expressions; bare values may use these
#: characters (the client's grammar). ``*`` is left out on purpose: a
#: trailing star turns equality into a substring test.
_VALUE = r'''(?:"([^"*]*)"|'([^'*]*)'|([A-Za-z0-9\-_,./@+]+))'''

_TOPIC_PATTERN = re.compile(
    r'\s*topic\s*=\s*' + _VALUE + r'(?:\s*|\s+(?i:and)\s+(.*\S)\s*)',
    re.DOTALL,
)
_ID_PATTERN = re.compile(r'\s*id\s*=\s*' + _VALUE + r'\s*')
_OR_WORD = re.compile(r'(?i)\bor\b')
_QUOTED = re.compile(r'''"[^"]*"|'[^']*\'''')


class SubscriptionError(ValueError):
    """A subscribe or unsubscribe request the server cannot honour."""


def exact_topic(subscription):
    """Return ``(topic, rest)`` when *subscription* only matches events of
    one topic, else None.

    *rest* is the text of the remaining conditions (None when the topic is
    all there is). The answer is conservative: expressions it cannot prove
    to be ``topic=<name> and ...`` conjunctions return None and are simply
    evaluated in full.
    """
    match = _TOPIC_PATTERN.fullmatch(subscription)
    if match is None:
        return None
    topic = _first(match.group(1, 2, 3))
    rest = match.group(4)
    if rest is not None and _OR_WORD.search(_QUOTED.sub('', rest)):
        # "a and b or c" is "(a and b) or c": not restricted to one topic.
        return None
    return topic, rest


def exact_id(target):
    """Return the id when *target* is exactly ``id=<value>``, else None."""
    match = _ID_PATTERN.fullmatch(target)
    if match is None:
        return None
    return _first(match.group(1, 2, 3))


def _first(values):
    for value in values:
        if value is not None:
            return value
    return None


def default_parser():
    """Return the client's expression parser (the grammar is shared)."""
    from ftrack_api.event.expression import Parser

    return Parser().parse


class Subscriber:
    """One subscriber of one connection.

    ``topic`` is set when the subscription only matches that topic;
    ``expression`` is what remains to be checked (None when the topic is
    all there is).
    """

    __slots__ = (
        'connection', 'identifier', 'metadata', 'subscription', 'topic',
        'expression', 'group',
    )

    def __init__(self, connection, identifier, metadata, subscription,
                 topic, expression, group):
        self.connection = connection
        self.identifier = identifier
        self.metadata = metadata
        self.subscription = subscription
        self.topic = topic
        self.expression = expression
        self.group = group

    def interested_in(self, candidate):
        """Return True when the subscription matches *candidate*."""
        if self.topic is not None and candidate.get('topic') != self.topic:
            return False
        if self.expression is None:
            return True
        return _safe_match(self.expression, candidate)

    def __repr__(self):
        return '<Subscriber {0!r} subscription={1!r}>'.format(
            self.identifier, self.subscription
        )


class _Group:
    """Subscribers sharing one expression, evaluated once per event.

    Many clients subscribe with the same text (every hub listens to
    ``topic=ftrack.meta.reply``, every action to its discover topic), so
    routing cost follows the number of distinct expressions rather than the
    number of subscribers. ``connections`` counts the members per connection
    so that a matching group adds all of them at once.
    """

    __slots__ = ('key', 'expression', 'subscribers', 'connections')

    def __init__(self, key, expression):
        self.key = key
        self.expression = expression
        self.subscribers = {}
        self.connections = {}

    def add(self, subscriber):
        self.subscribers[subscriber] = None
        connection = subscriber.connection
        self.connections[connection] = self.connections.get(connection, 0) + 1

    def remove(self, subscriber):
        del self.subscribers[subscriber]
        connection = subscriber.connection
        remaining = self.connections[connection] - 1
        if remaining:
            self.connections[connection] = remaining
        else:
            del self.connections[connection]


def _safe_match(expression, candidate):
    # Ordering operators raise TypeError on mixed types in the client's
    # grammar; for routing purposes that simply means "no match".
    try:
        return bool(expression.match(candidate))
    except Exception as error:
        logger.debug('Expression %s failed on %r: %s', expression,
                     candidate, error)
        return False


class Router:
    """Subscribers of every connection, with the indexes routing uses.

    *parse* turns expression text into an object with ``match(mapping)``;
    it defaults to :func:`default_parser`.
    """

    def __init__(self, parse=None, cache_size=4096):
        self._parse_text = parse
        self._parse = functools.lru_cache(maxsize=cache_size)(self._parse_now)
        #: connection -> {subscriber id: Subscriber}
        self._connections = {}
        #: topic -> {remaining expression text or None: _Group}
        self._by_topic = {}
        #: subscription text -> _Group, for subscriptions not tied to a topic
        self._any_topic = {}
        #: subscriber id (text) -> {Subscriber: None}
        self._by_id = {}

    def _parse_now(self, text):
        if self._parse_text is None:
            self._parse_text = default_parser()
        return self._parse_text(text)

    def parse(self, text):
        """Return the parsed expression *text* (cached)."""
        return self._parse(text)

    # Subscriptions ---------------------------------------------------------

    def subscribe(self, connection, metadata, subscription):
        """Register a subscriber of *connection* and return it.

        Subscribing again with an id the connection already uses replaces
        the earlier registration (clients re-announce their subscribers after
        reconnecting, sometimes twice). Raises :class:`SubscriptionError` for
        missing metadata or an unparsable subscription.
        """
        identifier = _subscriber_id(metadata)
        if not isinstance(subscription, str):
            raise SubscriptionError(
                'Subscription must be a string, got {0!r}.'.format(
                    subscription
                )
            )
        topic_and_rest = exact_topic(subscription)
        try:
            # Parse the full text even when only part of it is evaluated:
            # it validates the subscription as the client's grammar would.
            expression = self.parse(subscription)
            if topic_and_rest is None:
                topic, rest = None, subscription
            else:
                topic, rest = topic_and_rest
                expression = self.parse(rest) if rest is not None else None
        except Exception as error:
            raise SubscriptionError(
                'Invalid subscription {0!r}: {1}'.format(subscription, error)
            )
        subscribers = self._connections.setdefault(connection, {})
        if identifier in subscribers:
            self._unindex(subscribers.pop(identifier))
        groups = (self._any_topic if topic is None
                  else self._by_topic.setdefault(topic, {}))
        group = groups.get(rest)
        if group is None:
            group = groups[rest] = _Group(rest, expression)
        subscriber = Subscriber(connection, identifier, dict(metadata),
                                subscription, topic, expression, group)
        subscribers[identifier] = subscriber
        group.add(subscriber)
        if isinstance(identifier, str):
            self._by_id.setdefault(identifier, {})[subscriber] = None
        return subscriber

    def unsubscribe(self, connection, metadata):
        """Remove the subscriber of *connection* described by *metadata*.

        Raises :class:`SubscriptionError` when it is not subscribed.
        """
        identifier = _subscriber_id(metadata)
        subscribers = self._connections.get(connection, {})
        subscriber = subscribers.pop(identifier, None)
        if subscriber is None:
            raise SubscriptionError(
                'Subscriber with identifier {0!r} is not subscribed.'.format(
                    identifier
                )
            )
        if not subscribers:
            del self._connections[connection]
        self._unindex(subscriber)
        return subscriber

    def drop(self, connection):
        """Forget every subscriber of *connection* (it went away)."""
        subscribers = self._connections.pop(connection, None) or {}
        for subscriber in subscribers.values():
            self._unindex(subscriber)
        return len(subscribers)

    def subscribers(self, connection=None):
        """Return the subscribers of *connection*, or of every connection."""
        if connection is not None:
            return list(self._connections.get(connection, {}).values())
        return [
            subscriber
            for subscribers in self._connections.values()
            for subscriber in subscribers.values()
        ]

    def _unindex(self, subscriber):
        group = subscriber.group
        group.remove(subscriber)
        if not group.subscribers:
            if subscriber.topic is None:
                del self._any_topic[group.key]
            else:
                groups = self._by_topic[subscriber.topic]
                del groups[group.key]
                if not groups:
                    del self._by_topic[subscriber.topic]
        if isinstance(subscriber.identifier, str):
            bucket = self._by_id[subscriber.identifier]
            del bucket[subscriber]
            if not bucket:
                del self._by_id[subscriber.identifier]

    # Routing ---------------------------------------------------------------

    def recipients(self, candidate):
        """Return the connections that should receive *candidate*, each
        once.

        *candidate* is the event as subscriptions see it (a mapping with
        ``topic``, ``data``, ``source``, ``target`` ...).
        """
        target = candidate.get('target') or ''
        if target:
            identifier = exact_id(target)
            if identifier is not None:
                return self._recipients_by_id(candidate, identifier)
            try:
                target_expression = self.parse(target)
            except Exception as error:
                logger.warning(
                    'Dropping event %s with unparsable target %r: %s',
                    candidate.get('id'), target, error,
                )
                return []
        else:
            target_expression = None

        chosen = {}
        for group in self._groups(candidate):
            if group.expression is not None and not _safe_match(
                group.expression, candidate
            ):
                continue
            if target_expression is None:
                chosen.update(group.connections)
                continue
            for subscriber in group.subscribers:
                if subscriber.connection not in chosen and _safe_match(
                    target_expression, subscriber.metadata
                ):
                    chosen[subscriber.connection] = None
        return list(chosen)

    def _recipients_by_id(self, candidate, identifier):
        chosen = {}
        for subscriber in self._by_id.get(identifier, ()):
            if (subscriber.connection not in chosen
                    and subscriber.interested_in(candidate)):
                chosen[subscriber.connection] = None
        return list(chosen)

    def _groups(self, candidate):
        topic = candidate.get('topic')
        by_topic = self._by_topic.get(topic) if isinstance(topic, str) else None
        if by_topic is None:
            return list(self._any_topic.values())
        if self._any_topic:
            return list(by_topic.values()) + list(self._any_topic.values())
        return list(by_topic.values())


def _subscriber_id(metadata):
    if not isinstance(metadata, dict):
        raise SubscriptionError(
            'Subscriber metadata must be an object, got {0!r}.'.format(
                metadata
            )
        )
    identifier = metadata.get('id')
    if identifier is None:
        raise SubscriptionError('Subscriber metadata has no id.')
    try:
        hash(identifier)
    except TypeError:
        raise SubscriptionError(
            'Subscriber id must be a string, got {0!r}.'.format(identifier)
        )
    return identifier
