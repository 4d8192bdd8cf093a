"""Parity scenario: queries, projections and paging on the demo data."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import recorder  # noqa: E402


def names(entities):
    return [entity['name'] for entity in entities]


def main(scenario):
    session = scenario.connect()
    step, error = scenario.step, scenario.error

    # Laziness and default projections.
    step('a query sends nothing until used',
         lambda: session.query('Shot order by name') is None)
    lazy = session.query('Shot where parent.name is "sq010" order by name')
    step('len fetches every page', lambda: len(lazy))
    step('indexing after fetching', lambda: [str(lazy[0]), str(lazy[2])])
    step('negative index sees fetched results', lambda: str(lazy[-1]))
    step('slicing fetched results', lambda: lazy[0:2])
    scenario.observe('slicing a fresh query result', lambda: session.query(
        'Shot where parent.name is "sq010" order by name')[0:2])
    step('default projections are what a query loads',
         lambda: recorder.attribute_state(session.query(
             'Task where name is "modeling"').one()))
    step('query without select uses default projections', lambda: names(
        session.query('Sequence order by name').all()))

    # Projections.
    step('scalar projections', lambda: [
        (shot['name'], shot['description'])
        for shot in session.query(
            'select name, description from Shot order by description')])
    step('dotted projections', lambda: [
        (task['name'], task['parent']['name'], task['parent']['parent']
         ['name'], task['type']['name'], task['status']['name'])
        for task in session.query(
            'select name, parent.name, parent.parent.name, type.name, '
            'status.name from Task where parent.name is "sh010" and '
            'parent.parent.name is "sq010" order by name')])
    step('collection projections', lambda: [
        (sequence['name'], sorted(names(sequence['children'])))
        for sequence in session.query(
            'select name, children.name from Sequence order by name')])
    step('nested collection projections', lambda: [
        (asset['parent']['name'], sorted(
            (version['version'], [component['name']
                                  for component in version['components']])
            for version in asset['versions']))
        for asset in session.query(
            'select parent.name, versions.version, versions.components.name '
            'from Asset where parent.parent.name is "sq020" '
            'order by parent.name')])
    step('criteria through relations', lambda: names(session.query(
        'select name from Task where parent.parent.name is "sq020" and '
        'type.name is "Lighting" order by parent.name')))
    step('has and any criteria', lambda: sorted(names(session.query(
        'select name from Shot where children any (name is "lighting") '
        'and parent has (name is "sq010")'))))
    step('in and like criteria', lambda: sorted(names(session.query(
        'select name from Task where name in ("animation", "modeling") '
        'and name like "%mod%"'))))
    step('ordering descending', lambda: names(session.query(
        'select name from Sequence order by name descending')))
    step('unquoted uuid criteria', lambda: names(session.query(
        'select name from Project where id is {0}'.format(
            session.query('Project where name is "demo"').one()['id']))))

    # Paging.
    step('small pages', lambda: names(session.query(
        'select name from Task where parent.parent.name is "sq010" '
        'order by parent.name, name', page_size=2)))
    step('offset and limit in the expression', lambda: names(session.query(
        'select name from Task where parent.parent.name is "sq010" '
        'order by parent.name, name offset 2 limit 3')))
    step('limit larger than the page size', lambda: names(session.query(
        'select name from Task where parent.parent.name is "sq010" '
        'order by parent.name, name limit 5', page_size=2)))
    step('limit smaller than the page size', lambda: names(session.query(
        'select name from Task order by name limit 3', page_size=10)))
    step('offset past the end', lambda: names(session.query(
        'select name from Sequence order by name offset 10')))
    step('limit inside a quoted value is still taken as a limit',
         lambda: names(session.query(
             'select name from Shot where description is '
             '"Shot sh010 of sq010 limit 1." order by name')))
    paged = session.query('select name from Shot order by name', page_size=2)
    step('index fetches only the pages it needs', lambda: paged[1]['name'])
    step('then the rest', lambda: paged[3]['name'])
    step('all after partial fetch', lambda: names(paged.all()))

    # first / one.
    step('first', lambda: session.query(
        'select name from Sequence order by name').first()['name'])
    step('first keeps an offset', lambda: session.query(
        'select name from Sequence order by name offset 1').first()['name'])
    step('first of nothing', lambda: session.query(
        'Sequence where name is "none"').first())
    error('first with a limit', lambda: session.query(
        'Sequence limit 1').first())
    step('one', lambda: str(session.query(
        'Sequence where name is "sq010"').one()) and session.query(
        'Sequence where name is "sq010"').one()['name'])
    error('one with a limit', lambda: session.query(
        'Sequence limit 1').one())
    error('one with an offset', lambda: session.query(
        'Sequence offset 1').one())
    error('one of nothing', lambda: session.query(
        'Sequence where name is "none"').one())
    error('one of many', lambda: session.query('Sequence').one())
    fetched = session.query('select name from Sequence order by name')
    fetched.all()
    step('first ignores fetched pages', lambda: fetched.first()['name'])

    # Errors.
    error('unknown entity type', lambda: session.query('Nothing').all())
    error('capitalised Select is a type name', lambda: session.query(
        'Select name from Task').all())
    error('unknown attribute in criteria', lambda: session.query(
        'Task where nonsense is "x"').all())
    error('bad syntax', lambda: session.query(
        'select name from Task where (name is').all())

    # Same instances.
    step('query results are the cached instances', lambda: (
        session.query('Sequence where name is "sq010"').one()
        is session.query('select name from Sequence where name is "sq010"')
        .one()))
    step('results of session.call are not merged', lambda: (
        session.call([{
            'action': 'query',
            'expression': 'select name from Sequence where name is "sq010"',
        }])[0]['data'][0]
        is session.query('Sequence where name is "sq010"').one()))
    step('aggregate through call', lambda: session.call([{
        'action': 'query',
        'expression': 'select count(id) from Task where '
                      'parent.parent.name is "sq010"',
    }])[0]['data'])


if __name__ == '__main__':
    recorder.run(main)
