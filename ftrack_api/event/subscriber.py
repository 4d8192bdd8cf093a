"""A subscriber: who receives which events, and how."""

import ftrack_api.event.subscription


class Subscriber:
    """Someone (a *callback*) interested in the events a *subscription*
    expression selects.

    *metadata* describes the subscriber to others (its ``id`` is what reply
    events and targeted events are addressed to); *priority* orders
    subscribers to the same event, lower numbers first.
    """

    def __init__(self, subscription, callback, metadata, priority):
        super().__init__()
        self.subscription = ftrack_api.event.subscription.Subscription(
            subscription
        )
        self.callback = callback
        self.metadata = metadata
        self.priority = priority

    def __str__(self):
        return '<{0} metadata={1} subscription="{2}">'.format(
            type(self).__name__, self.metadata, self.subscription
        )

    def interested_in(self, event):
        """Return whether *event* matches this subscriber's subscription.

        Only the subscription is considered; honouring the event's target is
        the hub's concern.
        """
        return self.subscription.includes(event)
