"""Parity scenario: create, update, delete, commit and rollback."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ftrack_api.inspection  # noqa: E402

import recorder  # noqa: E402
from recorder import attribute_state as state, fixed_id  # noqa: E402


def main(scenario):
    session = scenario.connect()
    step, error = scenario.step, scenario.error

    def pending():
        return {
            'operations': list(session.recorded_operations),
            'created': sorted(str(item) for item in session.created),
            'modified': sorted(str(item) for item in session.modified),
            'deleted': sorted(str(item) for item in session.deleted),
        }

    project = session.query('Project where name is "demo"').one()
    task_type = session.query('Type where name is "Animation"').one()
    status = session.query('Status where name is "Not started"').one()

    step('nothing pending at start', pending)
    sequence = step('create a sequence', lambda: session.create('Sequence', {
        'id': fixed_id(1), 'name': 'sq900', 'parent': project,
        'description': 'made by a scenario'}))
    step('created entity state', lambda: (
        ftrack_api.inspection.state(sequence), state(sequence)))
    shot = session.create('Shot', {
        'id': fixed_id(2), 'name': 'sh900', 'parent': sequence})
    task = session.create('Task', {
        'id': fixed_id(3), 'name': 'anim', 'parent': shot,
        'type': task_type, 'status': status, 'bid': 2.5})
    step('operations recorded for three creations', pending)
    step('created entities read their defaults', lambda: (
        task['priority_id'], task['object_type_id'],
        shot['object_type_id']))
    task['name'] = 'animation'
    task['description'] = 'first'
    task['description'] = 'second'
    step('updates of a created entity keep it created', lambda: (
        ftrack_api.inspection.states([sequence, shot, task]), pending()))
    step('commit sends one batch', session.commit)
    step('nothing pending after commit', pending)
    step('committed values are remote values', lambda: state(task))
    step('server filled values', lambda: (
        task['project_id'] == project['id'], task['context_type'],
        shot['project']['name']))

    # Updates.
    task['description'] = 'third'
    task['bid'] = 3.0
    step('updated entity is modified', lambda: (
        ftrack_api.inspection.state(task), pending()))
    step('local and remote values after an update', lambda: state(
        task, ['description', 'bid']))
    task['bid'] = 4.0
    shot['description'] = 'shot description'
    task['description'] = 'fourth'
    step('update payloads merged and deduplicated', session.commit)
    step('values after the update', lambda: state(
        task, ['description', 'bid']))

    task['description'] = 'temporary'
    del task['description']
    step('deleting a value records an update to NOT_SET', pending)
    step('local value gone after del', lambda: state(task, ['description']))
    step('a batch of nothing sends nothing', session.commit)
    step('operations are kept after an empty commit', pending)
    session.rollback()

    # Setting a value equal to the current one is still recorded.
    task['name'] = task['name']
    step('setting an equal value is recorded', pending)
    step('an equal value is not modified', lambda: (
        task.attributes.get('name').is_modified(task),
        ftrack_api.inspection.state(task)))
    session.commit()

    # Deletion of a persisted entity.
    extra = session.create('Task', {
        'id': fixed_id(5), 'name': 'extra', 'parent': shot})
    session.commit()
    session.delete(extra)
    step('deleted entity state', lambda: (
        ftrack_api.inspection.state(extra), pending(),
        extra['name']))
    step('commit the deletion', session.commit)
    step('gone from the server', lambda: session.query(
        'Task where id is "{0}"'.format(fixed_id(5))).all())
    step('still in the cache after deletion', lambda: (
        session.get('Task', fixed_id(5)) is extra))

    # Rollback.
    rolled = session.create('Shot', {
        'id': fixed_id(6), 'name': 'rolled', 'parent': sequence})
    task['description'] = 'rolled back'
    session.delete(shot)
    step('pending before rollback', pending)
    step('rollback', session.rollback)
    step('nothing pending after rollback', pending)
    step('states after rollback', lambda: ftrack_api.inspection.states(
        [rolled, task, shot]))
    step('local values gone after rollback', lambda: state(
        task, ['description']))
    step('created entity left the cache', lambda: session.get(
        'Shot', fixed_id(6)))
    step('rolled back entity still readable', lambda: (
        rolled['name'], str(rolled)))

    # Recording switched off.
    def unrecorded():
        with session.operation_recording(False):
            task['description'] = 'not recorded'
            return session.record_operations
    step('changes with recording off', unrecorded)
    step('nothing recorded', lambda: (
        pending(), session.record_operations, state(task, ['description'])))
    shot['description'] = 'recorded'
    step('commit of another change', session.commit)
    step('unrecorded local value discarded by the commit', lambda: state(
        task, ['description']))

    # Creating the same identity twice.
    first = session.create('Shot', {'id': fixed_id(7), 'name': 'twice',
                                    'parent': sequence})
    second = session.create('Shot', {'id': fixed_id(7), 'name': 'again',
                                     'parent': sequence})
    step('same instance for the same primary key', lambda: (
        first is second, first['name'], pending()))
    session.rollback()

    # Creating without data and with reconstructing.
    bare = step('create without data', lambda: session.create(
        'Sequence'))
    step('bare entity', lambda: (
        sorted(state(bare)), ftrack_api.inspection.state(bare)))
    reconstructed = step('reconstructing records nothing', lambda: (
        session.create('Sequence', {'id': fixed_id(8), 'name': 'old'},
                       reconstructing=True)))
    step('reconstructed entity', lambda: (
        state(reconstructed), ftrack_api.inspection.state(reconstructed),
        pending()))
    session.rollback()

    # References and collections in creation data.
    note_parent = session.create('Shot', {
        'id': fixed_id(9), 'name': 'with children', 'parent': sequence,
        'children': [session.create('Task', {
            'id': fixed_id(10), 'name': 'child one'})],
    })
    note_parent['children'].append(session.create('Task', {
        'id': fixed_id(11), 'name': 'child two'}))
    step('collection changes are recorded on the owner', pending)
    step('commit with collections', session.commit)
    step('children after commit', lambda: sorted(
        child['name'] for child in session.query(
            'select children.name from Shot where id is "{0}"'.format(
                fixed_id(9))).one()['children']))
    error('setting the primary key of a persisted entity', lambda: (
        task.__setitem__('id', fixed_id(12))))

    # Created then deleted in the same batch. Known difference: after the
    # commit the reference client loses such an entity's primary key (and
    # then recurses endlessly over its cache), ours keeps it; so this
    # comes last, in a session of its own, and nothing looks at the
    # session after the commit.
    doomed_session = scenario.connect()
    doomed_sequence = doomed_session.get('Sequence', fixed_id(1))
    doomed = doomed_session.create('Shot', {
        'id': fixed_id(4), 'name': 'doomed', 'parent': doomed_sequence})
    doomed_session.delete(doomed)
    doomed_sequence['description'] = 'after doomed'
    step('created and deleted entity state', lambda: (
        ftrack_api.inspection.state(doomed),
        list(doomed_session.recorded_operations)))
    step('create and delete are dropped from the batch',
         doomed_session.commit)


if __name__ == '__main__':
    recorder.run(main)
