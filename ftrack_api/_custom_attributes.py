"""Which custom attribute configurations apply to an entity.

A configuration names the kind of entity it is for (``entity_type``), may be
limited to one object type (tasks, shots, ...) and to one project, and may be
hierarchical (then it applies to every context and to assets and versions).
A project's own configuration hides a global one with the same key.
"""

import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET

#: Entity types that hierarchical configurations apply to.
_HIERARCHICAL_KINDS = ('task', 'show', 'asset', 'assetversion')

_KIND_BY_ENTITY_TYPE = {
    'Project': 'show',
    'AssetVersion': 'assetversion',
    'Asset': 'asset',
    'User': 'user',
    'TypedContextList': 'list',
    'AssetVersionList': 'list',
}


def configuration_kind(entity):
    """Return the configuration ``entity_type`` that *entity* belongs to."""
    if 'object_type_id' in entity.attributes.keys():
        return 'task'
    kind = _KIND_BY_ENTITY_TYPE.get(entity.entity_type)
    if kind is None:
        raise ValueError('Entity {0!r} not supported.'.format(entity))
    return kind


def _value_of(entity, name):
    """Return *entity*'s value for *name*, or None if it has none."""
    if name not in entity.attributes.keys():
        return None
    value = entity[name]
    if value is NOT_SET:
        return None
    return value


def configuration_target(entity):
    """Return what decides which configurations apply to *entity*: its
    kind, project id and object type id (None when unknown).

    As with the reference client, a version's project is read through its
    asset's parent (fetching it if needed; an unset asset or parent fails
    with a :exc:`TypeError`), and unsupported entities fail with a
    :exc:`ValueError`, both before any configuration is fetched.
    """
    kind = configuration_kind(entity)
    if kind == 'show':
        project_id = entity['id']
    elif kind == 'assetversion':
        project_id = entity['asset']['parent']['project_id']
        if project_id is NOT_SET:
            project_id = None
    else:
        project_id = _value_of(entity, 'project_id')
    object_type_id = (
        _value_of(entity, 'object_type_id') if kind == 'task' else None
    )
    return kind, project_id, object_type_id


def applicable_configurations(entity, configurations, target=None):
    """Return the *configurations* applying to *entity*, one per key.

    Project-specific configurations replace global ones with the same key.
    *target* is :func:`configuration_target` of *entity* when known.
    """
    if target is None:
        target = configuration_target(entity)
    kind, project_id, object_type_id = target

    selected = {}
    for configuration in configurations:
        if configuration['project_id'] not in (None, project_id):
            continue
        if configuration['is_hierarchical']:
            if kind not in _HIERARCHICAL_KINDS:
                continue
        elif configuration['entity_type'] != kind:
            continue
        elif kind == 'task' and (
            configuration['object_type_id'] != object_type_id
        ):
            continue

        key = configuration['key']
        current = selected.get(key)
        if current is None or (
            current['project_id'] is None
            and configuration['project_id'] is not None
        ):
            selected[key] = configuration
    return list(selected.values())


def find_configuration(entity, key, configurations, target=None):
    """Return the configuration for *key* applying to *entity*, or None."""
    for configuration in applicable_configurations(
        entity, configurations, target
    ):
        if configuration['key'] == key:
            return configuration
    return None
