"""Load the projections of a query: root rows, then related rows level by
level with batched ``IN`` selects.

A query's projections form a tree (``status.name`` and ``status.state.short``
share the ``status`` node). Each node is prepared once per expression into a
:class:`NodePlan`: the columns to select, how a row is typed and which
attributes each concrete type outputs. Loading a node runs one select per
batch of owner keys, never one per row. Entities are kept in an identity
map, so an entity reached along several paths is one dict holding the union
of what every path loaded; the encoder later writes it in full once.
"""

from ftrack_emulator.errors import QueryError
from ftrack_emulator.query.relations import KEYS

__all__ = [
    'ProjectionTree', 'NodePlan', 'Loader', 'encode_datetime', 'select_root',
]

#: Owner keys per ``IN`` select (well below SQLite's variable limit).
BATCH_SIZE = 500


def encode_datetime(value):
    """Return a stored naive-UTC datetime as ftrack encodes it."""
    if value is None:
        return None
    return {'__type__': 'datetime', 'value': value.isoformat()}


class ProjectionTree:
    """The attributes requested at one position of a query's result."""

    __slots__ = ('entity_type', 'scalars', 'children', 'defaults')

    def __init__(self, entity_type):
        self.entity_type = entity_type
        self.scalars = []
        self.children = {}
        #: True when the path ended on this relation: load the default
        #: projections of whatever type each row turns out to be.
        self.defaults = False

    @classmethod
    def build(cls, storage, entity_type, paths):
        """Return the tree of *paths* (sequences of attribute names) on
        *entity_type*, raising QueryError for unknown attributes."""
        tree = cls(entity_type)
        for parts in paths:
            tree.add(storage, tuple(parts))
        return tree

    def add(self, storage, parts):
        prop = storage.property(self.entity_type, parts[0])
        if prop.is_scalar:
            if len(parts) > 1:
                raise QueryError(
                    'Attribute "{0}" of "{1}" is not a relation, so "{2}" '
                    'cannot follow it.'.format(
                        prop.name, self.entity_type.name, parts[1]
                    )
                )
            if prop.name not in self.scalars:
                self.scalars.append(prop.name)
            return
        child = self.children.get(prop.name)
        if child is None:
            child = ProjectionTree(storage.target(prop))
            self.children[prop.name] = child
        if len(parts) == 1:
            child.defaults = True
        else:
            child.add(storage, parts[1:])


class _TypeOutput:
    """What rows of one concrete type output at a node."""

    __slots__ = ('entity_type', 'name', 'fields', 'key_indexes', 'computed',
                 'children')

    def __init__(self, entity_type):
        self.entity_type = entity_type
        self.name = entity_type.name
        #: (attribute, column index, converter or None)
        self.fields = []
        self.key_indexes = []
        #: (attribute, provider, property)
        self.computed = []
        #: names of the relations this type has among the node's children
        self.children = set()


