"""``reset_remote``: give a user a new API key.

ftrack only resets the ``api_key`` of a User this way. The request names the
user with ``entity_type`` and ``entity_key`` (the id, as a bare string, or a
one-item list); without them the calling user's key is reset. The answer is
``{"action": "reset_remote", "data": {"api_key": <new key>}}``.
"""

from ftrack_emulator.api.auth import new_api_key
from ftrack_emulator.store.values import normalise_entity_key
from ftrack_emulator.errors import NotFoundError, ValidationError

RESETTABLE = ('api_key',)


def reset_remote(context, operation):
    reset_type = operation.get('reset_type')
    entity_type = operation.get('entity_type') or 'User'
    if entity_type != 'User':
        raise ValidationError(
            'Cannot reset "{0}" of a {1}: only the api_key of a User can be '
            'reset.'.format(reset_type, entity_type)
        )
    if reset_type not in RESETTABLE:
        raise ValidationError(
            'Cannot reset "{0}" of a User: only "api_key" can be reset.'
            .format(reset_type)
        )
    backend = context.backend
    if operation.get('entity_key') is None:
        user_id = context.user['id']
    else:
        user_id = normalise_entity_key(
            operation['entity_key'], ['id'], 'User'
        )[0]
    user = backend.writer.fetch(
        context.connection, 'User', (user_id,), batch=context.state
    )
    if user is None:
        raise NotFoundError(
            'Cannot reset the api_key of User {0}: it does not exist.'.format(
                user_id
            )
        )
    api_key = new_api_key()
    backend.auth.set_key(context.connection, user_id, api_key)
    return {'action': 'reset_remote', 'data': {'api_key': api_key}}
