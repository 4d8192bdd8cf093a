"""A production workflow run by the REFERENCE ftrack client.

Usage: ``python reference_workflow.py SERVER_URL API_USER API_KEY WORKDIR``
with an interpreter that has ``ftrack-python-api`` 3.1.0 installed (not
this repository's ``ftrack_api``). Prints one ``ok <step>`` line per step
and ``workflow complete`` at the end; any failed check raises, so the exit
code is not 0.
"""

import os
import sys

import ftrack_api
import ftrack_api.exception
import ftrack_api.symbol

SERVER_URL, API_USER, API_KEY, WORKDIR = sys.argv[1:5]


def step(name):
    print('ok', name, flush=True)


def connect():
    return ftrack_api.Session(
        server_url=SERVER_URL, api_user=API_USER, api_key=API_KEY,
        schema_cache_path=False, auto_connect_event_hub=False,
    )


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_server_error(function, fragment):
    try:
        function()
    except ftrack_api.exception.ServerError as error:
        check(fragment in str(error), 'unexpected error: {0}'.format(error))
        return error
    raise AssertionError('expected a ServerError mentioning ' + fragment)


session = connect()
assert ftrack_api.__version__ == '3.1.0', ftrack_api.__file__
check(len(session.types) == 116, 'expected 116 entity types')
check(session.server_information['schema_hash'], 'no schema hash')
for name in ('Task', 'Shot', 'AssetVersion', 'FileComponent', 'Metadata',
             'ContextCustomAttributeValue', 'Location'):
    check(name in session.types, name)
step('connect and build classes from the served schema')

# --- a project from a project schema -----------------------------------
project_schema = session.query(
    'ProjectSchema where name is "VFX"').one()
task_types = {item['name']: item for item in project_schema.get_types('Task')}
task_statuses = {item['name']: item
                 for item in project_schema.get_statuses('Task')}
shot_statuses = {item['name']: item
                 for item in project_schema.get_statuses('Shot')}
version_statuses = project_schema.get_statuses('AssetVersion')
check({'Animation', 'Compositing'} <= set(task_types), task_types)
check('Not started' in task_statuses and 'In progress' in shot_statuses,
      'workflow statuses missing')
check(version_statuses, 'no version statuses')
user = session.query('User where username is "{0}"'.format(API_USER)).one()

project = session.create('Project', {
    'name': 'reference_workflow', 'full_name': 'Reference workflow',
    'project_schema': project_schema,
})
session.commit()
check(project['status'] == 'active', project['status'])
step('create a project from a project schema')

# --- hierarchy ------------------------------------------------------------
sequences = []
shots = []
tasks = []
for sequence_name in ('sq010', 'sq020'):
    sequence = session.create('Sequence', {
        'name': sequence_name, 'parent': project})
    sequences.append(sequence)
    for shot_name in ('sh010', 'sh020', 'sh030'):
        shot = session.create('Shot', {
            'name': shot_name, 'parent': sequence,
            'status': shot_statuses['In progress'],
            'description': '{0} {1}'.format(sequence_name, shot_name)})
        shots.append(shot)
        for type_name in ('Animation', 'Compositing'):
            tasks.append(session.create('Task', {
                'name': type_name.lower(), 'parent': shot,
                'type': task_types[type_name],
                'status': task_statuses['Not started'],
                'bid': 8.0,
            }))
session.commit()
check(tasks[0]['project_id'] == project['id'], 'project_id not set')
check(shots[0]['object_type_id'] ==
      'bad911de-3bd6-47b9-8b46-3476e237cb36', 'object type')
step('create sequences, shots and tasks')

# --- assets, versions, components ---------------------------------------
asset_type = session.query('AssetType where short is "geo"').one()
asset = session.create('Asset', {
    'name': 'geometry', 'type': asset_type, 'parent': shots[0]})
versions = [session.create('AssetVersion', {
    'asset': asset, 'task': tasks[0], 'comment': 'v{0}'.format(number)})
    for number in (1, 2)]
session.commit()
check([version['version'] for version in versions] == [1, 2],
      [version['version'] for version in versions])
check(versions[0]['status'] in version_statuses, 'version status')

path = os.path.join(WORKDIR, 'geometry.abc')
with open(path, 'w') as handle:
    handle.write('geometry')
