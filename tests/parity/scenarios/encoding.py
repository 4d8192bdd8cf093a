"""Parity scenario: Session.encode and Session.decode."""

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import arrow  # noqa: E402

import recorder  # noqa: E402
from recorder import attribute_state as state, fixed_id  # noqa: E402


def main(scenario):
    session = scenario.connect()
    step, error = scenario.step, scenario.error

    def encoded(value, strategy=None):
        """The encoded text, and that text parsed (easier to compare)."""
        if strategy is None:
            text = session.encode(value)
        else:
            text = session.encode(value, entity_attribute_strategy=strategy)
        return {'text': text, 'parsed': json.loads(text)}

    # Plain values.
    step('plain values', lambda: encoded(
        {'b': [1, 2.5, 'x', None, True], 'a': {'nested': 'value'}}))
    step('non-ascii text', lambda: encoded({'name': 'caf\u00e9 \u2603'}))
    step('datetimes and dates', lambda: encoded({
        'naive': datetime.datetime(2024, 5, 6, 7, 8, 9),
        'micro': datetime.datetime(2024, 5, 6, 7, 8, 9, 123),
        'aware': datetime.datetime(
            2024, 5, 6, 7, 8, 9,
            tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
        'arrow': arrow.get('2024-05-06T07:08:09+05:30'),
        'date': datetime.date(2024, 5, 6),
    }))
    error('an object JSON cannot hold', lambda: session.encode(
        {'value': object()}))
    error('a set', lambda: session.encode({'value': {1}}))
    error('an unknown strategy', lambda: session.encode(
        {}, entity_attribute_strategy='everything'))

    # Entities with every strategy.
    task = session.query(
        'select name, bid, start_date, parent, status from Task where '
        'name is "animation" and parent.name is "sh010" and '
        'parent.parent.name is "sq010"').one()
    task['description'] = 'modified locally'
    for strategy in ('set_only', 'modified_only', 'persisted_only'):
        step('persisted entity, {0}'.format(strategy), encoded, task,
             strategy)
    error('unknown strategy with an entity', lambda: session.encode(
        task, entity_attribute_strategy='nothing'))
    step('default strategy', encoded, [task])
    sequence = task['parent']['parent']
    step('all fetches every attribute', encoded, sequence, 'all')
    step('state after encoding all', lambda: sorted(state(sequence)))

    shot = session.create('Shot', {
        'id': fixed_id(1), 'name': 'sh900', 'parent': sequence,
        'start_date': arrow.get('2024-02-03T04:05:06+00:00'),
        'metadata': {'source': 'encoded'}})
    for strategy in ('set_only', 'modified_only', 'persisted_only', 'all'):
        step('new entity, {0}'.format(strategy), encoded, shot, strategy)
    step('entities nested in data', encoded, {
        'shot': shot, 'tasks': [task], 'pair': (task, shot)})
    step('a collection', encoded, sequence['children'])
    step('a mapped collection', encoded, shot['metadata'])
    step('entity reference', lambda: (
        session.entity_reference(task), session.entity_reference(shot)))
    value = session.query(
        'select key, value, configuration_id, entity_id from '
        'ContextCustomAttributeValue where key is "fstart" and '
        'entity_id is "{0}"'.format(task['parent']['id'])).one()
    step('composite primary key', lambda: (
        encoded(value, 'persisted_only'), session.entity_reference(value)))
    session.rollback()

    # Decoding.
    step('decode plain values', lambda: session.decode(
        '{"a": [1, 2.5, "x", null, true], "b": {"c": "d"}}'))
    step('decode dates', lambda: session.decode(json.dumps({
        'datetime': {'__type__': 'datetime',
                     'value': '2024-05-06T07:08:09'},
        'aware': {'__type__': 'datetime',
                  'value': '2024-05-06T07:08:09+02:00'},
        'micro': {'__type__': 'datetime',
                  'value': '2024-05-06T07:08:09.123456'},
        'date': {'__type__': 'date', 'value': '2024-05-06'},
        'other': {'__type__': 'something', 'value': 'x'},
    })))
    error('decode a malformed date', lambda: session.decode(json.dumps({
        'datetime': {'__type__': 'datetime', 'value': 'yesterday'}})),
        message=False)
    error('decode bad JSON', lambda: session.decode('{"a": '))
    error('decode an unknown entity type', lambda: session.decode(
        '{"__entity_type__": "Nothing", "id": "x"}'))
    decoded = step('decode an entity', lambda: session.decode(json.dumps({
        '__entity_type__': 'Task', 'id': task['id'], 'name': 'decoded',
        'parent': {'__entity_type__': 'Shot', 'id': task['parent']['id']},
        'start_date': {'__type__': 'datetime',
                       'value': '2024-01-01T10:00:00'},
        'children': [],
        'unknown_key': 1,
    })))
    step('decoded entity values', lambda: state(decoded))
    step('decoded entity is not the cached one', lambda: (
        decoded is task, decoded == task, hash(decoded) == hash(task)))
    step('decoded entity records nothing', lambda: list(
        session.recorded_operations))
    step('round trip through encode and decode', lambda: state(
        session.decode(session.encode(task, 'persisted_only'))))
    step('decode of an encoded new entity', lambda: state(session.decode(
        session.encode(session.create('Sequence', {
            'id': fixed_id(2), 'name': 'round trip'})))))
    session.rollback()
    step('decode an entity without its primary key', lambda: (
        session.decode('{"__entity_type__": "Task", "name": "x"}')))


if __name__ == '__main__':
    recorder.run(main)
