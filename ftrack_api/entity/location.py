"""Locations: where component data lives, and moving it between them.

A :class:`Location` entity becomes usable once it is given an
:attr:`~Location.accessor` (how to read and write its storage) and a
:attr:`~Location.structure` (where each component goes in it). The session
configures the built-in locations this way (see :mod:`ftrack_api._locations`)
and plugins listening to ``ftrack.api.session.configure-location`` configure
their own. Which components a location holds is recorded on the server as
``ComponentLocation`` entities, except for locations using
:class:`MemoryLocationMixin`, which keep it in memory.

The mixins change how a location behaves and are applied to an instance
with :func:`ftrack_api.mixin`.
"""

import collections.abc
import logging
import threading

import ftrack_api.entity.base
import ftrack_api.event.base
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol
import ftrack_api._progress
import ftrack_api._transfer

NOT_SET = ftrack_api.symbol.NOT_SET

logger = logging.getLogger(__name__)

#: Progress meters of the transfers running in this thread, by location.
_running = threading.local()

_TRANSFER_FAILED = (
    'Failed to transfer component {component} data to location {location} '
    'due to error:\n{indent}{error}\n{indent}Transferred component data that '
    'may require cleanup: {transferred_component_data}'
)

_REGISTRATION_FAILED = (
    'Failed to register components with location {location} due to '
    'error:\n{indent}{error}\n{indent}Transferred component data that may '
    'require cleanup: {transferred_component_data}'
)


class _NoAccessorError(ftrack_api.exception.LocationError, AttributeError):
    """A location without an accessor was asked for paths or URLs.

    Also an :exc:`AttributeError`, which is what the reference client lets
    escape there (its accessor ``NOT_SET`` has no such method).
    """


def _is_container(component):
    """Whether *component* groups members rather than holding data."""
    return 'members' in component.keys()


def _is_sequence(component):
    sequence_class = component.session.types.get('SequenceComponent')
    if sequence_class is not None:
        return isinstance(component, sequence_class)
    return component.entity_type == 'SequenceComponent'


def _component_id(component):
    return list(ftrack_api.inspection.primary_key(component).values())[0]


def _as_sources(sources):
    """Return *sources* as a list: a single source (a location, or a path
    for the origin location) stands for every component."""
    if isinstance(sources, str) or \
            not isinstance(sources, collections.abc.Sequence):
        return [sources]
    return list(sources)


