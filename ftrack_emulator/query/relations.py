"""Follow relations in SQL: for filters and for loading projections.

Every :class:`~ftrack_emulator.schema.model.Relation` kind is handled here:
direct keys (with ``extra_keys`` for composite ones), link tables,
``target_filters`` and the special relations the schema leaves to the query
engine (``ancestors``, ``descendants``, ``latest_version`` here, dense
``custom_attributes`` in :mod:`~ftrack_emulator.query.custom_attributes`).

Two questions are answered for each relation:

* filtering: which owner rows have a related row matching some criteria
  (:meth:`Relations.semi_join`);
* loading: a select of the related rows of many owners at once, each row
  tagged with the owner key it belongs to (:meth:`Relations.load_plan`).

Targets are matched by key alone; the loader types related rows by their
own discriminator values.
"""

import sqlalchemy as sa

from ftrack_emulator.errors import QueryError
from ftrack_emulator.query.storage import unindexed_equals

__all__ = ['Relations', 'LoadPlan', 'KEYS']

#: The expanding bind parameter every load statement filters its owner keys
#: with.
KEYS = 'owner_keys'


class LoadPlan:
    """How to load the rows related to a batch of owners.

    ``owner_columns`` are the owner's column names whose values form the key
    (one value, or a tuple for composite keys); ``build(target_alias,
    columns)`` returns a select of *columns* followed by that key (labelled
    ``__key``, or ``__key0``... for composite keys), restricted to the keys
    bound to :data:`KEYS`. ``many`` tells a
    collection from a reference. ``synthesised`` plans (dense custom
    attributes) instead provide ``fetch(connection, owners)``.
    """

    def __init__(self, owner_columns, build=None, many=True, fetch=None):
        self.owner_columns = owner_columns
        self.build = build
        self.many = many
        self.fetch = fetch

    @property
    def synthesised(self):
        return self.fetch is not None


