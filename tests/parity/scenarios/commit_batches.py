"""Parity scenario: how recorded operations become the batch a commit
sends (ordering, folding, dropping), seen on the wire."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import arrow  # noqa: E402

import ftrack_api.inspection  # noqa: E402
import ftrack_api.operation  # noqa: E402
import ftrack_api.symbol  # noqa: E402

import recorder  # noqa: E402
from recorder import attribute_state as state, fixed_id  # noqa: E402


def main(scenario):
    session = scenario.connect()
    step = scenario.step

    sequence = session.query('Sequence where name is "sq020"').one()
    shots = session.query(
        'select name, description from Shot where parent.name is "sq020" '
        'order by name').all()
    first, second = shots

    # Interleaved updates: only consecutive ones of one entity merge.
    first['description'] = 'a'
    second['description'] = 'b'
    first['name'] = 'sh010'
    first['description'] = 'c'
    step('interleaved updates', session.commit)

    # A create followed by updates of the same entity folds them in; an
    # update of another entity in between stops the folding.
    shot = session.create('Shot', {'id': fixed_id(1), 'name': 'sh900'})
    shot['parent'] = sequence
    shot['description'] = 'folded'
    second['description'] = 'between'
    shot['start_date'] = arrow.get('2024-03-04T05:06:07+00:00')
    step('create then updates', session.commit)

    # Values set back to NOT_SET and updates that end where they began.
    first['description'] = 'temporary'
    first['description'] = ftrack_api.symbol.NOT_SET
    second['description'] = 'kept'
    step('NOT_SET values are dropped', lambda: (
        list(session.recorded_operations), session.commit()))

    # Collections sent whole, after each change.
    task = session.create('Task', {
        'id': fixed_id(2), 'name': 'first', 'parent': shot})
    other = session.create('Task', {
        'id': fixed_id(3), 'name': 'second', 'parent': shot})
    children = shot['children']
    children.extend([task, other])
    scenario.error('reversing swaps items through duplicates',
                   children.reverse)
    removed = children.pop()
    step('collection operations', lambda: (
        str(removed), [str(item) for item in children],
        [(type(operation).__name__, getattr(
            operation, 'attribute_name', None))
         for operation in session.recorded_operations]))
    step('collection batch', session.commit)
    step('children on the server', lambda: sorted(
        child['name'] for child in scenario.connect().query(
            'select children.name from Shot where id is "{0}"'.format(
                fixed_id(1))).one()['children']))

    # Deletes go in recorded order, with updates of other entities around.
    session.delete(task)
    second['description'] = 'after delete'
    session.delete(other)
    step('deletes in order', session.commit)

    # Operations pushed by hand.
    session.recorded_operations.push(
        ftrack_api.operation.UpdateEntityOperation(
            'Shot', {'id': second['id']}, 'description',
            ftrack_api.symbol.NOT_SET, 'pushed by hand'))
    step('a hand-made operation is committed', session.commit)
    step('its value on the server', lambda: scenario.connect().query(
        'select description from Shot where id is "{0}"'.format(
            second['id'])).one()['description'])

    # Operations objects themselves.
    operations = ftrack_api.operation.Operations()
    create = ftrack_api.operation.CreateEntityOperation(
        'Shot', {'id': 'x'}, {'name': 'n', 'list': [1]})
    operations.push(create)
    operations.push(ftrack_api.operation.DeleteEntityOperation(
        'Shot', {'id': 'x'}))
    step('operations stack', lambda: (
        len(operations), bool(operations),
        [type(item).__name__ for item in operations],
        type(operations.pop()).__name__, len(operations),
        operations.clear(), bool(operations)))
    step('operation data is copied', lambda: (
        create.entity_data, create.entity_data['list'] is [1]))

    # Many entities in one batch, and what comes back.
    created = [session.create('Task', {
        'id': fixed_id(10 + index), 'name': 'bulk {0}'.format(index),
        'parent': shot, 'bid': index * 1.5}) for index in range(3)]
    step('bulk creation', session.commit)
    step('server values merged back', lambda: [
        state(item, ['name', 'bid', 'context_type', 'project_id'])
        for item in created])
    step('states after commit', lambda: ftrack_api.inspection.states(
        created))


if __name__ == '__main__':
    recorder.run(main)
