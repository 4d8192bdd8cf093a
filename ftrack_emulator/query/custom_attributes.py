"""Dense custom attribute values (the ``custom_attributes`` relation).

A real server returns one value object per configuration that applies to
an entity, set or not: clients index ``entity["custom_attributes"][key]``
and refuse to create missing keys. A configuration applies when

* its ``entity_type`` is the entity's kind (``task`` with the same
  ``object_type_id``, ``show`` for projects, ``assetversion``, ``asset``,
  ``user``, ``list`` ...), or it is hierarchical and the entity is a
  project, typed context, asset or version;
* its ``project_id`` is empty or the entity's project; a project specific
  configuration shadows a global one with the same key.

An unset value is the configuration's default; an unset hierarchical value
is inherited from the nearest ancestor that has one (None when none has).
Filters (``custom_attributes any (key is "x" and value > 1)``) look at
stored values.
"""

import datetime

import sqlalchemy as sa

from ftrack_emulator.query.relations import LoadPlan

__all__ = ['CustomAttributes', 'entity_kind']

#: Kinds hierarchical configurations apply to.
HIERARCHICAL_KINDS = ('show', 'task', 'asset', 'assetversion')

#: Owner ids per select.
BATCH_SIZE = 500

_KIND_BY_TYPE = {
    'Project': 'show',
    'AssetVersion': 'assetversion',
    'Asset': 'asset',
    'User': 'user',
    'Group': 'group',
    'List': 'list',
    'TypedContextList': 'list',
    'AssetVersionList': 'list',
    'ListObject': 'listobject',
}


def entity_kind(storage, entity_type):
    """Return the configuration ``entity_type`` for entities of
    *entity_type* (a concrete type)."""
    kind = _KIND_BY_TYPE.get(entity_type.name)
    if kind is not None:
        return kind
    context_type = entity_type.discriminator.get('context_type')
    if context_type is not None:
        return context_type
    return entity_type.name.lower()


def _date_value(value):
    """Encode a date attribute's value (stored as ISO text) as ftrack
    sends date-times."""
    if isinstance(value, datetime.datetime):
        text = value.isoformat()
    elif isinstance(value, str) and value:
        text = value
    else:
        return value
    return {'__type__': 'datetime', 'value': text.replace(' ', 'T')}


