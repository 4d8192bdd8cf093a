"""``delayed_job``: start a server-side job and answer its Job entity.

The only job the Python API documents is ``SYNC_USERS_LDAP``. The emulator
has no directory to synchronise with, so the job is recorded as already
done, with a note saying so in its data.
"""

import json

from ftrack_emulator.api.write import defer
from ftrack_emulator.errors import ValidationError

#: Job types the emulator accepts, with the description stored in the Job.
JOB_TYPES = {
    'SYNC_USERS_LDAP': 'Synchronise users with LDAP (nothing to do: the '
                       'emulator has no LDAP directory).',
}


def delayed_job(context, operation):
    job_type = operation.get('job_type')
    if job_type not in JOB_TYPES:
        raise ValidationError(
            'Unknown job type "{0}": expected one of {1}.'.format(
                job_type, ', '.join(sorted(JOB_TYPES))
            )
        )
    data = {'job_type': job_type, 'description': JOB_TYPES[job_type]}
    key = context.backend.writer.create(
        context.connection, context.state, 'Job', {
            'type': 'api_job',
            'status': 'done',
            'user_id': context.user['id'],
            'data': json.dumps(data),
            'created_at': context.now,
            'finished_at': context.now,
        },
    )
    return defer(context, 'delayed_job', 'Job', key)
