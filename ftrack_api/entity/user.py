"""Helpers specialising the User entity class."""

import logging

import arrow

import ftrack_api.entity.base
import ftrack_api.exception

logger = logging.getLogger(__name__)


class User(ftrack_api.entity.base.Entity):
    """A user: adds time tracking, invitations and API key reset."""

    def send_invite(self):
        """Email this user an invitation to the server."""
        self.session.send_user_invite(self)

    def reset_api_key(self):
        """Give this user a new API key and return it."""
        return self.session.reset_remote('api_key', entity=self)['api_key']

    def start_timer(self, context=None, comment='', name=None, force=False):
        """Start a timer for this user on *context* and return it.

        A user has at most one running timer: with *force* a running timer
        is stopped (and logged) first, otherwise starting a second one
        raises :exc:`ftrack_api.exception.NotUniqueError`.
        """
        if force:
            try:
                self.stop_timer()
            except ftrack_api.exception.NoResultFoundError:
                logger.debug('No timer to stop before starting a new one.')

        timer = self.session.create(
            'Timer',
            {
                'user': self,
                'context': context,
                'name': name,
                'comment': comment,
            },
        )
        try:
            self.session.commit()
        except ftrack_api.exception.ServerError as error:
            if 'DuplicateEntryError' in str(error):
                raise ftrack_api.exception.NotUniqueError(
                    'Failed to start a timelog for user with id: {0}, it is '
                    'likely that a timer is already running. Either use '
                    'force=True or stop the timer first.'.format(self['id'])
                )
            raise
        return timer

    def stop_timer(self):
        """Stop this user's running timer and return the logged time.

        The timer becomes a ``Timelog`` lasting from its start until now.
        Raise :exc:`ftrack_api.exception.NoResultFoundError` when no timer
        is running.
        """
        timer = self.session.query(
            'Timer where user_id = "{0}"'.format(self['id'])
        ).one()

        timezone_support = self.session.server_information.get(
            'is_timezone_support_enabled'
        )
        if timezone_support is None:
            logger.warning(
                'The server did not say whether it supports time zones; '
                'assuming it does.'
            )
            timezone_support = True

        if timezone_support:
            now = arrow.now()
        else:
            now = arrow.now().replace(tzinfo='utc')

        copied = ('user_id', 'context_id', 'comment', 'start', 'name')
        data = {name: timer[name] for name in copied}
        data['duration'] = int((now - timer['start']).total_seconds())

        session = self.session
        timelog = session.create('Timelog', data)
        session.delete(timer)
        session.commit()
        return timelog
