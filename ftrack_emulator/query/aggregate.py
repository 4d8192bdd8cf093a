"""Aggregate queries: ``select count(id), status_id from Task group by
status_id``.

Results are plain dicts without ``__entity_type__``; an aggregate's key
joins the function and the path with underscores (``count_id``,
``sum_bid``), a plain projection keeps its dotted path.
"""

import datetime

import sqlalchemy as sa

from ftrack_emulator.errors import QueryError
from ftrack_emulator.query import ast
from ftrack_emulator.query.loader import encode_datetime

__all__ = ['is_aggregate', 'AggregatePlan']

_FUNCTIONS = {
    'count': sa.func.count,
    'sum': sa.func.sum,
    'avg': sa.func.avg,
    'min': sa.func.min,
    'max': sa.func.max,
}


def is_aggregate(query):
    """Return True when *query* needs :class:`AggregatePlan`."""
    return bool(query.group_by) or any(
        isinstance(item, ast.Aggregate) for item in query.projections or ()
    )


class AggregatePlan:
    """A compiled aggregate query."""

    def __init__(self, compiler, query):
        if query.projections is None:
            raise QueryError(
                'Group by needs a select of the values to return.'
            )
        root = compiler.compile(query, tiebreak=False)
        joins = root.joins
        columns = []
        self.keys = []
        for item in query.projections:
            if isinstance(item, ast.Aggregate):
                function = _FUNCTIONS[item.function]
                if item.path is None:
                    if item.function != 'count':
                        raise QueryError(
                            '{0}() needs an attribute.'.format(item.function)
                        )
                    expression = sa.func.count()
                else:
                    expression = function(joins.expression(item.path))
                key = item.result_key
            else:
                expression = joins.expression(item)
                key = str(item)
            columns.append(expression.label('c{0}'.format(len(columns))))
            self.keys.append(key)
        group_by = [joins.expression(path) for path in query.group_by]
        statement = root.select(columns)
        if group_by:
            statement = statement.group_by(*group_by)
        self.statement = statement
        self.offset = query.offset or 0
        self.limit = query.limit

    def execute(self, connection):
        rows = connection.execute(self.statement).all()
        more = False
        if self.limit is not None:
            # A zero limit has no next page (a pager would ask forever).
            more = self.limit > 0 and len(rows) > self.limit
            rows = rows[:self.limit]
        data = []
        for row in rows:
            item = {}
            for key, value in zip(self.keys, row):
                if isinstance(value, datetime.datetime):
                    value = encode_datetime(value)
                item[key] = value
            data.append(item)
        return data, (self.offset + self.limit if more else None)
