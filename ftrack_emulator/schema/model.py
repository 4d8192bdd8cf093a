"""The emulator's picture of the ftrack schema.

Every part of the emulator reads the schema through these classes: the
renderer turns them into ftrack's ``query_schemas`` JSON, the store derives its
SQL tables from them, the query compiler resolves attribute paths with them
and the API validates writes against them. The declarations themselves are
written in the emulator's own compact format (see ``dsl.py`` and
``definitions/``); this module knows nothing about that format.

Storage in one sentence: every entity type lives in a *table*; several types
may share a table (Project, TypedContext and its subtypes share ``context``)
and are told apart by a *discriminator*, the column values their rows carry.
"""

import dataclasses
import typing


class _NoDefault:
    """Marks a property without a default (``None`` is a real default)."""

    __slots__ = ()

    def __repr__(self):
        return 'NO_DEFAULT'

    def __bool__(self):
        return False


NO_DEFAULT = _NoDefault()

#: Property kinds.
SCALAR = 'scalar'
REFERENCE = 'reference'
COLLECTION = 'collection'
MAPPED = 'mapped'

#: Scalar JSON types a property may declare.
SCALAR_TYPES = ('string', 'integer', 'number', 'boolean', 'variable', 'object')

#: Column types a table may hold (see store.tables for their SQL types).
COLUMN_TYPES = (
    'string', 'text', 'integer', 'number', 'boolean', 'datetime', 'variable',
    'json',
)


@dataclasses.dataclass
class Relation:
    """How rows of an owner type connect to rows of a target type.

    Direct:  ``owner.<local> == target.<remote>``.
    Through: ``owner.<local> == link.<link_local>`` and
    ``link.<link_remote> == target.<remote>``, ``link`` being a table name
    (the table of a link entity type, or an internal table).

    ``target_filters`` are extra equality conditions on target columns (for
    example ``{'type': 'assignment'}`` for ``Context.assignments``).
    ``owner_type_column`` names a target column that records the owner's
    entity type when the link is written (``Note.parent_type`` for
    ``Context.notes``); joins use ids only, which are unique across tables.
    ``target_type_column`` names an owner column that records the target's
    entity type (a polymorphic reference).
    ``special`` names a relation the query engine resolves by hand
    (``ancestors``, ``descendants``, ``custom_attributes`` ...); the other
    fields may then be unused.
    ``extra_keys`` adds further ``owner.<column> == target.<column>``
    conditions to a direct relation, for targets with a composite key
    (``SettingComponent.setting`` matches on both ``name`` and ``group``).

    Targets are matched by key: ids are unique across a table, so a
    relation to a type reaches rows of that type's table whatever their
    discriminator, and the loader types them with
    :meth:`Registry.concrete_type` (a sequence member's ``container`` is a
    ``SequenceComponent`` although the reference names
    ``ContainerComponent``).
    """

    local: str = 'id'
    remote: str = 'id'
    link_table: typing.Optional[str] = None
    link_local: typing.Optional[str] = None
    link_remote: typing.Optional[str] = None
    target_filters: typing.Dict[str, typing.Any] = dataclasses.field(
        default_factory=dict
    )
    owner_type_column: typing.Optional[str] = None
    target_type_column: typing.Optional[str] = None
    special: typing.Optional[str] = None
    extra_keys: typing.Dict[str, str] = dataclasses.field(
        default_factory=dict
    )

    @property
    def through(self):
        return self.link_table is not None


@dataclasses.dataclass
class Property:
    """One attribute of an entity type, as the client sees it and as stored.

    Client facing: ``kind`` (scalar, reference, collection, mapped), ``type``
    and ``format`` for scalars, ``target`` (the referenced or item type),
    ``default`` and the descriptive keys rendered into the schema.

    Emulator facing: a stored scalar has ``column`` (the column in the owner
    type's table); a derived scalar has ``computed_by`` (the name of a value
    provider implemented by the query engine); references, collections and
    mapped collections have a ``relation``.

    A scalar may also name a ``target``: a foreign key the schema advertises
    with a ``$ref`` besides its ``type`` (clients still treat it as a
    scalar). ``type`` None renders a property without a type, which clients
    skip. ``column_type`` overrides the column type derived from ``type``
    and ``format`` (one of :data:`COLUMN_TYPES`). A ``hidden`` property is
    known to the server (it can be selected and filtered on) but left out of
    the rendered schema, as real servers know columns they do not advertise.
    """

    name: str
    kind: str
    type: typing.Optional[str] = None
    format: typing.Optional[str] = None
    target: typing.Optional[str] = None
    default: typing.Any = NO_DEFAULT
    description: typing.Optional[str] = None
    alias_for: typing.Optional[str] = None
    restricted_projection: bool = False
    key_value_attributes: typing.Optional[typing.Dict[str, str]] = None
    transform: typing.Optional[typing.Dict[str, str]] = None
    enum: typing.Optional[typing.List[typing.Any]] = None
    column: typing.Optional[str] = None
    computed_by: typing.Optional[str] = None
    relation: typing.Optional[Relation] = None
    column_type: typing.Optional[str] = None
    hidden: bool = False

    @property
    def is_scalar(self):
        return self.kind == SCALAR

    @property
    def is_reference(self):
        return self.kind == REFERENCE

    @property
    def is_collection(self):
        return self.kind in (COLLECTION, MAPPED)

    @property
    def is_stored(self):
        return self.column is not None

    @property
    def is_datetime(self):
        return self.format == 'date-time'


