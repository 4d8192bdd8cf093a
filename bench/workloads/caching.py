"""Caches: ``session.get`` answered from the session's cache, and a
round trip through a file cache (``SerialisedCache`` over ``FileCache``,
the persistent cache recipe of the documentation)."""

import os

from . import dataset


def get_hits(ctx):
    """Every ``get`` hits the memory cache: no request may be sent."""
    session = ctx.session()
    tasks = session.query('select name from Task').all()
    ctx.check_equal(len(tasks), ctx.params['tasks'], 'tasks loaded')
    ids = [task['id'] for task in tasks]
    rounds = ctx.params['rounds']
    with ctx.timed():
        found = [session.get('Task', task_id)
                 for _ in range(rounds) for task_id in ids]
    ctx.check_equal(ctx.request_counts[None][-1], 0, 'requests for cached '
                    'entities')
    ctx.check_equal(len(found), rounds * len(ids), 'entities returned')
    ctx.check(all(entity is tasks[index % len(tasks)]
                  for index, entity in enumerate(found)),
              'get returned another instance than the cached one')


def file_cache(ctx):
    """Write merged tasks to a file cache, then load them back into a new
    session through ``get`` (no request may be sent)."""
    import ftrack_api.cache
    import ftrack_api.inspection

    def persistent(session):
        return ftrack_api.cache.SerialisedCache(
            ftrack_api.cache.FileCache(path),
            encode=session.encode, decode=session.decode,
        )

    path = os.path.join(ctx.directory, 'cache.dbm')
    session = ctx.session()
    count = ctx.params['tasks']
    tasks = session.query(
        'select name, bid, status.name, parent.name from Task where '
        'project.name is "{0}" limit {1}'.format(dataset.PROJECT, count)
    ).all()
    ctx.check_equal(len(tasks), count, 'tasks loaded')
    with session.auto_populating(False):
        expected = [(task['id'], task['name']) for task in tasks]
    cache = persistent(session)
    keys = [session.cache_key_maker.key(ftrack_api.inspection.identity(task))
            for task in tasks]
    with ctx.timed('write'):
        for key, task in zip(keys, tasks):
            cache.set(key, task)
    reader = ctx.session(cache=persistent)
    with ctx.timed('read'):
        loaded = [reader.get('Task', task_id) for task_id, _ in expected]
    ctx.check_equal(ctx.request_counts['read'][-1], 0,
                    'requests while reading the file cache')
    with reader.auto_populating(False):
        ctx.check_equal([(task['id'], task['name']) for task in loaded],
                        expected, 'tasks read back')
