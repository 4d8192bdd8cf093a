"""``query_server_information`` and ``query_schemas``.

Both answer bare values, not ``{"action", "data"}`` objects: server
information is a plain object, the schemas a plain array. The Python client
compares ``schema_hash`` with the md5 of its cached schemas, so the hash is
computed from exactly what ``query_schemas`` returns.
"""

import json
import logging

from ftrack_emulator import config

logger = logging.getLogger(__name__)

#: Used when the workspace has no readable ``storage_scenario`` setting.
DEFAULT_STORAGE_SCENARIO = {'scenario': 'ftrack.automatic', 'data': {}}

#: Eight hours, in seconds, as ftrack reports a working day.
WORKDAY_LENGTH = 8 * 3600


def storage_scenario(context):
    """Return the storage scenario recorded in the ``storage_scenario``
    setting (group ``STORAGE``), or the automatic one."""
    rows = context.backend.writer.find(
        context.connection, 'Setting',
        {'name': 'storage_scenario', 'group': 'STORAGE'},
    )
    if not rows:
        return dict(DEFAULT_STORAGE_SCENARIO)
    try:
        value = json.loads(rows[0]['value'])
    except (TypeError, ValueError):
        logger.warning('The storage_scenario setting is not JSON; ignored.')
        return dict(DEFAULT_STORAGE_SCENARIO)
    if not isinstance(value, dict) or 'scenario' not in value:
        return dict(DEFAULT_STORAGE_SCENARIO)
    value.setdefault('data', {})
    return value


def _user_information(context):
    writer = context.backend.writer
    row = writer.fetch(context.connection, 'User', (context.user['id'],))
    row = row or {}
    return {
        'id': context.user['id'],
        'username': context.user['username'],
        'first_name': row.get('first_name'),
        'last_name': row.get('last_name'),
        'thumbnail_id': row.get('thumbnail_id'),
        'thumbnail_url': None,
        'restricted_user': False,
        'access_key_id': None,
        'is_global_access_key': False,
    }


def query_server_information(context, operation):
    backend = context.backend
    information = {
        'version': config.SERVER_VERSION,
        'schema_hash': backend.schema_hash,
        'is_timezone_support_enabled': True,
        'storage_scenario': storage_scenario(context),
        'is_nested_subqueries_enabled': True,
        'preferred_language': 'en',
        'week_startday': 0,
        'workday_length': WORKDAY_LENGTH,
        'display_week_numbers': False,
        'display_task_dates_as_time': False,
        'storage_limit': None,
        'custom_widget': [],
        'default_colors': {},
        'license': [],
        'product': 'ftrack emulator',
        'company_information': {'name': 'ftrack emulator', 'logo_url': None},
        'user_information': _user_information(context),
    }
    wanted = operation.get('values')
    if isinstance(wanted, list) and wanted:
        # Clients asking for named values get those plus what every client
        # relies on.
        keep = set(wanted) | {
            'version', 'schema_hash', 'storage_scenario',
            'is_timezone_support_enabled',
        }
        information = {
            key: value for key, value in information.items() if key in keep
        }
    return information


def query_schemas(context, operation):
    return context.backend.schemas_json
