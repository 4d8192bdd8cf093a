"""Access data on a local or mounted file system."""

import contextlib
import errno
import os

import ftrack_api.accessor.base
import ftrack_api.data
from ftrack_api.exception import (
    AccessorContainerNotEmptyError,
    AccessorFilesystemPathError,
    AccessorOperationFailedError,
    AccessorParentResourceNotFoundError,
    AccessorPermissionDeniedError,
    AccessorResourceInvalidError,
    AccessorResourceNotFoundError,
    AccessorUnsupportedOperationError,
)

#: The accessor error that stands for each operating system error; any
#: other error becomes :exc:`AccessorOperationFailedError`.
_ERRNO_EXCEPTIONS = {
    errno.ENOENT: AccessorResourceNotFoundError,
    errno.EPERM: AccessorPermissionDeniedError,
    errno.ENOTEMPTY: AccessorContainerNotEmptyError,
    errno.ENOTDIR: AccessorResourceInvalidError,
    errno.EISDIR: AccessorResourceInvalidError,
    errno.EINVAL: AccessorResourceInvalidError,
}


class DiskAccessor(ftrack_api.accessor.base.Accessor):
    """Read and write files below a directory, *prefix*.

    Resource identifiers are paths relative to *prefix* (which may use
    ``~`` and environment variables); they cannot reach outside it. With an
    empty *prefix*, resource identifiers are used as paths as they are.
    """

    def __init__(self, prefix, **kw):
        if prefix:
            prefix = os.path.abspath(
                os.path.expandvars(os.path.expanduser(prefix))
            )
        self.prefix = prefix
        super().__init__(**kw)

    def list(self, resource_identifier):
        """Return the resource identifiers of the container's children."""
        filesystem_path = self.get_filesystem_path(resource_identifier)
        with error_handler(
            operation='list', resource_identifier=resource_identifier
        ):
            entries = os.listdir(filesystem_path)
        return [os.path.join(resource_identifier, entry) for entry in entries]

    def exists(self, resource_identifier):
        """Return whether a file or directory is at *resource_identifier*."""
        return os.path.exists(self.get_filesystem_path(resource_identifier))

    def is_file(self, resource_identifier):
        """Return whether *resource_identifier* is a file."""
        return os.path.isfile(self.get_filesystem_path(resource_identifier))

    def is_container(self, resource_identifier):
        """Return whether *resource_identifier* is a directory."""
        return os.path.isdir(self.get_filesystem_path(resource_identifier))

    def is_sequence(self, resource_identifier):
        """Always raise: a file system has no notion of a sequence."""
        raise AccessorUnsupportedOperationError(operation='is_sequence')

    def open(self, resource_identifier, mode='rb'):
        """Return the file at *resource_identifier* as a
        :class:`ftrack_api.data.File` opened with *mode*.
        """
        filesystem_path = self.get_filesystem_path(resource_identifier)
        with error_handler(
            operation='open', resource_identifier=resource_identifier
        ):
            return ftrack_api.data.File(filesystem_path, mode)

    def remove(self, resource_identifier):
        """Remove the file or empty directory at *resource_identifier*."""
        filesystem_path = self.get_filesystem_path(resource_identifier)
        if self.is_file(resource_identifier):
            remove = os.remove
        elif self.is_container(resource_identifier):
            remove = os.rmdir
        else:
            raise AccessorResourceNotFoundError(
                resource_identifier=resource_identifier
            )
        with error_handler(
            operation='remove', resource_identifier=resource_identifier
        ):
            remove(filesystem_path)

    def make_container(self, resource_identifier, recursive=True):
        """Create a directory at *resource_identifier*.

        Nothing happens when something already exists there. Without
        *recursive*, a missing parent directory raises
        :exc:`~ftrack_api.exception.AccessorParentResourceNotFoundError`.
        """
        filesystem_path = self.get_filesystem_path(resource_identifier)
        with error_handler(
            operation='makeContainer', resource_identifier=resource_identifier
        ):
            try:
                if recursive:
                    os.makedirs(filesystem_path)
                else:
                    os.mkdir(filesystem_path)
            except OSError as error:
                if error.errno == errno.EEXIST:
                    return
                if not recursive and error.errno == errno.ENOENT:
                    raise AccessorParentResourceNotFoundError(
                        resource_identifier=resource_identifier
                    )
                raise

    def get_container(self, resource_identifier):
        """Return the resource identifier of the enclosing directory.

        With a prefix, the container must itself be inside the prefix:
        asking for the container of the prefix raises
        :exc:`~ftrack_api.exception.AccessorParentResourceNotFoundError`.
        """
        filesystem_path = self.get_filesystem_path(resource_identifier)
        container = os.path.dirname(filesystem_path)

        if self.prefix:
            if not self._is_within_prefix(container):
                raise AccessorParentResourceNotFoundError(
                    resource_identifier=resource_identifier,
                    message=(
                        'Could not determine container for '
                        '{resource_identifier} as container falls outside '
                        'of configured prefix.'
                    ),
                )
            # Back to an identifier: the part after the prefix.
            container = container[len(self.prefix):].lstrip(os.sep)

        return container

    def get_filesystem_path(self, resource_identifier):
        """Return the normalised file system path for the resource.

        Relative identifiers are taken relative to the prefix; a path that
        ends up outside the prefix raises
        :exc:`~ftrack_api.exception.AccessorFilesystemPathError`.
        """
        if not self.prefix:
            if not resource_identifier:
                return resource_identifier
            return os.path.normpath(resource_identifier)

        # Joining keeps an absolute identifier as it is, so one check below
        # covers both kinds.
        path = os.path.normpath(os.path.join(self.prefix, resource_identifier))
        if not self._is_within_prefix(path):
            raise AccessorFilesystemPathError(
                resource_identifier,
                message=(
                    'Could not determine access path for resource_identifier'
                    ' outside of configured prefix: {resource_identifier}.'
                ),
            )
        return path

    def _is_within_prefix(self, path):
        """Return whether *path* is the prefix or lies below it."""
        prefix = self.prefix
        if path == prefix:
            return True
        if not prefix.endswith(os.sep):
            prefix += os.sep
        return path.startswith(prefix)


@contextlib.contextmanager
def error_handler(**kw):
    """Turn operating system errors raised in the block into accessor errors.

    The keyword arguments (usually ``operation`` and
    ``resource_identifier``) are given to the accessor error, which also
    receives the original error. Other exceptions pass through untouched.
    """
    try:
        yield
    except OSError as error:
        exception_class = _ERRNO_EXCEPTIONS.get(
            error.errno, AccessorOperationFailedError
        )
        raise exception_class(error=error, **kw)
