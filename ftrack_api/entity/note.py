"""Helpers specialising the Note entity class, and the mixin giving
``create_note`` to every entity that can carry notes."""

import warnings

import ftrack_api.entity.base


class Note(ftrack_api.entity.base.Entity):
    """A note, which may be answered with replies."""

    def create_reply(self, content, author):
        """Create a reply to this note by *author* and return it."""
        reply = self.session.create(
            'Note', {'author': author, 'content': content}
        )
        self['replies'].append(reply)
        return reply


class CreateNoteMixin(object):
    """Adds :meth:`create_note` to entity classes with a ``notes`` list."""

    def create_note(
        self, content, author, recipients=None, category=None, labels=None
    ):
        """Create a note on this entity and return it.

        *recipients* are users or groups to notify. *labels* are
        ``NoteLabel`` entities to tag the note with; *category* is the older
        single-label form and cannot be combined with *labels*.
        """
        if labels and 'NoteLabel' not in self.session.types:
            raise ValueError(
                'The server does not support labels: NoteLabel is not a '
                'known entity type.'
            )
        if category is not None and labels:
            raise ValueError(
                'Both category and labels cannot be set at the same time.'
            )

        if category is not None and 'NoteLabel' in self.session.types:
            warnings.warn(
                'category argument will be removed in an upcoming version, '
                'please use labels instead.',
                PendingDeprecationWarning,
            )
            labels = [category]
            category = None

        data = {'content': content, 'author': author}
        if category is not None:
            data['category_id'] = category['id']

        note = self.session.create('Note', data)
        self['notes'].append(note)

        for resource in recipients or ():
            recipient = self.session.create(
                'Recipient',
                {'note_id': note['id'], 'resource_id': resource['id']},
            )
            note['recipients'].append(recipient)

        for label in labels or ():
            self.session.create(
                'NoteLabelLink',
                {'label_id': label['id'], 'note_id': note['id']},
            )
        return note
