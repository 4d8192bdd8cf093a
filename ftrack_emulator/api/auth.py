"""API credentials: who is calling, checked on every request.

A caller names itself in the ``ftrack-user`` header and proves it with the
``ftrack-api-key`` header. A key belongs to one user (stored in the
emulator's own key table, never in entity data); the user must exist and be
active. Any mismatch gets the same answer, so that the error does not tell
which half was wrong.
"""

import hmac
import secrets

import sqlalchemy

from ftrack_emulator.errors import AuthenticationError

USER_HEADER = 'ftrack-user'
KEY_HEADER = 'ftrack-api-key'


def new_api_key():
    """Return a fresh random API key."""
    return secrets.token_hex(20)


def credentials_from_headers(headers):
    """Return (user, key) from request *headers* (either may be None)."""
    return headers.get(USER_HEADER), headers.get(KEY_HEADER)


def missing_credentials_error():
    return AuthenticationError(
        'Missing credentials: every request must carry the {0} and {1} '
        'headers.'.format(USER_HEADER, KEY_HEADER)
    )


def invalid_credentials_error():
    return AuthenticationError(
        'The API key in the {0} header is not valid for the user named in '
        'the {1} header.'.format(KEY_HEADER, USER_HEADER)
    )


class Authenticator:
    """Checks credentials and manages API keys in a database.

    Credentials that passed are remembered, so that the many small
    requests of a client cost no extra queries; :meth:`forget_all` (called
    whenever keys or users change) clears that memory.
    """

    def __init__(self, database, writer):
        self.writer = writer
        self._keys = database.api_key_table
        self._verified = {}

    def authenticate(self, connection, username, api_key):
        """Return the calling user as a mapping with ``id`` and
        ``username``; raise AuthenticationError when the credentials do not
        match an active user."""
        if not username or not api_key:
            raise missing_credentials_error()
        known = self._verified.get((username, api_key))
        if known is not None:
            return dict(known)
        user = self._check(connection, username, api_key)
        self._verified[(username, api_key)] = user
        return dict(user)

    def forget_all(self):
        """Forget every remembered credential."""
        self._verified.clear()

    def _check(self, connection, username, api_key):
        users = self.writer.find(connection, 'User', {'username': username})
        if not users or users[0].get('is_active') is False:
            raise invalid_credentials_error()
        user = users[0]
        stored = connection.execute(
            sqlalchemy.select(self._keys.c.api_key).where(
                self._keys.c.user_id == user['id']
            )
        ).scalar()
        if stored is None or not hmac.compare_digest(
            stored.encode('utf-8'), str(api_key).encode('utf-8')
        ):
            raise invalid_credentials_error()
        return {'id': user['id'], 'username': user['username']}

    def set_key(self, connection, user_id, api_key):
        """Store *api_key* as the key of user *user_id* (replacing any)."""
        self.forget_all()
        connection.execute(
            sqlalchemy.delete(self._keys).where(self._keys.c.user_id == user_id)
        )
        connection.execute(
            sqlalchemy.insert(self._keys),
            {'user_id': user_id, 'api_key': api_key},
        )

    def forget(self, connection, user_ids):
        """Drop the keys of deleted users."""
        self.forget_all()
        connection.execute(
            sqlalchemy.delete(self._keys).where(
                self._keys.c.user_id.in_(list(user_ids))
            )
        )
