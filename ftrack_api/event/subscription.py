"""A subscription: the expression a subscriber registers with the hub."""

import ftrack_api.event.expression


class Subscription:
    """The parsed form of a subscription expression.

    *subscription* is the expression text, kept as given so that it can be
    sent to the server and shown to people unchanged. Parsing happens here,
    so an invalid expression fails as soon as it is subscribed
    (:exc:`ftrack_api.exception.ParseError`).
    """

    #: The parser shared by every subscription.
    parser = ftrack_api.event.expression.Parser()

    def __init__(self, subscription):
        self._expression = self.parser.parse(subscription)
        self._text = subscription

    def includes(self, event):
        """Return whether *event* is one this subscription asks for."""
        return self._expression.match(event)

    def __str__(self):
        return self._text