class NodePlan:
    """A :class:`ProjectionTree` node prepared for execution."""

    def __init__(self, loader, tree, root):
        storage = loader.storage
        registry = storage.registry
        self.tree = tree
        declared = tree.entity_type
        self.declared = declared
        self.table = storage.table(declared)
        if root:
            candidates = [declared] + list(declared.subtypes)
        else:
            candidates = list(registry.tables[declared.table].types) or [
                declared
            ]
            if declared not in candidates:
                candidates.insert(0, declared)
        self.candidates = candidates
        self.discriminator_columns = []
        for candidate in candidates:
            for column in candidate.discriminator:
                if column not in self.discriminator_columns:
                    self.discriminator_columns.append(column)
        self.column_names = []
        self._index = {}
        for column in self.discriminator_columns:
            self.column_index(column)
        self.outputs = {}
        for candidate in candidates:
            self.outputs[candidate.name] = self._output(
                loader, candidate, tree
            )
        self.children = []
        for name, child_tree in tree.children.items():
            prop = storage.property(declared, name)
            plan = loader.relations.load_plan(declared, prop)
            owner_indexes = [
                self.column_index(column) for column in plan.owner_columns
            ]
            if plan.synthesised:
                if child_tree.children:
                    raise QueryError(
                        'Cannot project "{0}" beyond the values of "{1}" '
                        'of "{2}".'.format(
                            '", "'.join(child_tree.children), name,
                            declared.name,
                        )
                    )
                child = None
            else:
                child = NodePlan(loader, child_tree, root=False)
            self.children.append((name, prop, plan, owner_indexes, child))
            for candidate in candidates:
                if storage.find_property(candidate, name) is not None or \
                        name in candidate.properties:
                    self.outputs[candidate.name].children.add(name)
        self.single_type = (
            len(candidates) == 1 or not self.discriminator_columns
        )
        self._types = {}
        self._statements = {}

    def column_index(self, name):
        index = self._index.get(name)
        if index is None:
            index = len(self.column_names)
            self.column_names.append(name)
            self._index[name] = index
        return index

    def _output(self, loader, entity_type, tree):
        output = _TypeOutput(entity_type)
        wanted = []
        requested = list(tree.scalars)
        if tree.defaults:
            requested.extend(entity_type.default_projections)
        for name in requested + list(entity_type.system_projections) + list(
                entity_type.primary_key):
            if name not in wanted:
                wanted.append(name)
        for name in wanted:
            prop = entity_type.properties.get(name)
            if (prop is None or not prop.is_scalar
                    or prop.restricted_projection):
                continue
            if prop.column is not None:
                converter = encode_datetime if prop.is_datetime else None
                output.fields.append(
                    (name, self.column_index(prop.column), converter)
                )
            elif prop.computed_by:
                provider = loader.computed.provider(prop.computed_by)
                output.computed.append((name, provider, prop))
        output.key_indexes = [
            self.column_index(loader.storage.column_name(entity_type, name))
            for name in entity_type.primary_key
        ]
        return output

    def columns(self, alias):
        return [alias.c[name] for name in self.column_names]

    def statement(self, key, build):
        """Return the (cached) load statement for a relation."""
        statement = self._statements.get(key)
        if statement is None:
            alias = self.table.alias()
            statement = build(alias, self.columns(alias))
            self._statements[key] = statement
        return statement

    def output_for(self, registry, row):
        """Return the :class:`_TypeOutput` for a row (typed by its
        discriminator values)."""
        if self.single_type:
            return self.outputs[self.candidates[0].name]
        key = tuple(row[index] for index in range(
            len(self.discriminator_columns)
        ))
        output = self._types.get(key)
        if output is None:
            values = dict(zip(self.discriminator_columns, key))
            declared = self.declared
            if declared.matches_row(values):
                entity_type = registry.concrete_type(declared, values)
            else:
                entity_type = _best_match(self.candidates, values) or declared
            output = self.outputs.get(entity_type.name) or \
                self.outputs[declared.name]
            self._types[key] = output
        return output


def _best_match(candidates, values):
    best, best_rank = None, None
    for candidate in candidates:
        if not candidate.matches_row(values):
            continue
        rank = (not candidate.abstract, len(candidate.discriminator))
        if best is None or rank > best_rank:
            best, best_rank = candidate, rank
    return best


