"""Compile parsed queries into SQLAlchemy Core.

Criteria become one boolean SQL expression on the root table. Every hop
through a reference or a collection is a semi-join, ``owner.key IN (SELECT
target.key FROM target WHERE ...)``: uncorrelated, so SQLite runs the inner
select once and probes the owner's index, and free of NULLs, so ``not``
keeps its meaning. Ordering through references uses outer joins.
"""

import sqlalchemy as sa

from ftrack_emulator.errors import QueryError
from ftrack_emulator.query import ast
from ftrack_emulator.query.values import coerce

__all__ = ['Compiler', 'RootQuery', 'Joins']

_COMPARATORS = {
    '=': lambda column, value: column == value,
    '!=': lambda column, value: column != value,
    '>': lambda column, value: column > value,
    '<': lambda column, value: column < value,
    '>=': lambda column, value: column >= value,
    '<=': lambda column, value: column <= value,
}


class RootQuery:
    """The root rows a query selects: table alias, criteria, order and
    paging, ready to be turned into a select of any columns."""

    def __init__(self, entity_type, alias, where, order_by, joins,
                 offset, limit):
        self.entity_type = entity_type
        self.alias = alias
        self.where = where
        self.order_by = order_by
        #: Outer joins for dotted order/group paths; more may be added
        #: (aggregates) before :meth:`select` is called.
        self.joins = joins
        self.offset = offset
        self.limit = limit

    def select(self, columns, extra_row=True):
        """Return a select of *columns* over the matching root rows.

        With *extra_row* one more row than the limit is fetched, so that
        the caller knows whether another page follows.
        """
        statement = sa.select(*columns).select_from(self.joins.from_clause)
        if self.where is not None:
            statement = statement.where(self.where)
        if self.order_by:
            statement = statement.order_by(*self.order_by)
        if self.offset:
            statement = statement.offset(self.offset)
        if self.limit is not None:
            statement = statement.limit(
                self.limit + 1 if extra_row else self.limit
            )
        elif self.offset:
            statement = statement.limit(-1)
        return statement


