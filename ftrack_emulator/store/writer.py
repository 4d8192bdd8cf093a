"""The write path: create, update and delete entities in SQL.

Writes are checked against the schema before anything reaches the
database: unknown entity types and attributes, values of the wrong type,
computed attributes, changes to immutable attributes and missing required
values are refused with a :class:`~ftrack_emulator.errors.ValidationError`
naming the attribute.

Choices the emulator makes where clients legitimately leave gaps:

* Schema defaults are applied to attributes the client did not send
  (``{uid}`` generates an id); the discriminator columns are set from the
  created type; ``created_at``/``created_by_id`` are filled in.
* A typed context (Task, Shot, ...) created without ``status_id`` or
  ``type_id`` gets the first status and type its project schema allows for
  its object type, or stays without one when the schema allows none. An
  AssetVersion without status gets the first status of the version
  workflow and the next version number of its asset. A Project without
  ``status`` is ``active``; a User without ``username`` gets a generated
  one (and is inactive), as ftrack does. A ReviewSession without dates
  starts now and ends a week later; a ReviewSessionObject without
  ``sort_order`` goes last in its session.
* ``ReviewSession.thumbnail_id`` (computed: clients cannot set it) is kept
  by the writer: the thumbnail of the version of the session's first
  object, updated when objects are added, removed or reordered and when
  that version's thumbnail changes.
* Custom attribute values (``<X>CustomAttributeValue``, keyed by
  configuration and entity) are upserted by ``update``, and their value is
  checked against the configuration's type (number, text, enumerator,
  boolean, date).
* A collection update carries the whole collection: items are linked to
  the owner (a Note added to ``Task.notes`` gets its ``parent_id`` and
  ``parent_type``), and items no longer listed are unlinked where their
  link may be empty. Updates that only repeat existing links (``metadata``,
  ``members``, ``recipients`` after their creates) change nothing.
* Deleting applies ftrack's cascades (:data:`CASCADES` and
  :data:`REVERSE_CASCADES`): a context takes its children, assets, notes,
  assignments, timelogs, links and list entries with it, a project also
  its lists and review sessions; an asset its versions; a version its
  components; a component its locations (and a container its members); a
  note its replies and recipients; a user its memberships, roles and
  timelogs; every entity its metadata and custom attribute values, and the
  rows linking it to others (link tables). References to a deleted entity
  from entities that stay (a task's status, a thumbnail) are left as they
  are.

Every write is noted in the request's :class:`WriteBatch` (``changes``)
with the old and new stored values and what the entity hangs off
(:data:`PARENTS`), so that the event server can publish ``ftrack.update``
as ftrack does once the transaction is committed. An item that a
collection update moves to a new owner (a Note listed in ``Task.notes``)
gets an ``update`` record of its own.
"""

import dataclasses
import datetime
import json
import logging
import typing
import uuid

import sqlalchemy
import sqlalchemy.exc

from ftrack_emulator.store import values as decode
from ftrack_emulator.errors import EmulatorError, NotFoundError, ValidationError
from ftrack_emulator.schema.model import NO_DEFAULT

logger = logging.getLogger(__name__)

#: Collections whose items are deleted with their owner, by owner type.
#: Inherited: a type gets the cascades of the types sharing its table that
#: it specialises. Every entity also loses its metadata, custom attribute
#: values and link-table rows.
CASCADES = {
    'Context': ('children', 'notes', 'assets', 'assignments', 'allocations',
                'appointments', 'timelogs', 'scopes', 'managers'),
    'TypedContext': ('children', 'notes', 'assets', 'assignments',
                     'allocations', 'appointments', 'incoming_links',
                     'outgoing_links', 'status_changes', 'timelogs',
                     'managers'),
    'Project': ('children', 'notes', 'assets', 'assignments', 'allocations',
                'appointments', 'timelogs', 'managers', 'calendar_events',
                'review_sessions', 'user_security_role_projects'),
    'Asset': ('versions',),
    'AssetVersion': ('components', 'notes', 'incoming_links',
                     'outgoing_links', 'review_session_objects',
                     'status_changes'),
    'Component': ('component_locations',),
    'ContainerComponent': ('component_locations', 'members'),
    'SequenceComponent': ('component_locations', 'members'),
    'FileComponent': ('component_locations',),
    'Note': ('replies', 'recipients', 'note_components', 'note_label_links'),
    'User': ('memberships', 'user_security_roles', 'timelogs', 'assignments',
             'appointments', 'allocations', 'dashboard_resources'),
    'Group': ('memberships', 'children', 'assignments', 'appointments',
              'allocations', 'dashboard_resources'),
    'UserSecurityRole': ('user_security_role_projects',),
    'CustomAttributeConfiguration': ('values',),
    'Location': ('location_components',),
    'Job': ('job_components',),
    'ReviewSession': ('review_session_objects', 'review_session_invitees',
                      'settings'),
    'ReviewSessionObject': ('notes', 'statuses'),
    'Conversation': ('messages', 'participants'),
    'Dashboard': ('widgets', 'dashboard_resources'),
    'CalendarEvent': ('calendar_event_resources',),
    'TaskTemplate': ('items',),
}

#: Dependents no collection leads to: owner type -> (dependent type,
#: dependent attribute holding the owner's id). Inherited like CASCADES.
REVERSE_CASCADES = {
    'List': (('ListObject', 'list_id'),),
    'TypedContext': (('ListObject', 'entity_id'), ('Timer', 'context_id')),
    'AssetVersion': (('ListObject', 'entity_id'),),
    'Project': (('List', 'project_id'), ('ReviewSession', 'project_id')),
}

#: What entities that are not contexts hang off, for the ``ancestors`` of
#: change records: type -> references tried in order (the first one set
#: wins); inherited like CASCADES. ``parent`` of a Note or Metadata is
#: polymorphic (``parent_id`` and ``parent_type``); contexts follow their
#: ``parent`` and custom attribute values their entity.
PARENTS = {
    'Asset': ('parent',),
    'AssetVersion': ('asset',),
    'Component': ('version', 'container'),
    'ComponentLocation': ('component',),
    'Note': ('parent',),
    'Metadata': ('parent',),
    'Recipient': ('note',),
    'NoteComponent': ('note',),
    'Appointment': ('context',),
    'Manager': ('context',),
    'Timelog': ('context',),
    'Timer': ('context',),
    'List': ('project',),
    'ListObject': ('list',),
    'ReviewSession': ('project',),
    'ReviewSessionObject': ('review_session',),
    'ReviewSessionInvitee': ('review_session',),
    'ReviewSessionObjectStatus': ('review_session_object',),
}

#: How long a review session created without an end date stays open.
REVIEW_SESSION_LENGTH = datetime.timedelta(days=7)

#: Mapped collections that hold per-entity values (deleted with it).
_VALUE_COLLECTIONS = ('metadata', 'custom_attributes')

#: Keys per ``IN`` list: far below every database's limit on parameters.
_CHUNK = 500

def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: Scalar attribute types: how an error describes them and which JSON
#: values they accept (an integer may come as a whole float).
_SCALAR_KINDS = {
    'string': ('a string', lambda value: isinstance(value, str)),
    'integer': ('an integer', lambda value: _is_number(value) and (
        isinstance(value, int) or value.is_integer())),
    'number': ('a number', _is_number),
    'boolean': ('a boolean', lambda value: isinstance(value, bool)),
    'object': ('an object', lambda value: isinstance(value, (dict, list))),
}

#: Custom attribute types and the Python values they accept.
_CUSTOM_ATTRIBUTE_KINDS = {
    'number': 'number', 'text': 'text', 'enumerator': 'enumerator',
    'boolean': 'boolean', 'date': 'date', 'dynamic enumerator': 'enumerator',
    'expression': None, 'url': 'text', 'notificationtype': None,
}


def _clean(text):
    """Messages must not contain braces (the client formats them)."""
    return text.replace('{', '(').replace('}', ')')


def invalid(message, *args):
    return ValidationError(_clean(message.format(*args)))


@dataclasses.dataclass
class WriteBatch:
    """Bookkeeping shared by the operations of one request.

    ``rows`` caches rows read or written in this transaction by (table,
    primary key); ``deleted`` remembers what the request deleted, so that
    deleting an entity a cascade already removed is not an error;
    ``absent`` remembers keys read ahead in vain (:meth:`Writer.prefetch`);
    ``changes`` lists what was written, for listeners after the commit.
    """

    user_id: typing.Optional[str]
    now: datetime.datetime
    rows: typing.Dict[tuple, dict] = dataclasses.field(default_factory=dict)
    absent: typing.Set[tuple] = dataclasses.field(default_factory=set)
    #: Answers to repeated lookups (a project schema's first status ...).
    memo: typing.Dict[tuple, typing.Any] = dataclasses.field(
        default_factory=dict
    )
    deleted: typing.Set[tuple] = dataclasses.field(default_factory=set)
    changes: typing.List[dict] = dataclasses.field(default_factory=list)


