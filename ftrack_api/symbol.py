"""Sentinels and well-known constants shared by the whole API.

Sentinels stand for states that no ordinary value can mean (an attribute
never set, an entity just created, ...) and are always compared by identity.
"""

import os


class Symbol(object):
    """A named sentinel value, compared by identity.

    Its truth value is *value*, so that a sentinel meaning "nothing here"
    can read naturally in conditions. Copying hands back the very same
    object so that identity checks survive the shallow copies taken when
    operations are recorded; a deep copy, as with the reference, makes a new
    object.
    """

    __slots__ = ('name', 'value')

    def __init__(self, name, value=True):
        self.name = name
        self.value = value

    def __copy__(self):
        return self

    def __bool__(self):
        return bool(self.value)

    def __repr__(self):
        return 'Symbol({0})'.format(self.name)

    def __str__(self):
        return self.name


#: An entity created locally and not yet committed.
CREATED = Symbol('CREATED')

#: An entity with local changes not yet committed.
MODIFIED = Symbol('MODIFIED')

#: An entity deleted locally, pending commit.
DELETED = Symbol('DELETED')

#: An attribute, argument or value that has not been given.
NOT_SET = Symbol('NOT_SET', False)

# Built-in locations, by name.

#: Identifier of the built-in connect location.
CONNECT_LOCATION_ID = '07b82a97-8cf9-11e3-9383-20c9d081909b'

#: Identifier of the built-in origin location.
ORIGIN_LOCATION_ID = 'ce9b348f-8809-11e3-821c-20c9d081909b'

#: Identifier of the built-in review location.
REVIEW_LOCATION_ID = 'cd41be70-8809-11e3-b98a-20c9d081909b'

#: Identifier of the built-in server location.
SERVER_LOCATION_ID = '3a372bde-05bc-11e4-8908-20c9d081909b'

#: Identifier of the built-in unmanaged location.
UNMANAGED_LOCATION_ID = 'cb268ecc-8809-11e3-a7e2-20c9d081909b'

# Events a location publishes.

#: Event topic published once a component is added to a location.
COMPONENT_ADDED_TO_LOCATION_TOPIC = 'ftrack.location.component-added'

#: Event topic published once a component is removed from a location.
COMPONENT_REMOVED_FROM_LOCATION_TOPIC = 'ftrack.location.component-removed'

#: The job type of a synchronise-users-from-LDAP job.
JOB_SYNC_USERS_LDAP = Symbol('SYNC_USERS_LDAP')


def _chunk_size_from_environment(default=1024 * 1024):
    # Read once at import, like the reference: zero or unset means the
    # default; anything that is not an integer is a configuration mistake
    # worth stopping on, so it raises rather than being silently ignored.
    raw = os.environ.get('FTRACK_API_FILE_CHUNK_SIZE', 0)
    try:
        size = int(raw)
    except ValueError:
        raise ValueError(
            'FTRACK_API_FILE_CHUNK_SIZE must be a whole number of bytes, '
            'not {0!r}.'.format(raw)
        ) from None
    return size or default


#: Bytes read or written at a time when moving file data (1 MiB unless
#: the ``FTRACK_API_FILE_CHUNK_SIZE`` environment variable says otherwise).
CHUNK_SIZE = _chunk_size_from_environment()
