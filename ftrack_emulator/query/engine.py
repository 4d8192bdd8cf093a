"""The query engine the API calls: run expressions, load entities.

:class:`QueryEngine` ties the parts together for one schema. Compiled
plans are cached per expression (clients repeat the same expressions when
paging and populating), so a repeated query costs its SQL and little else.
"""

import collections
import logging
import threading

import sqlalchemy as sa

from ftrack_emulator.errors import QueryError
from ftrack_emulator.query.aggregate import AggregatePlan, is_aggregate
from ftrack_emulator.query.compiler import Compiler
from ftrack_emulator.query.computed import Computed
from ftrack_emulator.query.custom_attributes import CustomAttributes
from ftrack_emulator.query.encoder import Normaliser
from ftrack_emulator.query.grammar import parse
from ftrack_emulator.query.loader import Loader, ProjectionTree
from ftrack_emulator.query.relations import Relations
from ftrack_emulator.query.storage import Storage

__all__ = ['QueryEngine']

logger = logging.getLogger(__name__)

#: Compiled plans kept per engine.
PLAN_CACHE_SIZE = 1024


class _EntityPlan:
    """A compiled entity query: root select plus projection plan."""

    def __init__(self, engine, query):
        root = engine.compiler.compile(query)
        entity_type = root.entity_type
        if query.projections is None:
            # Default projections may name attributes clients never see
            # (to_entity_type on custom attribute links): skip those.
            paths = [
                (name,) for name in entity_type.default_projections
                if engine.storage.find_property(entity_type, name) is not None
            ]
        else:
            paths = [item.parts for item in query.projections]
        tree = ProjectionTree.build(engine.storage, entity_type, paths)
        self.node = engine.loader.prepare(tree, root=True)
        self.statement = root.select(self.node.columns(root.alias))
        self.offset = query.offset or 0
        self.limit = query.limit

    def execute(self, engine, connection, server_url=None):
        rows = connection.execute(self.statement).all()
        more = False
        if self.limit is not None:
            # A zero limit has no next page (a pager would ask forever).
            more = self.limit > 0 and len(rows) > self.limit
            rows = rows[:self.limit]
        entities = engine.loader.load_rows(connection, self.node, rows, {},
                                           server_url)
        data = Normaliser(engine.storage.registry).entities(entities)
        return data, (self.offset + self.limit if more else None)


class QueryEngine:
    """Runs ftrack queries against the emulator's database.

    *registry* is the schema (:class:`~ftrack_emulator.schema.model.Registry`)
    and *metadata* the SQLAlchemy tables built from it. URLs in computed
    attributes such as ``thumbnail_url`` start with the ``server_url``
    given to :meth:`run` and :meth:`load` (the server as the client reached
    it), or with the *server_url* given here when a call names none.
    """

    def __init__(self, registry, metadata, server_url=''):
        self.registry = registry
        self.storage = Storage(registry, metadata)
        self.relations = Relations(self.storage)
        self.relations.custom_attributes = CustomAttributes(
            self.storage, self.relations
        )
        self.computed = Computed(self.storage, server_url)
        self.compiler = Compiler(self.storage, self.relations, self.computed)
        self.loader = Loader(self.storage, self.relations, self.computed)
        self._plans = collections.OrderedDict()
        self._lock = threading.Lock()

    def plan(self, expression):
        """Return the compiled plan of *expression* (cached)."""
        with self._lock:
            plan = self._plans.get(expression)
            if plan is not None:
                self._plans.move_to_end(expression)
                return plan
        query = parse(expression)
        if is_aggregate(query):
            plan = AggregatePlan(self.compiler, query)
        else:
            plan = _EntityPlan(self, query)
        with self._lock:
            self._plans[expression] = plan
            while len(self._plans) > PLAN_CACHE_SIZE:
                self._plans.popitem(last=False)
        return plan

    def run(self, connection, expression, server_url=None):
        """Run query *expression* on *connection* and return the result of
        a ``query`` action: ``{"action": "query", "data": [...],
        "metadata": {"next": {"offset": N or None}}}``."""
        plan = self.plan(expression)
        if isinstance(plan, AggregatePlan):
            data, next_offset = plan.execute(connection)
        else:
            data, next_offset = plan.execute(self, connection, server_url)
        return {
            'action': 'query',
            'data': data,
            'metadata': {'next': {'offset': next_offset}},
        }

    def load(self, connection, entity_type_name, primary_keys,
             projections=None, server_url=None):
        """Return the encoded entities of *entity_type_name* with
        *primary_keys* (a list of key values, each a list in primary key
        order or a bare value for single keys), in that order; missing
        entities are left out.

        Without *projections* each entity carries its primary key, system
        projections and every stored attribute that is not null, as a
        server answers a create or update. *projections* is a list of
        dotted attribute paths otherwise. *server_url* is as for
        :meth:`run`.
        """
        entity_type = self.storage.entity_type(entity_type_name)
        keys = [
            tuple(key) if isinstance(key, (list, tuple)) else (key,)
            for key in primary_keys
        ]
        for key in keys:
            if len(key) != len(entity_type.primary_key):
                raise QueryError(
                    'Primary key {0!r} does not match the key ({1}) of '
                    '"{2}".'.format(
                        list(key), ', '.join(entity_type.primary_key),
                        entity_type.name,
                    )
                )
        if not keys:
            return []
        stored_only = projections is None
        if stored_only:
            names = []
            for candidate in [entity_type] + list(entity_type.subtypes):
                for prop in candidate.properties.values():
                    if (prop.is_scalar and prop.column is not None
                            and not prop.restricted_projection
                            and prop.name not in names):
                        names.append(prop.name)
            paths = [(name,) for name in names]
        else:
            paths = [tuple(str(path).split('.')) for path in projections]
        tree = ProjectionTree.build(self.storage, entity_type, paths)
        node = self.loader.prepare(tree, root=True)
        alias = self.storage.table(entity_type).alias('root')
        key_columns = [
            alias.c[name]
            for name in self.storage.primary_key_columns(entity_type)
        ]
        conditions = self.storage.discriminator(entity_type, alias)
        entities = {}
        for start in range(0, len(keys), 500):
            batch = keys[start:start + 500]
            if len(key_columns) == 1:
                match = key_columns[0].in_([key[0] for key in batch])
            else:
                match = sa.tuple_(*key_columns).in_(batch)
            statement = sa.select(*node.columns(alias)).where(
                match, *conditions
            )
            rows = connection.execute(statement).all()
            loaded = self.loader.load_rows(connection, node, rows, {},
                                           server_url)
            for entity in loaded:
                declared = self.registry[entity['__entity_type__']]
                identity = tuple(
                    str(entity.get(name)) for name in declared.primary_key
                )
                entities[identity] = (entity, declared)
        results = []
        for key in keys:
            found = entities.get(tuple(str(value) for value in key))
            if found is None:
                continue
            entity, declared = found
            if stored_only:
                keep = set(declared.primary_key) | set(
                    declared.system_projections
                ) | {'__entity_type__'}
                entity = {
                    name: value for name, value in entity.items()
                    if value is not None or name in keep
                }
            results.append(Normaliser(self.registry).entity(entity))
        return results
