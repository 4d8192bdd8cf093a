"""Helpers specialising the AssetVersion entity class."""

import ftrack_api.entity.base


class AssetVersion(ftrack_api.entity.base.Entity):
    """An asset version: adds shortcuts to create and encode its media."""

    def create_component(self, path, data=None, location=None):
        """Create a component from *path* belonging to this version.

        *data* may hold extra component values; any ``version_id`` in it is
        replaced by this version. Unlike
        :meth:`ftrack_api.session.Session.create_component`, *location*
        defaults to None (the component is only registered in the origin).
        """
        if data is None:
            data = {}
        data.pop('version_id', None)
        data['version'] = self
        return self.session.create_component(
            path, data=data, location=location
        )

    def encode_media(self, media, keep_original='auto'):
        """Ask the server to encode *media* into reviewable components of
        this version; return the encoding :class:`Job`.

        See :meth:`ftrack_api.session.Session.encode_media`.
        """
        return self.session.encode_media(
            media, version_id=self['id'], keep_original=keep_original
        )
