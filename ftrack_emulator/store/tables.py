"""SQL tables derived from the emulator's schema.

:func:`build_metadata` declares one :class:`sqlalchemy.Table` per table of a
:class:`~ftrack_emulator.schema.model.Registry`, with the columns, primary
keys and indexes the registry derived from the entity types.

Column types (model column type → SQL):

``string`` → :class:`~sqlalchemy.types.String`, ``text`` →
:class:`~sqlalchemy.types.Text`, ``integer`` →
:class:`~sqlalchemy.types.Integer`, ``number`` →
:class:`~sqlalchemy.types.Float`, ``boolean`` →
:class:`~sqlalchemy.types.Boolean`, ``datetime`` → :class:`UTCDateTime`
(naive UTC), ``variable`` and ``json`` → :class:`JSONValue`.

Why :class:`JSONValue` rather than SQLAlchemy's ``JSON``: custom attribute
values are filtered in SQL (``custom_attributes any (value > 10)``), and
``JSON`` stores every value as JSON text, which SQLite compares as text (any
text sorts after every number). :class:`JSONValue` keeps numbers and strings
in their native SQLite storage class, in a column without type affinity
(declared ``BLOB``) so SQLite never converts them: ``10`` stays an integer
and compares numerically, ``"10"`` stays text. Only values SQLite has no
class for are encoded: booleans, lists and dictionaries become JSON bytes
(stored as blobs, decoded on the way out, so ``true`` comes back as ``True``
and not ``1``); datetimes become naive UTC ISO text, which orders correctly.
Comparisons bind their literal through the same conversion, so
``value is True`` matches a stored ``True``. SQLite orders numbers before
text before blobs, so a numeric comparison that must not match text should
also test ``typeof(value) in ('integer', 'real')``. Databases other than
SQLite get SQLAlchemy's ``JSON``.
"""

import datetime
import json

import sqlalchemy
from sqlalchemy import types


class UTCDateTime(types.TypeDecorator):
    """A DateTime that stores naive UTC: aware values are converted to UTC
    and lose their zone; naive values are taken to be UTC already."""

    impl = types.DateTime
    #: The type has no parameters, so compiled statements may be cached.
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Return *value* as naive UTC."""
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(
                tzinfo=None
            )
        return value


class _Untyped(types.UserDefinedType):
    """SQLite column type without affinity; values pass through as bound."""

    #: The type has no parameters, so compiled statements may be cached.
    cache_ok = True

    def get_col_spec(self, **kw):
        return 'BLOB'


class JSONValue(types.TypeDecorator):
    """Holds any JSON value; see the module documentation for the storage.
    """

    impl = _Untyped
    #: The type has no parameters, so compiled statements may be cached.
    cache_ok = True

    def load_dialect_impl(self, dialect):
        """SQLite: a column without affinity; others: JSON."""
        if dialect.name == 'sqlite':
            return dialect.type_descriptor(_Untyped())
        return dialect.type_descriptor(types.JSON())

    def process_bind_param(self, value, dialect):
        """Encode *value* with :func:`encode_json_value` (SQLite)."""
        if dialect.name != 'sqlite':
            return value
        return encode_json_value(value)

    def process_result_value(self, value, dialect):
        """Decode *value* with :func:`decode_json_value` (SQLite)."""
        if dialect.name != 'sqlite':
            return value
        return decode_json_value(value)


def encode_json_value(value):
    """Return *value* as :class:`JSONValue` stores it in SQLite."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return b'true' if value else b'false'
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(
                tzinfo=None
            )
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return json.dumps(value, sort_keys=True).encode('utf-8')


def decode_json_value(value):
    """Return the value :func:`encode_json_value` stored as *value*."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return json.loads(bytes(value).decode('utf-8'))
    return value


_SQL_TYPES = {
    'string': types.String,
    'text': types.Text,
    'integer': types.Integer,
    'number': types.Float,
    'boolean': types.Boolean,
    'datetime': UTCDateTime,
    'variable': JSONValue,
    'json': JSONValue,
}


def sql_type(column_type):
    """Return the SQLAlchemy type for a model column type."""
    try:
        return _SQL_TYPES[column_type]()
    except KeyError:
        raise ValueError(
            'Unknown column type "{0}"; expected one of {1}.'.format(
                column_type, ', '.join(sorted(_SQL_TYPES))
            )
        ) from None


def build_metadata(registry, metadata=None):
    """Return a :class:`sqlalchemy.MetaData` holding one table per table of
    *registry* (added to *metadata* when given)."""
    if metadata is None:
        metadata = sqlalchemy.MetaData()
    for name in sorted(registry.tables):
        table = registry.tables[name]
        columns = []
        for column in table.columns.values():
            # An integer key is generated by the database (Event ids).
            autoincrement = (
                column.primary_key and column.type == 'integer'
                and len(table.primary_key) == 1
            )
            columns.append(sqlalchemy.Column(
                column.name,
                sql_type(column.type),
                primary_key=column.primary_key,
                nullable=column.nullable and not column.primary_key,
                index=column.index or None,
                autoincrement=autoincrement,
            ))
        sqlalchemy.Table(name, metadata, *columns)
    return metadata