@dataclasses.dataclass
class EntityType:
    """An entity type: its client-facing schema and where its rows live."""

    name: str
    table: str
    discriminator: typing.Dict[str, typing.Any]
    properties: typing.Dict[str, Property]
    primary_key: typing.List[str]
    required: typing.List[str] = dataclasses.field(default_factory=list)
    immutable: typing.List[str] = dataclasses.field(default_factory=list)
    computed: typing.List[str] = dataclasses.field(default_factory=list)
    default_projections: typing.List[str] = dataclasses.field(
        default_factory=list
    )
    #: Client attribute names always returned with every entity of this type.
    system_projections: typing.List[str] = dataclasses.field(
        default_factory=list
    )
    #: Rendered as the schema's ``alias_for`` (a table name or a mapping).
    alias_for: typing.Any = None
    #: True when no row is ever created as exactly this type.
    abstract: bool = False
    #: The type this one specialises, as declared. When the types of a table
    #: declare it, only descendants along it count as subtypes (types that
    #: share a table without being related, like ``CustomAttributeLink`` and
    #: ``CustomAttributeLinkFrom``, then stay apart).
    supertype: typing.Optional[str] = None
    #: Types sharing this type's table whose discriminator extends this one's
    #: (filled in by :class:`Registry`).
    subtypes: typing.List['EntityType'] = dataclasses.field(
        default_factory=list, repr=False
    )

    def property(self, name):
        """Return property *name* or raise KeyError."""
        return self.properties[name]

    def stored_properties(self):
        return [p for p in self.properties.values() if p.column is not None]

    def matches_row(self, row):
        """Return True when *row* (a mapping of column values) is of this
        type or one of its subtypes."""
        for column, value in self.discriminator.items():
            if row.get(column) != value:
                return False
        return True


@dataclasses.dataclass
class Column:
    """A column of a storage table; ``type`` is one of :data:`COLUMN_TYPES`."""

    name: str
    type: str
    nullable: bool = True
    primary_key: bool = False
    index: bool = False


@dataclasses.dataclass
class Table:
    """A storage table: the union of the columns of the types it holds."""

    name: str
    columns: typing.Dict[str, Column] = dataclasses.field(default_factory=dict)
    #: Entity types stored here, most general first.
    types: typing.List[EntityType] = dataclasses.field(default_factory=list)

    @property
    def primary_key(self):
        return [c.name for c in self.columns.values() if c.primary_key]


def column_type(prop):
    """Return the column type that stores scalar *prop*."""
    if prop.column_type is not None:
        return prop.column_type
    if prop.type == 'string':
        if prop.format == 'date-time':
            return 'datetime'
        if prop.format == 'json':
            return 'text'
        return 'string'
    if prop.type == 'object':
        return 'json'
    if prop.type is None:
        return 'string'
    return prop.type


def _value_column_type(value):
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, int):
        return 'integer'
    if isinstance(value, float):
        return 'number'
    return 'string'


