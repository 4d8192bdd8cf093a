"""Decoding of the values clients send inside operations.

Dates arrive as ``{"__type__": "datetime", "value": <ISO 8601>}`` (the
Python client sends dates that way too, as ``YYYY-MM-DD``) or
``{"__type__": "date", ...}``; entities as references
``{"__entity_type__": <type>, <primary key>: <value>, ...}``. The database
stores naive UTC datetimes, as ftrack does with timezone support enabled.
"""

import datetime

from ftrack_emulator.errors import ValidationError

_DATE_TYPES = ('datetime', 'date')


def is_reference(value):
    """Return True when *value* is an entity reference object."""
    return isinstance(value, dict) and '__entity_type__' in value


def is_encoded_date(value):
    return isinstance(value, dict) and value.get('__type__') in _DATE_TYPES


def parse_datetime(text, name='value'):
    """Return *text* (ISO 8601) as a naive UTC :class:`datetime.datetime`.

    A date alone means midnight; an offset is converted to UTC; a ``Z``
    suffix means UTC. Raise ValidationError naming *name* otherwise.
    """
    if not isinstance(text, str):
        raise ValidationError(
            'Expected an ISO 8601 date or datetime string for "{0}", got {1}.'
            .format(name, describe(text))
        )
    candidate = text.strip()
    if candidate.endswith(('Z', 'z')):
        candidate = candidate[:-1] + '+00:00'
    try:
        if len(candidate) == 10:
            parsed = datetime.datetime.combine(
                datetime.date.fromisoformat(candidate), datetime.time()
            )
        else:
            parsed = datetime.datetime.fromisoformat(candidate)
    except ValueError:
        raise ValidationError(
            'Could not read "{0}" as a date or datetime for "{1}": expected '
            'ISO 8601, e.g. 2024-01-31T12:00:00.'.format(text, name)
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def decode_datetime(value, name='value'):
    """Return the naive UTC datetime an encoded date object, an ISO string
    or a datetime stands for; None stays None."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    if is_encoded_date(value):
        return parse_datetime(value.get('value'), name)
    if isinstance(value, str):
        return parse_datetime(value, name)
    raise ValidationError(
        'Expected a datetime for "{0}", got {1}.'.format(name, describe(value))
    )


def describe(value):
    """Return a short description of *value* for error messages.

    Messages never contain braces: the Python client formats server
    messages with ``str.format``, so braces would break its exceptions.
    """
    if isinstance(value, dict):
        if is_reference(value):
            return 'a reference to a {0}'.format(value['__entity_type__'])
        return 'an object'
    if isinstance(value, (list, tuple)):
        return 'a list of {0} item(s)'.format(len(value))
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + '...'
    return '{0} ({1})'.format(text, json_type_name(value)).replace(
        '{', '(').replace('}', ')')


def json_type_name(value):
    """Return the JSON name of *value*'s type (``string``, ``number`` ...)."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, int):
        return 'integer'
    if isinstance(value, float):
        return 'number'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, (list, tuple)):
        return 'array'
    return 'object'


def reference_key(value, primary_key, name='value'):
    """Return the primary key values of reference *value* as a tuple of
    strings, in *primary_key* order."""
    missing = [key for key in primary_key if value.get(key) is None]
    if missing:
        raise ValidationError(
            'The reference to a {0} given for "{1}" lacks its primary key '
            'value(s) {2}.'.format(
                value.get('__entity_type__'), name, ', '.join(missing)
            )
        )
    return tuple(str(value[key]) for key in primary_key)


def normalise_entity_key(entity_key, primary_key, entity_type):
    """Return an operation's ``entity_key`` as a tuple of strings.

    Clients send a list in primary key order; the JavaScript client may send
    a bare string for single-key types.
    """
    if isinstance(entity_key, str):
        entity_key = [entity_key]
    if not isinstance(entity_key, (list, tuple)) or not entity_key:
        raise ValidationError(
            'entity_key must be a non-empty list of primary key values for '
            '{0}, got {1}.'.format(entity_type, describe(entity_key))
        )
    if len(entity_key) != len(primary_key):
        raise ValidationError(
            'entity_key for {0} must hold {1} value(s) ({2}), got {3}.'.format(
                entity_type, len(primary_key), ', '.join(primary_key),
                len(entity_key),
            )
        )
    for value in entity_key:
        if value is None or isinstance(value, (dict, list, bool)):
            raise ValidationError(
                'entity_key values for {0} must be strings, got {1}.'.format(
                    entity_type, describe(value)
                )
            )
    return tuple(str(value) for value in entity_key)
