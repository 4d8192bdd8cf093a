"""Readable, indented text for entities (for consoles and logs)."""

import os
import sys

import ftrack_api.collection
import ftrack_api.entity.base
import ftrack_api.inspection
import ftrack_api.symbol

_RESET = '\x1b[0m'

#: Attribute filters for :func:`format`.
FILTER = {
    'ignore_unset': (
        lambda entity, name, value: value is not ftrack_api.symbol.NOT_SET
    ),
}


def _use_colour():
    """Whether to colour output: when writing to a terminal, unless the
    environment says otherwise (``NO_COLOR``, ``ANSI_COLORS_DISABLED``,
    ``FORCE_COLOR``, ``TERM=dumb``)."""
    environment = os.environ
    if 'ANSI_COLORS_DISABLED' in environment or 'NO_COLOR' in environment:
        return False
    if 'FORCE_COLOR' in environment:
        return True
    if environment.get('TERM') == 'dumb':
        return False
    isatty = getattr(sys.stdout, 'isatty', None)
    return bool(isatty and isatty())


def _header(text):
    if not _use_colour():
        return text
    # Bold, bright white on blue.
    return '\x1b[1m\x1b[44m\x1b[97m' + text + _RESET + _RESET


def _label(text):
    if not _use_colour():
        return text
    # Bold blue.
    return '\x1b[1m\x1b[34m' + text + _RESET + _RESET


def format(
    entity, formatters=None, attribute_filter=None, recursive=False,
    indent=0, indent_first_line=True, _seen=None
):
    """Return *entity* as text: its type, then one line per attribute.

    *formatters* may replace the ``header`` and ``label`` functions (text
    in, text out). *attribute_filter* is called with ``(entity, name,
    value)`` and returns whether to show the attribute (see
    :data:`FILTER`). Referenced entities are shown nested; collections are
    expanded only when *recursive*. An entity already shown appears as
    ``Type{...}``. Reading the values may fetch them from the server.
    """
    if formatters is None:
        formatters = {}
    header = formatters.get('header', _header)
    label = formatters.get('label', _label)
    if _seen is None:
        _seen = set()
    _seen.add(ftrack_api.inspection._identity_string(entity))

    lines = []
    first_line = header(entity.entity_type)
    if indent_first_line:
        first_line = ' ' * indent + first_line
    lines.append(first_line)

    for key, value in sorted(entity.items()):
        if attribute_filter is not None and not attribute_filter(
            entity, key, value
        ):
            continue

        nested_indent = indent + len(key) + 3
        if isinstance(value, ftrack_api.entity.base.Entity):
            value = _format_nested(
                value, formatters, attribute_filter, recursive,
                nested_indent, False, _seen,
            )
        elif recursive and isinstance(value, ftrack_api.collection.Collection):
            value = '\n'.join(
                _format_nested(
                    item, formatters, attribute_filter, recursive,
                    nested_indent, position > 0, _seen,
                )
                for position, item in enumerate(value)
            )
        lines.append('{0} {1}: {2}'.format(' ' * indent, label(key), value))

    return '\n'.join(lines)


def _format_nested(
    entity, formatters, attribute_filter, recursive, indent,
    indent_first_line, seen
):
    """Format a referenced *entity*, or mark it as already shown."""
    if ftrack_api.inspection._identity_string(entity) in seen:
        header = (formatters or {}).get('header', _header)
        text = header(entity.entity_type) + '{...}'
        if indent_first_line:
            text = ' ' * indent + text
        return text
    return format(
        entity, formatters, attribute_filter, recursive, indent,
        indent_first_line, seen,
    )
