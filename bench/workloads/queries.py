"""Query and merge: a projected query over every task, all pages, next to
its floor (the same pages' HTTP transfer and ``json.loads`` with no client
code); and the same data reached through auto-population."""

import gc
import json

from . import dataset

#: The query the merge workloads and the floor share.
QUERY = 'select name, status.name, parent.name, assignments from Task'
#: The page size both clients use for a query without a limit.
PAGE_SIZE = 500
#: The label of the floor's timings.
FLOOR = 'floor'


def check_tasks(ctx, session, tasks, expected):
    """Check every task against the seed (without fetching anything)."""
    ctx.check_equal(len(tasks), expected, 'tasks returned')
    names = set()
    with session.auto_populating(False):
        for task in tasks:
            problem = dataset.check_task(
                task['name'], task['status']['name'],
                task['parent']['name'], len(task['assignments']),
            )
            ctx.check(problem is None, problem)
            names.add(task['name'])
    ctx.check_equal(len(names), expected, 'distinct tasks')


def query_merge(ctx):
    """Every page of the projected query, merged into the session.

    The floor is timed twice in the same process right after the merge
    (the median is reported), so that merge / floor compares runs made
    under the same machine load; the merged data is released first, so
    that the floor's pages do not raise the merge's peak memory.
    """
    session = ctx.session()
    with ctx.timed():
        tasks = session.query(QUERY).all()
    check_tasks(ctx, session, tasks, ctx.params['tasks'])
    del tasks
    ctx.close(session)
    gc.collect()
    _floor(ctx)
    _floor(ctx)


def auto_populate(ctx):
    """The same values read from tasks queried without projections: each
    missing attribute is fetched when first read."""
    session = ctx.session()
    count = ctx.params['tasks']
    expression = 'Task where project.name is "{0}" limit {1}'.format(
        dataset.PROJECT, count)
    with ctx.timed():
        tasks = session.query(expression).all()
        rows = [
            (task['name'], task['status']['name'], task['parent']['name'],
             len(task['assignments']))
            for task in tasks
        ]
    ctx.check_equal(len(rows), count, 'tasks returned')
    for row in rows:
        problem = dataset.check_task(*row)
        ctx.check(problem is None, problem)
    ctx.check(ctx.request_counts[None][-1] > count,
              'reading unloaded attributes of {0} tasks sent only {1} '
              'requests', count, ctx.request_counts[None][-1])


def _floor(ctx):
    """Fetch the query's pages over plain HTTP and decode them with
    ``json.loads``: what any client must pay before merging."""
    import requests

    server = ctx.server
    http = requests.Session()
    headers = {
        'content-type': 'application/json', 'accept': 'application/json',
        'ftrack-user': server['user'], 'ftrack-api-key': server['key'],
        'ftrack-strict-api': 'false',
    }
    url = server['url'] + '/api'
    with ctx.timed(FLOOR):
        rows = []
        offset = 0
        while offset is not None:
            body = json.dumps([{
                'action': 'query',
                'expression': '{0} offset {1} limit {2}'.format(
                    QUERY, offset, PAGE_SIZE),
            }], sort_keys=True)
            response = http.post(url, data=body, headers=headers)
            response.raise_for_status()
            result = json.loads(response.text)[0]
            rows.extend(result['data'])
            offset = result['metadata']['next']['offset']
    http.close()
    ctx.check_equal(len(rows), ctx.params['tasks'], 'rows transferred')
    ctx.check_equal(len({row['name'] for row in rows}), ctx.params['tasks'],
                    'distinct task names')
