"""Parity scenario: the helpers of specialised entities (notes and
replies, project schema statuses and types, timers, invites, API keys,
jobs) and the session's server helpers."""

import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ftrack_api.symbol  # noqa: E402

import recorder  # noqa: E402
from recorder import attribute_state as state  # noqa: E402


def main(scenario):
    session = scenario.connect()
    step, error, observe = scenario.step, scenario.error, scenario.observe

    def pending():
        return list(session.recorded_operations)

    user = session.query(
        'User where username is "{0}"'.format(scenario.api_user)).one()
    jane = session.query('User where username is "jane.doe"').one()
    john = session.query('User where username is "john.smith"').one()
    shot = session.query(
        'Shot where name is "sh020" and parent.name is "sq020"').one()

    # Notes.
    note = step('create a note', lambda: shot.create_note(
        'Needs more contrast.', author=user))
    step('note values', lambda: state(note))
    step('operations of a note', pending)
    step('commit the note', session.commit)
    reply = step('reply to the note', lambda: note.create_reply(
        'Done.', author=jane))
    step('operations of a reply', pending)
    step('commit the reply', session.commit)
    step('note with its reply on the server', lambda: [
        (item['content'], item['author']['username'], sorted(
            (child['content'], child['author']['username'])
            for child in item['replies']))
        for item in scenario.connect().query(
            'select content, author.username, replies.content, '
            'replies.author.username from Note where parent_id is '
            '"{0}" and in_reply_to_id is None'.format(shot['id']))])
    step('reply knows its parent note', lambda: (
        reply['in_reply_to'] is note, len(note['replies'])))
    step('note with recipients', lambda: shot.create_note(
        'For you two.', author=user, recipients=[jane, john]))
    step('recipients recorded', pending)
    session.commit()
    category = session.query('NoteCategory where name is "Internal"').one()

    def categorised():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            created = shot.create_note('Categorised.', author=user,
                                       category=category)
        return created, [
            (item.category.__name__, str(item.message)) for item in caught]
    step('note with a category', categorised)
    step('category operations', pending)
    session.commit()
    label = session.query('NoteLabel where name is "Client feedback"').one()
    step('note with labels', lambda: shot.create_note(
        'Labelled.', author=user, labels=[label]))
    step('label operations', pending)
    session.commit()
    error('category and labels together', lambda: shot.create_note(
        'Both.', author=user, category=category, labels=[label]))
    session.rollback()
    step('notes of the shot', lambda: sorted(
        (item['content'], len(item['recipients']))
        for item in scenario.connect().query(
            'select content, recipients from Note where parent_id is '
            '"{0}"'.format(shot['id']))))

    # Project schemas.
    schema = session.query('ProjectSchema where name is "VFX"').one()
    task_type = session.query('Type where name is "Animation"').one()

    def names(items):
        return sorted(item['name'] for item in items)
    step('task statuses', lambda: names(schema.get_statuses('Task')))
    step('task statuses for a type', lambda: names(schema.get_statuses(
        'Task', task_type['id'])))
    step('version statuses', lambda: names(schema.get_statuses(
        'AssetVersion')))
    step('shot statuses', lambda: names(schema.get_statuses('Shot')))
    error('statuses of an unknown schema', lambda: schema.get_statuses(
        'Nothing'))
    error('statuses of a schema without an object type', lambda: (
        schema.get_statuses('Project')))
    step('statuses of an object type without any', lambda: (
        schema.get_statuses('Folder')))
    step('task types', lambda: names(schema.get_types('Task')))
    step('asset build types', lambda: names(schema.get_types('AssetBuild')))
    step('types of an object type without any', lambda: schema.get_types(
        'Shot'))
    error('types of an unknown schema', lambda: schema.get_types('Nothing'))

    # Timers.
    task = session.query(
        'Task where name is "animation" and parent.name is "sh020" and '
        'parent.parent.name is "sq020"').one()
    timer = step('start a timer', lambda: jane.start_timer(
        task, comment='working', name='anim'))
    step('timer values', lambda: state(timer, [
        'comment', 'name', 'context', 'user']))
    error('start a second timer', lambda: jane.start_timer(task))
    step('the failed timer stays pending', lambda: [
        recorder.describe_operation(operation)['operation']
        for operation in session.recorded_operations])
    session.rollback()
    step('start a timer by force', lambda: str(jane.start_timer(
        task, comment='again', force=True)))
    timelog = step('stop the timer', lambda: jane.stop_timer())
    step('timelog values', lambda: (
        state(timelog, ['comment', 'name', 'context_id', 'user_id']),
        isinstance(timelog['duration'], int), timelog['duration'] < 60))
    error('stop without a timer', lambda: jane.stop_timer())
    step('start a timer without a context', lambda: str(john.start_timer()))
    session.rollback()

    # Invites and API keys.
    step('send an invite', lambda: jane.send_invite())
    step('send several invites', lambda: session.send_user_invites(
        [jane, john]))
    old_key = {}

    def reset_key():
        key = john.reset_api_key()
        old_key.setdefault('first', key)
        return type(key).__name__, len(key)
    step('reset an api key', reset_key)
    step('a new key each time', lambda: (
        john.reset_api_key() != old_key['first']))
    observe('reset of something without a default', lambda: (
        session.reset_remote('id', entity=john)))
    review = session.create('ReviewSession', {
        'name': 'review', 'project': shot['project'], 'description': ''})
    invitee = session.create('ReviewSessionInvitee', {
        'review_session': review, 'email': 'guest@example.com',
        'name': 'Guest'})
    session.commit()
    step('send a review session invite', lambda: (
        session.send_review_session_invite(invitee)))
    step('send review session invites', lambda: (
        session.send_review_session_invites([invitee, invitee])))
    step('widget url', lambda: session.get_widget_url(
        'info', entity=shot, theme='dark').split('?')[0].rsplit('/', 1)[0])

    # Jobs.
    job = step('create a job', lambda: session.create('Job', {
        'user': user, 'data': '{"description": "scenario"}'}))
    step('job values', lambda: (state(job), pending()))
    session.commit()
    step('job on the server', lambda: state(scenario.connect().query(
        'select status, type, data from Job where id is "{0}"'.format(
            job['id'])).one(), ['status', 'type', 'data']))
    step('reconstructed jobs skip the type check', lambda: str(
        session.create('Job', {'type': 'other', 'id': job['id']},
                       reconstructing=True)))
    step('sync users job through call', lambda: (
        sorted(session.call([{'action': 'delayed_job',
                              'job_type': str(ftrack_api.symbol
                                              .JOB_SYNC_USERS_LDAP)}])[0])))


if __name__ == '__main__':
    recorder.run(main)
