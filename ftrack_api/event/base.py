"""The event message passed between publishers and subscribers."""

import uuid
from collections.abc import MutableMapping


class Event(MutableMapping):
    """An event: a mapping of *topic*, *data* and routing fields.

    It behaves like a dictionary, so that callbacks can read and extend it
    freely, and also carries a *stopped* flag that a callback raises to keep
    the event from reaching subscribers further down the priority order.

    *id* defaults to a new random identifier; *data* and *source* default to
    new empty dictionaries. *target* is an expression selecting which
    subscribers may receive the event (empty for everyone).
    """

    def __init__(self, topic, id=None, data=None, sent=None, source=None,
                 target='', in_reply_to_event=None):
        super().__init__()
        # The key order is part of what scripts see (str, iteration).
        self._data = {
            'id': id or uuid.uuid4().hex,
            'data': data or {},
            'topic': topic,
            'sent': sent,
            'source': source or {},
            'target': target,
            'in_reply_to_event': in_reply_to_event,
        }
        # Set by a subscriber that wants no one after it to see the event.
        self._halted = False

    def __str__(self):
        return '<{0} {1}>'.format(type(self).__name__, self._data)

    def is_stopped(self):
        """Return whether a subscriber has stopped this event."""
        return self._halted

    def stop(self):
        """Keep this event from reaching any further subscribers."""
        self._halted = True

    # Reading. ``get`` and ``in`` are answered by the dictionary directly:
    # the versions MutableMapping provides go through exception handling,
    # which is slow on the event routing path.

    def __getitem__(self, key):
        return self._data[key]

    def get(self, key, default=None):
        """Return the value of *key*, or *default* when it is absent."""
        return self._data.get(key, default)

    def __contains__(self, key):
        return key in self._data

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        """Iterate over the keys, in the order they were added."""
        return iter(self._data)

    # Writing: callbacks may change or add keys freely.

    def __delitem__(self, key):
        del self._data[key]

    def __setitem__(self, key, value):
        self._data[key] = value