component = versions[1].create_component(
    path, data={'name': 'main'},
    location=session.get('Location', ftrack_api.symbol.UNMANAGED_LOCATION_ID),
)
session.commit()
component_locations = session.query(
    'select resource_identifier, location.name from ComponentLocation '
    'where component_id is {0}'.format(component['id'])).all()
check([item['location']['name'] for item in component_locations] ==
      ['ftrack.unmanaged'], 'component location')
check(component_locations[0]['resource_identifier'] == path, 'identifier')
unmanaged = session.query(
    'Location where name is "ftrack.unmanaged"').one()
check(unmanaged.get_component_availability(component) == 100.0,
      'availability')
step('create assets, versions and components')

# --- notes -----------------------------------------------------------------
category = session.query('NoteCategory where name is "Internal"').one()
note = tasks[0].create_note('Please check the timing.', author=user,
                            recipients=[user], category=category)
session.commit()
reply = note.create_reply('Done.', author=user)
session.commit()
found = session.query(
    'select content, author.username, recipients.resource_id, '
    'replies.content, category.name from Note where parent_id is {0}'.format(
        tasks[0]['id'])).all()
check([item['content'] for item in found] == ['Please check the timing.'],
      [item['content'] for item in found])
check(found[0]['author']['username'] == API_USER, 'author')
check([item['content'] for item in found[0]['replies']] == ['Done.'],
      'replies')
check(reply['in_reply_to_id'] == note['id'], 'in reply to')
check(len(found[0]['recipients']) == 1, 'recipients')
step('create notes with recipients and replies')

# --- metadata ----------------------------------------------------------------
shots[0]['metadata']['camera'] = 'cam_a'
shots[0]['metadata']['lens'] = '35mm'
session.commit()
shots[0]['metadata']['lens'] = '50mm'
del shots[0]['metadata']['camera']
session.commit()
fresh = connect()
shot = fresh.get('Shot', shots[0]['id'])
check(dict(shot['metadata']) == {'lens': '50mm'}, dict(shot['metadata']))
check(fresh.query('Shot where metadata any (key is "lens" and value is '
                  '"50mm")').one()['id'] == shots[0]['id'], 'metadata filter')
fresh.close()
step('metadata set, changed, deleted and queried')

# --- custom attributes ------------------------------------------------------
number_type = session.query(
    'CustomAttributeType where name is "number"').one()
text_type = session.query('CustomAttributeType where name is "text"').one()
for key, label, custom_type, entity_type, object_type_id, default in (
    ('fstart', 'Frame start', number_type, 'task',
     shots[0]['object_type_id'], 1001),
    ('fend', 'Frame end', number_type, 'task',
     shots[0]['object_type_id'], 1100),
    ('review_note', 'Review note', text_type, 'assetversion', None, ''),
):
    session.create('CustomAttributeConfiguration', {
        'key': key, 'label': label, 'type': custom_type,
        'entity_type': entity_type, 'object_type_id': object_type_id,
        'default': default, 'config': '{}', 'is_hierarchical': False,
    })
session.commit()

attributes = connect()
shot = attributes.get('Shot', shots[1]['id'])
check(shot['custom_attributes']['fstart'] == 1001,
      shot['custom_attributes']['fstart'])
shot['custom_attributes']['fstart'] = 1009
attributes.commit()
new_shot = attributes.create('Shot', {
    'name': 'sh040', 'parent': attributes.get('Sequence', sequences[0]['id'])})
new_shot['custom_attributes']['fend'] = 1200
version = attributes.get('AssetVersion', versions[0]['id'])
version['custom_attributes']['review_note'] = 'looks good'
attributes.commit()
check(attributes.query(
    'Shot where custom_attributes any (key is "fstart" and value is 1009)'
).one()['id'] == shots[1]['id'], 'custom attribute filter')
verify = connect()
check(verify.get('Shot', new_shot['id'])['custom_attributes']['fend'] ==
      1200, 'value of a new entity')
check(verify.get('AssetVersion', versions[0]['id'])['custom_attributes'][
    'review_note'] == 'looks good', 'version value')
verify.close()
shot['custom_attributes']['fstart'] = 'test'
expect_server_error(
    attributes.commit,
    'Custom attribute value for "fstart" must be of type number')
attributes.rollback()
attributes.close()
step('custom attributes read, set, filtered and validated')

# --- queries -------------------------------------------------------------------
query = connect()
projected = query.query(
    'select name, parent.name, status.name, project.full_name from Shot '
    'where project.name is "reference_workflow" order by parent.name, name '
    'descending').all()
