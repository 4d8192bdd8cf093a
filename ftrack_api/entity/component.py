"""Helpers specialising component entity classes, and the mixin giving
``create_thumbnail`` to every entity with a thumbnail."""

import ftrack_api.entity.base
import ftrack_api.symbol


class Component(ftrack_api.entity.base.Entity):
    """A component: a file, a sequence of files or a container of them."""

    def get_availability(self, locations=None):
        """Return a mapping of location id to the percentage (0-100) of this
        component's data present there.

        *locations* limits the locations considered (default: all).
        """
        return self.session.get_component_availability(
            self, locations=locations
        )


class CreateThumbnailMixin(object):
    """Adds :meth:`create_thumbnail` to entity classes with a thumbnail."""

    def create_thumbnail(self, path, data=None):
        """Upload the image at *path* as this entity's thumbnail.

        The image becomes a component (named ``thumbnail`` unless *data*
        says otherwise) stored in the server location; the entity's
        ``thumbnail_id`` is then set and everything is committed. Return the
        component.
        """
        if data is None:
            data = {}
        if not data.get('name'):
            data['name'] = 'thumbnail'

        thumbnail = self.session.create_component(path, data, location=None)
        origin = self.session.get(
            'Location', ftrack_api.symbol.ORIGIN_LOCATION_ID
        )
        server = self.session.get(
            'Location', ftrack_api.symbol.SERVER_LOCATION_ID
        )
        server.add_component(thumbnail, origin)
        self['thumbnail_id'] = thumbnail['id']
        self.session.commit()
        return thumbnail
