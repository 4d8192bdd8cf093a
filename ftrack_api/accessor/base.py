"""The accessor interface."""

import abc

import ftrack_api.exception


class Accessor(metaclass=abc.ABCMeta):
    """Read, write and list data in one kind of storage.

    Subclasses implement the abstract methods for their storage. Failures
    are reported with the ``Accessor*Error`` exceptions of
    :mod:`ftrack_api.exception`, so that callers need not know which
    storage they talk to.
    """

    def __init__(self):
        super().__init__()

    @abc.abstractmethod
    def open(self, resource_identifier, mode='rb'):
        """Return a :class:`ftrack_api.data.Data` for the resource.

        *mode* is as for the built-in :func:`open`.
        """

    @abc.abstractmethod
    def make_container(self, resource_identifier, recursive=True):
        """Create a container at *resource_identifier*.

        With *recursive*, missing parent containers are created too;
        otherwise a missing parent is an error. An existing container is
        left as it is.
        """

    @abc.abstractmethod
    def remove(self, resource_identifier):
        """Remove the resource (a file or an empty container)."""

    @abc.abstractmethod
    def get_container(self, resource_identifier):
        """Return the resource identifier of the resource's container."""

    @abc.abstractmethod
    def exists(self, resource_identifier):
        """Return whether anything exists at *resource_identifier*."""

    @abc.abstractmethod
    def is_container(self, resource_identifier):
        """Return whether *resource_identifier* is a container."""

    @abc.abstractmethod
    def is_file(self, resource_identifier):
        """Return whether *resource_identifier* is a file."""

    @abc.abstractmethod
    def is_sequence(self, resource_identifier):
        """Return whether *resource_identifier* is a sequence."""

    @abc.abstractmethod
    def list(self, resource_identifier):
        """Return the resource identifiers of the container's children."""

    def remove_container(self, resource_identifier):
        """Remove the container at *resource_identifier*.

        The same as :meth:`remove` unless a storage needs otherwise.
        """
        return self.remove(resource_identifier)

    def get_filesystem_path(self, resource_identifier):
        """Return a local file system path for the resource.

        Only storages that live on a file system can; the others raise
        :exc:`ftrack_api.exception.AccessorUnsupportedOperationError`.
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='get_filesystem_path',
            resource_identifier=resource_identifier,
        )

    def get_url(self, resource_identifier):
        """Return a URL from which the resource can be downloaded.

        Storages that cannot give one raise
        :exc:`ftrack_api.exception.AccessorUnsupportedOperationError`.
        """
        raise ftrack_api.exception.AccessorUnsupportedOperationError(
            operation='get_url', resource_identifier=resource_identifier
        )