class Loader:
    """Runs node plans against a connection, building entity dicts."""

    def __init__(self, storage, relations, computed):
        self.storage = storage
        self.relations = relations
        self.computed = computed

    def prepare(self, tree, root=True):
        return NodePlan(self, tree, root)

    def load_rows(self, connection, plan, rows, identity, server_url=None):
        """Turn root *rows* of *plan* into entity dicts (in row order) and
        load everything below them; computed URLs start with *server_url*
        (the default of :class:`~ftrack_emulator.query.computed.Computed`
        when None)."""
        entries = self._entities(plan, rows, identity)
        self._descend(connection, plan, entries, identity, server_url)
        return [entry[0] for entry in entries]

    def _entities(self, plan, rows, identity):
        """Return ``(entity, row, output)`` for *rows*, merging into the
        entities already in *identity*. This is the hot loop."""
        registry = self.storage.registry
        entries = []
        append = entries.append
        single = plan.outputs[plan.candidates[0].name] \
            if plan.single_type else None
        for row in rows:
            output = single or plan.output_for(registry, row)
            indexes = output.key_indexes
            if len(indexes) == 1:
                key = (output.name, row[indexes[0]])
            else:
                key = (output.name,) + tuple(row[i] for i in indexes)
            entity = identity.get(key)
            if entity is None:
                entity = {'__entity_type__': output.name}
                identity[key] = entity
            for name, index, converter in output.fields:
                value = row[index]
                entity[name] = converter(value) if converter else value
            append((entity, row, output))
        return entries

    def _descend(self, connection, plan, entries, identity, server_url):
        if not entries:
            return
        self._computed(connection, entries, server_url)
        for name, prop, relation_plan, owner_indexes, child in plan.children:
            owners = [
                entry for entry in entries if name in entry[2].children
            ]
            if not owners:
                continue
            if relation_plan.synthesised:
                values = relation_plan.fetch(
                    connection, [entry[0] for entry in owners],
                    [_key(entry[1], owner_indexes) for entry in owners],
                )
                for (entity, _, _), value in zip(owners, values):
                    entity[name] = value
                continue
            keys = []
            seen = set()
            for _, row, _ in owners:
                key = _key(row, owner_indexes)
                if key is None or key in seen:
                    continue
                seen.add(key)
                keys.append(key)
            groups, child_entries = self._fetch(
                connection, child, relation_plan, (name, id(prop)), keys,
                len(owner_indexes), identity,
            )
            many = relation_plan.many
            for entity, row, _ in owners:
                found = groups.get(_key(row, owner_indexes))
                if many:
                    entity[name] = list(found) if found else []
                else:
                    entity[name] = found[0] if found else None
            self._descend(connection, child, child_entries, identity,
                          server_url)

    def _fetch(self, connection, plan, relation_plan, cache_key, keys,
               width, identity):
        """Run a relation's load statement for *keys*; return the related
        entities grouped by owner key, and the distinct entries loaded."""
        groups = {}
        unique = {}
        if not keys:
            return groups, []
        statement = plan.statement(cache_key, relation_plan.build)
        position = len(plan.column_names)
        for start in range(0, len(keys), BATCH_SIZE):
            batch = keys[start:start + BATCH_SIZE]
            rows = connection.execute(statement, {KEYS: batch}).all()
            for entry in self._entities(plan, rows, identity):
                row = entry[1]
                key = row[position] if width == 1 else tuple(row[position:])
                entity = entry[0]
                group = groups.get(key)
                if group is None:
                    groups[key] = [entity]
                else:
                    group.append(entity)
                unique.setdefault(id(entity), entry)
        return groups, list(unique.values())

    def _computed(self, connection, entries, server_url):
        wanted = {}
        for entity, row, output in entries:
            for name, provider, prop in output.computed:
                wanted.setdefault((name, id(provider)), (provider, prop, []))[
                    2
                ].append((entity, output.entity_type))
        if wanted:
            server_url = self.computed.base_url(server_url)
        for provider, prop, owners in wanted.values():
            values = provider.load(self, connection, prop, owners, server_url)
            for (entity, _), value in zip(owners, values):
                entity[prop.name] = value


def _key(row, indexes):
    if len(indexes) == 1:
        return row[indexes[0]]
    values = tuple(row[index] for index in indexes)
    if any(value is None for value in values):
        return None
    return values


def select_root(root_query, plan):
    """Return the select of the root rows with the columns *plan* needs."""
    return root_query.select(plan.columns(root_query.alias))