class Location(ftrack_api.entity.base.Entity):
    """A place component data is kept in.

    Besides its entity values, each instance carries its configuration:

    ``accessor``
        A :class:`ftrack_api.accessor.base.Accessor` reading and writing the
        storage, or ``NOT_SET`` (the location cannot move data).
    ``structure``
        A :class:`ftrack_api.structure.base.Structure` deciding the resource
        identifier of each component, or ``NOT_SET`` (nothing can be added).
    ``resource_identifier_transformer``
        An optional resource identifier transformer (see
        :mod:`ftrack_api.resource_identifier_transformer.base`) applied to
        resource identifiers as they are stored and read back.
    ``priority``
        Lower is preferred when picking a location (default 95).
    ``progress_callback``
        Called with a :class:`ftrack_api._progress.TransferProgress` as data
        is added to the location (default None; see :doc:`/locations`).
    """

    def __init__(self, session, data=None, reconstructing=False):
        self.accessor = NOT_SET
        self.structure = NOT_SET
        self.resource_identifier_transformer = NOT_SET
        self.priority = 95
        self.progress_callback = None
        super().__init__(session, data=data, reconstructing=reconstructing)

    def __str__(self):
        text = super().__str__()
        with self.session.auto_populating(False):
            name = self['name']
        if name is not NOT_SET:
            text = text.replace('(', '("{0}", '.format(name), 1)
        return text

    # Adding.

    def add_component(self, component, source, recursive=True):
        """Add *component*'s data to this location, copied from *source* (a
        location holding it).

        Containers bring their members along unless *recursive* is False.
        See :meth:`add_components`.
        """
        return self.add_components([component], sources=source,
                                   recursive=recursive)

    def add_components(self, components, sources, recursive=True, _depth=0):
        """Add *components*' data to this location and register them here.

        *sources* is one source for all components or a list with one
        source per component. Data is copied by the source's and this
        location's accessors into the place this location's structure
        decides; then the components are registered (and the session
        committed) and ``ftrack.location.component-added`` is published
        for each.

        Raise :exc:`ValueError` for a mismatched number of sources,
        :exc:`~ftrack_api.exception.LocationError` without a structure,
        :exc:`~ftrack_api.exception.ComponentInLocationError` (before any
        data moves) when some components are already here, and
        :exc:`~ftrack_api.exception.LocationError` when copying or
        registering fails, listing the data that may need cleaning up.
        """
        sources = _as_sources(sources)
        if len(sources) not in (1, len(components)):
            raise ValueError(
                'sources must be either a single source or a sequence of '
                'sources with indexes corresponding to passed components.'
            )
        if not self.structure:
            raise ftrack_api.exception.LocationError(
                'No structure defined for location {location}.',
                details=dict(location=self),
            )
        if not components:
            return
        if len(sources) == 1:
            sources = sources * len(components)

        present = self._present(components)
        if present:
            raise ftrack_api.exception.ComponentInLocationError(present, self)

        meter, owner = self._meter()
        indent = '    ' * (_depth + 1)
        transferred = []
        try:
            meter.expect(components)
            for component, source in zip(components, sources):
                try:
                    self._add_one(component, source, recursive, _depth,
                                  meter, transferred)
                except Exception as error:
                    raise ftrack_api.exception.LocationError(
                        _TRANSFER_FAILED,
                        details=dict(
                            component=component, location=self,
                            indent=indent, error=error,
                            transferred_component_data=transferred,
                        ),
                    )

            try:
                self._register_components_in_location(
                    [component for component, _ in transferred],
                    [identifier for _, identifier in transferred],
                )
            except Exception as error:
                raise ftrack_api.exception.LocationError(
                    _REGISTRATION_FAILED,
                    details=dict(
                        location=self, indent=indent, error=error,
                        transferred_component_data=transferred,
                    ),
                )
            if owner:
                meter.finish()
        finally:
            if owner:
                self._release_meter(meter)

        for component in components:
            self._publish(
                ftrack_api.symbol.COMPONENT_ADDED_TO_LOCATION_TOPIC, component
            )

    def _add_one(self, component, source, recursive, depth, meter,
                 transferred):
        if recursive and _is_container(component):
            members = component['members']
            if members:
                self.add_components(members, source, recursive=recursive,
                                    _depth=depth + 1)
        context = self._get_context(component, source)
        resource_identifier = self.structure.get_resource_identifier(
            component, context
        )
        holds_data = not _is_container(component)
        if holds_data:
            meter.start(component)
        self._add_data(component, resource_identifier, source)
        if holds_data:
            meter.complete(component)
        transferred.append((component, resource_identifier))

    def _meter(self):
        """Return the progress meter of the running transfer into this
        location and whether this call made it (the outermost call)."""
        meters = getattr(_running, 'meters', None)
        if meters is None:
            meters = _running.meters = {}
        meter = meters.get(id(self))
        if meter is not None:
            return meter, False
        meter = meters[id(self)] = ftrack_api._progress.meter_for(self)
        return meter, True

    def _release_meter(self, meter):
        _running.meters.pop(id(self), None)
        meter.close()

    def _present(self, components):
        """Return those of *components* already registered here."""
        try:
            self._get_resource_identifiers(components)
        except ftrack_api.exception.ComponentNotInLocationError as error:
            missing = set(id(item) for item in error.details['components'])
            return [item for item in components if id(item) not in missing]
        return list(components)

    def _get_context(self, component, source):
        """Return what the structure may use to place *component*: the
        resource identifier it has in *source*, when it has one."""
        context = {}
        if source:
            try:
                source_resource_identifier = source.get_resource_identifier(
                    component
                )
            except ftrack_api.exception.ComponentNotInLocationError:
                pass
            else:
                context['source_resource_identifier'] = (
                    source_resource_identifier
                )
        return context

    def _add_data(self, component, resource_identifier, source):
        """Copy *component*'s data from *source* to *resource_identifier*.

        Containers only get a container made (sequences not even that);
        files are copied in :data:`ftrack_api.symbol.CHUNK_SIZE` chunks. A
        file that fails half way is removed again, never left behind.
        """
        if not source.accessor:
            raise ftrack_api.exception.LocationError(
                'No accessor defined for source location {location}.',
                details=dict(location=source),
            )
        if not self.accessor:
            raise ftrack_api.exception.LocationError(
                'No accessor defined for target location {location}.',
                details=dict(location=self),
            )

        if _is_container(component):
            if not _is_sequence(component):
                self.accessor.make_container(resource_identifier)
            return

        container = self.accessor.get_container(resource_identifier)
        self.accessor.make_container(container)
        if self.accessor.exists(resource_identifier):
            raise ftrack_api.exception.LocationError(
                'Cannot add component as data already exists and overwriting'
                ' could result in data loss. Computed target resource '
                'identifier was: {0}'.format(
                    str(resource_identifier).replace('{', '{{').replace(
                        '}', '}}')
                )
            )

        source_data = source.accessor.open(
            source.get_resource_identifier(component), 'rb'
        )
        try:
            target_data = self.accessor.open(resource_identifier, 'wb')
            try:
                meter = getattr(_running, 'meters', {}).get(id(self))
                ftrack_api._transfer.copy(source_data, target_data, meter)
            except BaseException:
                ftrack_api._transfer.discard(target_data)
                self._remove_partial_data(resource_identifier)
                raise
        finally:
            source_data.close()

    def _remove_partial_data(self, resource_identifier):
        """Remove what a failed copy left at *resource_identifier*."""
        try:
            if self.accessor.exists(resource_identifier):
                self.accessor.remove(resource_identifier)
        except Exception:
            logger.warning(
                'Could not remove partially transferred data at %s.',
                resource_identifier, exc_info=True,
            )

    def _register_component_in_location(self, component, resource_identifier):
        """Record that *component* is here at *resource_identifier*."""
        transformer = self.resource_identifier_transformer
        if transformer:
            resource_identifier = transformer.encode(
                resource_identifier, context={'component': component}
            )
        self.session.create('ComponentLocation', {
            'component': component,
            'location': self,
            'resource_identifier': resource_identifier,
        })

    def _register_components_in_location(
        self, components, resource_identifiers
    ):
        """Record each component here and commit."""
        for component, resource_identifier in zip(
            components, resource_identifiers
        ):
            self._register_component_in_location(
                component, resource_identifier
            )
        self.session.commit()

    # Removing.

    def remove_component(self, component, recursive=True):
        """Remove *component*'s data from this location and unregister it.

        See :meth:`remove_components`.
        """
        return self.remove_components([component], recursive=recursive)

    def remove_components(self, components, recursive=True):
        """Remove the data of *components* and their registration here.

        Containers' members go first unless *recursive* is False. Raise
        :exc:`~ftrack_api.exception.ComponentNotInLocationError` for a
        component not here. ``ftrack.location.component-removed`` is
        published for each component removed.
        """
        for component in components:
            # Raises for a component that is not here.
            self.get_resource_identifier(component)
            if recursive and _is_container(component):
                self.remove_components(component['members'],
                                       recursive=recursive)
            self._remove_data(component)
            self._deregister_component_in_location(component)
            self._publish(
                ftrack_api.symbol.COMPONENT_REMOVED_FROM_LOCATION_TOPIC,
                component,
            )

    def _remove_data(self, component):
        """Remove *component*'s data through the accessor.

        Sequences keep no data at their own resource identifier, so missing
        data is accepted for them.
        """
        if not self.accessor:
            raise ftrack_api.exception.LocationError(
                'No accessor defined for location {location}.',
                details=dict(location=self),
            )
        try:
            self.accessor.remove(self.get_resource_identifier(component))
        except ftrack_api.exception.AccessorResourceNotFoundError:
            if not _is_sequence(component):
                raise

    def _deregister_component_in_location(self, component):
        """Delete the record of *component* being here, and commit."""
        component_locations = self.session.query(
            'ComponentLocation where component_id is {0} and location_id is '
            '{1}'.format(_component_id(component), self['id'])
        )
        for component_location in component_locations:
            self.session.delete(component_location)
        self.session.commit()

    def _publish(self, topic, component):
        """Announce a change of this location on the event server."""
        self.session.event_hub.publish(
            ftrack_api.event.base.Event(
                topic=topic,
                data=dict(
                    component_id=_component_id(component),
                    location_id=self['id'],
                ),
            ),
            on_error='ignore',
        )

    # Availability.

    def get_component_availability(self, component):
        """Return the percentage (0-100) of *component*'s data here."""
        return self.get_component_availabilities([component])[0]

    def get_component_availabilities(self, components):
        """Return :meth:`get_component_availability` of each component."""
        location_id = self['id']
        return [
            availability[location_id]
            for availability in self.session.get_component_availabilities(
                components, locations=[self]
            )
        ]

    # Resource identifiers and paths.

    def get_resource_identifier(self, component):
        """Return the resource identifier of *component*'s data here.

        Raise :exc:`~ftrack_api.exception.ComponentNotInLocationError` when
        the component is not here.
        """
        return self.get_resource_identifiers([component])[0]

    def get_resource_identifiers(self, components):
        """Return the resource identifier of each of *components* here,
        decoded by the location's transformer (if any)."""
        resource_identifiers = self._get_resource_identifiers(components)
        transformer = self.resource_identifier_transformer
        if transformer:
            resource_identifiers = [
                transformer.decode(
                    resource_identifier, context={'component': component}
                )
                for component, resource_identifier in zip(
                    components, resource_identifiers
                )
            ]
        return resource_identifiers

    def _get_resource_identifiers(self, components):
        """Return the stored resource identifiers of *components* (one
        query); raise for components not here."""
        if not components:
            return []
        component_ids = [_component_id(component) for component in components]
        rows = self.session.query(
            'select component_id, resource_identifier from ComponentLocation '
            'where location_id is {0} and component_id in ({1})'.format(
                self['id'], ', '.join(component_ids)
            )
        )
        found = {}
        for row in rows:
            found[row['component_id']] = row['resource_identifier']
        missing = [
            component for component, component_id in zip(
                components, component_ids
            )
            if component_id not in found
        ]
        if missing:
            raise ftrack_api.exception.ComponentNotInLocationError(
                missing, self
            )
        return [found[component_id] for component_id in component_ids]

    def get_filesystem_path(self, component):
        """Return the file system path of *component*'s data here."""
        return self.get_filesystem_paths([component])[0]

    def get_filesystem_paths(self, components):
        """Return :meth:`get_filesystem_path` of each component.

        Accessors that are not on a file system raise
        :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError`.
        """
        resource_identifiers = self.get_resource_identifiers(components)
        accessor = self._require_accessor()
        return [
            accessor.get_filesystem_path(resource_identifier)
            for resource_identifier in resource_identifiers
        ]

    def get_url(self, component):
        """Return a URL from which *component*'s data here can be
        downloaded (accessors that cannot give one raise
        :exc:`~ftrack_api.exception.AccessorUnsupportedOperationError`)."""
        resource_identifier = self.get_resource_identifier(component)
        return self._require_accessor().get_url(resource_identifier)

    def _require_accessor(self):
        if not self.accessor:
            raise _NoAccessorError(
                'No accessor defined for location {location}.',
                details=dict(location=self),
            )
        return self.accessor


