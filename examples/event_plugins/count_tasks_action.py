"""An action plugin: "Count tasks" on the selected shots, sequences ...

ftrack's web interface asks which actions exist for a selection by
publishing ``ftrack.action.discover``; every action host replies with the
actions it offers. When the user picks one, ``ftrack.action.launch`` is
published with that action's ``actionIdentifier`` and the selection, and
the host's reply (``success`` and ``message``) is shown to the user.

Load it by pointing ``FTRACK_EVENT_PLUGIN_PATH`` at this directory; any
session created afterwards registers it. Such a session must be connected
to the event server (``auto_connect_event_hub=True``) and process events
(``session.event_hub.wait()``) for the action to answer.
"""

import logging

import ftrack_api

logger = logging.getLogger(__name__)


class CountTasksAction(object):
    """Report how many tasks live directly under each selected entity."""

    identifier = 'examples.count-tasks'
    label = 'Count tasks'

    def __init__(self, session):
        self.session = session

    def register(self):
        """Subscribe to discovery and to launches of this action.

        Only events from the same user are of interest: the expression
        language filters on any key of the event, here the publisher.
        """
        user = self.session.api_user
        self.session.event_hub.subscribe(
            'topic=ftrack.action.discover and '
            'source.user.username="{0}"'.format(user),
            self.discover,
        )
        self.session.event_hub.subscribe(
            'topic=ftrack.action.launch and '
            'data.actionIdentifier="{0}" and '
            'source.user.username="{1}"'.format(self.identifier, user),
            self.launch,
        )

    def discover(self, event):
        """Offer the action when something is selected.

        The returned value is sent back to the publisher as the reply.
        """
        if not event['data'].get('selection'):
            return None
        return {
            'items': [{
                'label': self.label,
                'actionIdentifier': self.identifier,
                'description': 'Count the tasks of the selection.',
            }]
        }

    def launch(self, event):
        """Count the tasks and tell the user."""
        counts = []
        for item in event['data'].get('selection', []):
            entity = self.session.get('TypedContext', item['entityId'])
            if entity is None:
                continue
            tasks = self.session.query(
                'select name from Task where parent_id is "{0}"'.format(
                    entity['id']
                )
            ).all()
            counts.append('{0}: {1} task(s)'.format(entity['name'],
                                                  len(tasks)))
        if not counts:
            return {'success': False, 'message': 'Nothing to count.'}
        logger.info('Counted tasks: %s', counts)
        return {'success': True, 'message': ', '.join(counts)}


def register(session, **kw):
    """Register the action with *session* (called on discovery)."""
    # The legacy API also calls register() on plugins in this path: only
    # act for this API's sessions.
    if not isinstance(session, ftrack_api.Session):
        return
    CountTasksAction(session).register()
