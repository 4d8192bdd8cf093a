"""Helpers specialising the Job entity class."""

import ftrack_api.entity.base


class Job(ftrack_api.entity.base.Entity):
    """A server job; only jobs of type ``api_job`` may be made by clients."""

    def __init__(self, session, data=None, reconstructing=False):
        """Refuse to create a job of another type than ``api_job``."""
        if not reconstructing:
            job_type = data.get('type')
            if job_type not in ('api_job', None):
                raise ValueError(
                    'Invalid job type "{0}". Must be "api_job"'.format(
                        job_type
                    )
                )
        super().__init__(
            session, data=data, reconstructing=reconstructing
        )