class MemoryLocationMixin(
    ftrack_api.entity.base._EntityBase, collections.abc.MutableMapping,
    metaclass=ftrack_api.entity.base.DynamicEntityTypeMetaclass,
):
    """Keep the record of which components are here in memory.

    Nothing is stored on the server and nothing is committed: the record
    lasts as long as the location instance (a session reset starts
    afresh), and the session's availability queries do not see it.
    """

    @property
    def _cache(self):
        """Component id to resource identifier of the components here."""
        try:
            return self.__dict__['_memory_location_cache']
        except KeyError:
            return self.__dict__.setdefault('_memory_location_cache', {})

    def _register_component_in_location(self, component, resource_identifier):
        self._cache[_component_id(component)] = resource_identifier

    def _register_components_in_location(
        self, components, resource_identifiers
    ):
        for component, resource_identifier in zip(
            components, resource_identifiers
        ):
            self._register_component_in_location(
                component, resource_identifier
            )

    def _deregister_component_in_location(self, component):
        del self._cache[_component_id(component)]

    def _get_resource_identifiers(self, components):
        cache = self._cache
        resource_identifiers = []
        missing = []
        for component in components:
            resource_identifier = cache.get(_component_id(component))
            if resource_identifier is None:
                missing.append(component)
            resource_identifiers.append(resource_identifier)
        if missing:
            raise ftrack_api.exception.ComponentNotInLocationError(
                missing, self
            )
        return resource_identifiers