class Compiler:
    """Turn :mod:`~ftrack_emulator.query.ast` nodes into SQL for one
    schema."""

    def __init__(self, storage, relations, computed):
        self.storage = storage
        self.relations = relations
        self.computed = computed

    # Root ----------------------------------------------------------------

    def compile(self, query, tiebreak=True):
        """Return the :class:`RootQuery` of *query*.

        With *tiebreak*, an ordered query is also ordered by primary key so
        that pages never overlap.
        """
        entity_type = self.storage.entity_type(query.entity_type)
        alias = self.storage.table(entity_type).alias('root')
        conditions = self.storage.discriminator(
            entity_type, alias,
            indexed=query.where is None and not query.order_by,
        )
        if query.where is not None:
            conditions.append(self.criteria(entity_type, alias, query.where))
        where = sa.and_(*conditions) if conditions else None
        joins = Joins(self, entity_type, alias)
        order_by = []
        for item in query.order_by:
            expression = joins.expression(item.path)
            order_by.append(
                expression.desc() if item.descending else expression.asc()
            )
        if order_by and tiebreak:
            order_by.extend(
                alias.c[column]
                for column in self.storage.primary_key_columns(entity_type)
            )
        return RootQuery(
            entity_type, alias, where, order_by, joins, query.offset,
            query.limit,
        )

    def subquery(self, query):
        """Return a select of the single projected column of a sub-query
        (``id in (select id from Task where ...)``)."""
        if query.group_by or any(
            isinstance(item, ast.Aggregate) for item in query.projections
        ):
            raise QueryError(
                'Aggregates and group by are not supported in sub-queries.'
            )
        if len(query.projections) != 1:
            raise QueryError(
                'A sub-query must select exactly one attribute, got {0}.'
                .format(', '.join(str(p) for p in query.projections))
            )
        root = self.compile(query)
        joins = root.joins
        column = joins.expression(query.projections[0])
        statement = sa.select(column).select_from(joins.from_clause)
        if root.where is not None:
            statement = statement.where(root.where)
        statement = statement.where(column.isnot(None))
        if root.limit is not None or root.offset:
            statement = statement.order_by(*root.order_by)
            statement = statement.limit(
                -1 if root.limit is None else root.limit
            ).offset(root.offset or 0)
        return statement

    # Criteria ------------------------------------------------------------

    def criteria(self, entity_type, alias, node):
        """Return the SQL condition for criteria *node* on rows of
        *entity_type* in *alias*."""
        if isinstance(node, ast.And):
            return sa.and_(*[
                self.criteria(entity_type, alias, item) for item in node.items
            ])
        if isinstance(node, ast.Or):
            return sa.or_(*[
                self.criteria(entity_type, alias, item) for item in node.items
            ])
        if isinstance(node, ast.Not):
            return sa.not_(self.criteria(entity_type, alias, node.item))
        if isinstance(node, ast.Comparison):
            return self._walk(
                entity_type, alias, node.path.parts,
                lambda owner, owner_alias, prop: self._compare(
                    owner, owner_alias, prop, node
                ),
            )
        if isinstance(node, (ast.Has, ast.AnyOf)):
            return self._walk(
                entity_type, alias, node.path.parts,
                lambda owner, owner_alias, prop: self._relation_match(
                    owner, owner_alias, prop, node
                ),
            )
        raise QueryError('Unsupported criteria {0!r}.'.format(node))

    def _walk(self, entity_type, alias, parts, leaf):
        prop = self.storage.property(entity_type, parts[0])
        if len(parts) == 1:
            return leaf(entity_type, alias, prop)
        if prop.is_scalar:
            raise QueryError(
                'Attribute "{0}" of "{1}" is not a relation, so "{2}" cannot '
                'follow it.'.format(prop.name, entity_type.name, parts[1])
            )
        return self.relations.semi_join(
            entity_type, alias, prop,
            lambda target, target_alias: self._walk(
                target, target_alias, parts[1:], leaf
            ),
        )

    def _relation_match(self, entity_type, alias, prop, node):
        keyword = 'has' if isinstance(node, ast.Has) else 'any'
        if prop.is_scalar:
            raise QueryError(
                'Attribute "{0}" of "{1}" is not a relation and cannot be '
                'used with "{2}".'.format(prop.name, entity_type.name, keyword)
            )
        criteria = node.criteria
        inner = None
        if criteria is not None:
            inner = (
                lambda target, target_alias: self.criteria(
                    target, target_alias, criteria
                )
            )
        return self.relations.semi_join(entity_type, alias, prop, inner)

    def scalar_expression(self, entity_type, alias, prop):
        """Return the SQL expression of a scalar attribute (its column, or
        the SQL form of a computed attribute)."""
        if prop.column is not None:
            return alias.c[prop.column]
        if prop.computed_by:
            expression = self.computed.sql(self, entity_type, alias, prop)
            if expression is not None:
                return expression
            raise QueryError(
                'Computed attribute "{0}" of "{1}" cannot be used in filters '
                'or ordering.'.format(prop.name, entity_type.name)
            )
        raise QueryError(
            'Attribute "{0}" of "{1}" is not stored and cannot be used in '
            'filters or ordering.'.format(prop.name, entity_type.name)
        )

    def _compare(self, entity_type, alias, prop, node):
        if not prop.is_scalar:
            return self._compare_relation(entity_type, alias, prop, node)
        column = self.scalar_expression(entity_type, alias, prop)
        operator = node.operator
        if operator in ('in', 'not_in'):
            condition = self._membership(entity_type, prop, column, node.value)
            return sa.not_(condition) if operator == 'not_in' else condition
        if not isinstance(node.value, ast.Literal):
            raise QueryError(
                'Operator "{0}" on "{1}" needs a single value.'.format(
                    operator, node.path
                )
            )
        value = coerce(entity_type, prop, node.value)
        if operator in ('like', 'not_like'):
            if value is None:
                raise QueryError(
                    'Operator "{0}" on "{1}" needs a value, not None.'.format(
                        operator.replace('_', ' '), node.path
                    )
                )
            if prop.type in ('string', None) or prop.is_datetime:
                pattern = str(value) if not prop.is_datetime else str(
                    node.value.value
                )
                condition = column.like(pattern)
            else:
                condition = sa.cast(column, sa.String).like(
                    str(node.value.value)
                )
            return sa.not_(condition) if operator == 'not_like' else condition
        if value is None:
            if operator == '=':
                return column.is_(None)
            if operator == '!=':
                return column.isnot(None)
            raise QueryError(
                'Operator "{0}" cannot compare "{1}" with None.'.format(
                    operator, node.path
                )
            )
        if prop.type == 'variable':
            return _compare_variable(column, operator, value)
        return _COMPARATORS[operator](column, value)

    def _membership(self, entity_type, prop, column, value):
        if isinstance(value, ast.Query):
            return column.in_(self.subquery(value))
        values = [coerce(entity_type, prop, literal) for literal in value]
        present = [item for item in values if item is not None]
        conditions = []
        if present:
            conditions.append(column.in_(present))
        if len(present) != len(values):
            conditions.append(column.is_(None))
        if not conditions:
            return sa.false()
        return sa.or_(*conditions) if len(conditions) > 1 else conditions[0]

    def _compare_relation(self, entity_type, alias, prop, node):
        """``parent is None``, ``parent is_not None`` and comparing a direct
        reference with a primary key value."""
        value = node.value
        is_none = (
            isinstance(value, ast.Literal) and value.value is None
            and not value.quoted
        )
        if is_none and node.operator in ('=', '!='):
            exists = self.relations.semi_join(entity_type, alias, prop, None)
            return sa.not_(exists) if node.operator == '=' else exists
        local = self.relations.local_column(entity_type, alias, prop)
        if local is None or not prop.is_reference:
            raise QueryError(
                'Relation "{0}" of "{1}" cannot be compared with a value; '
                'use "has" or "any".'.format(prop.name, entity_type.name)
            )
        if node.operator in ('in', 'not_in'):
            if isinstance(value, ast.Query):
                condition = local.in_(self.subquery(value))
            else:
                condition = local.in_([str(item.value) for item in value])
            return sa.not_(condition) if node.operator == 'not_in' else \
                condition
        if node.operator not in ('=', '!='):
            raise QueryError(
                'Operator "{0}" cannot be used with relation "{1}" of "{2}".'
                .format(node.operator, prop.name, entity_type.name)
            )
        return _COMPARATORS[node.operator](local, str(value.value))