class _TypeInfo:
    """What the writer needs to know about one entity type, worked out
    once from the schema."""

    def __init__(self, entity_type, table):
        self.entity_type = entity_type
        self.name = entity_type.name
        self.table = table
        self.columns = {}
        self.properties_by_column = {}
        for prop in entity_type.properties.values():
            if prop.column is not None:
                self.columns.setdefault(prop.name, prop.column)
                self.properties_by_column.setdefault(prop.column, prop)
        self.pk_columns = []
        for name in entity_type.primary_key:
            prop = entity_type.properties[name]
            self.pk_columns.append(prop.column or name)
        self.computed = set(entity_type.computed)
        self.immutable = set(entity_type.immutable)
        self.required = list(entity_type.required)

    def column_for(self, attribute):
        return self.columns.get(attribute)

    def conditions(self):
        return [self.table.c[column] == value
                for column, value in self.entity_type.discriminator.items()]


class Writer:
    """Creates, updates, deletes and reads entities of one database."""

    def __init__(self, registry, metadata):
        self.registry = registry
        self.metadata = metadata
        self._infos = {}
        self._cascade_cache = {}
        self._lineages = {}
        self._parents = {}
        self._foreign_key_cache = {}
        self._follow_up_table = None
        self._statements = {}
        self._typings = {}
        self._recorded_columns = {}
        self._context_columns = None

    # Schema lookups -----------------------------------------------------

    def info(self, type_name):
        """Return the _TypeInfo of *type_name*; raise ValidationError for an
        unknown type."""
        try:
            return self._infos[type_name]
        except KeyError:
            pass
        entity_type = self.registry.get(type_name)
        if entity_type is None:
            raise invalid('Entity type "{0}" does not exist.', type_name)
        info = _TypeInfo(entity_type, self.metadata.tables[entity_type.table])
        self._infos[type_name] = info
        return info

    def _row_type(self, info, row):
        """Return the concrete entity type of *row* (a column mapping).

        The answer depends only on the row's discriminator columns, so it
        is remembered per combination of their values.
        """
        entity_type = info.entity_type
        if not entity_type.subtypes:
            return entity_type
        typing_key = self._typings.get(entity_type.name)
        if typing_key is None:
            columns = sorted({column for subtype in entity_type.subtypes
                              for column in subtype.discriminator})
            typing_key = self._typings[entity_type.name] = (columns, {})
        columns, known = typing_key
        marker = tuple(row.get(column) for column in columns)
        try:
            return known[marker]
        except KeyError:
            concrete = known[marker] = self.registry.concrete_type(
                entity_type, row)
            return concrete
        except TypeError:  # an unhashable value: nothing to remember
            return self.registry.concrete_type(entity_type, row)

    def _to_attributes(self, info, row):
        """Return *row* keyed by the attribute names of its concrete type,
        with ``__entity_type__``."""
        concrete = self._row_type(info, row)
        result = {'__entity_type__': concrete.name}
        for prop in concrete.properties.values():
            if prop.column is not None and prop.column in row:
                result[prop.name] = row[prop.column]
        return result

    # Reading ------------------------------------------------------------

    def _select_rows(self, connection, info, conditions):
        statement = sqlalchemy.select(info.table).where(
            *(info.conditions() + list(conditions))
        )
        return [dict(row._mapping) for row in connection.execute(statement)]

    def _statement(self, key, build):
        """Return the statement cached under *key*, built once by *build*.

        Executing the same statement object with new parameters lets
        SQLAlchemy reuse its compiled form; a statement built afresh for
        every row is keyed and looked up (or compiled) again each time.
        """
        statement = self._statements.get(key)
        if statement is None:
            statement = self._statements[key] = build()
        return statement

    @staticmethod
    def _key_parameters(key):
        return {'_key{0}'.format(position): part
                for position, part in enumerate(key)}

    def _key_conditions(self, info):
        return [info.table.c[column] == sqlalchemy.bindparam(
                    '_key{0}'.format(position))
                for position, column in enumerate(info.pk_columns)]

    def _select_by_key(self, connection, info, key):
        """Return the row of *info*'s table with primary key *key* (any
        type stored there), or None."""
        statement = self._statement(
            ('select-key', info.table.name),
            lambda: sqlalchemy.select(info.table).where(
                *self._key_conditions(info)),
        )
        row = connection.execute(
            statement, self._key_parameters(key)).first()
        return None if row is None else dict(row._mapping)

    @staticmethod
    def _known(batch, cache_key):
        """Return ``(True, row or None)`` when the request already knows
        what is stored under *cache_key* (read, written, deleted or read
        ahead in vain), else ``(False, None)``."""
        if batch is None:
            return False, None
        row = batch.rows.get(cache_key)
        if row is not None:
            return True, row
        if cache_key in batch.deleted or cache_key in batch.absent:
            return True, None
        return False, None

    def _fetch_row(self, connection, batch, info, key):
        """Return the row (column mapping) of *info*'s type with primary
        key *key*, or None."""
        row = self._fetch_row_any(connection, batch, info, key)
        if row is None or not info.entity_type.matches_row(row):
            return None
        return row

    def _resolve(self, type_name, entity_key):
        """Return the type info and normalised primary key an operation's
        *type_name* and *entity_key* name (ValidationError when either is
        wrong)."""
        info = self.info(type_name)
        return info, decode.normalise_entity_key(
            entity_key, info.entity_type.primary_key, type_name
        )

    def prefetch_many(self, connection, batch, requests):
        """Read ahead the entities of *requests*, ``(type name, entity
        key)`` pairs as operations give them (see :meth:`prefetch`);
        unknown types and malformed keys are skipped: the operations
        naming them report them."""
        keys_by_type = {}
        for type_name, entity_key in requests:
            try:
                info, key = self._resolve(type_name, entity_key)
            except ValidationError:
                continue
            keys_by_type.setdefault(info.name, []).append(key)
        for type_name, keys in keys_by_type.items():
            self.prefetch(connection, batch, type_name, keys)

    def prefetch(self, connection, batch, type_name, keys):
        """Read the rows of the *type_name* entities with primary *keys*
        (tuples of strings) into the request's cache in a few selects, so
        that the operations about to use them need none of their own. Keys
        naming no row are remembered as absent (for this request)."""
        info = self.info(type_name)
        table_name = info.table.name
        wanted = {}
        for key in keys:
            if len(key) != len(info.pk_columns):
                continue
            if not self._known(batch, (table_name, key))[0]:
                wanted[key] = None
        if not wanted:
            return
        wanted = list(wanted)
        table = info.table
        found = {}
        if len(info.pk_columns) == 1:
            statement = self._statement(
                ('select-keys', table_name),
                lambda: sqlalchemy.select(table).where(
                    table.c[info.pk_columns[0]].in_(
                        sqlalchemy.bindparam('_keys', expanding=True))),
            )
            parameters = lambda chunk: {'_keys': [key[0] for key in chunk]}
        else:
            # Each key column in the set of its values: a superset of the
            # keys, narrowed below.
            statement = self._statement(
                ('select-key-parts', table_name),
                lambda: sqlalchemy.select(table).where(*[
                    table.c[column].in_(sqlalchemy.bindparam(
                        '_part{0}'.format(position), expanding=True))
                    for position, column in enumerate(info.pk_columns)
                ]),
            )
            parameters = lambda chunk: {
                '_part{0}'.format(position): sorted({key[position]
                                                     for key in chunk})
                for position in range(len(info.pk_columns))
            }
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            for row in connection.execute(statement, parameters(chunk)):
                row = dict(row._mapping)
                found[tuple(str(row[column])
                            for column in info.pk_columns)] = row
        for key in wanted:
            row = found.get(key)
            if row is None:
                batch.absent.add((table_name, key))
            else:
                batch.rows[(table_name, key)] = row

    def fetch(self, connection, type_name, key, batch=None):
        """Return the entity *type_name* with primary key *key* as a dict of
        its stored attributes (plus ``__entity_type__``), or None."""
        info = self.info(type_name)
        row = self._fetch_row(connection, batch, info, tuple(
            str(part) for part in key
        ))
        return None if row is None else self._to_attributes(info, row)

    def find(self, connection, type_name, criteria=None, order_by=None):
        """Return every *type_name* whose attributes equal *criteria*, as
        attribute dicts, optionally ordered by the attributes *order_by*."""
        info = self.info(type_name)
        conditions = []
        for attribute, value in (criteria or {}).items():
            column = info.column_for(attribute)
            if column is None:
                raise invalid(
                    '"{0}" is not a stored attribute of {1}.', attribute,
                    type_name
                )
            column = info.table.c[column]
            conditions.append(
                column.is_(None) if value is None else column == value
            )
        statement = sqlalchemy.select(info.table).where(
            *(info.conditions() + conditions)
        )
        for attribute in order_by or ():
            statement = statement.order_by(
                info.table.c[info.column_for(attribute)]
            )
        return [self._to_attributes(info, dict(row._mapping))
                for row in connection.execute(statement)]

    # Values -------------------------------------------------------------

    def _coerce(self, info, prop, value):
        """Return *value* as stored for scalar *prop*, or raise
        ValidationError naming the attribute."""
        if value is None:
            return None
        where = '"{0}" of {1}'.format(prop.name, info.name)
        if prop.is_datetime:
            try:
                return _to_seconds(decode.decode_datetime(value, prop.name))
            except ValidationError as error:
                raise ValidationError(_clean('{0}: {1}'.format(
                    where, error.content))) from None
        kind = prop.type
        if prop.format == 'json':
            if isinstance(value, str):
                return value
            if isinstance(value, (dict, list)):
                return json.dumps(value)
            raise invalid('{0} must be JSON text, got {1}.', where,
                          decode.describe(value))
        accepted = _SCALAR_KINDS.get(kind)
        if accepted is not None:
            description, accepts = accepted
            if not accepts(value):
                raise invalid('{0} must be {1}, got {2}.', where, description,
                              decode.describe(value))
            if kind == 'integer' and isinstance(value, float):
                return int(value)
            return value
        # 'variable' and untyped: any JSON value; dates are decoded.
        if decode.is_encoded_date(value):
            return _to_seconds(decode.decode_datetime(value, prop.name))
        return value

    def _resolve_reference(self, connection, batch, info, prop, value):
        """Return {column: value} linking the owner to the entity *value*
        refers to (None clears the link)."""
        relation = prop.relation
        if relation is None or relation.special or relation.through:
            raise invalid(
                '"{0}" of {1} cannot be set directly; set the foreign key '
                'attribute instead.', prop.name, info.name
            )
        if relation.local not in info.table.c:
            raise invalid(
                '"{0}" of {1} cannot be set directly.', prop.name, info.name
            )
        columns = {}
        if value is None:
            columns[relation.local] = None
            if relation.target_type_column:
                columns[relation.target_type_column] = None
            for local in relation.extra_keys:
                columns[local] = None
            return columns
        if not decode.is_reference(value):
            raise invalid(
                '"{0}" of {1} must be a reference to a {2} or null, got {3}.',
                prop.name, info.name, prop.target, decode.describe(value)
            )
        target_name = value['__entity_type__']
        target_info = self._compatible(info, prop, target_name)
        key = decode.reference_key(
            value, target_info.entity_type.primary_key, prop.name
        )
        row = self._fetch_row_any(connection, batch, target_info, key)
        if row is None:
            raise invalid(
                '"{0}" of {1} refers to {2} {3}, which does not exist.',
                prop.name, info.name, target_name, ', '.join(key)
            )
        columns[relation.local] = row.get(relation.remote)
        for local, remote in relation.extra_keys.items():
            columns[local] = row.get(remote)
        if relation.target_type_column:
            concrete = self._row_type(target_info, row)
            columns[relation.target_type_column] = concrete.name
        return columns

    def _foreign_keys(self, info):
        """Return ``{column: (attribute, target info)}`` for the columns of
        *info*'s type that hold the key of a plain reference (``parent_id``
        for ``parent``)."""
        known = self._foreign_key_cache.get(info.name)
        if known is not None:
            return known
        known = {}
        for prop in info.entity_type.properties.values():
            relation = prop.relation
            if (not prop.is_reference or relation is None
                    or relation.special or relation.through
                    or relation.target_type_column or relation.extra_keys):
                continue
            scalar = info.properties_by_column.get(relation.local)
            target = self.registry.get(prop.target)
            if scalar is None or not scalar.is_scalar or target is None:
                continue
            target_info = self.info(target.name)
            if target_info.pk_columns == [relation.remote]:
                known.setdefault(relation.local, (scalar.name, target_info))
        self._foreign_key_cache[info.name] = known
        return known

    def _check_foreign_keys(self, connection, batch, info, columns):
        """Refuse key values written as plain attributes (``parent_id``)
        that name no entity, as the reference objects are refused."""
        foreign_keys = self._foreign_keys(info)
        for column, value in columns.items():
            entry = foreign_keys.get(column)
            if entry is None or value is None:
                continue
            name, target_info = entry
            if self._fetch_row_any(
                    connection, batch, target_info, (str(value),)) is None:
                raise invalid(
                    '"{0}" of {1} refers to {2} {3}, which does not exist.',
                    name, info.name, target_info.name, value
                )

    def _compatible(self, info, prop, target_name):
        """Return the _TypeInfo of *target_name* if entities of that type
        may be held by *prop*; raise ValidationError otherwise."""
        target = self.registry.get(target_name)
        expected = self.registry.get(prop.target)
        if target is None:
            raise invalid('Entity type "{0}" does not exist.', target_name)
        if expected is not None and target.table != expected.table:
            raise invalid(
                '"{0}" of {1} must refer to a {2}, got a reference to a {3}.',
                prop.name, info.name, prop.target, target_name
            )
        return self.info(target_name)

    # Create -------------------------------------------------------------

    def create(self, connection, batch, type_name, data, entity_key=None):
        """Insert a *type_name* from the attribute values in *data*; return
        its primary key (a tuple of strings)."""
        info = self.info(type_name)
        entity_type = info.entity_type
        if entity_type.abstract:
            raise invalid(
                'Cannot create a {0}: it is an abstract type. Create one of '
                'its concrete types instead.', type_name
            )
        if not isinstance(data, dict):
            raise invalid('entity_data for {0} must be an object, got {1}.',
                          type_name, decode.describe(data))
        if type_name.endswith('CustomAttributeValue'):
            return self._upsert_custom_attribute_value(
                connection, batch, info, data, entity_key, create=True
            )
        row = {}
        collections = []
        keys_given = {}
        for attribute, value in data.items():
            if attribute == '__entity_type__':
                continue
            prop = self._writable_property(info, attribute, creating=True)
            if prop.is_collection:
                collections.append((prop, value))
            elif prop.is_reference:
                _merge_columns(info, attribute, row, self._resolve_reference(
                    connection, batch, info, prop, value
                ))
            else:
                value = self._coerce(info, prop, value)
                keys_given[prop.column] = value
                _merge_columns(info, attribute, row, {prop.column: value})
        self._check_foreign_keys(connection, batch, info, keys_given)
        if entity_key is not None:
            key = decode.normalise_entity_key(
                entity_key, entity_type.primary_key, type_name
            )
            for column, part in zip(info.pk_columns, key):
                if row.get(column) is None:
                    row[column] = part
        self._apply_defaults(info, row)
        for column, value in entity_type.discriminator.items():
            given = row.get(column)
            if given is not None and given != value:
                prop = info.properties_by_column.get(column)
                raise invalid(
                    '"{0}" of a {1} must be {2}, got {3}.',
                    prop.name if prop else column, type_name, value,
                    decode.describe(given)
                )
            row[column] = value
        lenient = self._apply_server_defaults(connection, batch, info, row)
        self._check_required(info, row, lenient)
        key = tuple(
            None if row.get(column) is None else str(row[column])
            for column in info.pk_columns
        )
        if None in key:
            raise invalid('The primary key of a {0} is incomplete.', type_name)
        self._check_unique(connection, batch, info, key, row)
        try:
            self._insert_row(connection, info.table, row)
        except sqlalchemy.exc.IntegrityError:
            if self._fetch_row_any(connection, None, info, key) is not None:
                raise self._duplicate(info, key) from None
            raise
        stored = {column.name: row.get(column.name)
                  for column in info.table.columns}
        batch.rows[(info.table.name, key)] = stored
        batch.deleted.discard((info.table.name, key))
        for prop, value in collections:
            self._set_collection(connection, batch, info, stored, prop, value)
        self._record(connection, batch, 'add', info, key, {}, stored,
                     sorted(data))
        self._follow_up(connection, batch, info, {}, stored)
        return key

    def _writable_property(self, info, attribute, creating):
        prop = info.entity_type.properties.get(attribute)
        if prop is None:
            # Worded as the query engine words it.
            raise invalid(
                'Entity type "{0}" has no attribute "{1}".', info.name,
                attribute
            )
        if attribute in info.computed or prop.computed_by is not None:
            raise invalid(
                '"{0}" of {1} is computed by the server and cannot be set.',
                attribute, info.name
            )
        if prop.is_scalar and prop.column is None:
            raise invalid(
                '"{0}" of {1} cannot be set.', attribute, info.name
            )
        return prop

    def _apply_defaults(self, info, row):
        for prop in info.entity_type.properties.values():
            if prop.column is None or prop.default is NO_DEFAULT:
                continue
            if prop.column in row:
                continue
            default = prop.default
            if default == '{uid}':
                default = str(uuid.uuid4())
            elif isinstance(default, (dict, list)):
                default = json.loads(json.dumps(default))
            row[prop.column] = self._coerce(info, prop, default)

    def _apply_server_defaults(self, connection, batch, info, row):
        """Fill in what ftrack fills in itself (see the module doc); return
        the required columns that may nevertheless stay empty."""
        table_columns = info.table.c

        def fill(attribute, value):
            column = info.column_for(attribute)
            if column is not None and column in table_columns \
                    and row.get(column) is None:
                row[column] = value() if callable(value) else value

        fill('created_at', batch.now)
        fill('created_by_id', batch.user_id)
        lenient = set()
        entity_type = info.entity_type
        if 'TypedContext' in self._lineage(entity_type):
            self._fill_workflow(connection, batch, info, row)
            fill('sort', 0)
            fill('bid', 0)
            # Object types without statuses or types (folders, sequences
            # ...) get none.
            lenient.update(info.column_for(name)
                           for name in ('status_id', 'type_id'))
        if info.name == 'Project':
            fill('status', 'active')
        if info.name == 'AssetVersion':
            fill('status_id', lambda: self._first_version_status(
                connection, batch, row))
            fill('date', batch.now)
            fill('user_id', batch.user_id)
            fill('version', lambda: self._next_version(connection, info, row))
        if info.name == 'User':
            fill('username', lambda: str(uuid.uuid4()))
            fill('is_active', False)
            fill('user_type_id', lambda: self._default_user_type(connection))
        if info.name == 'Note':
            fill('date', batch.now)
            fill('thread_activity', batch.now)
            fill('user_id', batch.user_id)
        if info.name == 'ReviewSession':
            # ftrack's own example creates sessions without dates: they
            # start now and stay open for a week.
            fill('start_date', batch.now)
            start = row.get(info.column_for('start_date')) or batch.now
            fill('end_date', start + REVIEW_SESSION_LENGTH)
        if info.name == 'ReviewSessionObject':
            fill('sort_order', lambda: self._next_sort_order(
                connection, info, row))
        if info.name == 'Timelog':
            fill('comment', '')
            fill('duration', 0)
            fill('start', batch.now)
        if info.name == 'Timer':
            fill('start', batch.now)
            fill('user_id', batch.user_id)
        return lenient

    def _next_sort_order(self, connection, info, row):
        session_column = info.column_for('review_session_id')
        order_column = info.column_for('sort_order')
        highest = connection.execute(
            sqlalchemy.select(
                sqlalchemy.func.max(info.table.c[order_column])
            ).where(info.table.c[session_column] == row.get(session_column))
        ).scalar()
        return 0 if highest is None else highest + 1

    def _default_user_type(self, connection):
        rows = self.find(connection, 'UserType', {'name': 'user'})
        return rows[0]['id'] if rows else None

    def _lineage(self, entity_type):
        """Names of *entity_type* and the types it specialises."""
        try:
            return self._lineages[entity_type.name]
        except KeyError:
            pass
        names = [entity_type.name]
        seen = {entity_type.name}
        current = entity_type
        while current.supertype and current.supertype not in seen:
            seen.add(current.supertype)
            names.append(current.supertype)
            current = self.registry.get(current.supertype)
            if current is None:
                break
        for other in self.registry.types.values():
            if other.name not in seen and any(
                    subtype is entity_type for subtype in other.subtypes):
                names.append(other.name)
                seen.add(other.name)
        self._lineages[entity_type.name] = names
        return names

    def _project_schema_id(self, connection, batch, row):
        """Return the project schema id of the project a new context row
        belongs to."""
        project_info = self.info('Project')
        project_id = row.get(self.info('TypedContext').column_for('project_id'))
        parent_column = self.info('TypedContext').column_for('parent_id')
        if project_id is None and row.get(parent_column) is not None:
            context = self.info('Context')
            parent = self._fetch_row(
                connection, batch, context, (str(row[parent_column]),)
            )
            if parent is not None:
                concrete = self._row_type(context, parent)
                if concrete.name == 'Project':
                    project_id = parent.get(project_info.pk_columns[0])
                else:
                    project_id = parent.get(
                        self.info('TypedContext').column_for('project_id')
                    )
        if project_id is None:
            return None, None
        project = self._fetch_row(connection, batch, project_info,
                                  (str(project_id),))
        if project is None:
            return project_id, None
        return project_id, project.get(
            project_info.column_for('project_schema_id')
        )

    def _fill_workflow(self, connection, batch, info, row):
        """Give a new typed context its project, status and type."""
        project_column = info.column_for('project_id')
        status_column = info.column_for('status_id')
        type_column = info.column_for('type_id')
        priority_column = info.column_for('priority_id')
        project_id, schema_id = self._project_schema_id(connection, batch, row)
        if project_column and row.get(project_column) is None:
            row[project_column] = project_id
        needs_status = status_column and row.get(status_column) is None
        needs_type = type_column and row.get(type_column) is None
        if priority_column and row.get(priority_column) is None:
            row[priority_column] = self._memo(
                batch, ('priority',), lambda: self._first(
                    connection, 'Priority', order_by=('sort',))
            )
        if not (needs_status or needs_type) or schema_id is None:
            return
        object_type_id = row.get(info.column_for('object_type_id'))
        for kind, column, needed in (('status', status_column, needs_status),
                                     ('type', type_column, needs_type)):
            if needed:
                row[column] = self._memo(
                    batch, (kind, schema_id, object_type_id, info.name),
                    lambda kind=kind: self._schema_first(
                        connection, kind, schema_id, object_type_id,
                        info.name)
                )

    @staticmethod
    def _memo(batch, key, compute):
        try:
            return batch.memo[key]
        except KeyError:
            value = batch.memo[key] = compute()
            return value

    def _first(self, connection, type_name, criteria=None, order_by=()):
        rows = self.find(connection, type_name, criteria, order_by=order_by)
        return rows[0]['id'] if rows else None

    #: Where a project schema keeps the statuses and types of tasks
    #: (ProjectSchema attribute, its type, collection) and of other object
    #: types (per object type Schema entries: type, id attribute).
    _WORKFLOWS = {
        'status': (('task_workflow_schema_id', 'WorkflowSchema', 'statuses'),
                   ('SchemaStatus', 'status_id')),
        'type': (('task_type_schema_id', 'TaskTypeSchema', 'types'),
                 ('SchemaType', 'type_id')),
    }

    def _schema_first(self, connection, kind, schema_id, object_type_id,
                      type_name):
        """Return the id of the first status or type (*kind*) the project
        schema *schema_id* allows for a new *type_name*."""
        (attribute, owner_type, collection), (entry_type, entry_id) = \
            self._WORKFLOWS[kind]
        if type_name == 'Task':
            schema = self.fetch(connection, 'ProjectSchema', (schema_id,))
            owner_id = schema and schema.get(attribute)
            if not owner_id:
                return None
            items = self._linked(connection, owner_type, owner_id, collection)
            return items[0] if items else None
        schemas = self.find(connection, 'Schema', {
            'project_schema_id': schema_id, 'object_type_id': object_type_id,
        })
        for schema in schemas:
            entries = self.find(connection, entry_type,
                                {'schema_id': schema['id']},
                                order_by=('sort',))
            if entries:
                return entries[0][entry_id]
        return None

    def _linked(self, connection, type_name, owner_id, attribute):
        """Return the ids of the items of collection *attribute* of the
        *type_name* with id *owner_id*, in link order."""
        info = self.info(type_name)
        prop = info.entity_type.properties[attribute]
        relation = prop.relation
        target = self.info(prop.target)
        owner = self._fetch_row(connection, None, info, (str(owner_id),))
        if owner is None:
            return []
        local = owner.get(relation.local)
        if relation.through:
            link = self.metadata.tables[relation.link_table]
            statement = sqlalchemy.select(
                link.c[relation.link_remote]
            ).where(link.c[relation.link_local] == local)
            if 'sort' in link.c:
                statement = statement.order_by(link.c.sort)
            remotes = [row[0] for row in connection.execute(statement)]
            rows = self._select_rows(connection, target, [
                target.table.c[relation.remote].in_(remotes)
            ])
            if 'sort' in target.table.c:
                rows.sort(key=lambda row: row.get('sort') or 0)
            return [row[target.pk_columns[0]] for row in rows]
        rows = self._select_rows(connection, target, [
            target.table.c[relation.remote] == local
        ])
        if 'sort' in target.table.c:
            rows.sort(key=lambda row: row.get('sort') or 0)
        return [row[target.pk_columns[0]] for row in rows]

    def _first_version_status(self, connection, batch, row):
        """The first status of the version workflow of the project the
        version's asset belongs to (or of any project schema)."""
        version = self.info('AssetVersion')
        asset_id = row.get(version.column_for('asset_id'))
        schema_id = None
        if asset_id is not None:
            asset_info = self.info('Asset')
            asset = self._fetch_row(connection, batch, asset_info,
                                    (str(asset_id),))
            context_id = asset and asset.get(asset_info.column_for('context_id'))
            if context_id is not None:
                context = self.info('Context')
                parent = self._fetch_row(connection, batch, context,
                                         (str(context_id),))
                if parent is not None:
                    fake = {self.info('TypedContext').column_for('parent_id'):
                            context_id}
                    _, schema_id = self._project_schema_id(
                        connection, batch, fake
                    )
        candidates = (
            [self.fetch(connection, 'ProjectSchema', (schema_id,))]
            if schema_id else self.find(connection, 'ProjectSchema')
        )
        for schema in candidates:
            workflow = schema and schema.get('asset_version_workflow_schema_id')
            if workflow:
                statuses = self._linked(
                    connection, 'WorkflowSchema', workflow, 'statuses'
                )
                if statuses:
                    return statuses[0]
        return None

    def _next_version(self, connection, info, row):
        asset_column = info.column_for('asset_id')
        version_column = info.column_for('version')
        asset_id = row.get(asset_column)
        if asset_id is None or version_column is None:
            return None
        highest = connection.execute(
            sqlalchemy.select(
                sqlalchemy.func.max(info.table.c[version_column])
            ).where(info.table.c[asset_column] == asset_id)
        ).scalar()
        return (highest or 0) + 1

    def _check_required(self, info, row, lenient=()):
        for attribute in info.required:
            prop = info.entity_type.properties.get(attribute)
            if prop is None or prop.column is None or prop.column in lenient:
                continue
            if row.get(prop.column) is None:
                raise invalid(
                    'Missing required attribute "{0}" for {1}.',
                    attribute, info.name
                )

    @staticmethod
    def _duplicate(info, key):
        return EmulatorError(
            _clean('A {0} with primary key {1} already exists.'.format(
                info.name, ', '.join(key)
            )),
            exception='DuplicateEntryError', status=409,
        )

    def _check_unique(self, connection, batch, info, key, row):
        # A clash with a row of the database surfaces when inserting; one
        # with a row this request wrote is known already.
        cached = batch.rows.get((info.table.name, key))
        if cached is not None:
            raise self._duplicate(info, key)
        if info.name == 'Timer':
            user_column = info.column_for('user_id')
            existing = self._select_rows(connection, info, [
                info.table.c[user_column] == row.get(user_column)
            ])
            if existing:
                raise EmulatorError(
                    'DuplicateEntryError: user {0} already has a running '
                    'timer.'.format(row.get(user_column)),
                    exception='DuplicateEntryError', status=409,
                )
        if info.name == 'User':
            username_column = info.column_for('username')
            existing = self._select_rows(connection, info, [
                info.table.c[username_column] == row.get(username_column)
            ])
            if existing:
                raise EmulatorError(
                    _clean('A user with username "{0}" already exists.'.format(
                        row.get(username_column)
                    )),
                    exception='DuplicateEntryError', status=409,
                )

    def _fetch_row_any(self, connection, batch, info, key):
        """Like _fetch_row but ignoring discriminators (ids are unique
        across a table)."""
        cache_key = (info.table.name, key)
        known, row = self._known(batch, cache_key)
        if known:
            return row
        row = self._select_by_key(connection, info, key)
        if row is not None and batch is not None:
            batch.rows[cache_key] = row
        return row

    # Update -------------------------------------------------------------

    def update(self, connection, batch, type_name, entity_key, data):
        """Change the attributes in *data* of an existing entity; return
        its primary key."""
        info, key = self._resolve(type_name, entity_key)
        entity_type = info.entity_type
        if not isinstance(data, dict):
            raise invalid('entity_data for {0} must be an object, got {1}.',
                          type_name, decode.describe(data))
        if type_name.endswith('CustomAttributeValue'):
            return self._upsert_custom_attribute_value(
                connection, batch, info, data, key, create=False
            )
        for attribute in data:
            # Unknown attributes are refused before a missing entity, as
            # by create.
            if attribute != '__entity_type__':
                self._writable_property(info, attribute, creating=False)
        current = self._fetch_row(connection, batch, info, key)
        if current is None:
            raise NotFoundError(_clean(
                'Cannot update {0} {1}: it does not exist.'.format(
                    type_name, ', '.join(key)
                )
            ))
        before = current
        changes = {}
        collections = []
        for attribute, value in data.items():
            if attribute == '__entity_type__':
                continue
            prop = self._writable_property(info, attribute, creating=False)
            if prop.is_collection:
                collections.append((prop, value))
                continue
            if prop.is_reference:
                columns = self._resolve_reference(
                    connection, batch, info, prop, value
                )
            else:
                columns = {prop.column: self._coerce(info, prop, value)}
                self._check_foreign_keys(connection, batch, info, columns)
            if attribute in info.immutable:
                # Immutable once set, as clients see it: a value may fill
                # an empty attribute but never replace one.
                for column, new in columns.items():
                    old = current.get(column)
                    if old is not None and not _same(old, new):
                        raise invalid(
                            'Cannot modify the immutable attribute "{0}" of '
                            '{1}.', attribute, type_name
                        )
            for column, new in columns.items():
                prop_for_column = info.properties_by_column.get(column)
                if (column in info.pk_columns
                        and not _same(current.get(column), new)):
                    raise invalid(
                        'Cannot change the primary key attribute "{0}" of '
                        '{1}.', prop_for_column.name if prop_for_column
                        else column, type_name
                    )
                if new is None and prop_for_column is not None and (
                        prop_for_column.name in info.required):
                    raise invalid(
                        'Attribute "{0}" of {1} is required and cannot be '
                        'null.', prop_for_column.name, type_name
                    )
            _merge_columns(info, attribute, changes, columns)
        if changes:
            self._update_row(connection, info, key, changes)
            current = dict(current, **changes)
            batch.rows[(info.table.name, key)] = current
        for prop, value in collections:
            self._set_collection(connection, batch, info, current, prop, value)
        self._record(connection, batch, 'update', info, key, before, current,
                     sorted(data))
        self._follow_up(connection, batch, info, before, current)
        return key

    # Collections --------------------------------------------------------

    def _set_collection(self, connection, batch, info, owner, prop, items):
        """Make collection *prop* of *owner* hold exactly *items*."""
        if items is None:
            items = []
        if not isinstance(items, list):
            raise invalid(
                '"{0}" of {1} must be a list of references, got {2}.',
                prop.name, info.name, decode.describe(items)
            )
        for item in items:
            if not decode.is_reference(item):
                raise invalid(
                    '"{0}" of {1} must be a list of references, got an item '
                    'that is {2}.', prop.name, info.name, decode.describe(item)
                )
        relation = prop.relation
        if relation is None or relation.special:
            # Derived collections (custom attributes, ancestors ...) follow
            # from other data; clients re-send them after writing that data.
            logger.debug('Derived collection %s of %s left as it is.',
                         prop.name, info.name)
            return
        target_info = None
        keys = []
        for item in items:
            target_info = self._compatible(info, prop, item['__entity_type__'])
            keys.append((target_info, decode.reference_key(
                item, target_info.entity_type.primary_key, prop.name
            )))
        local_value = owner.get(relation.local)
        if relation.through:
            self._set_through(connection, batch, info, prop, local_value, keys)
        else:
            self._set_direct(connection, batch, info, owner, prop,
                             local_value, keys)

    def _set_direct(self, connection, batch, info, owner, prop, local_value,
                    keys):
        relation = prop.relation
        target = self.info(prop.target)
        remote = relation.remote
        wanted = set()
        for item_info, key in keys:
            row = self._fetch_row(connection, batch, item_info, key)
            if row is None:
                raise invalid(
                    '"{0}" of {1} lists {2} {3}, which does not exist.',
                    prop.name, info.name, item_info.name, ', '.join(key)
                )
            wanted.add(key)
            link = {remote: local_value}
            link.update(relation.target_filters)
            if relation.owner_type_column:
                link[relation.owner_type_column] = self._row_type(
                    info, owner).name
            changes = {column: value for column, value in link.items()
                       if not _same(row.get(column), value)}
            if not changes:
                continue
            if remote in item_info.pk_columns:
                raise invalid(
                    '"{0}" of {1} lists {2} {3}, which belongs to another '
                    'owner.', prop.name, info.name, item_info.name,
                    ', '.join(key)
                )
            self._write_columns(connection, batch, item_info, key, row,
                                changes)
            # The item moved (a Note added to Task.notes gets its parent):
            # listeners learn its new place.
            self._record(connection, batch, 'update', item_info, key, row,
                         batch.rows[(item_info.table.name, key)], [])
        # Unlink the items no longer listed, where the link may be empty.
        column = target.table.c.get(remote)
        if column is None or remote in target.pk_columns:
            return
        if not column.nullable:
            return
        conditions = [column == local_value] + [
            target.table.c[name] == value
            for name, value in relation.target_filters.items()
        ]
        for row in self._select_rows(connection, target, conditions):
            key = tuple(str(row[name]) for name in target.pk_columns)
            if key in wanted:
                continue
            unlink = {remote: None}
            if relation.owner_type_column:
                unlink[relation.owner_type_column] = None
            self._write_columns(connection, batch, target, key, row, unlink)
            self._record(connection, batch, 'update', target, key, row,
                         batch.rows[(target.table.name, key)], [])

    def _update_row(self, connection, info, key, changes):
        """Store *changes* (column -> value) in the row with primary key
        *key*, with one statement per set of columns."""
        table = info.table
        columns = tuple(sorted(changes))
        statement = self._statement(
            ('update', table.name, columns),
            lambda: sqlalchemy.update(table).where(
                *self._key_conditions(info)
            ).values({
                column: sqlalchemy.bindparam(
                    '_value_' + column, type_=table.c[column].type)
                for column in columns
            }),
        )
        parameters = self._key_parameters(key)
        for column in columns:
            parameters['_value_' + column] = changes[column]
        connection.execute(statement, parameters)

    def _insert_row(self, connection, table, row):
        statement = self._statement(
            ('insert', table.name), lambda: sqlalchemy.insert(table))
        connection.execute(statement, row)

    def _write_columns(self, connection, batch, info, key, row, changes):
        self._update_row(connection, info, key, changes)
        after = batch.rows[(info.table.name, key)] = dict(row, **changes)
        self._follow_up(connection, batch, info, row, after)

    def _set_through(self, connection, batch, info, prop, local_value, keys):
        relation = prop.relation
        link = self.metadata.tables[relation.link_table]
        wanted = []
        for item_info, key in keys:
            row = self._fetch_row(connection, batch, item_info, key)
            if row is None:
                raise invalid(
                    '"{0}" of {1} lists {2} {3}, which does not exist.',
                    prop.name, info.name, item_info.name, ', '.join(key)
                )
            value = row.get(relation.remote)
            if value not in wanted:
                wanted.append(value)
        link_type = self._type_of_table(link.name)
        link_keys = (self.info(link_type.name).pk_columns
                     if link_type is not None else None)

        def forget(row):
            # The request's cache must not answer for a link row written
            # behind its back: the next read goes to the database.
            if link_keys is not None:
                marker = (link.name, tuple(str(row.get(column))
                                           for column in link_keys))
                batch.rows.pop(marker, None)
                batch.absent.discard(marker)
                batch.deleted.discard(marker)
                return marker
            return None

        existing_rows = [
            dict(row._mapping) for row in connection.execute(
                sqlalchemy.select(link).where(
                    link.c[relation.link_local] == local_value
                )
            )
        ]
        existing = [row[relation.link_remote] for row in existing_rows]
        stale = [value for value in existing if value not in wanted]
        if stale:
            connection.execute(sqlalchemy.delete(link).where(
                link.c[relation.link_local] == local_value,
                link.c[relation.link_remote].in_(stale),
            ))
            for row in existing_rows:
                if row[relation.link_remote] in stale:
                    marker = forget(row)
                    if marker is not None:
                        batch.deleted.add(marker)
        for position, value in enumerate(wanted):
            if value in existing:
                continue
            row = {relation.link_local: local_value,
                   relation.link_remote: value}
            if link_type is not None:
                link_info = self.info(link_type.name)
                self._apply_defaults(link_info, row)
                for column, discriminator in \
                        link_type.discriminator.items():
                    row[column] = discriminator
            if 'sort' in link.c and row.get('sort') is None:
                row['sort'] = position
            self._insert_row(connection, link, row)
            forget(row)

    def _type_of_table(self, table_name):
        """Return the most general entity type stored in *table_name*."""
        table = self.registry.tables.get(table_name)
        if table is None or not table.types:
            return None
        return table.types[0]

    # Custom attribute values -------------------------------------------

    def _upsert_custom_attribute_value(self, connection, batch, info, data,
                                       key, create):
        """Write one custom attribute value, creating it when missing."""
        entity_type = info.entity_type
        if key is None or create:
            given = key
            key = []
            for position, name in enumerate(entity_type.primary_key):
                value = data.get(name)
                if value is None and given is not None:
                    given = decode.normalise_entity_key(
                        given, entity_type.primary_key, info.name
                    )
                    value = given[position]
                if value is None:
                    raise invalid(
                        'Missing required attribute "{0}" for {1}.',
                        name, info.name
                    )
                key.append(str(value))
            key = tuple(key)
        configuration_id, entity_id = _split_value_key(entity_type, key)
        for attribute in data:
            if attribute in ('__entity_type__', 'value', 'key') or \
                    attribute in entity_type.primary_key:
                continue
            self._writable_property(info, attribute, creating=create)
        configuration = self.fetch(
            connection, 'CustomAttributeConfiguration', (configuration_id,),
            batch=batch,
        )
        if configuration is None:
            raise invalid(
                'Custom attribute configuration {0} does not exist.',
                configuration_id
            )
        stored = self._custom_attribute_value(
            connection, batch, configuration, data.get('value')
        )
        value_column = info.column_for('value')
        current = self._fetch_row(connection, batch, info, key)
        if current is not None:
            if create:
                raise EmulatorError(
                    _clean('A {0} for configuration {1} and entity {2} '
                           'already exists.'.format(
                               info.name, configuration_id, entity_id)),
                    exception='DuplicateEntryError', status=409,
                )
            if 'value' in data:
                self._write_columns(connection, batch, info, key, current,
                                    {value_column: stored})
            after = batch.rows.get((info.table.name, key), current)
        else:
            row = {column: value
                   for column, value in zip(info.pk_columns, key)}
            row[value_column] = stored
            key_column = info.column_for('key')
            if key_column is not None:
                row[key_column] = configuration.get('key')
            for column, value in entity_type.discriminator.items():
                row[column] = value
            self._apply_defaults(info, row)
            self._insert_row(connection, info.table, row)
            batch.rows[(info.table.name, key)] = row
            current, after = {}, row
        self._record(connection, batch, 'update', info, key, current or {},
                     after, sorted(data))
        return key

    def _custom_attribute_value(self, connection, batch, configuration,
                                value):
        """Check *value* against the configuration's type; return it as
        stored."""
        type_row = None
        if configuration.get('type_id'):
            type_row = self.fetch(connection, 'CustomAttributeType',
                                  (configuration['type_id'],), batch=batch)
        type_name = (type_row or {}).get('name') or ''
        kind = _CUSTOM_ATTRIBUTE_KINDS.get(type_name.lower())
        if value is None or kind is None:
            return value
        ok = True
        if kind == 'number':
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif kind == 'text':
            ok = isinstance(value, str)
        elif kind == 'boolean':
            ok = isinstance(value, bool)
        elif kind == 'enumerator':
            if isinstance(value, str):
                value = [value]
            ok = isinstance(value, list) and all(
                isinstance(item, str) for item in value
            )
        elif kind == 'date':
            try:
                value = _to_seconds(
                    decode.decode_datetime(value, configuration['key'])
                )
            except ValidationError:
                ok = False
        if not ok:
            raise ValidationError(_clean(
                'Custom attribute value for "{0}" must be of type {1}. Got '
                '"{2}" of type {3}'.format(
                    configuration.get('key'), type_name, _plain(value),
                    type(value),
                )
            ))
        return value

    # Delete -------------------------------------------------------------

    def delete(self, connection, batch, type_name, entity_key):
        """Delete an entity and what ftrack deletes with it."""
        info, key = self._resolve(type_name, entity_key)
        row = self._fetch_row(connection, batch, info, key)
        if row is None:
            if (info.table.name, key) in batch.deleted:
                return key
            raise NotFoundError(_clean(
                'Cannot delete {0} {1}: it does not exist.'.format(
                    type_name, ', '.join(key)
                )
            ))
        self._delete_targets(connection, batch, [(info, key, row)])
        return key

    def delete_many(self, connection, batch, requests):
        """Delete the entities of *requests* (``(type name, entity key)``
        pairs in operation order) as as many :meth:`delete` calls would,
        one after the other, but finding the cascades of all of them
        together: a few selects per dependent relation instead of a few
        per entity.

        Stops before the first request :meth:`delete` would refuse and
        returns how many requests were done: the caller lets that one fail
        on its own, with its own error.
        """
        checked = []
        for type_name, entity_key in requests:
            try:
                checked.append(self._resolve(type_name, entity_key))
            except ValidationError:
                break
        self.prefetch_many(connection, batch, [
            (info.name, key) for info, key in checked])
        targets = []
        done = 0
        for info, key in checked:
            row = self._fetch_row(connection, batch, info, key)
            if row is None and (info.table.name, key) not in batch.deleted:
                break
            if row is not None:
                targets.append((info, key, row))
            done += 1
        self._delete_targets(connection, batch, targets)
        return done

    # Derived values -----------------------------------------------------

    def _follow_up(self, connection, batch, info, before, after):
        """Keep the values the server derives from others up to date
        after a row of *info*'s table went from *before* to *after* (an
        empty mapping for a created or deleted row).

        ``ReviewSession.thumbnail_id`` is the thumbnail of the version
        shown first in the session: it follows objects being added,
        removed, reordered or pointed at another version, and that
        version's thumbnail changing.
        """
        follow_up = self._follow_ups().get(info.table.name)
        if follow_up is not None:
            follow_up(connection, batch, before, after)

    def _follow_ups(self):
        """Table name -> what to do after one of its rows changed (only
        for the types this schema has)."""
        if self._follow_up_table is None:
            table = {}
            if all(name in self.registry for name in (
                    'ReviewSession', 'ReviewSessionObject', 'AssetVersion')):
                table[self.info('ReviewSessionObject').table.name] = \
                    self._review_object_changed
                table[self.info('AssetVersion').table.name] = \
                    self._version_changed
            self._follow_up_table = table
        return self._follow_up_table

    def _review_object_changed(self, connection, batch, before, after):
        objects = self.info('ReviewSessionObject')
        watched = [objects.column_for(name) for name in (
            'review_session_id', 'version_id', 'sort_order')]
        if all(_same(before.get(column), after.get(column))
               for column in watched):
            return
        session_column = objects.column_for('review_session_id')
        self._refresh_review_thumbnails(connection, batch, {
            before.get(session_column), after.get(session_column)})

    def _version_changed(self, connection, batch, before, after):
        versions = self.info('AssetVersion')
        column = versions.column_for('thumbnail_id')
        if not before or not after or _same(before.get(column),
                                            after.get(column)):
            # A deleted version takes its review objects with it.
            return
        objects = self.info('ReviewSessionObject')
        session_column = objects.table.c[
            objects.column_for('review_session_id')]
        sessions = connection.execute(
            sqlalchemy.select(session_column).distinct().where(
                objects.table.c[objects.column_for('version_id')]
                == after.get(versions.pk_columns[0]))
        ).scalars().all()
        self._refresh_review_thumbnails(connection, batch, set(sessions))

    def _refresh_review_thumbnails(self, connection, batch, session_ids):
        """Give each review session of *session_ids* the thumbnail of its
        first object's version."""
        sessions = self.info('ReviewSession')
        objects = self.info('ReviewSessionObject')
        versions = self.info('AssetVersion')
        thumbnail_column = sessions.column_for('thumbnail_id')
        objects_table, versions_table = objects.table, versions.table
        version_id = versions_table.c[versions.pk_columns[0]]
        order = [objects_table.c[objects.column_for(name)]
                 for name in ('sort_order', 'created_at')]
        order.append(objects_table.c[objects.pk_columns[0]])
        for session_id in session_ids:
            if session_id is None:
                continue
            key = (str(session_id),)
            session = self._fetch_row(connection, batch, sessions, key)
            if session is None:
                continue
            thumbnail = connection.execute(
                sqlalchemy.select(
                    versions_table.c[versions.column_for('thumbnail_id')]
                ).select_from(objects_table.join(
                    versions_table,
                    objects_table.c[objects.column_for('version_id')]
                    == version_id,
                )).where(
                    objects_table.c[objects.column_for('review_session_id')]
                    == session_id
                ).order_by(*order).limit(1)
            ).scalar()
            if _same(session.get(thumbnail_column), thumbnail):
                continue
            self._write_columns(connection, batch, sessions, key, session,
                                {thumbnail_column: thumbnail})
            self._record(connection, batch, 'update', sessions, key, session,
                         batch.rows[(sessions.table.name, key)], [])

    # Change records -----------------------------------------------------

    def _record(self, connection, batch, action, info, key, before, after,
                attributes):
        """Note what a write did, for the listeners told after the commit.

        A record holds ``action`` (add, update, remove), the client
        ``entity_type`` and ``key``, the ``attributes`` the client sent,
        ``values`` (attribute -> [old, new] for the stored scalars that
        changed), ``object_type_id`` (contexts only, None otherwise) and
        ``ancestors``: what the entity hangs off, nearest first (see
        :data:`PARENTS`), e.g. a version's asset, then the asset's shot,
        sequence and project.
        """
        row = after or before
        concrete = self._row_type(info, row) if row else info.entity_type
        columns = self._recorded_columns.get(concrete.name)
        if columns is None:
            columns = self._recorded_columns[concrete.name] = [
                (prop.name, prop.column)
                for prop in concrete.properties.values()
                if prop.column is not None and not prop.restricted_projection
            ]
        values = {}
        updating = action == 'update'
        for name, column in columns:
            old = before.get(column)
            new = after.get(column)
            if old is None and new is None:
                continue
            if updating and _same(old, new):
                continue
            values[name] = [old, new]
        record = {
            'action': action, 'entity_type': concrete.name, 'key': list(key),
            'attributes': [name for name in attributes
                           if not name.startswith('__')],
            'values': values,
            'object_type_id': self._object_type_id(info, row),
            'ancestors': self._ancestors(connection, batch, concrete, row)
            if row else [],
        }
        batch.changes.append(record)

    def _object_type_id(self, info, row):
        """The object type of context *row*; None for other entities."""
        if not row or not self._is_context(info):
            return None
        return row.get(self._context_typing()[1])

    def _context_typing(self):
        """The table of contexts (None without one) and the column holding
        their object type."""
        if self._context_columns is None:
            table = column = None
            if 'Context' in self.registry:
                table = self.info('Context').table
            if 'TypedContext' in self.registry:
                column = self.info('TypedContext').column_for(
                    'object_type_id')
            self._context_columns = (table, column or 'object_type_id')
        return self._context_columns

    def _is_context(self, info):
        table = self._context_typing()[0]
        return table is not None and info.table is table

    def _ancestors(self, connection, batch, entity_type, row):
        """What *row* (an *entity_type*) hangs off, nearest first:
        ``entity_type``, ``entity_id`` and ``object_type_id`` of each."""
        ancestors = []
        seen = set()
        current = self._parent(connection, batch, entity_type, row)
        while current is not None and len(ancestors) < 100:
            parent_info, parent = current
            concrete = self._row_type(parent_info, parent)
            entity_id = ','.join(
                str(parent.get(column)) for column in parent_info.pk_columns
            )
            marker = (parent_info.table.name, entity_id)
            if marker in seen:
                break
            seen.add(marker)
            ancestors.append({
                'entity_type': concrete.name,
                'entity_id': entity_id,
                'object_type_id': self._object_type_id(parent_info, parent),
            })
            current = self._parent(connection, batch, concrete, parent)
        return ancestors

    def _parent(self, connection, batch, entity_type, row):
        """Return ``(type info, row)`` of the entity *row* (an
        *entity_type*) hangs off, or None."""
        for kind, local, target in self._parent_links(entity_type):
            value = row.get(local)
            if value is None:
                continue
            if kind == 'polymorphic':
                target = self._polymorphic_target(row.get(target))
                if target is None:
                    continue
            parent = self._fetch_row_any(connection, batch, target,
                                         (str(value),))
            if parent is not None:
                return target, parent
        return None

    def _polymorphic_target(self, type_name):
        """The _TypeInfo of a ``parent_type`` value (a schema type name,
        or the name of the table it is stored in)."""
        if not type_name:
            return None
        entity_type = self.registry.get(type_name)
        if entity_type is None:
            table = self.registry.tables.get(type_name)
            if table is None or not table.types:
                return None
            entity_type = table.types[0]
        return self.info(entity_type.name)

    def _parent_links(self, entity_type):
        """How the parent of an *entity_type* is found: a list of
        ``("reference", local column, target info)`` or ``("polymorphic",
        id column, type column)``, tried in order."""
        try:
            return self._parents[entity_type.name]
        except KeyError:
            pass
        info = self.info(entity_type.name)
        links = []
        if self._is_context(info):
            context = self.info('Context')
            column = context.column_for('parent_id')
            if column is not None:
                links.append(('reference', column, context))
        names = ()
        for type_name in self._lineage(entity_type):
            if type_name in PARENTS:
                names = PARENTS[type_name]
                break
        for name in names:
            prop = entity_type.properties.get(name)
            if prop is not None and prop.relation is not None \
                    and not prop.relation.special \
                    and not prop.relation.through:
                links.append(('reference', prop.relation.local,
                              self.info(prop.target)))
            elif prop is None and name == 'parent' \
                    and info.column_for('parent_id') \
                    and info.column_for('parent_type'):
                links.append(('polymorphic', info.column_for('parent_id'),
                              info.column_for('parent_type')))
        owner = _custom_attribute_owner(entity_type.name)
        if owner is not None and owner in self.registry \
                and info.column_for('entity_id'):
            links.append(('reference', info.column_for('entity_id'),
                          self.info(owner)))
        self._parents[entity_type.name] = links
        return links

    def _delete_targets(self, connection, batch, targets):
        """Delete *targets* (``(type info, key, row)``, in operation order)
        with their cascades, as if each were deleted by its own operation
        in turn: an entity an earlier target's cascade takes is not
        deleted (nor announced) again, and each announcement names only
        ancestors still there at its turn."""
        if not targets:
            return
        roots = [(self.info(self._row_type(info, row).name), key, row)
                 for info, key, row in targets]
        nodes, edges, links = self._cascade_graph(connection, roots)
        origins = self._origins(roots, nodes, edges)
        if origins is None or len(roots) > 1 and any(
                self._reacts_to_deletion(info)
                for info, _ in nodes.values()):
            # Derived values refreshed after each deletion (or a cascade
            # this grouping cannot attribute): one target at a time.
            for info, key, row in targets:
                if (info.table.name, key) not in batch.deleted:
                    self._delete_targets(connection, batch,
                                         [(info, key, row)])
            return
        taken = {}
        for marker, index in origins.items():
            taken.setdefault(index, []).append(marker)
        for index, (info, key, row) in enumerate(roots):
            if origins[(info.table.name, key)] != index:
                continue
            self._record(connection, batch, 'remove', info, key, row, {}, [])
            for marker in taken.get(index, ()):
                batch.rows.pop(marker, None)
                batch.deleted.add(marker)
        by_table = {}
        for (table_name, key), (info, _) in nodes.items():
            by_table.setdefault(table_name, (info, []))[1].append(key)
        for info, keys in by_table.values():
            self._delete_keys(connection, info, keys)
        for table, column, values in links:
            self._delete_in(connection, table, column, values)
        for info, row in nodes.values():
            self._follow_up(connection, batch, info, row, {})

    def _cascade_graph(self, connection, roots):
        """Find everything deleting *roots* (``(type info, key, row)``)
        takes with it.

        Return ``(nodes, edges, links)``: *nodes* maps ``(table, key)`` to
        ``(type info, row)`` in the order found; *edges* maps a node to
        the nodes that go because it goes; *links* lists the rows of link
        tables no type describes, as ``(table, column, values)`` to delete.
        """
        nodes = {}
        edges = {}
        links = []
        groups = {}
        for info, _, row in roots:
            groups.setdefault(info.name, (info, []))[1].append(row)
        pending = list(reversed(list(groups.values())))
        while pending:
            current, rows = pending.pop()
            by_type = {}
            for row in rows:
                key = tuple(str(row[column]) for column in current.pk_columns)
                marker = (current.table.name, key)
                if marker in nodes:
                    continue
                nodes[marker] = (current, row)
                concrete = self._row_type(current, row)
                by_type.setdefault(concrete.name, []).append((marker, row))
            for concrete_name, owners in by_type.items():
                found = self._dependents(
                    connection, self.info(concrete_name),
                    [row for _, row in owners], links,
                )
                for dependent, dependent_rows, column, owner_column in found:
                    owned_by = {}
                    for marker, row in owners:
                        value = row.get(owner_column)
                        if value is not None:
                            owned_by.setdefault(str(value), []).append(
                                marker)
                    for row in dependent_rows:
                        key = tuple(str(row[name])
                                    for name in dependent.pk_columns)
                        marker = (dependent.table.name, key)
                        for owner in owned_by.get(str(row.get(column)), ()):
                            edges.setdefault(owner, []).append(marker)
                    pending.append((dependent, dependent_rows))
        return nodes, edges, links

    @staticmethod
    def _origins(roots, nodes, edges):
        """Map every node to the position of the first root whose cascade
        reaches it (what that root's operation deleted); None when a node
        is reached by none (never expected)."""
        origins = {}
        for index, (info, key, _) in enumerate(roots):
            marker = (info.table.name, key)
            if marker in origins:
                continue
            origins[marker] = index
            stack = [marker]
            while stack:
                for dependent in edges.get(stack.pop(), ()):
                    if dependent not in origins:
                        origins[dependent] = index
                        stack.append(dependent)
        if len(origins) != len(nodes):
            return None
        return origins

    def _reacts_to_deletion(self, info):
        """True for tables whose deleted rows change derived values
        (review objects: their session's thumbnail)."""
        if 'ReviewSessionObject' not in self.registry:
            return False
        return info.table is self.info('ReviewSessionObject').table \
            and info.table.name in self._follow_ups()

    def _delete_keys(self, connection, info, keys):
        table = info.table
        if len(info.pk_columns) == 1:
            self._delete_in(connection, table, info.pk_columns[0],
                            [key[0] for key in keys])
            return
        statement = self._statement(
            ('delete-key', table.name),
            lambda: sqlalchemy.delete(table).where(
                *self._key_conditions(info)),
        )
        connection.execute(
            statement, [self._key_parameters(key) for key in keys])

    def _cascade_properties(self, info):
        """Return the collection properties of *info*'s type whose items
        are deleted with an owner."""
        try:
            return self._cascade_cache[info.name]
        except KeyError:
            pass
        names = []
        for type_name in self._lineage(info.entity_type):
            for name in CASCADES.get(type_name, ()):
                if name not in names:
                    names.append(name)
        names.extend(name for name in _VALUE_COLLECTIONS if name not in names)
        properties = []
        for name in names:
            prop = info.entity_type.properties.get(name)
            if prop is None or prop.relation is None:
                continue
            properties.append(prop)
        # Link-table rows never outlive either end.
        for prop in info.entity_type.properties.values():
            if prop.is_collection and prop.relation is not None \
                    and prop.relation.through and prop not in properties:
                properties.append(prop)
        self._cascade_cache[info.name] = properties
        return properties

    def _reverse_cascades(self, info):
        key = ('reverse', info.name)
        try:
            return self._cascade_cache[key]
        except KeyError:
            pass
        pairs = []
        for type_name in self._lineage(info.entity_type):
            for pair in REVERSE_CASCADES.get(type_name, ()):
                if pair not in pairs:
                    pairs.append(pair)
        self._cascade_cache[key] = pairs
        return pairs

    def _dependents(self, connection, info, rows, links):
        """Yield ``(type info, rows, column, owner column)`` for what must
        go when *rows* (of *info*'s type) go: the dependent rows' *column*
        holds their owner's *owner column*. Rows of link tables no type
        describes are added to *links* instead (see _cascade_graph)."""
        key_column = info.pk_columns[0]
        for dependent_name, attribute in self._reverse_cascades(info):
            dependent = self.info(dependent_name)
            column = dependent.column_for(attribute)
            found = self._select_in(
                connection, dependent.table, column,
                [row[key_column] for row in rows],
                tuple(dependent.entity_type.discriminator.items()),
            )
            if found:
                yield dependent, found, column, key_column
        for prop in self._cascade_properties(info):
            relation = prop.relation
            values = [row.get(relation.local) for row in rows
                      if row.get(relation.local) is not None]
            if not values:
                continue
            if relation.special:
                if prop.target not in self.registry \
                        or prop.name not in _VALUE_COLLECTIONS:
                    continue
                # Metadata and custom attribute values.
                target = self.info(prop.target)
                column = target.column_for(
                    'parent_id' if prop.name == 'metadata' else 'entity_id')
                found = self._select_in(connection, target.table, column,
                                        values)
                if found:
                    yield target, found, column, relation.local
                continue
            if relation.through:
                link = self.metadata.tables[relation.link_table]
                link_type = self._type_of_table(link.name)
                if link_type is None:
                    links.append((link, relation.link_local, values))
                    continue
                found = self._select_in(connection, link,
                                        relation.link_local, values)
                if found:
                    yield (self.info(link_type.name), found,
                           relation.link_local, relation.local)
                continue
            target = self.info(prop.target)
            if relation.remote not in target.table.c:
                continue
            found = self._select_in(
                connection, target.table, relation.remote, values,
                tuple(relation.target_filters.items()),
            )
            if found:
                yield target, found, relation.remote, relation.local

    def _select_in(self, connection, table, column, values, filters=()):
        """Return the rows of *table* whose *column* holds one of *values*
        and whose columns equal *filters* (``(column, value)`` pairs)."""
        statement = self._statement(
            ('select-in', table.name, column, filters),
            lambda: sqlalchemy.select(table).where(
                table.c[column].in_(
                    sqlalchemy.bindparam('_values', expanding=True)),
                *[table.c[name] == value for name, value in filters]
            ),
        )
        values = list(dict.fromkeys(values))
        rows = []
        for start in range(0, len(values), _CHUNK):
            rows.extend(dict(row._mapping) for row in connection.execute(
                statement, {'_values': values[start:start + _CHUNK]}))
        return rows

    def _delete_in(self, connection, table, column, values):
        """Delete the rows of *table* whose *column* holds one of
        *values*."""
        statement = self._statement(
            ('delete-in', table.name, column),
            lambda: sqlalchemy.delete(table).where(table.c[column].in_(
                sqlalchemy.bindparam('_values', expanding=True))),
        )
        values = list(dict.fromkeys(values))
        for start in range(0, len(values), _CHUNK):
            connection.execute(
                statement, {'_values': values[start:start + _CHUNK]})


