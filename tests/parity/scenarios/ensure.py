"""Parity scenario: Session.ensure."""

import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import arrow  # noqa: E402

import recorder  # noqa: E402
from recorder import attribute_state as state  # noqa: E402


def main(scenario):
    session = scenario.connect()
    step, error = scenario.step, scenario.error

    created = step('ensure creates a missing entity', lambda: session.ensure(
        'User', {'username': 'ensured.user', 'first_name': 'Ensured'}))
    step('created entity values', lambda: state(
        created, ['username', 'first_name', 'last_name']))
    step('ensure finds it again', lambda: session.ensure(
        'User', {'username': 'ensured.user', 'first_name': 'Ensured'})
        is created)
    step('ensure updates values outside the identifying keys', lambda: (
        session.ensure(
            'User', {'username': 'ensured.user', 'first_name': 'Changed'},
            identifying_keys=['username']) is created,
        state(created, ['first_name'])))
    step('the update reached the server', lambda: scenario.connect().query(
        'select first_name from User where username is "ensured.user"'
    ).one()['first_name'])
    step('ensure with nothing to change sends no commit', lambda: (
        session.ensure('User', {'username': 'ensured.user',
                                'first_name': 'Changed'},
                       identifying_keys=['username']) is created))
    flagged = step('ensure with booleans and None creates', lambda: (
        session.ensure('User', {'username': 'flag.user', 'is_active': True,
                                'email': None})))
    step('ensure with booleans and None again', lambda: (
        session.ensure('User', {'username': 'flag.user', 'is_active': True,
                                'email': None}) is flagged))
    session.rollback()
    step('ensure with a number', lambda: session.ensure(
        'Priority', {'name': 'Urgent', 'value': 4})['sort'])

    project = session.query('Project where name is "demo"').one()
    step('ensure with a naive datetime', lambda: session.ensure(
        'Project', {'name': 'demo',
                    'start_date': datetime.datetime(2024, 1, 8, 9, 0)},
        identifying_keys=['name', 'start_date']) is project)
    session.rollback()
    error('ensure with a zoned arrow is queried by wall-clock time',
          lambda: session.ensure(
              'Project', {
                  'name': 'demo',
                  'start_date': arrow.get('2024-01-08T10:00:00+01:00')},
              identifying_keys=['name', 'start_date']))
    session.rollback()
    step('ensure with microseconds updates the value', lambda: (
        session.ensure(
            'Project', {'name': 'demo',
                        'start_date': arrow.get(datetime.datetime(
                            2024, 1, 8, 9, 0, 0, 123456))},
            identifying_keys=['name', 'start_date']) is project,
        project['start_date']))
    step('ensure with a date', lambda: session.ensure(
        'Project', {'name': 'demo',
                    'end_date': project['end_date'].date()},
        identifying_keys=['name']) is project)
    session.rollback()

    error('ensure with several matches', lambda: session.ensure(
        'Shot', {'name': 'sh010'}))
    error('ensure without data', lambda: session.ensure('Shot', {}))
    error('ensure with an identifying key missing from the data',
          lambda: session.ensure('Shot', {'name': 'sh010'},
                                 identifying_keys=['description']))
    error('ensure of an unknown type', lambda: session.ensure(
        'Nothing', {'name': 'x'}))
    sequence = session.query('Sequence where name is "sq010"').one()
    shot = step('ensure with a reference in the data', lambda: (
        session.ensure('Shot', {'name': 'sh099', 'parent': sequence,
                                'project': sequence['project']},
                       identifying_keys=['name'])))
    step('shot made by ensure', lambda: state(shot, ['name', 'parent']))
    step('ensure with a reference as identifying key', lambda: (
        session.ensure('Shot', {'name': 'sh099', 'parent_id': sequence['id']})
        is shot))


if __name__ == '__main__':
    recorder.run(main)
