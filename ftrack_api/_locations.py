"""The locations every session has: what the reference client ships as
its ``configure_locations`` resource plugin, built in.

:func:`configure_builtin_locations` runs whenever the session configures
its locations (at start-up and on :meth:`~ftrack_api.session.Session.reset`),
before the ``ftrack.api.session.configure-location`` event lets plugins add
or change locations.

* ``ftrack.origin``: origin behaviour (class ``OriginLocation``), a disk
  accessor without prefix, the origin structure, priority 100;
* ``ftrack.unmanaged``: unmanaged (``UnmanagedLocation``), the same accessor
  and structure, priority 90;
* ``ftrack.review``: as ``ftrack.unmanaged`` with priority 110;
* ``ftrack.server``: server behaviour (``ServerLocation``), the server
  accessor, the entity id structure, priority 150.

Plain ``Location`` instances start unconfigured (``NOT_SET`` accessor,
structure and transformer, priority 95).
"""

import ftrack_api.accessor.disk
import ftrack_api.accessor.server
import ftrack_api.entity.location
import ftrack_api.structure.entity_id
import ftrack_api.structure.origin
import ftrack_api.symbol


def _location(session, name, location_id, mixin, class_name, priority):
    import ftrack_api

    location = session.create(
        'Location', {'name': name, 'id': location_id}, reconstructing=True
    )
    ftrack_api.mixin(location, mixin, name=class_name)
    location.priority = priority
    return location


def _local_disk(location):
    """Data anywhere on the local file system, where it already is."""
    location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix='')
    location.structure = ftrack_api.structure.origin.OriginStructure()


def configure_builtin_locations(session):
    """Create and configure the built-in locations of *session*; return
    them by name."""
    module = ftrack_api.entity.location
    symbol = ftrack_api.symbol

    origin = _location(
        session, 'ftrack.origin', symbol.ORIGIN_LOCATION_ID,
        module.OriginLocationMixin, 'OriginLocation', 100,
    )
    _local_disk(origin)

    unmanaged = _location(
        session, 'ftrack.unmanaged', symbol.UNMANAGED_LOCATION_ID,
        module.UnmanagedLocationMixin, 'UnmanagedLocation', 90,
    )
    _local_disk(unmanaged)

    review = _location(
        session, 'ftrack.review', symbol.REVIEW_LOCATION_ID,
        module.UnmanagedLocationMixin, 'UnmanagedLocation', 110,
    )
    _local_disk(review)

    server = _location(
        session, 'ftrack.server', symbol.SERVER_LOCATION_ID,
        module.ServerLocationMixin, 'ServerLocation', 150,
    )
    server.accessor = ftrack_api.accessor.server._ServerAccessor(session)
    server.structure = ftrack_api.structure.entity_id.EntityIdStructure()

    return {
        'ftrack.origin': origin,
        'ftrack.unmanaged': unmanaged,
        'ftrack.review': review,
        'ftrack.server': server,
    }
