"""Security-role actions: give users roles, globally or per project.

``add_user_security_role``/``remove_user_security_role`` and
``update_user_security_role`` manage a user's UserSecurityRole rows;
``grant_user_security_role_project``/``revoke_user_security_role_project``
manage the projects a role applies to (UserSecurityRoleProject). Adding a
role the user already has, or granting a project already granted, changes
nothing. Answers are ``{"action": <name>, "data": <entity>}`` for grants and
``{"action": <name>, "data": true}`` for removals.
"""

from ftrack_emulator.api.write import defer
from ftrack_emulator.errors import NotFoundError, ValidationError


def _ids(operation, *names):
    values = []
    for name in names:
        value = operation.get(name)
        if not isinstance(value, str) or not value:
            raise ValidationError(
                'The {0} action needs "{1}" (an id).'.format(
                    operation.get('action'), name
                )
            )
        values.append(value)
    return values


def _require(context, type_name, entity_id):
    entity = context.backend.writer.fetch(
        context.connection, type_name, (entity_id,), batch=context.state
    )
    if entity is None:
        raise NotFoundError(
            'No {0} with id {1} exists.'.format(type_name, entity_id)
        )
    return entity


def _user_role(context, user_id, role_id):
    rows = context.backend.writer.find(
        context.connection, 'UserSecurityRole',
        {'user_id': user_id, 'security_role_id': role_id},
    )
    return rows[0] if rows else None


def _assign(context, user_id, role_id, all_projects):
    _require(context, 'User', user_id)
    _require(context, 'SecurityRole', role_id)
    existing = _user_role(context, user_id, role_id)
    if existing is not None:
        return existing['id']
    key = context.backend.writer.create(
        context.connection, context.state, 'UserSecurityRole', {
            'user_id': user_id, 'security_role_id': role_id,
            'is_all_open_projects': all_projects,
        },
    )
    return key[0]


def add_user_security_role(context, operation):
    user_id, role_id = _ids(operation, 'user_id', 'role_id')
    role_key = _assign(context, user_id, role_id, all_projects=True)
    return defer(context, operation['action'], 'UserSecurityRole', [role_key])


def remove_user_security_role(context, operation):
    user_id, role_id = _ids(operation, 'user_id', 'role_id')
    existing = _user_role(context, user_id, role_id)
    if existing is None:
        raise NotFoundError(
            'User {0} does not have the security role {1}.'.format(
                user_id, role_id
            )
        )
    context.backend.writer.delete(
        context.connection, context.state, 'UserSecurityRole', [existing['id']]
    )
    return {'action': operation['action'], 'data': True}


def update_user_security_role(context, operation):
    user_id, role_id, new_role_id = _ids(
        operation, 'user_id', 'role_id', 'new_role_id'
    )
    existing = _user_role(context, user_id, role_id)
    if existing is None:
        raise NotFoundError(
            'User {0} does not have the security role {1}.'.format(
                user_id, role_id
            )
        )
    _require(context, 'SecurityRole', new_role_id)
    context.backend.writer.update(
        context.connection, context.state, 'UserSecurityRole',
        [existing['id']], {'security_role_id': new_role_id},
    )
    return defer(
        context, operation['action'], 'UserSecurityRole', [existing['id']]
    )


def grant_user_security_role_project(context, operation):
    user_id, role_id, project_id = _ids(
        operation, 'user_id', 'role_id', 'project_id'
    )
    _require(context, 'Project', project_id)
    existing = _user_role(context, user_id, role_id)
    if existing is None:
        role_key = _assign(context, user_id, role_id, all_projects=False)
    else:
        role_key = existing['id']
    writer = context.backend.writer
    grants = writer.find(context.connection, 'UserSecurityRoleProject', {
        'user_security_role_id': role_key, 'project_id': project_id,
    })
    if grants:
        grant_key = grants[0]['id']
    else:
        grant_key = writer.create(
            context.connection, context.state, 'UserSecurityRoleProject',
            {'user_security_role_id': role_key, 'project_id': project_id},
        )[0]
    return defer(
        context, operation['action'], 'UserSecurityRoleProject', [grant_key]
    )


def revoke_user_security_role_project(context, operation):
    user_id, role_id, project_id = _ids(
        operation, 'user_id', 'role_id', 'project_id'
    )
    existing = _user_role(context, user_id, role_id)
    writer = context.backend.writer
    grants = [] if existing is None else writer.find(
        context.connection, 'UserSecurityRoleProject', {
            'user_security_role_id': existing['id'], 'project_id': project_id,
        },
    )
    if not grants:
        raise NotFoundError(
            'User {0} has no security role {1} granted on project {2}.'.format(
                user_id, role_id, project_id
            )
        )
    for grant in grants:
        writer.delete(context.connection, context.state,
                      'UserSecurityRoleProject', [grant['id']])
    return {'action': operation['action'], 'data': True}


ACTIONS = {
    'add_user_security_role': add_user_security_role,
    'remove_user_security_role': remove_user_security_role,
    'update_user_security_role': update_user_security_role,
    'grant_user_security_role_project': grant_user_security_role_project,
    'revoke_user_security_role_project': revoke_user_security_role_project,
}
