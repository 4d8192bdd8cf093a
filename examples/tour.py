"""A tour of the everyday ftrack API workflow.

Run it with no configuration and it starts a local emulator holding the
demo production (``ftrack_emulator.Emulator(demo=True)``), so nothing else
is needed::

    python examples/tour.py

With ``FTRACK_SERVER`` (and ``FTRACK_API_USER``/``FTRACK_API_KEY``) set it
uses that server instead; the server must hold the demo production, as
``ftrack-emulator serve --demo`` does. Everything the tour creates is
deleted again at the end.

Each step prints what it did. Read the code alongside: it is meant to be
copied from.
"""

import contextlib
import os
import sys

import ftrack_api
import ftrack_api.event.base


def step(title):
    """Print the heading of a step of the tour."""
    print('\n== {0}'.format(title))


def show(text, *args):
    """Print one line of output, indented under the current step."""
    print('   ' + text.format(*args))


@contextlib.contextmanager
def server_credentials():
    """Yield the keyword arguments of :class:`ftrack_api.Session`.

    A configured server (``FTRACK_SERVER`` ...) wins; otherwise an emulator
    with the demo production runs for the duration of the tour.
    """
    if os.environ.get('FTRACK_SERVER'):
        # Session() reads FTRACK_SERVER, FTRACK_API_USER and FTRACK_API_KEY.
        yield {}
        return

    import ftrack_emulator

    with ftrack_emulator.Emulator(demo=True) as server:
        show('started a local emulator at {0}', server.url)
        yield {
            'server_url': server.url,
            'api_user': server.api_user,
            'api_key': server.api_key,
        }