class CustomAttributes:
    """Filtering and loading of dense custom attribute values."""

    def __init__(self, storage, relations):
        self.storage = storage
        self.relations = relations

    def _value_table(self, prop):
        value_type = self.storage.target(prop)
        return value_type, self.storage.table(value_type)

    def semi_join(self, owner_type, owner_alias, prop, inner):
        value_type, table = self._value_table(prop)
        alias = table.alias()
        entity_id = self.storage.column(value_type, alias, 'entity_id')
        conditions = [entity_id.isnot(None)]
        if inner is not None:
            conditions.append(inner(value_type, alias))
        owner_id = self.storage.column(owner_type, owner_alias, 'id')
        return owner_id.in_(sa.select(entity_id).where(*conditions))

    def load_plan(self, owner_type, prop):
        return LoadPlan(
            [self.storage.column_name(owner_type, 'id')],
            many=True,
            fetch=lambda connection, owners, keys: self.fetch(
                connection, owner_type, prop, keys
            ),
        )

    # Loading -------------------------------------------------------------

    def fetch(self, connection, owner_type, prop, ids):
        """Return, for each owner id in *ids*, its list of value dicts."""
        value_type, _ = self._value_table(prop)
        unique = [owner_id for owner_id in dict.fromkeys(ids) if owner_id]
        owners = self._owners(connection, owner_type, unique)
        configurations = self._configurations(connection)
        stored = self._stored(connection, value_type, unique)
        applicable = {
            owner_id: self._applicable(configurations, info)
            for owner_id, info in owners.items()
        }
        inherited = self._inherited(
            connection, value_type, owners, applicable, stored
        )
        results = []
        for owner_id in ids:
            values = []
            for configuration in applicable.get(owner_id, ()):
                configuration_id = configuration['id']
                key = (configuration_id, owner_id)
                if key in stored:
                    value = stored[key]
                elif configuration['is_hierarchical']:
                    value = inherited.get(key)
                else:
                    value = configuration['default']
                if configuration['kind'] == 'date':
                    value = _date_value(value)
                values.append({
                    '__entity_type__': value_type.name,
                    'configuration_id': configuration_id,
                    'entity_id': owner_id,
                    'key': configuration['key'],
                    'value': value,
                })
            results.append(values)
        return results

    def _configurations(self, connection):
        configuration = self.storage.entity_type(
            'CustomAttributeConfiguration'
        )
        table = self.storage.table(configuration)
        names = ('id', 'key', 'entity_type', 'object_type_id', 'project_id',
                 'is_hierarchical', 'default')
        columns = [
            self.storage.column(configuration, table, name) for name in names
        ]
        order = []
        for name in ('sort', 'key'):
            prop = configuration.properties.get(name)
            if prop is not None and prop.column:
                order.append(table.c[prop.column])
        kinds = self.storage.registry.get('CustomAttributeType')
        type_id = configuration.properties.get('type_id')
        kind_column = None
        if kinds is not None and type_id is not None and type_id.column:
            kind_table = self.storage.table(kinds).alias()
            kind_column = sa.select(
                self.storage.column(kinds, kind_table, 'name')
            ).where(
                self.storage.column(kinds, kind_table, 'id')
                == table.c[type_id.column]
            ).scalar_subquery()
            columns.append(kind_column)
        statement = sa.select(*columns).where(
            *self.storage.discriminator(configuration, table)
        ).order_by(*order)
        configurations = []
        for row in connection.execute(statement):
            item = dict(zip(names, row))
            item['kind'] = row[len(names)] if kind_column is not None \
                else None
            configurations.append(item)
        return configurations

    def _stored(self, connection, value_type, ids):
        table = self.storage.table(value_type)
        configuration_id = self.storage.column(
            value_type, table, 'configuration_id'
        )
        entity_id = self.storage.column(value_type, table, 'entity_id')
        value = self.storage.column(value_type, table, 'value')
        stored = {}
        for start in range(0, len(ids), BATCH_SIZE):
            statement = sa.select(configuration_id, entity_id, value).where(
                entity_id.in_(ids[start:start + BATCH_SIZE])
            )
            for row in connection.execute(statement):
                stored[(row[0], row[1])] = row[2]
        return stored

    @staticmethod
    def _applicable(configurations, info):
        kind, object_type_id, project_id = info['kind'], info[
            'object_type_id'], info['project_id']
        chosen = {}
        for configuration in configurations:
            if configuration['project_id'] not in (None, '', project_id):
                continue
            matches = configuration['entity_type'] == kind and (
                kind != 'task' or configuration['object_type_id'] in (
                    None, '', object_type_id
                )
            )
            if not matches and not (
                    configuration['is_hierarchical']
                    and kind in HIERARCHICAL_KINDS):
                continue
            current = chosen.get(configuration['key'])
            if current is None or (
                    not current['project_id'] and configuration['project_id']):
                chosen[configuration['key']] = configuration
        return list(chosen.values())

    def _owners(self, connection, owner_type, ids):
        """Return ``{id: {"kind", "object_type_id", "project_id",
        "parents"}}``; ``parents`` lists the ids hierarchical values are
        inherited from, nearest first."""
        registry = self.storage.registry
        table = self.storage.table(owner_type)
        discriminators = self.storage.discriminator_columns(owner_type)
        optional = [
            name for name in ('object_type_id', 'project_id', 'parent_id',
                              'context_id', 'asset_id')
            if self.storage.find_property(owner_type, name) is not None
            and self.storage.find_property(owner_type, name).column
        ]
        columns = [self.storage.column(owner_type, table, 'id')]
        columns += [table.c[name] for name in discriminators]
        columns += [
            self.storage.column(owner_type, table, name) for name in optional
        ]
        owners = {}
        for start in range(0, len(ids), BATCH_SIZE):
            statement = sa.select(*columns).where(
                columns[0].in_(ids[start:start + BATCH_SIZE])
            )
            for row in connection.execute(statement):
                values = dict(zip(
                    discriminators, row[1:1 + len(discriminators)]
                ))
                extra = dict(zip(optional, row[1 + len(discriminators):]))
                concrete = registry.concrete_type(owner_type, values) \
                    if owner_type.matches_row(values) else owner_type
                kind = entity_kind(self.storage, concrete)
                project_id = extra.get('project_id')
                if kind == 'show':
                    project_id = row[0]
                owners[row[0]] = {
                    'kind': kind,
                    'object_type_id': extra.get('object_type_id'),
                    'project_id': project_id,
                    'parent': extra.get('parent_id') or extra.get(
                        'context_id') or extra.get('asset_id'),
                    'type': concrete,
                }
        self._resolve_projects(connection, owners)
        return owners

    def _resolve_projects(self, connection, owners):
        """Fill the project of assets and versions (through their context)
        and the chain of parents used for inheritance."""
        asset_contexts = self._asset_contexts(connection, [
            info['parent'] for info in owners.values()
            if info['kind'] == 'assetversion' and info['parent']
        ])
        pending = {}
        for owner_id, info in owners.items():
            info['chain'] = []
            if info['kind'] not in HIERARCHICAL_KINDS:
                continue
            if info['kind'] == 'assetversion':
                if not info['parent']:
                    continue
                info['chain'].append(info['parent'])
                start = asset_contexts.get(info['parent'])
            else:
                start = info['parent']
            if start:
                pending[owner_id] = start
        chains = self._context_chains(connection, sorted(set(
            pending.values()
        )))
        for owner_id, start in pending.items():
            info = owners[owner_id]
            chain = chains.get(start, [])
            info['chain'].extend(node for node, _, _ in chain)
            if info['project_id'] is None:
                for node, parent, project in chain:
                    if project is not None:
                        info['project_id'] = project
                        break
                    if parent is None:
                        info['project_id'] = node
                        break

    def _asset_contexts(self, connection, asset_ids):
        """Return ``{asset id: context id}``."""
        asset = self.storage.registry.get('Asset')
        if asset is None or not asset_ids:
            return {}
        table = self.storage.table(asset)
        id_column = self.storage.column(asset, table, 'id')
        context_column = self.storage.column(asset, table, 'context_id')
        found = {}
        asset_ids = sorted(set(asset_ids))
        for offset in range(0, len(asset_ids), BATCH_SIZE):
            statement = sa.select(id_column, context_column).where(
                id_column.in_(asset_ids[offset:offset + BATCH_SIZE])
            )
            found.update(connection.execute(statement).all())
        return found

    def _context_chains(self, connection, starts):
        """Return ``{start: [(id, parent_id, project_id), ...]}``: each
        start context and its parents, nearest first, in one recursive
        select per batch."""
        context = self.storage.entity_type('Context')
        table = self.storage.table(context)
        id_name = self.storage.column_name(context, 'id')
        parent_name = self.storage.column_name(context, 'parent_id')
        project_name = self.storage.column_name(context, 'project_id')
        chains = {}
        for offset in range(0, len(starts), BATCH_SIZE):
            seed = table.alias()
            walk = sa.select(
                seed.c[id_name].label('start'),
                seed.c[id_name].label('node'),
                sa.literal(0).label('depth'),
            ).where(
                seed.c[id_name].in_(starts[offset:offset + BATCH_SIZE])
            ).cte(recursive=True)
            step = table.alias()
            walk = walk.union_all(
                sa.select(walk.c.start, step.c[parent_name], walk.c.depth + 1)
                .where(step.c[id_name] == walk.c.node,
                       step.c[parent_name].isnot(None),
                       walk.c.depth < 100)
            )
            rows = table.alias()
            statement = sa.select(
                walk.c.start, rows.c[id_name], rows.c[parent_name],
                rows.c[project_name],
            ).select_from(
                rows.join(walk, rows.c[id_name] == walk.c.node)
            ).order_by(walk.c.start, walk.c.depth)
            for start, node, parent, project in connection.execute(statement):
                chains.setdefault(start, []).append((node, parent, project))
        return chains

    def _inherited(self, connection, value_type, owners, applicable, stored):
        """Return ``{(configuration_id, owner_id): value}`` for unset
        hierarchical values set on an ancestor."""
        wanted = set()
        for owner_id, configurations in applicable.items():
            for configuration in configurations:
                if configuration['is_hierarchical'] and (
                        configuration['id'], owner_id) not in stored:
                    wanted.update(owners[owner_id].get('chain', ()))
        if not wanted:
            return {}
        ancestors = self._stored(connection, value_type, sorted(wanted))
        inherited = {}
        for owner_id, configurations in applicable.items():
            for configuration in configurations:
                if not configuration['is_hierarchical']:
                    continue
                for parent_id in owners[owner_id].get('chain', ()):
                    key = (configuration['id'], parent_id)
                    if key in ancestors:
                        inherited[(configuration['id'], owner_id)] = \
                            ancestors[key]
                        break
        return inherited
