"""The centralized storage scenario, as the reference client ships it.

A server whose storage scenario is ``ftrack.centralized-storage`` names a
location and where its storage is mounted on each operating system. When
the session starts (or resets) it publishes
``ftrack.storage-scenario.activate``; :func:`activate` then configures that
location with a :class:`~ftrack_api.accessor.disk.DiskAccessor` on this
machine's mount point, a
:class:`~ftrack_api.structure.standard.StandardStructure` and priority 1,
so that it is picked before any other.

:func:`verify_startup` answers ``ftrack.connect.verify-startup`` with a
warning when this machine's mount point is missing. (The reference's
interactive configuration wizard is for ftrack Connect and is not part of
this client.)
"""

import functools
import logging
import os
import sys
import weakref

import ftrack_api.accessor.disk
import ftrack_api.exception
import ftrack_api.structure.standard

logger = logging.getLogger(__name__)

#: Identifier of the scenario in the server's ``storage_scenario``.
SCENARIO_ID = 'ftrack.centralized-storage'

#: Priority of the scenario's location: preferred to every other.
PRIORITY = 1


def _platform_key():
    """Return the mount point key for this machine, or None."""
    if sys.platform.startswith('linux'):
        return 'linux'
    if sys.platform == 'darwin':
        return 'osx'
    if sys.platform == 'win32':
        return 'windows'
    return None


def activate(session, event):
    """Configure the scenario's location in *session* from *event*'s
    ``storage_scenario`` data.

    Raise :exc:`~ftrack_api.exception.LocationError` when the data is
    incomplete or names no mount point for this platform.
    """
    storage_scenario = event['data']['storage_scenario']
    try:
        location_data = storage_scenario['data']
        location_name = location_data['location_name']
        location_id = location_data['location_id']
        mount_points = location_data['accessor']['mount_points']
    except (KeyError, TypeError):
        logger.error('Unable to read storage scenario data.')
        raise ftrack_api.exception.LocationError(
            'Unable to configure location based on scenario.'
        )

    platform_key = _platform_key()
    if platform_key is None or platform_key not in mount_points:
        raise ftrack_api.exception.LocationError(
            'Unable to find accessor prefix for platform {0}.'.format(
                sys.platform
            )
        )

    location = session.create(
        'Location', data={'name': location_name, 'id': location_id},
        reconstructing=True,
    )
    location.accessor = ftrack_api.accessor.disk.DiskAccessor(
        prefix=mount_points[platform_key]
    )
    location.structure = ftrack_api.structure.standard.StandardStructure()
    location.priority = PRIORITY
    logger.info(
        'Storage scenario activated: location %r is stored at %r.',
        location_name, mount_points[platform_key],
    )


def verify_startup(event):
    """Return a warning when the scenario's mount point for this machine
    is not set or not a directory (None when all is well)."""
    mount_points = (
        event['data']['storage_scenario']['data']['accessor']['mount_points']
    )
    prefix = mount_points.get(_platform_key())
    if not prefix:
        return (
            'The storage scenario has not been configured for your operating '
            'system. ftrack may not be able to store and track files '
            'correctly.'
        )
    if not os.path.isdir(prefix):
        return (
            'The path {0} does not exist. ftrack may not be able to store '
            'and track files correctly. \n\nIf the storage is newly setup you '
            'may want to create necessary folder structures. If the storage '
            'is a network drive you should make sure that it is mounted '
            'correctly.'.format(prefix)
        )
    return None


def _activate_weakly(session_reference, event):
    session = session_reference()
    if session is not None:
        activate(session, event)


def register(session):
    """Subscribe *session*'s event hub to the scenario's events."""
    condition = 'data.storage_scenario.scenario="{0}"'.format(SCENARIO_ID)
    session.event_hub.subscribe(
        'topic=ftrack.storage-scenario.activate and ' + condition,
        functools.partial(_activate_weakly, weakref.ref(session)),
    )
    session.event_hub.subscribe(
        'topic=ftrack.connect.verify-startup and ' + condition,
        verify_startup,
    )