def tour(session):
    show('server {0} (version {1}), {2} entity types, acting as {3}',
         session.server_url, session.server_information['version'],
         len(session.types), session.api_user)

    # ------------------------------------------------------------------
    step('Look at the demo project')
    # A query without "select" fetches the type's default projections;
    # first() returns None when nothing matches.
    project = session.query('Project where name is "demo"').first()
    if project is None:
        raise SystemExit(
            'The server has no project named "demo": start one with '
            '"ftrack-emulator serve --demo", or unset FTRACK_SERVER.'
        )
    # Dates come back as arrow.Arrow objects.
    show('{0}: "{1}", from {2} to {3}', project['name'],
         project['full_name'], project['start_date'].date(),
         project['end_date'].date())

    # Projections name what to fetch, dotted paths follow relationships,
    # filters may cross relationships too, and results can be ordered.
    shots = session.query(
        'select name, parent.name, status.name from Shot '
        'where project.name is "demo" order by parent.name, name'
    ).all()
    show('{0} shots: {1}', len(shots), ', '.join(
        '{0}/{1}'.format(shot['parent']['name'], shot['name'])
        for shot in shots
    ))
    show('their statuses: {0}', ', '.join(
        sorted({shot['status']['name'] for shot in shots})))

    in_progress = session.query(
        'select name, parent.name from Task where project_id is "{0}" '
        'and status.name is "In progress" and parent has (name is "sh010")'
        .format(project['id'])
    ).all()
    show('{0} tasks in progress on the sh010 shots', len(in_progress))

    # ------------------------------------------------------------------
    step('Walk the hierarchy')
    # Attributes that were not fetched load on first access
    # (auto-population): here the "children" collections, level by level.
    def by_name(entities):
        return sorted(entities, key=lambda entity: entity['name'])

    for child in by_name(project['children']):
        if child.entity_type != 'Sequence':
            continue
        show('{0}: {1}', child['name'], ', '.join(
            '{0} ({1} tasks)'.format(shot['name'], len(shot['children']))
            for shot in by_name(child['children'])
        ))

    # ------------------------------------------------------------------
    step('Statuses and assignments')
    tasks = session.query(
        'select name, parent.name, parent.parent.name, type.name, '
        'status.name, assignments.resource.username from Task '
        'where project_id is "{0}" and parent.parent.name is "sq010" '
        'and parent.name is "sh010" order by name'.format(project['id'])
    )
    for task in tasks:
        assignees = sorted(
            assignment['resource']['username']
            for assignment in task['assignments']
        )
        show('{0}/{1}/{2}: {3}, {4}, assigned to {5}',
             task['parent']['parent']['name'], task['parent']['name'],
             task['name'], task['type']['name'], task['status']['name'],
             ', '.join(assignees))

    artist = session.query('User where username is "jane.doe"').one()
    assigned = session.query(
        'select name from Task where project_id is "{0}" and assignments '
        'any (resource_id is "{1}")'.format(project['id'], artist['id'])
    ).all()
    show('{0} is assigned to {1} tasks', artist['username'], len(assigned))

    # ------------------------------------------------------------------
    step('Create a shot and tasks')
    # Statuses and types come from the project's schema, so that the new
    # entities follow the project's workflows.
    schema = project['project_schema']
    shot_statuses = {s['name']: s for s in schema.get_statuses('Shot')}
    task_statuses = {s['name']: s for s in schema.get_statuses('Task')}
    task_types = {t['name']: t for t in schema.get_types('Task')}
    show('project schema "{0}": {1} task types, {2} task statuses',
         schema['name'], len(task_types), len(task_statuses))

    sequence = session.query(
        'Sequence where name is "sq010" and project_id is "{0}"'
        .format(project['id'])
    ).one()
    shot = session.create('Shot', {
        'name': 'sh040',
        'parent': sequence,
        'status': shot_statuses['Not started'],
        'description': 'Created by the tour.',
    })
    for type_name in ('Animation', 'Lighting'):
        session.create('Task', {
            'name': type_name.lower(),
            'parent': shot,
            'type': task_types[type_name],
            'status': task_statuses['Not started'],
        })

    # Custom attributes exist for every configuration that applies (here
    # the demo's frame range on shots); metadata takes any string keys.
    shot['custom_attributes']['fstart'] = 1001
    shot['custom_attributes']['fend'] = 1120
    shot['metadata']['camera'] = 'cam_sq010_sh040'

    # Notes: a note on the shot and a reply to it.
    note = shot.create_note('Layout is ready for animation.', author=artist)
    note.create_reply('Thanks, starting now.', author=artist)

    # Nothing has reached the server yet: every change is recorded and
    # commit() sends them together in one request.
    show('{0} changes recorded, {1} new entities', len(
        session.recorded_operations), len(session.created))
    session.commit()
    show('committed: {0}/{1} has id {2}', sequence['name'], shot['name'],
         shot['id'])

    # ------------------------------------------------------------------
    step('Update')
    shot['status'] = shot_statuses['In progress']
    shot['custom_attributes']['fend'] = 1144
    shot['description'] = 'Blocking in progress.'
    session.commit()
    show('{0} is now {1}, frames {2}-{3}', shot['name'],
         shot['status']['name'], shot['custom_attributes']['fstart'],
         shot['custom_attributes']['fend'])

    # ------------------------------------------------------------------
    step('Query it back')
    found = session.query(
        'select name, description, status.name, custom_attributes, '
        'metadata, children.name, notes.content, notes.replies.content '
        'from Shot where id is "{0}"'.format(shot['id'])
    ).one()
    # The session keeps one instance per entity: the query updated the
    # object we already had.
    show('same object as before: {0}', found is shot)
    show('{0}: "{1}", status {2}', found['name'], found['description'],
         found['status']['name'])
    show('tasks: {0}', ', '.join(
        sorted(task['name'] for task in found['children'])))
    show('custom attributes: {0}', dict(sorted(
        found['custom_attributes'].items())))
    show('metadata: {0}', dict(found['metadata']))
    for found_note in found['notes']:
        show('note "{0}", replies: {1}', found_note['content'],
             [reply['content'] for reply in found_note['replies']])

    # ------------------------------------------------------------------
    step('Ensure')
    # ensure() returns the entity matching the data, creating (and
    # committing) it only when there is none.
    data = {'name': 'sq030', 'parent_id': project['id']}
    first = session.ensure('Sequence', data)
    again = session.ensure('Sequence', data)
    show('ensured sequence {0}; second call returned it again: {1}',
         first['name'], first is again)

    # ------------------------------------------------------------------
    step('Delete')
    # Deleting a context deletes what hangs off it (tasks, notes ...), as
    # ftrack does.
    session.delete(shot)
    session.delete(first)
    session.commit()
    left = session.query(
        'select id from TypedContext where name in ("sh040", "sq030") '
        'and project_id is "{0}"'.format(project['id'])
    ).all()
    show('deleted the shot and the sequence; {0} left', len(left))

    # ------------------------------------------------------------------
    step('Events')
    # Synchronous events are delivered to this session's own subscribers,
    # without the event server; the callbacks' results come back as a list.
    def on_publish(event):
        return 'published {0}'.format(event['data']['name'])

    session.event_hub.subscribe('topic=tour.publish', on_publish)
    results = session.event_hub.publish(
        ftrack_api.event.base.Event(
            topic='tour.publish', data={'name': 'plate_v003'}
        ),
        synchronous=True,
    )
    show('subscriber answered: {0}', results)


def main():
    step('Connect')
    with server_credentials() as credentials:
        with ftrack_api.Session(**credentials) as session:
            tour(session)
    print('\nTour complete.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
