"""Values of computed attributes, one provider per ``computed_by`` name.

The schema marks derived scalars with ``computed_by`` (see
:mod:`ftrack_emulator.schema`); nothing is stored for them, so writes need
no bookkeeping. A provider may have an SQL form (then the attribute can be
filtered and ordered on, and loading selects it in one query) and always
loads values for a batch of entities at once.

Providers resolve the columns they need through the schema's client
attribute names (``Timelog.duration``, ``AssetVersion.version`` ...), so
they do not depend on how the store names its columns.
"""

import sqlalchemy as sa

from ftrack_emulator.errors import QueryError

__all__ = ['Computed', 'Provider', 'PROVIDERS']

#: Keys per ``IN`` select when loading computed values.
BATCH_SIZE = 500


class Provider:
    """Computes one kind of derived value."""

    #: The ``computed_by`` name this provider implements.
    name = None

    def __init__(self, computed):
        self.computed = computed
        self.storage = computed.storage

    def sql(self, compiler, entity_type, alias, prop):
        """Return an SQL expression of the value on rows of *alias*, or
        None when the value has no SQL form."""
        return None

    def load(self, loader, connection, prop, owners, server_url):
        """Return the values for *owners* (a list of ``(entity dict,
        concrete entity type)``), in order; URLs start with *server_url*
        (the server as the requesting client reached it)."""
        return self._load_by_sql(connection, prop, owners)

    # Helpers -------------------------------------------------------------

    def column(self, entity_type, alias, name):
        return self.storage.column(entity_type, alias, name)

    def type(self, name):
        return self.storage.entity_type(name)

    def _load_by_sql(self, connection, prop, owners):
        """Select the SQL form for the owners' primary keys."""
        results = []
        by_type = {}
        for index, (entity, entity_type) in enumerate(owners):
            by_type.setdefault(entity_type.name, (entity_type, []))[1].append(
                (index, entity)
            )
        values = [None] * len(owners)
        for entity_type, members in by_type.values():
            alias = self.storage.table(entity_type).alias()
            expression = self.sql(None, entity_type, alias, prop)
            if expression is None:
                continue
            key_name = entity_type.primary_key[0]
            key = self.column(entity_type, alias, key_name)
            statement = sa.select(key, expression).where(
                key.in_(sa.bindparam('keys', expanding=True))
            )
            found = {}
            keys = [entity[key_name] for _, entity in members]
            for start in range(0, len(keys), BATCH_SIZE):
                for row in connection.execute(
                        statement, {'keys': keys[start:start + BATCH_SIZE]}):
                    found[row[0]] = self.convert(row[1])
            for index, entity in members:
                values[index] = found.get(entity[key_name])
        results.extend(values)
        return results

    def convert(self, value):
        return value

    def values(self, connection, owners, name):
        """Return the stored attribute *name* of each owner, from the loaded
        entity when it has it, else selected by primary key."""
        results = [entity.get(name) for entity, _ in owners]
        missing = {}
        for index, (entity, entity_type) in enumerate(owners):
            if name not in entity and name in entity_type.properties:
                missing.setdefault(entity_type.name, (entity_type, []))[
                    1].append(index)
        for entity_type, indexes in missing.values():
            table = self.storage.table(entity_type)
            keys = [
                self.column(entity_type, table, key)
                for key in entity_type.primary_key
            ]
            wanted = self.column(entity_type, table, name)
            found = {}
            for start in range(0, len(indexes), BATCH_SIZE):
                batch = [
                    tuple(owners[index][0].get(key)
                          for key in entity_type.primary_key)
                    for index in indexes[start:start + BATCH_SIZE]
                ]
                match = keys[0].in_([key[0] for key in batch]) \
                    if len(keys) == 1 else sa.tuple_(*keys).in_(batch)
                for row in connection.execute(
                        sa.select(*keys, wanted).where(match)):
                    found[tuple(row[:-1])] = row[-1]
            for index in indexes:
                entity = owners[index][0]
                results[index] = found.get(tuple(
                    entity.get(key) for key in entity_type.primary_key
                ))
        return results


class _TimeLogged(Provider):
    """Seconds logged on a context: the sum of its timelogs' durations."""

    name = 'time_logged'

    def sql(self, compiler, entity_type, alias, prop):
        timelog = self.type('Timelog')
        logs = self.storage.table(timelog).alias()
        return sa.select(
            sa.func.coalesce(
                sa.func.sum(self.column(timelog, logs, 'duration')), 0
            )
        ).where(
            self.column(timelog, logs, 'context_id')
            == self.column(entity_type, alias, 'id')
        ).scalar_subquery()


class _BidDifference(_TimeLogged):
    """The bid minus the time logged (both in seconds)."""

    name = 'bid_time_logged_difference'

    def sql(self, compiler, entity_type, alias, prop):
        logged = super().sql(compiler, entity_type, alias, prop)
        bid = sa.func.coalesce(self.column(entity_type, alias, 'bid'), 0)
        return bid - logged


