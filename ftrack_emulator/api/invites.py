"""``send_user_invite`` and ``send_review_session_invite``.

A real server mails the invitation. The emulator writes it to its outbox
table instead (``emulator_outbox``, read with
:meth:`ftrack_emulator.Emulator.outbox`), inside the request's transaction,
so a failed request sends nothing.
"""

import json
import uuid

import sqlalchemy

from ftrack_emulator.errors import NotFoundError, ValidationError


def _record(context, kind, recipient_id, email, payload):
    table = context.backend.database.outbox_table
    context.connection.execute(sqlalchemy.insert(table), [{
        'id': str(uuid.uuid4()),
        'kind': kind,
        'recipient_id': recipient_id,
        'email': email,
        'payload': json.dumps(payload, sort_keys=True, default=str),
        'created_at': context.now,
    }])


def _required_id(operation, name):
    value = operation.get(name)
    if not isinstance(value, str) or not value:
        raise ValidationError(
            'The {0} action needs "{1}", the id of the entity to invite.'
            .format(operation.get('action'), name)
        )
    return value


def send_user_invite(context, operation):
    user_id = _required_id(operation, 'user_id')
    user = context.backend.writer.fetch(
        context.connection, 'User', (user_id,), batch=context.state
    )
    if user is None:
        raise NotFoundError(
            'Cannot invite User {0}: it does not exist.'.format(user_id)
        )
    if not user.get('email'):
        raise ValidationError(
            'Cannot invite User {0} ({1}): the user has no email address.'
            .format(user_id, user.get('username'))
        )
    _record(context, 'user_invite', user_id, user['email'], {
        'username': user.get('username'),
        'first_name': user.get('first_name'),
        'last_name': user.get('last_name'),
        'invited_by': context.user['username'],
    })
    return {'sent': True}


def send_review_session_invite(context, operation):
    invitee_id = _required_id(operation, 'review_session_invitee_id')
    writer = context.backend.writer
    invitee = writer.fetch(
        context.connection, 'ReviewSessionInvitee', (invitee_id,),
        batch=context.state,
    )
    if invitee is None:
        raise NotFoundError(
            'Cannot invite ReviewSessionInvitee {0}: it does not exist.'
            .format(invitee_id)
        )
    if not invitee.get('email'):
        raise ValidationError(
            'Cannot invite ReviewSessionInvitee {0}: it has no email address.'
            .format(invitee_id)
        )
    session = writer.fetch(
        context.connection, 'ReviewSession',
        (invitee.get('review_session_id'),), batch=context.state,
    ) or {}
    _record(context, 'review_session_invite', invitee_id, invitee['email'], {
        'name': invitee.get('name'),
        'review_session_id': invitee.get('review_session_id'),
        'review_session_name': session.get('name'),
        'invited_by': context.user['username'],
    })
    writer.update(
        context.connection, context.state, 'ReviewSessionInvitee',
        [invitee_id], {'last_sent_at': context.now},
    )
    return {'sent': True}