class UnmanagedLocationMixin(
    ftrack_api.entity.base._EntityBase, collections.abc.MutableMapping,
    metaclass=ftrack_api.entity.base.DynamicEntityTypeMetaclass,
):
    """Record components without touching their data.

    Adding only registers where the data already is; removing only
    forgets it. Useful to track files managed by someone else.
    """

    def _add_data(self, component, resource_identifier, source):
        """Leave the data alone."""

    def _remove_data(self, component):
        """Leave the data alone."""


class OriginLocationMixin(MemoryLocationMixin, UnmanagedLocationMixin):
    """The origin of new components: their data is wherever it already is.

    Components are added with the path of their data as the *source*,
    which becomes their resource identifier; nothing is copied and nothing
    is stored on the server.
    """

    def _get_context(self, component, source):
        return {'source_resource_identifier': source}


class ServerLocationMixin(
    ftrack_api.entity.base._EntityBase, collections.abc.MutableMapping,
    metaclass=ftrack_api.entity.base.DynamicEntityTypeMetaclass,
):
    """The ftrack server's own storage (``ftrack.server``)."""

    def get_thumbnail_url(self, component, size=None):
        """Return a URL of *component* as a thumbnail, scaled to *size*
        pixels when given."""
        resource_identifier = self.get_resource_identifier(component)
        return self.accessor.get_thumbnail_url(resource_identifier, size)
