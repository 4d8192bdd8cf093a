"""Commits: create, update and delete many tasks in one commit each.

They work in the scratch project, which the runner empties after every
run (and fills beforehand for update and delete), so the seeded data the
other workloads check stays exact. Each result is checked from a fresh
session, as the server stored it.
"""

from . import dataset

SCRATCH_TASKS = 'Task where project.name is "{0}"'.format(
    dataset.SCRATCH_PROJECT)


def _by_name(session, entity_type):
    return {entity['name']: entity
            for entity in session.query(entity_type).all()}


def _stored(ctx, projections):
    """Return the scratch tasks as the server has them, by name."""
    session = ctx.session()
    tasks = session.query('select {0} from {1}'.format(
        projections, SCRATCH_TASKS)).all()
    with session.auto_populating(False):
        return session, {task['name']: task for task in tasks}


def create(ctx):
    """Tasks with references (parent, status, type) and custom
    attributes, created in one commit."""
    session = ctx.session()
    shot = session.query('Shot where name is "{0}"'.format(
        dataset.SCRATCH_SHOT)).one()
    statuses = _by_name(session, 'Status')
    types = _by_name(session, 'Type')
    count = ctx.params['tasks']
    with ctx.timed():
        for index in range(count):
            task = session.create('Task', {
                'name': dataset.SCRATCH_PREFIX + str(index),
                'parent': shot,
                'status': statuses[dataset.task_status(index)],
                'type': types[dataset.task_type(index)],
            })
            task['custom_attributes']['bench_number'] = index
            task['custom_attributes']['bench_text'] = 'text {0}'.format(index)
        session.commit()
    checker, stored = _stored(
        ctx, 'name, status.name, type.name, parent_id, custom_attributes')
    ctx.check_equal(len(stored), count, 'tasks stored')
    with checker.auto_populating(False):
        for index in range(count):
            task = stored[dataset.SCRATCH_PREFIX + str(index)]
            found = (task['status']['name'], task['type']['name'],
                     task['parent_id'],
                     task['custom_attributes']['bench_number'],
                     task['custom_attributes']['bench_text'])
            expected = (dataset.task_status(index), dataset.task_type(index),
                        shot['id'], index, 'text {0}'.format(index))
            ctx.check_equal(found, expected, 'stored task {0}'.format(index))


def update(ctx):
    """A new name, a new status and a custom attribute on every task."""
    session = ctx.session()
    count = ctx.params['tasks']
    tasks = session.query('select name, status, custom_attributes from {0}'
                          .format(SCRATCH_TASKS)).all()
    ctx.check_equal(len(tasks), count, 'scratch tasks before the update')
    statuses = _by_name(session, 'Status')
    with ctx.timed():
        for index, task in enumerate(tasks):
            task['name'] = 'renamed_{0}'.format(index)
            task['status'] = statuses[dataset.task_status(index + 1)]
            task['custom_attributes']['bench_number'] = index
        session.commit()
    checker, stored = _stored(ctx, 'name, status.name, custom_attributes')
    ctx.check_equal(len(stored), count, 'tasks after the update')
    with checker.auto_populating(False):
        for index in range(count):
            task = stored['renamed_{0}'.format(index)]
            found = (task['status']['name'],
                     task['custom_attributes']['bench_number'])
            expected = (dataset.task_status(index + 1), index)
            ctx.check_equal(found, expected, 'updated task {0}'.format(index))


def delete(ctx):
    """Every scratch task deleted in one commit."""
    session = ctx.session()
    count = ctx.params['tasks']
    tasks = session.query(SCRATCH_TASKS).all()
    ctx.check_equal(len(tasks), count, 'scratch tasks before the delete')
    with ctx.timed():
        for task in tasks:
            session.delete(task)
        session.commit()
    _, stored = _stored(ctx, 'name')
    ctx.check_equal(len(stored), 0, 'scratch tasks left after the delete')