check([(item['parent']['name'], item['name']) for item in projected] == [
    ('sq010', 'sh040'), ('sq010', 'sh030'), ('sq010', 'sh020'),
    ('sq010', 'sh010'), ('sq020', 'sh030'), ('sq020', 'sh020'),
    ('sq020', 'sh010')], [item['name'] for item in projected])
check(projected[1]['status']['name'] == 'In progress', 'status projection')
deep = query.query('Task where parent.parent.name is "sq020" and '
                   'type.name is "Compositing"').all()
check(len(deep) == 3, len(deep))
has = query.query('select name from Task where status has (name is '
                  '"Not started") and project.id is {0}'.format(
                      project['id'])).all()
check(len(has) == 12, len(has))
with_notes = query.query('Task where notes any (content like "%timing%")'
                         ).all()
check([item['id'] for item in with_notes] == [tasks[0]['id']], 'any')
childless = query.query('Shot where not children any () and '
                        'project.id is {0}'.format(project['id'])).all()
check([item['name'] for item in childless] == ['sh040'], 'not any ()')
names = [item['name'] for item in query.query(
    'select name from Task where project.id is {0} order by name'.format(
        project['id']), page_size=5)]
check(names == ['animation'] * 6 + ['compositing'] * 6, names)
page = query.query('select name from Shot where project.id is {0} order by '
                   'name offset 2 limit 3'.format(project['id'])).all()
check([item['name'] for item in page] == ['sh020', 'sh020', 'sh030'],
      [item['name'] for item in page])
first = query.query('Sequence where project.id is {0} order by name '
                    'descending'.format(project['id'])).first()
check(first['name'] == 'sq020', 'first')
check(query.query('Shot where name is "nothing"').first() is None, 'first')
expect_server_error(lambda: query.query('Task where colour is red').all(),
                    'colour')
query.close()
step('query with projections, relationship filters, has/any, order, paging')

# --- update ----------------------------------------------------------------
tasks[1]['status'] = task_statuses['In progress']
tasks[1]['description'] = 'Updated by the reference client'
shots[2]['name'] = 'sh035'
session.commit()
check_session = connect()
task = check_session.get('Task', tasks[1]['id'])
check(task['status']['name'] == 'In progress', 'status updated')
check(task['description'] == 'Updated by the reference client', 'desc')
check(check_session.get('Shot', shots[2]['id'])['name'] == 'sh035', 'name')
check_session.close()
step('update')

# --- ensure ------------------------------------------------------------------
ensured = session.ensure('User', {'username': 'ensured.artist',
                                  'first_name': 'Ensured'})
again = session.ensure('User', {'username': 'ensured.artist',
                                'first_name': 'Ensured'})
check(ensured['id'] == again['id'], 'ensure created twice')
step('ensure')

# --- timers, jobs, invites, api keys ---------------------------------------
user.start_timer(tasks[0], comment='working')
try:
    user.start_timer(tasks[1])
except ftrack_api.exception.NotUniqueError:
    session.rollback()
else:
    raise AssertionError('a second timer was allowed')
timelog = user.stop_timer()
check(timelog['context_id'] == tasks[0]['id'], 'timelog context')
job = session.call([{'action': 'delayed_job',
                     'job_type': str(ftrack_api.symbol.JOB_SYNC_USERS_LDAP)}])
check(job[0]['data'].entity_type == 'Job', job)
invitee = session.create('User', {'username': 'invitee', 'email':
                                  'invitee@example.com', 'is_active': True})
session.commit()
session.send_user_invite(invitee)
new_key = invitee.reset_api_key()
check(new_key, 'no key')
url = session.get_widget_url('info', entity=tasks[0], theme='dark')
check(url.startswith(SERVER_URL), url)
step('timers, delayed job, invites, api key reset, widget url')

# --- delete --------------------------------------------------------------
session.delete(tasks[-1])
session.commit()
deleted = connect()
check(deleted.query('Task where id is {0}'.format(tasks[-1]['id'])).first()
      is None, 'task deleted')
sequence = deleted.get('Sequence', sequences[1]['id'])
deleted.delete(sequence)
deleted.commit()
check(deleted.query('Shot where parent.id is {0}'.format(
    sequences[1]['id'])).all() == [], 'cascade')
check(deleted.query('Task where project.id is {0}'.format(project['id'])
                    ).all().__len__() == 6, 'tasks left')
deleted.close()
step('delete with cascades')

session.close()
print('workflow complete', flush=True)
