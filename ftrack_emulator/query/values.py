"""Turn literals written in a query into values of an attribute's type.

ftrack coerces what the expression says to the attribute it is compared
with: ``name is 1`` looks for the text ``"1"``, ``is_active is "true"`` for
the boolean, and a date-time attribute accepts ISO dates and date-times
(time-zone aware ones are converted to naive UTC, the form they are stored
in).
"""

import datetime
import re

from ftrack_emulator.errors import QueryError

__all__ = ['coerce', 'parse_datetime']

_TRUE = {'true', '1', 'yes', 'on'}
_FALSE = {'false', '0', 'no', 'off'}
_DATE_ONLY = re.compile(r'^\d{4}-\d{2}-\d{2}$')


def parse_datetime(text):
    """Return a naive UTC datetime for an ISO date or date-time text, or
    None when *text* is not one."""
    text = text.strip()
    if _DATE_ONLY.match(text):
        try:
            return datetime.datetime.strptime(text, '%Y-%m-%d')
        except ValueError:
            return None
    candidate = text.replace(' ', 'T', 1)
    if candidate.endswith(('Z', 'z')):
        candidate = candidate[:-1] + '+00:00'
    # Python 3.9's fromisoformat only takes 3 or 6 fraction digits.
    match = re.match(r'^(.*T\d{2}:\d{2}:\d{2})\.(\d+)(.*)$', candidate)
    if match:
        candidate = '{0}.{1}{2}'.format(
            match.group(1), match.group(2)[:6].ljust(6, '0'), match.group(3)
        )
    try:
        value = datetime.datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _describe(entity_type, prop):
    return '{0}.{1}'.format(entity_type.name, prop.name)


def _invalid(literal, kind, entity_type, prop):
    return QueryError(
        'Invalid value {0} for {1} attribute "{2}": expected {3}.'.format(
            literal.text or repr(literal.value),
            prop.type or 'this', _describe(entity_type, prop), kind,
        )
    )


def coerce(entity_type, prop, literal):
    """Return *literal*'s value converted for comparison with *prop*.

    ``None`` stays ``None`` (the compiler turns it into IS NULL), except
    for a quoted ``"None"`` which is text like any other quoted value.
    """
    value = literal.value
    if value is None and not literal.quoted:
        return None
    if prop.is_datetime:
        if isinstance(value, datetime.datetime):
            return value
        parsed = parse_datetime(str(value))
        if parsed is None:
            raise _invalid(
                literal, 'an ISO date or date-time', entity_type, prop
            )
        return parsed
    kind = prop.type
    if kind == 'string':
        if literal.quoted:
            return value
        return literal.text if literal.text else str(value)
    if kind == 'integer':
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise _invalid(literal, 'an integer', entity_type, prop) from None
    if kind == 'number':
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, (int, float)):
            return value
        try:
            return float(str(value).strip())
        except ValueError:
            raise _invalid(literal, 'a number', entity_type, prop) from None
    if kind == 'boolean':
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _invalid(literal, 'true or false', entity_type, prop)
    if kind == 'object':
        raise QueryError(
            'Attribute "{0}" holds objects and cannot be compared with a '
            'value.'.format(_describe(entity_type, prop))
        )
    # 'variable' and undeclared scalar types: keep what the text said.
    return value
