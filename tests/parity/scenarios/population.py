"""Parity scenario: auto-population and Session.populate."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import recorder  # noqa: E402
from recorder import attribute_state as state  # noqa: E402


def main(scenario):
    session = scenario.connect()
    step, error = scenario.step, scenario.error

    shot = step('a shot with its default projections', lambda: session.query(
        'Shot where name is "sh010" and parent.name is "sq010"').one())
    step('its loaded state', lambda: state(shot))

    # Auto-population on access.
    step('scalar auto-populates', lambda: shot['description'])
    step('scalar now remote', lambda: state(shot, ['description']))
    step('scalar read again sends nothing', lambda: shot['description'])
    step('reference auto-populates with default projections',
         lambda: shot['parent'])
    step('referenced entity state', lambda: state(shot['parent']))
    step('reference of a reference', lambda: shot['parent']['parent'])
    step('collection auto-populates', lambda: sorted(
        child['name'] for child in shot['children']))
    step('collection state after access', lambda: state(shot, ['children']))
    step('mapped collection auto-populates', lambda: shot['metadata'])
    step('null reference', lambda: shot['thumbnail'])
    step('null reference read again queries again', lambda: shot['thumbnail'])
    step('in operator goes through value access',
         lambda: 'bid' in shot and 'nonsense' in shot)
    step('get goes through value access', lambda: (
        shot.get('status')['name'], shot.get('nonsense', 'fallback')))

    # Auto-population off.
    task = session.query(
        'Task where name is "lighting" and parent.name is "sh020" and '
        'parent.parent.name is "sq010"').one()

    def read_without_population():
        with session.auto_populating(False):
            return {
                'flag': session.auto_populate,
                'scalar': task['bid'],
                'reference': task['status'],
                'collection': task['assignments'],
                'mapped': task['metadata'],
            }
    step('reading with auto-population off', read_without_population)
    step('flag restored after the context', lambda: session.auto_populate)
    step('state after reading unpopulated', lambda: state(task))
    step('collections read unpopulated were kept locally',
         lambda: (task['assignments'], task['metadata']))

    def attribute_flag():
        session.auto_populate = False
        try:
            return (task['end_date'], task['priority'])
        finally:
            session.auto_populate = True
    step('auto_populate attribute', attribute_flag)

    # Session.populate.
    shots = session.query(
        'select name from Shot where parent.name is "sq010" order by name'
    ).all()
    step('populate several entities', lambda: session.populate(
        shots, 'description, status.name'))
    step('populated values', lambda: [
        state(item, ['description', 'status']) for item in shots])
    step('populate one entity', lambda: session.populate(
        shots[0], 'children.name'))
    step('populate a tuple', lambda: session.populate(
        tuple(shots[1:]), 'parent'))
    step('populate a query result', lambda: session.populate(
        session.query('select name from Sequence order by name'),
        'description'))
    step('populate nothing', lambda: session.populate([], 'name'))
    shots[0]['description'] = 'changed locally'
    step('populate keeps local values', lambda: (
        session.populate(shots[0], 'description'),
        state(shots[0], ['description'])))
    version_values = session.query(
        'select value, key, configuration_id, entity_id from '
        'AssetVersionCustomAttributeValue where key is "for_review" '
        'order by value').all()
    step('populate a composite primary key', lambda: session.populate(
        version_values, 'value'))
    step('populate one composite primary key', lambda: session.populate(
        version_values[0], 'key'))

    # Created entities are never populated.
    sequence = session.query('Sequence where name is "sq010"').one()
    new_shot = session.create('Shot', {'name': 'new', 'parent': sequence})
    step('created entity reads unset values without a query',
         lambda: (new_shot['description'], new_shot['status'],
                  new_shot['children']))
    step('populate skips created entities', lambda: session.populate(
        [new_shot], 'description'))
    step('created entity state', lambda: state(new_shot))

    # values() and items() populate in one batch first.
    asset = session.query(
        'select id from Asset where parent.name is "sh030"').one()
    step('items populate scalars in one query', lambda: sorted(
        (key, recorder.describe(value)) for key, value in asset.items()
        if key not in ('custom_attributes',)))
    version = session.query(
        'select id from AssetVersion where version is 1 and '
        'asset.parent.name is "sh030"').one()
    step('values of a version', lambda: len(list(version.values())))

    # Re-fetch after clearing the local value.
    shots[0]['description'] = 'changed again'
    del shots[0]['description']
    step('deleted local value reverts to remote', lambda: (
        shots[0]['description'], state(shots[0], ['description'])))
    step('clear reverts every local value', lambda: (
        shots[0].clear(), state(shots[0], ['description'])))


if __name__ == '__main__':
    recorder.run(main)
