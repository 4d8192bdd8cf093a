"""Encode and decode: ``session.encode`` of many merged tasks with each
attribute strategy, and ``session.decode`` of what it produced."""

import json

from . import dataset

#: Strategies that never fetch: measured on every seeded task.
STRATEGIES = ('set_only', 'modified_only', 'persisted_only')


def _changed(index):
    return index % 10 == 0


def encode_decode(ctx):
    session = ctx.session()
    count = ctx.params['tasks']
    tasks = session.query(
        'select name, bid, description, status.name, parent.name, '
        'assignments from Task'
    ).all()
    ctx.check_equal(len(tasks), count, 'tasks loaded')
    # Local changes on one task in ten, so that the strategies differ.
    for index, task in enumerate(tasks):
        if _changed(index):
            task['description'] = 'changed {0}'.format(index)
    with session.auto_populating(False):
        names = [task['name'] for task in tasks]
    for strategy in STRATEGIES:
        with ctx.timed('encode ' + strategy):
            text = session.encode(tasks, entity_attribute_strategy=strategy)
        with ctx.timed('decode ' + strategy):
            decoded = session.decode(text)
        _check(ctx, strategy, json.loads(text), decoded, names, session)


def _check(ctx, strategy, payload, decoded, names, session):
    count = len(names)
    ctx.check_equal(len(payload), count, strategy + ': entities encoded')
    ctx.check_equal(len(decoded), count, strategy + ': entities decoded')
    changed = [item.get('description') for index, item in enumerate(payload)
               if _changed(index)]
    if strategy == 'persisted_only':
        ctx.check(not any(value and value.startswith('changed')
                          for value in changed),
                  'persisted_only encoded a local change')
    else:
        ctx.check_equal(changed, ['changed {0}'.format(index)
                                  for index in range(count)
                                  if _changed(index)],
                        strategy + ': local changes encoded')
    if strategy == 'modified_only':
        ctx.check(all(set(item) == {'__entity_type__', 'id'}
                      for index, item in enumerate(payload)
                      if not _changed(index)),
                  'modified_only encoded unmodified attributes')
        return
    ctx.check_equal([item['name'] for item in payload], names,
                    strategy + ': names encoded')
    with session.auto_populating(False):
        ctx.check_equal([entity['name'] for entity in decoded], names,
                        strategy + ': names decoded')


def encode_all(ctx):
    """The ``all`` strategy fetches every attribute not loaded yet, one
    request per attribute and entity: the tasks are loaded with every
    attribute first (untimed) so that only encoding is measured."""
    session = ctx.session()
    count = ctx.params['tasks']
    attributes = sorted(
        attribute.name for attribute in session.types['Task'].attributes)
    tasks = session.query('select {0} from Task where project.name is "{1}" '
                          'limit {2}'.format(', '.join(attributes),
                                             dataset.PROJECT, count)).all()
    ctx.check_equal(len(tasks), count, 'tasks loaded')
    with ctx.timed('encode all'):
        text = session.encode(tasks, entity_attribute_strategy='all')
    with ctx.timed('decode all'):
        decoded = session.decode(text)
    payload = json.loads(text)
    ctx.check_equal(len(payload), count, 'entities encoded')
    ctx.check_equal(len(decoded), count, 'entities decoded')
    expected = set(attributes) | {'__entity_type__'}
    for item in payload:
        ctx.check_equal(set(item), expected, 'attributes encoded')
