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


class Registry:
    """All entity types and tables of one schema, with derived lookups."""

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
            for entity_type in table.types:
                entity_type.subtypes = [
                    other for other in table.types
                    if other is not entity_type
                    and _extends(other.discriminator, entity_type.discriminator)
                ]

    def __contains__(self, name):
        return name in self.types

    def __getitem__(self, name):
        return self.types[name]

    def get(self, name):
        return self.types.get(name)

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


def _extends(wider, narrower):
    """Return True when discriminator *wider* contains all of *narrower*."""
    if len(wider) <= len(narrower):
        return False
    return all(wider.get(key, _MISSING) == value
               for key, value in narrower.items())


_MISSING = object()
