"""Session start: construct a session and build every entity class from
the server's schema, with and without the on-disk schema cache."""

import os

#: The file name both clients keep the schema cache under.
SCHEMA_CACHE_FILE = 'ftrack_api_schema_cache.json'


def _start(ctx, **options):
    with ctx.timed():
        session = ctx.session(**options)
    ctx.check_equal(len(session.types), ctx.params['types'],
                    'entity classes built')
    ctx.check('Task' in session.types, 'no Task class was built')
    ctx.close(session)


def without_cache(ctx):
    """Every start fetches the schemas from the server."""
    with ctx.request_bodies() as bodies:
        for _ in range(ctx.params['repeat']):
            _start(ctx, schema_cache_path=False)
    fetched = sum('"query_schemas"' in body for body in bodies)
    ctx.check_equal(fetched, ctx.params['repeat'], 'query_schemas calls')


def with_cache(ctx):
    """A first (untimed) start writes the cache; the timed ones read it."""
    directory = os.path.join(ctx.directory, 'schema-cache')
    os.makedirs(directory)
    warm = ctx.session(schema_cache_path=directory)
    ctx.close(warm)
    ctx.check(os.path.exists(os.path.join(directory, SCHEMA_CACHE_FILE)),
              'the first session wrote no schema cache in {0}', directory)
    with ctx.request_bodies() as bodies:
        for _ in range(ctx.params['repeat']):
            _start(ctx, schema_cache_path=directory)
    fetched = sum('"query_schemas"' in body for body in bodies)
    ctx.check_equal(fetched, 0, 'query_schemas calls with a valid cache')