def _compare_variable(column, operator, value):
    """Compare a column holding values of any JSON type.

    SQLite orders numbers before text, so ordering comparisons are limited
    to values of the literal's kind; a quoted number also matches the
    stored number (custom attribute values arrive typed by their
    configuration, queries usually quote them).
    """
    compare = _COMPARATORS[operator]
    if operator in ('=', '!='):
        alternatives = [value]
        if isinstance(value, str):
            number = _as_number(value)
            if number is not None:
                alternatives.append(number)
        conditions = [compare(column, item) for item in alternatives]
        if operator == '=':
            return sa.or_(*conditions) if len(conditions) > 1 else \
                conditions[0]
        return sa.and_(*conditions)
    if isinstance(value, bool):
        raise QueryError(
            'Operator "{0}" cannot order boolean values.'.format(operator)
        )
    if isinstance(value, (int, float)):
        kinds = ('integer', 'real')
    else:
        number = _as_number(str(value))
        if number is not None:
            value, kinds = number, ('integer', 'real')
        else:
            kinds = ('text',)
    return sa.and_(sa.func.typeof(column).in_(kinds), compare(column, value))


def _as_number(text):
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


class Joins:
    """Outer joins from the root along references, for ordering and
    grouping by dotted paths; each path prefix is joined once."""

    def __init__(self, compiler, entity_type, alias):
        self.compiler = compiler
        self.storage = compiler.storage
        self.entity_type = entity_type
        self.alias = alias
        self.from_clause = alias
        self._aliases = {(): (entity_type, alias)}

    def expression(self, path):
        entity_type, alias = self.entity_type, self.alias
        parts = path.parts
        for index, name in enumerate(parts[:-1]):
            prefix = parts[:index + 1]
            if prefix in self._aliases:
                entity_type, alias = self._aliases[prefix]
                continue
            prop = self.storage.property(entity_type, name)
            joined = self.compiler.relations.outer_join(
                entity_type, alias, prop
            )
            if joined is None:
                raise QueryError(
                    'Cannot order or group by "{0}": "{1}" of "{2}" is not a '
                    'single reference.'.format(path, name, entity_type.name)
                )
            target, target_alias, on_clause = joined
            self.from_clause = self.from_clause.outerjoin(
                target_alias, on_clause
            )
            self._aliases[prefix] = (target, target_alias)
            entity_type, alias = target, target_alias
        prop = self.storage.property(entity_type, parts[-1])
        if not prop.is_scalar:
            raise QueryError(
                'Cannot order or group by relation "{0}" of "{1}".'.format(
                    prop.name, entity_type.name
                )
            )
        return self.compiler.scalar_expression(entity_type, alias, prop)