class Relations:
    """Relation handling for one :class:`~ftrack_emulator.query.storage.Storage`."""

    def __init__(self, storage):
        self.storage = storage
        self._specials = {
            'ancestors': self._ancestors_semi_join,
            'descendants': self._descendants_semi_join,
            'latest_version': self._latest_version_semi_join,
        }
        self._special_loads = {
            'ancestors': self._ancestors_load,
            'descendants': self._descendants_load,
            'latest_version': self._latest_version_load,
        }
        self.custom_attributes = None

    # Helpers -------------------------------------------------------------

    def _relation(self, owner_type, prop):
        relation = prop.relation
        if relation is None:
            raise QueryError(
                'Attribute "{0}" of "{1}" has no relation the emulator can '
                'follow.'.format(prop.name, owner_type.name)
            )
        return relation

    def _key_pairs(self, owner_type, target, relation):
        pairs = [(relation.local, relation.remote)]
        pairs.extend(relation.extra_keys.items())
        return [
            (self.storage.column_name(owner_type, local),
             self.storage.column_name(target, remote))
            for local, remote in pairs
        ]

    def _target_conditions(self, target, alias, relation):
        return [
            unindexed_equals(
                alias.c[self.storage.column_name(target, column)], value
            )
            for column, value in relation.target_filters.items()
        ]

    def local_column(self, owner_type, owner_alias, prop):
        """Return the owner column holding a direct single-key reference,
        or None for other relations."""
        relation = prop.relation
        if (relation is None or relation.special or relation.through
                or relation.extra_keys):
            return None
        return owner_alias.c[self.storage.column_name(owner_type,
                                                      relation.local)]

    def _is_plain_reference(self, owner_type, target, prop, relation):
        """True when a reference is set exactly when its key column is not
        NULL (it points at the target's primary key, without filters)."""
        if not prop.is_reference or relation.through or relation.extra_keys:
            return False
        if relation.target_filters:
            return False
        remote = self.storage.column_name(target, relation.remote)
        return [remote] == self.storage.primary_key_columns(target)

    # Filtering -----------------------------------------------------------

    def semi_join(self, owner_type, owner_alias, prop, inner):
        """Return a condition on *owner_alias* that holds when a row related
        through *prop* exists and matches ``inner(target, target_alias)``
        (any related row when *inner* is None)."""
        relation = self._relation(owner_type, prop)
        if relation.special:
            if relation.special == 'custom_attributes':
                return self.custom_attributes.semi_join(
                    owner_type, owner_alias, prop, inner
                )
            handler = self._specials.get(relation.special)
            if handler is None:
                raise QueryError(
                    'Relation "{0}" of "{1}" cannot be used in filters.'
                    .format(prop.name, owner_type.name)
                )
            return handler(owner_type, owner_alias, prop, inner)
        target = self.storage.target(prop)
        pairs = self._key_pairs(owner_type, target, relation) \
            if not relation.through else None
        if inner is None and not relation.through and \
                self._is_plain_reference(owner_type, target, prop, relation):
            return owner_alias.c[pairs[0][0]].isnot(None)
        target_alias = self.storage.table(target).alias()
        conditions = self._target_conditions(target, target_alias, relation)
        if inner is not None:
            conditions.append(inner(target, target_alias))
        if relation.through:
            link = self.storage.named_table(relation.link_table).alias()
            remote = target_alias.c[
                self.storage.column_name(target, relation.remote)
            ]
            link_local = self.storage.link_column(link, relation.link_local)
            link_remote = self.storage.link_column(link, relation.link_remote)
            inner_select = sa.select(link_local).select_from(
                link.join(target_alias, link_remote == remote)
            ).where(link_local.isnot(None), *conditions)
            local = owner_alias.c[
                self.storage.column_name(owner_type, relation.local)
            ]
            return self._guarded_in([local], inner_select, owner_type)
        remote_columns = [target_alias.c[remote] for _, remote in pairs]
        inner_select = sa.select(*remote_columns).where(
            *[column.isnot(None) for column in remote_columns], *conditions
        )
        locals_ = [owner_alias.c[local] for local, _ in pairs]
        return self._guarded_in(locals_, inner_select, owner_type)

    def _guarded_in(self, columns, inner_select, owner_type):
        primary = set(self.storage.primary_key_columns(owner_type))
        if len(columns) == 1:
            condition = columns[0].in_(inner_select)
        else:
            condition = sa.tuple_(*columns).in_(inner_select)
        guards = [
            column.isnot(None) for column in columns
            if column.name not in primary
        ]
        return sa.and_(*guards, condition) if guards else condition

    def outer_join(self, owner_type, owner_alias, prop):
        """Return ``(target, target_alias, on_clause)`` to outer join a
        direct reference, or None when *prop* is not one."""
        relation = prop.relation
        if (not prop.is_reference or relation is None or relation.special
                or relation.through):
            return None
        target = self.storage.target(prop)
        target_alias = self.storage.table(target).alias()
        conditions = [
            owner_alias.c[local] == target_alias.c[remote]
            for local, remote in self._key_pairs(owner_type, target, relation)
        ]
        conditions.extend(
            self._target_conditions(target, target_alias, relation)
        )
        return target, target_alias, sa.and_(*conditions)

    def _tree_columns(self, owner_type):
        table_type = owner_type
        return (
            self.storage.column_name(table_type, 'id'),
            self.storage.column_name(table_type, 'parent_id'),
        )

    def _inner_rows(self, target, inner):
        """Return (alias, conditions) selecting target rows matching
        *inner*, restricted to the target type (ancestors and descendants
        are typed contexts, never the project)."""
        alias = self.storage.table(target).alias()
        conditions = self.storage.discriminator(target, alias)
        if inner is not None:
            conditions.append(inner(target, alias))
        return alias, conditions

    def _ancestors_semi_join(self, owner_type, owner_alias, prop, inner):
        # Walk down from the matching ancestors: every strict descendant of
        # a match has a matching ancestor.
        target = self.storage.target(prop)
        id_column, parent_column = self._tree_columns(target)
        matches, conditions = self._inner_rows(target, inner)
        table = self.storage.table(target)
        seed_alias = table.alias()
        seed = sa.select(seed_alias.c[id_column].label('node')).where(
            seed_alias.c[parent_column].in_(
                sa.select(matches.c[id_column]).where(*conditions)
            )
        ).cte(recursive=True)
        step_alias = table.alias()
        walk = seed.union(
            sa.select(step_alias.c[id_column]).where(
                step_alias.c[parent_column] == seed.c.node
            )
        )
        owner_id = owner_alias.c[self.storage.column_name(owner_type, 'id')]
        return owner_id.in_(sa.select(walk.c.node))

    def _descendants_semi_join(self, owner_type, owner_alias, prop, inner):
        # Walk up from the matching descendants.
        target = self.storage.target(prop)
        id_column, parent_column = self._tree_columns(target)
        matches, conditions = self._inner_rows(target, inner)
        table = self.storage.table(target)
        seed = sa.select(matches.c[parent_column].label('node')).where(
            matches.c[parent_column].isnot(None), *conditions
        ).cte(recursive=True)
        step_alias = table.alias()
        walk = seed.union(
            sa.select(step_alias.c[parent_column]).where(
                step_alias.c[id_column] == seed.c.node,
                step_alias.c[parent_column].isnot(None),
            )
        )
        owner_id = owner_alias.c[self.storage.column_name(owner_type, 'id')]
        return owner_id.in_(sa.select(walk.c.node))

    def _latest_version_parts(self, target):
        return (
            self.storage.column_name(target, 'asset_id'),
            self.storage.column_name(target, 'version'),
        )

    def _latest_condition(self, target, alias):
        asset_column, version_column = self._latest_version_parts(target)
        other = self.storage.table(target).alias()
        newest = sa.select(sa.func.max(other.c[version_column])).where(
            other.c[asset_column] == alias.c[asset_column]
        ).scalar_subquery()
        return alias.c[version_column] == newest

    def _latest_version_semi_join(self, owner_type, owner_alias, prop, inner):
        target = self.storage.target(prop)
        asset_column, _ = self._latest_version_parts(target)
        alias = self.storage.table(target).alias()
        conditions = [
            alias.c[asset_column].isnot(None),
            self._latest_condition(target, alias),
        ]
        if inner is not None:
            conditions.append(inner(target, alias))
        owner_id = owner_alias.c[self.storage.column_name(owner_type, 'id')]
        return owner_id.in_(
            sa.select(alias.c[asset_column]).where(*conditions)
        )

    # Loading -------------------------------------------------------------

    def load_plan(self, owner_type, prop):
        """Return the :class:`LoadPlan` for the rows related through
        *prop*."""
        relation = self._relation(owner_type, prop)
        many = prop.is_collection
        if relation.special:
            if relation.special == 'custom_attributes':
                return self.custom_attributes.load_plan(owner_type, prop)
            handler = self._special_loads.get(relation.special)
            if handler is None:
                raise QueryError(
                    'Relation "{0}" of "{1}" cannot be loaded.'.format(
                        prop.name, owner_type.name
                    )
                )
            return handler(owner_type, prop)
        target = self.storage.target(prop)
        keys = sa.bindparam(KEYS, expanding=True)
        if relation.through:
            link_table = self.storage.named_table(relation.link_table)
            owner_column = self.storage.column_name(owner_type, relation.local)
            remote_name = self.storage.column_name(target, relation.remote)

            def build(alias, columns):
                link = link_table.alias()
                link_local = self.storage.link_column(
                    link, relation.link_local
                )
                link_remote = self.storage.link_column(
                    link, relation.link_remote
                )
                statement = sa.select(
                    *columns, link_local.label('__key')
                ).select_from(
                    link.join(alias, link_remote == alias.c[remote_name])
                ).where(
                    link_local.in_(keys),
                    *self._target_conditions(target, alias, relation)
                )
                return self._in_display_order(target, alias, statement)
            return LoadPlan([owner_column], build, many)

        pairs = self._key_pairs(owner_type, target, relation)
        owner_columns = [local for local, _ in pairs]

        def build(alias, columns):
            conditions = self._target_conditions(target, alias, relation)
            if len(pairs) == 1:
                key = alias.c[pairs[0][1]]
                statement = sa.select(*columns, key.label('__key')).where(
                    key.in_(keys), *conditions
                )
            else:
                key_columns = [alias.c[remote] for _, remote in pairs]
                statement = sa.select(
                    *columns,
                    *[column.label('__key{0}'.format(index))
                      for index, column in enumerate(key_columns)]
                ).where(sa.tuple_(*key_columns).in_(keys), *conditions)
            if many:
                statement = self._in_display_order(target, alias, statement)
            return statement
        return LoadPlan(owner_columns, build, many)

    def _in_display_order(self, target, alias, statement):
        """Order collection items the way ftrack lists them: by their
        ``sort`` value when the type has one (statuses, types, priorities,
        object types ...), otherwise as stored."""
        prop = target.properties.get('sort')
        if prop is None or prop.column is None:
            return statement
        column = alias.c[self.storage.column_name(target, 'sort')]
        return statement.order_by(column)

    def _ancestors_load(self, owner_type, prop):
        return self._tree_walk_load(owner_type, prop, upward=True)

    def _descendants_load(self, owner_type, prop):
        return self._tree_walk_load(owner_type, prop, upward=False)

    def _tree_walk_load(self, owner_type, prop, upward):
        """Load the entities reached by walking the tree from each key:
        up through the parents (nearest last, as ftrack orders ancestors)
        or down through the children (nearest first)."""
        target = self.storage.target(prop)
        id_column, parent_column = self._tree_columns(target)
        # Each step goes from the *near* column of a row to its *far* one.
        near, far = ((id_column, parent_column) if upward
                     else (parent_column, id_column))
        table = self.storage.table(target)
        keys = sa.bindparam(KEYS, expanding=True)

        def build(alias, columns):
            start = table.alias()
            walk = sa.select(
                start.c[near].label('start'),
                start.c[far].label('node'),
                sa.literal(1).label('depth'),
            ).where(
                start.c[near].in_(keys),
                start.c[far].isnot(None),
            ).cte(recursive=True)
            step = table.alias()
            walk = walk.union_all(
                sa.select(walk.c.start, step.c[far],
                          walk.c.depth + 1).where(
                    step.c[near] == walk.c.node,
                    step.c[far].isnot(None),
                )
            )
            depth = walk.c.depth.desc() if upward else walk.c.depth
            return sa.select(*columns, walk.c.start.label('__key')) \
                .select_from(
                    alias.join(walk, alias.c[id_column] == walk.c.node)
                ) \
                .where(*self.storage.discriminator(target, alias)) \
                .order_by(walk.c.start, depth)
        return LoadPlan([self.storage.column_name(owner_type, 'id')], build)

    def _latest_version_load(self, owner_type, prop):
        target = self.storage.target(prop)
        asset_column, _ = self._latest_version_parts(target)
        keys = sa.bindparam(KEYS, expanding=True)

        def build(alias, columns):
            return sa.select(*columns, alias.c[asset_column].label('__key')) \
                .where(
                    alias.c[asset_column].in_(keys),
                    self._latest_condition(target, alias),
                )
        return LoadPlan(
            [self.storage.column_name(owner_type, 'id')], build, many=False
        )