def _to_seconds(moment):
    """Drop the fraction of a second, as ftrack's database columns do (so
    that a client querying the value it wrote, which clients send without
    microseconds, finds it again)."""
    if moment is None or not moment.microsecond:
        return moment
    return moment.replace(microsecond=0)


def _merge_columns(info, attribute, row, columns):
    """Add *columns* (written for *attribute*) to *row*, refusing two
    attributes that give one column different values."""
    for column, value in columns.items():
        if column in row and not _same(row[column], value):
            other = info.properties_by_column.get(column)
            raise invalid(
                '"{0}" of {1} conflicts with another attribute stored in the '
                'same place{2}.', attribute, info.name,
                ' ("{0}")'.format(other.name) if other is not None else ''
            )
        row[column] = value


def _custom_attribute_owner(type_name):
    """``Context`` for ``ContextCustomAttributeValue`` and so on; None for
    other types and the untyped ``CustomAttributeValue``."""
    suffix = 'CustomAttributeValue'
    if type_name.endswith(suffix) and type_name != suffix:
        return type_name[:-len(suffix)]
    return None


def _split_value_key(entity_type, key):
    positions = dict(zip(entity_type.primary_key, key))
    return positions.get('configuration_id'), positions.get('entity_id')


def _same(left, right):
    if left is None or right is None:
        return left is right
    if isinstance(left, datetime.datetime) or isinstance(
            right, datetime.datetime):
        return left == right
    return str(left) == str(right) if not isinstance(left, type(right)) \
        else left == right


def _plain(value):
    text = value if isinstance(value, str) else repr(value)
    return text[:80]
