"""Parity scenario: merging query results, nested data and other
sessions' entities into the identity map."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import recorder  # noqa: E402
from recorder import attribute_state as state  # noqa: E402


def main(scenario):
    session = scenario.connect()
    step = scenario.step

    task = session.query(
        'select name from Task where name is "animation" and '
        'parent.name is "sh020" and parent.parent.name is "sq020"').one()
    step('first load', lambda: state(task))
    again = session.query(
        'select name, bid, parent.name, parent.description, status.name, '
        'status.state.name from Task where id is "{0}"'.format(task['id'])
    ).one()
    step('same instance for the same identity', lambda: again is task)
    step('values merged into it', lambda: state(task))
    step('nested entity merged', lambda: (
        state(task['parent'], ['name', 'description']),
        state(task['status']['state'], ['name'])))
    parent = task['parent']
    step('nested entity is the cached instance', lambda: (
        parent is session.query(
            'Shot where id is "{0}"'.format(parent['id'])).one()))

    # Local values survive merges.
    task['name'] = 'renamed locally'
    task['bid'] = 1.5
    step('a merge keeps local values', lambda: (
        session.query('select name, bid from Task where id is "{0}"'.format(
            task['id'])).one()['name'],
        state(task, ['name', 'bid'])))
    step('recorded operations are untouched by merges', lambda: list(
        session.recorded_operations))

    # A later query with new server values replaces remote values.
    other = scenario.connect()
    other_task = other.get('Task', task['id'])
    other_task['description'] = 'described elsewhere'
    other.commit()
    step('remote value refreshed by a new query', lambda: (
        session.query('select description from Task where id is "{0}"'.format(
            task['id'])).one() is task,
        state(task, ['description'])))

    # De-duplicated references in one response.
    tasks = session.query(
        'select name, status.name, status.color, type.name from Task where '
        'parent.parent.name is "sq010" order by parent.name, name').all()
    step('repeated nested entities are one instance each', lambda: (
        len(tasks), len({id(item['status']) for item in tasks}),
        sorted({item['status']['name'] for item in tasks}),
        sorted({recorder.describe(item['status']['color'])
                for item in tasks}, key=str)))

    # Collections merge.
    shot = session.query(
        'select children from Shot where name is "sh010" and '
        'parent.name is "sq020"').one()
    children = list(shot['children'])
    step('collection members are cached instances', lambda: [
        child is session.get('Task', child['id']) for child in children])
    step('collection state', lambda: state(shot, ['children']))
    session.query('select children.name from Shot where id is "{0}"'.format(
        shot['id'])).all()
    step('collection after merging members again', lambda: (
        state(shot, ['children']), sorted(c['name'] for c in children)))

    # A local copy of a collection follows new server values while it is
    # unchanged, and is kept once changed.
    sequence_for_copies = session.query(
        'select children from Sequence where name is "sq020"').one()
    copied = list(sequence_for_copies['children'])
    added = other.create('Shot', {
        'name': 'sh090', 'parent': other.get('Sequence',
                                             sequence_for_copies['id'])})
    other.commit()
    session.query('select children from Sequence where id is "{0}"'.format(
        sequence_for_copies['id'])).one()
    step('unchanged local copy follows the server', lambda: (
        len(copied), len(sequence_for_copies['children']),
        state(sequence_for_copies, ['children'])))
    sequence_for_copies['children'].remove(
        session.get('Shot', added['id']))
    other.delete(other.get('Shot', added['id']))
    other.commit()
    session.query('select children from Sequence where id is "{0}"'.format(
        sequence_for_copies['id'])).one()
    step('changed local copy is kept', lambda: state(
        sequence_for_copies, ['children']))
    session.rollback()

    # Session.merge of entities from elsewhere.
    detached = other.query(
        'select name, description, parent from Sequence where name is '
        '"sq010"').one()
    step('merge an entity of another session', lambda: str(
        session.merge(detached)))
    step('merge returns the cached instance', lambda: (
        session.merge(detached) is session.query(
            'Sequence where name is "sq010"').one(),
        session.merge(detached) is detached))
    step('merged values', lambda: state(
        session.merge(detached), ['name', 'description', 'parent']))
    step('merge of plain values', lambda: (
        session.merge(5), session.merge('text'), session.merge(None),
        session.merge({'a': 1})))
    step('merge of a collection returns a list', lambda: session.merge(
        other.query('select children from Sequence where name is "sq020"')
        .one()['children']))
    decoded = session.decode(session.encode(
        session.query('select name, bid from Task where name is "modeling"')
        .one(), entity_attribute_strategy='set_only'))
    step('decoded entity is detached', lambda: (
        decoded is session.query('Task where name is "modeling"').one(),
        state(decoded)))
    step('merging the decoded entity', lambda: (
        session.merge(decoded) is session.query(
            'Task where name is "modeling"').one(),
        recorder.attribute_state(session.merge(decoded), ['name', 'bid'])))

    # Entities of another session set as values: merged on the first read
    # of a relation, kept as given once it was read.
    foreign_shot = other.query(
        'select name, description from Shot where name is "sh020" and '
        'parent.name is "sq020"').one()
    target = session.query(
        'Task where name is "lighting" and parent.name is "sh010" and '
        'parent.parent.name is "sq010"').one()
    target['parent'] = foreign_shot
    step('a foreign entity set on an unread relation is merged on read',
         lambda: (target['parent'] is foreign_shot,
                  target['parent'].session is session,
                  state(target['parent'], ['name', 'description'])))
    target['parent'] = foreign_shot
    step('once read, a foreign entity is kept', lambda: (
        target['parent'] is foreign_shot))
    foreign_tasks = other.query(
        'select name from Task where parent.name is "sh030" order by name'
    ).all()
    holder = session.query(
        'Shot where name is "sh020" and parent.name is "sq010"').one()
    holder['children'] = foreign_tasks
    step('foreign entities in a list set on an unread collection', lambda: [
        (item is original, item.session is session)
        for item, original in zip(holder['children'], foreign_tasks)])
    holder['children'].append(other.query(
        'Task where name is "modeling"').one())
    step('appended to a read collection, a foreign entity is kept',
         lambda: holder['children'][-1].session is session)
    session.rollback()

    # Entity.merge reports changes.
    first = other.query(
        'select name, description from Shot where name is "sh030"').one()
    detached_again = session.decode(session.encode(first, 'persisted_only'))
    fresh = session.create('Shot', {'name': 'fresh'})
    step('Entity.merge returns the changes', lambda: sorted(
        (change['name'], change['type'], recorder.describe(
            change['old_value']), recorder.describe(change['new_value']))
        for change in fresh.merge(detached_again)))
    step('state after Entity.merge', lambda: state(fresh))
    session.rollback()
    other.close()


if __name__ == '__main__':
    recorder.run(main)