class Registry:
    """All entity types and tables of one schema, with derived lookups.

    The columns of each entity table are derived here from the types it
    holds: the stored scalars, the local columns of direct references that
    no scalar exposes (``Status.state`` keeps ``state_id``), and the
    discriminator columns. Primary key columns come from the types' primary
    keys; key-like columns (foreign keys, relation columns, discriminators,
    ``name``) are indexed. Tables passed in *extra_tables* (internal link
    tables) keep the columns they were given.
    """

    def __init__(self, types, extra_tables=()):
        self.types = {entity_type.name: entity_type for entity_type in types}
        self.tables = {}
        for entity_type in types:
            table = self.tables.setdefault(
                entity_type.table, Table(entity_type.table)
            )
            table.types.append(entity_type)
        for table in extra_tables:
            self.tables[table.name] = table
        for table in self.tables.values():
            table.types.sort(key=lambda t: len(t.discriminator))
            by_lineage = any(t.supertype for t in table.types)
            for entity_type in table.types:
                entity_type.subtypes = [
                    other for other in table.types
                    if other is not entity_type
                    and _extends(other.discriminator,
                                 entity_type.discriminator)
                    and (not by_lineage or self.descends(other, entity_type))
                ]
        for table in self.tables.values():
            if table.types:
                self._add_columns(table)
        self._mark_indexes()

    def __contains__(self, name):
        return name in self.types

    def __getitem__(self, name):
        return self.types[name]

    def get(self, name):
        return self.types.get(name)

    def descends(self, entity_type, ancestor):
        """Return True when *ancestor* is on *entity_type*'s chain of
        declared supertypes."""
        seen = set()
        current = entity_type.supertype
        while current is not None and current not in seen:
            if current == ancestor.name:
                return True
            seen.add(current)
            parent = self.types.get(current)
            current = parent.supertype if parent is not None else None
        return False

    def table_of(self, entity_type):
        """Return the :class:`Table` holding rows of *entity_type* (a type or
        a type name)."""
        if isinstance(entity_type, str):
            entity_type = self.types[entity_type]
        return self.tables[entity_type.table]

    def concrete_type(self, entity_type, row):
        """Return the most specific type among *entity_type* and its subtypes
        that *row* (a mapping of column values) belongs to.

        A concrete type beats an abstract one; among equals the one with the
        longer discriminator wins.
        """
        best = entity_type
        best_rank = (not entity_type.abstract, len(entity_type.discriminator))
        for candidate in entity_type.subtypes:
            if not candidate.matches_row(row):
                continue
            rank = (not candidate.abstract, len(candidate.discriminator))
            if rank > best_rank:
                best, best_rank = candidate, rank
        return best

    def _add_columns(self, table):
        columns = table.columns

        def add(name, kind, origin):
            existing = columns.get(name)
            if existing is None:
                columns[name] = Column(name, kind)
            elif existing.type != kind:
                raise ValueError(
                    'Table "{0}": column "{1}" is {2} but {3} needs {4}.'
                    .format(table.name, name, existing.type, origin, kind)
                )

        for entity_type in table.types:
            for prop in entity_type.properties.values():
                if prop.column is not None:
                    add(prop.column, column_type(prop),
                        '{0}.{1}'.format(entity_type.name, prop.name))
        for entity_type in table.types:
            for prop in entity_type.properties.values():
                relation = prop.relation
                if (not prop.is_reference or relation is None
                        or relation.special or relation.through):
                    continue
                pairs = [(relation.local, relation.remote)]
                pairs.extend(relation.extra_keys.items())
                for local, remote in pairs:
                    if local not in columns:
                        add(local, self._target_column_type(prop.target,
                                                            remote),
                            '{0}.{1}'.format(entity_type.name, prop.name))
            for name, value in entity_type.discriminator.items():
                if name not in columns:
                    add(name, _value_column_type(value),
                        'the discriminator of ' + entity_type.name)
        for entity_type in table.types:
            for name in entity_type.primary_key:
                prop = entity_type.properties.get(name)
                column = columns.get(
                    prop.column if prop is not None and prop.column else name
                )
                if column is None:
                    raise ValueError(
                        'Table "{0}": primary key "{1}" of {2} is not a '
                        'stored column.'.format(
                            table.name, name, entity_type.name
                        )
                    )
                column.primary_key = True
                column.nullable = False

    def _target_column_type(self, target_name, column_name):
        target = self.types.get(target_name)
        if target is not None:
            for prop in target.properties.values():
                if prop.column == column_name:
                    return column_type(prop)
        return 'string'

    def _mark_indexes(self):
        wanted = set()
        for table in self.tables.values():
            for entity_type in table.types:
                for name in entity_type.discriminator:
                    wanted.add((table.name, name))
                for prop in entity_type.properties.values():
                    if prop.column is not None and (
                            prop.format == 'foreign_key'
                            or prop.column.endswith('_id')):
                        wanted.add((table.name, prop.column))
                    if prop.relation is not None:
                        self._relation_columns(table, prop, wanted)
            for column in table.columns.values():
                if column.name == 'name' or column.name.endswith('_id'):
                    wanted.add((table.name, column.name))
        for table_name, column_name in wanted:
            table = self.tables.get(table_name)
            column = table.columns.get(column_name) if table else None
            if column is None:
                continue
            key = table.primary_key
            # The primary key's own index already serves its first column.
            column.index = not (key and key[0] == column_name)

    def _relation_columns(self, table, prop, wanted):
        relation = prop.relation
        if relation.special:
            return
        target = self.types.get(prop.target)
        target_table = target.table if target is not None else None
        if relation.through:
            wanted.add((relation.link_table, relation.link_local))
            wanted.add((relation.link_table, relation.link_remote))
        else:
            wanted.add((table.name, relation.local))
            for local in relation.extra_keys:
                wanted.add((table.name, local))
        if target_table is not None:
            if not relation.through:
                wanted.add((target_table, relation.remote))
                for remote in relation.extra_keys.values():
                    wanted.add((target_table, remote))
            for name in relation.target_filters:
                wanted.add((target_table, name))
            if relation.owner_type_column:
                wanted.add((target_table, relation.owner_type_column))


def _extends(wider, narrower):
    """Return True when discriminator *wider* contains all of *narrower*."""
    if len(wider) <= len(narrower):
        return False
    return all(wider.get(key, _MISSING) == value
               for key, value in narrower.items())


_MISSING = object()
