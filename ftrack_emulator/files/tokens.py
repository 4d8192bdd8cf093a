"""Self-authorising URLs: signed, expiring grants.

An upload URL carries no ftrack credentials (the Python client sends the
``PUT`` with plain ``requests``), so the URL itself must say what it allows.
A token is a grant (what may be done to which data, e.g. "upload 12 bytes
with this MD5 as component X") plus an expiry time, signed with a secret
that only this emulator process knows. Nothing needs to be remembered
server side, and a token cannot be altered or reused for other data.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time


class TokenError(Exception):
    """A token that does not grant what is asked for.

    ``expired`` tells an out-of-date token from a forged or mangled one.
    """

    def __init__(self, message, expired=False):
        super().__init__(message)
        self.expired = expired


def _encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def _decode(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


class TokenSigner:
    """Issues and checks tokens with a per-process secret."""

    def __init__(self, secret=None, clock=time.time):
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock

    def _signature(self, payload):
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:24]

    def issue(self, purpose, lifetime, **grant):
        """Return a token allowing *purpose* (e.g. ``"upload"``) with the
        details in *grant* for *lifetime* seconds."""
        body = dict(grant, purpose=purpose,
                    expires=round(self._clock() + lifetime, 3))
        payload = json.dumps(body, sort_keys=True,
                             separators=(',', ':')).encode('utf-8')
        return '{0}.{1}'.format(
            _encode(payload), _encode(self._signature(payload))
        )

    def verify(self, token, purpose):
        """Return the grant of *token* if it is genuine, unexpired and for
        *purpose*; raise TokenError otherwise."""
        if not token or not isinstance(token, str):
            raise TokenError('The URL carries no token.')
        try:
            encoded_payload, encoded_signature = token.split('.')
            payload = _decode(encoded_payload)
            signature = _decode(encoded_signature)
        except ValueError:
            raise TokenError('The token is malformed.') from None
        if not hmac.compare_digest(signature, self._signature(payload)):
            raise TokenError(
                'The token was not issued by this server (or the server '
                'restarted since).'
            )
        grant = json.loads(payload.decode('utf-8'))
        if grant.get('purpose') != purpose:
            raise TokenError(
                'The token is for {0}, not {1}.'.format(
                    grant.get('purpose'), purpose
                )
            )
        if grant['expires'] <= self._clock():
            raise TokenError('The token has expired.', expired=True)
        return grant