class _IsLatestVersion(Provider):
    """True for the highest version number of an asset."""

    name = 'is_latest_version'

    def sql(self, compiler, entity_type, alias, prop):
        other = self.storage.table(entity_type).alias()
        asset = 'asset_id'
        newest = sa.select(
            sa.func.max(self.column(entity_type, other, 'version'))
        ).where(
            self.column(entity_type, other, asset)
            == self.column(entity_type, alias, asset)
        ).scalar_subquery()
        return sa.case(
            (self.column(entity_type, alias, 'version') == newest, True),
            else_=False,
        )

    def convert(self, value):
        return None if value is None else bool(value)


class _CustomAttributeKey(Provider):
    """A custom attribute value's key: its configuration's key."""

    name = 'custom_attribute_key'

    def sql(self, compiler, entity_type, alias, prop):
        configuration = self.type('CustomAttributeConfiguration')
        configurations = self.storage.table(configuration).alias()
        return sa.select(
            self.column(configuration, configurations, 'key')
        ).where(
            self.column(configuration, configurations, 'id')
            == self.column(entity_type, alias, 'configuration_id')
        ).scalar_subquery()


class _ThumbnailUrl(Provider):
    """Where a client downloads an entity's thumbnail from."""

    name = 'thumbnail_url'
    source = 'thumbnail_id'

    def load(self, loader, connection, prop, owners, server_url):
        thumbnail_url = self.computed.thumbnail_url
        return [
            {'url': thumbnail_url(value, server_url)}
            for value in self.values(connection, owners, self.source)
        ]


class _LinkedComponentThumbnailUrl(_ThumbnailUrl):
    """The thumbnail URL of the component a row links to."""

    name = 'linked_component_thumbnail_url'
    source = 'component_id'


class _ComponentUrl(Provider):
    """A component location's download URL (``url.value`` in scripts)."""

    name = 'component_url'
    source = 'resource_identifier'

    def load(self, loader, connection, prop, owners, server_url):
        component_url = self.computed.component_url
        return [
            {'value': component_url(value, server_url)}
            for value in self.values(connection, owners, self.source)
        ]


class _LinkedComponentUrl(_ComponentUrl):
    """The download URL of the component a row links to (stored in the
    server location under its own id)."""

    name = 'linked_component_url'
    source = 'component_id'


class _ReviewSessionIsOpen(Provider):
    """True while a review session's end date is unset or to come."""

    name = 'review_session_is_open'

    def sql(self, compiler, entity_type, alias, prop):
        end = self.column(entity_type, alias, 'end_date')
        return sa.case(
            (end.is_(None), True),
            (end > sa.func.current_timestamp(), True),
            else_=False,
        )

    def convert(self, value):
        return None if value is None else bool(value)


class _Link(Provider):
    """The path from the project down to an entity, as ``[{"id", "name",
    "type"}, ...]``: contexts through their parents, assets through their
    context and versions through their asset."""

    name = 'link'

    def load(self, loader, connection, prop, owners, server_url):
        context = self.type('Context')
        links = {}
        by_kind = {}
        for entity, entity_type in owners:
            kind = _link_kind(self.storage, entity_type)
            by_kind.setdefault(kind, []).append(entity)
        if 'context' in by_kind:
            links.update(self._context_links(
                connection, context,
                [entity['id'] for entity in by_kind['context']],
            ))
        if 'asset' in by_kind:
            links.update(self._asset_links(
                connection, context,
                [entity['id'] for entity in by_kind['asset']],
            ))
        if 'version' in by_kind:
            links.update(self._version_links(
                connection, context,
                [entity['id'] for entity in by_kind['version']],
            ))
        if 'group' in by_kind:
            group = self.type('Group')
            links.update(self._tree_links(
                connection, group,
                [entity['id'] for entity in by_kind['group']],
                None, lambda value: 'Group',
            ))
        return [links.get(entity.get('id'), []) for entity, _ in owners]

    def _context_links(self, connection, context, ids):
        """Return ``{id: link}`` for context ids, walking up the tree."""
        return self._tree_links(
            connection, context, ids, 'context_type',
            lambda value: 'Project' if value == 'show' else 'TypedContext',
        )

    def _tree_links(self, connection, tree_type, ids, kind_name, label):
        """Return ``{id: link}`` for rows of a tree linked by
        ``parent_id``, root first; *label* names each entry's type from
        the *kind_name* column."""
        table = self.storage.table(tree_type)
        id_column = self.storage.column_name(tree_type, 'id')
        parent_column = self.storage.column_name(tree_type, 'parent_id')
        name_column = self.storage.column_name(tree_type, 'name')
        type_column = self.storage.column_name(tree_type, kind_name) \
            if kind_name else id_column
        links = {}
        ids = list(dict.fromkeys(ids))
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start:start + BATCH_SIZE]
            seed = table.alias()
            walk = sa.select(
                seed.c[id_column].label('start'),
                seed.c[id_column].label('node'),
                sa.literal(0).label('depth'),
            ).where(seed.c[id_column].in_(batch)).cte(recursive=True)
            step = table.alias()
            walk = walk.union_all(
                sa.select(walk.c.start, step.c[parent_column],
                          walk.c.depth + 1)
                .where(step.c[id_column] == walk.c.node,
                       step.c[parent_column].isnot(None))
            )
            rows = table.alias()
            statement = sa.select(
                walk.c.start, rows.c[id_column], rows.c[name_column],
                rows.c[type_column],
            ).select_from(
                rows.join(walk, rows.c[id_column] == walk.c.node)
            ).order_by(walk.c.start, walk.c.depth.desc())
            for start_id, node_id, name, context_type in connection.execute(
                    statement):
                links.setdefault(start_id, []).append({
                    'id': node_id, 'name': name, 'type': label(context_type),
                })
        return links

    def _asset_links(self, connection, context, ids):
        asset = self.type('Asset')
        table = self.storage.table(asset)
        parent_column = self.storage.column(asset, table, 'context_id')
        rows = connection.execute(
            sa.select(
                self.column(asset, table, 'id'),
                self.column(asset, table, 'name'),
                parent_column,
            ).where(self.column(asset, table, 'id').in_(ids))
        ).all()
        parents = self._context_links(
            connection, context, [row[2] for row in rows if row[2]]
        )
        return {
            row[0]: parents.get(row[2], []) + [
                {'id': row[0], 'name': row[1], 'type': 'Asset'}
            ]
            for row in rows
        }

    def _version_links(self, connection, context, ids):
        version = self.type('AssetVersion')
        table = self.storage.table(version)
        rows = connection.execute(
            sa.select(
                self.column(version, table, 'id'),
                self.column(version, table, 'version'),
                self.column(version, table, 'asset_id'),
            ).where(self.column(version, table, 'id').in_(ids))
        ).all()
        assets = self._asset_links(
            connection, context, [row[2] for row in rows if row[2]]
        )
        return {
            row[0]: assets.get(row[2], []) + [{
                'id': row[0],
                'name': 'v{0:03d}'.format(row[1] or 0),
                'type': 'AssetVersion',
            }]
            for row in rows
        }


