"""Where entity types and attributes live in SQL.

The query engine reads the schema through this one class: it resolves
attribute names (also those that only a subtype sharing the table declares),
maps properties to SQLAlchemy columns, applies discriminators and finds the
target type of a relation. Lookups are memoised because every compiled
query repeats them.
"""

from ftrack_emulator.errors import QueryError

__all__ = ['Storage', 'unindexed_equals', 'unknown_entity_type',
           'unknown_attribute']


def unknown_entity_type(name):
    """The error for a query naming a type the schema lacks.

    Worded and classed as the write path words it
    (:mod:`ftrack_emulator.store.writer`), so that a client sees the same
    error whichever action named the type: the expression parsed, the
    schema refused it.
    """
    return QueryError(
        'Entity type "{0}" does not exist.'.format(name),
        exception='ValidationError', status=422,
    )


def unknown_attribute(type_name, attribute):
    """The error for a query naming an attribute *type_name* lacks (see
    :func:`unknown_entity_type`)."""
    return QueryError(
        'Entity type "{0}" has no attribute "{1}".'.format(
            type_name, attribute),
        exception='ValidationError', status=422,
    )


def unindexed_equals(column, value):
    """Return ``column == value`` written so that SQLite will not use an
    index of *column* for it (for low-selectivity classifier columns)."""
    if isinstance(value, str):
        return column.concat('') == value
    if isinstance(value, bool) or value is None:
        return column.is_(value)
    return (column + 0) == value


class Storage:
    """The registry and the SQL metadata seen together."""

    def __init__(self, registry, metadata):
        self.registry = registry
        self.metadata = metadata
        self._property_cache = {}
        self._column_cache = {}

    # Types ---------------------------------------------------------------

    def entity_type(self, name):
        """Return the entity type *name* or raise a QueryError."""
        entity_type = self.registry.get(name)
        if entity_type is None:
            raise unknown_entity_type(name)
        return entity_type

    def target(self, prop):
        """Return the entity type a relation property points at."""
        target = self.registry.get(prop.target)
        if target is None:
            raise QueryError(
                'Attribute "{0}" points at unknown entity type "{1}".'.format(
                    prop.name, prop.target
                )
            )
        return target

    def table(self, entity_type):
        return self.named_table(entity_type.table)

    def named_table(self, name):
        try:
            return self.metadata.tables[name]
        except KeyError:
            raise QueryError(
                'No storage table "{0}" in the emulator database.'.format(name)
            ) from None

    # Properties ----------------------------------------------------------

    def find_property(self, entity_type, name):
        """Return the property *name* of *entity_type*, also looking at the
        subtypes sharing its table (a Context row may be a Task), or None."""
        key = (entity_type.name, name)
        try:
            return self._property_cache[key]
        except KeyError:
            pass
        prop = entity_type.properties.get(name)
        if prop is None:
            for subtype in entity_type.subtypes:
                prop = subtype.properties.get(name)
                if prop is not None:
                    break
        self._property_cache[key] = prop
        return prop

    def property(self, entity_type, name):
        """Like :meth:`find_property` but raise a QueryError naming the
        attribute and the type when it does not exist."""
        prop = self.find_property(entity_type, name)
        if prop is None or prop.restricted_projection:
            raise unknown_attribute(entity_type.name, name)
        return prop

    # Columns -------------------------------------------------------------

    def column_name(self, entity_type, name):
        """Resolve *name* (a column name or a stored property name of
        *entity_type*) to a column name of its table."""
        key = (entity_type.name, name)
        try:
            return self._column_cache[key]
        except KeyError:
            pass
        table = self.table(entity_type)
        if name in table.c:
            resolved = name
        else:
            prop = self.find_property(entity_type, name)
            if prop is None or prop.column is None:
                raise QueryError(
                    'Entity type "{0}" has no stored attribute "{1}".'.format(
                        entity_type.name, name
                    )
                )
            resolved = prop.column
        self._column_cache[key] = resolved
        return resolved

    def column(self, entity_type, alias, name):
        """Return the column of *alias* (a table or alias of *entity_type*'s
        table) for a column or stored property *name*."""
        return alias.c[self.column_name(entity_type, name)]

    def primary_key_columns(self, entity_type):
        return [
            self.column_name(entity_type, name)
            for name in entity_type.primary_key
        ]

    @staticmethod
    def link_column(link, name):
        try:
            return link.c[name]
        except KeyError:
            raise QueryError(
                'Link table "{0}" has no column "{1}".'.format(link.name, name)
            ) from None

    def discriminator(self, entity_type, alias, indexed=True):
        """Return the conditions restricting *alias* to rows of
        *entity_type* (empty when the type owns its table).

        With *indexed* False the conditions are written so that SQLite does
        not pick the discriminator's index (``+col``-style): without table
        statistics it would prefer it to the far more selective index of
        the query's own criteria.
        """
        conditions = []
        for column, value in entity_type.discriminator.items():
            if indexed:
                conditions.append(alias.c[column] == value)
            else:
                conditions.append(unindexed_equals(alias.c[column], value))
        return conditions

    def discriminator_columns(self, entity_type):
        """Column names needed to tell the concrete type of a row."""
        names = []
        for candidate in [entity_type] + list(entity_type.subtypes):
            for column in candidate.discriminator:
                if column not in names:
                    names.append(column)
        return names