def _link_kind(storage, entity_type):
    if entity_type.table == storage.entity_type('Context').table:
        return 'context'
    if entity_type.name == 'Asset':
        return 'asset'
    if entity_type.name == 'AssetVersion':
        return 'version'
    if entity_type.name == 'Group':
        return 'group'
    return None


PROVIDERS = {
    provider.name: provider for provider in (
        _TimeLogged, _BidDifference, _IsLatestVersion, _CustomAttributeKey,
        _ThumbnailUrl, _LinkedComponentThumbnailUrl, _ComponentUrl,
        _LinkedComponentUrl, _ReviewSessionIsOpen, _Link,
    )
}


class Computed:
    """The providers for one schema.

    URLs computed attributes return (thumbnails, component downloads) are
    absolute, as a real server's are. Each query passes the server URL the
    client used (see :meth:`ftrack_emulator.query.engine.QueryEngine.run`);
    *server_url* is the one used when a query names none.

    ``url_signer``, when set (the file service sets it), is called as
    ``url_signer(server_url, identifier, endpoint)`` with endpoint ``get``
    or ``thumbnail`` and returns a URL that carries its own authorisation,
    as a real server's signed URLs do; without it URLs name the data only.
    """

    def __init__(self, storage, server_url=''):
        self.storage = storage
        self.server_url = server_url
        self.url_signer = None
        self._providers = {}

    @property
    def server_url(self):
        """The default start of computed URLs (no trailing slash)."""
        return self._server_url

    @server_url.setter
    def server_url(self, value):
        self._server_url = (value or '').rstrip('/')

    def provider(self, name):
        provider = self._providers.get(name)
        if provider is None:
            provider_class = PROVIDERS.get(name)
            if provider_class is None:
                raise QueryError(
                    'No provider for computed attribute kind "{0}".'.format(
                        name
                    )
                )
            provider = provider_class(self)
            self._providers[name] = provider
        return provider

    def sql(self, compiler, entity_type, alias, prop):
        return self.provider(prop.computed_by).sql(
            compiler, entity_type, alias, prop
        )

    def base_url(self, server_url=None):
        """Return *server_url* without its trailing slash, or the default
        when it is None."""
        if server_url is None:
            return self._server_url
        return server_url.rstrip('/')

    def thumbnail_url(self, thumbnail_id, server_url=None):
        base = self.base_url(server_url)
        if thumbnail_id is None:
            return base + '/img/thumbnail2.png'
        if self.url_signer is not None:
            return self.url_signer(base, thumbnail_id, 'thumbnail')
        return '{0}/component/thumbnail?id={1}'.format(base, thumbnail_id)

    def component_url(self, resource_identifier, server_url=None):
        if resource_identifier is None:
            return None
        base = self.base_url(server_url)
        if self.url_signer is not None:
            return self.url_signer(base, resource_identifier, 'get')
        return '{0}/component/get?id={1}'.format(base, resource_identifier)
