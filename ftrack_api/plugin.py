"""Discover plugins: Python files that extend a session when loaded.

A plugin is any ``*.py`` file under a plugin directory that defines a
module-level ``register`` function. Sessions call :func:`discover` with the
directories from ``FTRACK_EVENT_PLUGIN_PATH`` (or their ``plugin_paths``),
passing themselves to every ``register``.
"""

from __future__ import absolute_import

import importlib.machinery
import importlib.util
import inspect
import logging
import os
import traceback
import uuid

_logger = logging.getLogger(__name__ + '.discover')


def discover(paths, positional_arguments=None, keyword_arguments=None):
    """Load every plugin found under *paths* and call its ``register``.

    *paths* is a list of directories, each walked recursively (symbolic
    links to directories are not followed). Surrounding whitespace is
    stripped; blank entries and paths that are not existing directories
    are skipped. Each ``*.py`` file runs as a fresh module with a unique
    name, so two plugins of the same file name never clash.

    ``register`` receives *positional_arguments* and *keyword_arguments*,
    trimmed to what its signature accepts (with a warning when anything is
    dropped). A file that cannot be loaded, or defines no ``register``, is
    logged and skipped; an exception raised by ``register`` itself is
    propagated.

    Unlike the reference, a bare string for *paths* raises
    :class:`TypeError` (the reference walks each of its characters as a
    directory, ``"/"`` included), and entries may also be
    :class:`os.PathLike` or bytes.
    """
    if isinstance(paths, (str, bytes)):
        # Iterating a string would walk each character as a directory,
        # starting with "/" for an absolute path.
        raise TypeError(
            'discover expects a list of plugin paths, not the single '
            'string {0!r}.'.format(paths)
        )
    positional_arguments = list(positional_arguments or ())
    keyword_arguments = dict(keyword_arguments or {})

    for path in paths:
        directory = _plugin_directory(path)
        if not directory:
            continue
        for root, _directories, file_names in os.walk(directory):
            for file_name in file_names:
                if os.path.splitext(file_name)[1] != '.py':
                    continue
                _load_plugin(
                    os.path.join(root, file_name),
                    positional_arguments,
                    keyword_arguments,
                )


def _plugin_directory(path):
    """Return *path* as stripped text ('' when blank)."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):
        # The reference fails with AttributeError here as well.
        raise AttributeError(
            'Plugin paths must be strings, not {0!r}.'.format(path)
        )
    return path.strip()


def _load_plugin(module_path, positional_arguments, keyword_arguments):
    """Run the plugin file at *module_path* and call its ``register``."""
    try:
        module = load_source(uuid.uuid4().hex, module_path)
    except Exception as error:
        _logger.warning(
            'Failed to load plugin from "%s": %s', module_path, error
        )
        _logger.debug(traceback.format_exc())
        return

    if not hasattr(module, 'register'):
        _logger.warning(
            'Failed to load plugin that did not define a "register" function '
            'at the module level: %s', module_path
        )
        return

    register = module.register
    args, kwargs = _fit_arguments(
        register, positional_arguments, keyword_arguments
    )
    register(*args, **kwargs)


def _fit_arguments(register, positional_arguments, keyword_arguments):
    """Return the arguments to pass to *register*, trimmed to its signature.

    Mirrors the reference, including a quirk scripts can observe: when
    *register* takes no ``*args`` and more positional arguments are given
    than it names, the leading ones are dropped instead of the surplus
    (so a ``register()`` taking nothing still receives the session and
    fails). Without ``**kwargs`` (or once positionals were trimmed), only
    keywords naming defaulted parameters beyond those filled positionally
    are kept.
    """
    spec = inspect.getfullargspec(register)
    named = spec.args
    given = len(positional_arguments)
    culled = False

    if spec.varargs is None and given > len(named):
        positional_arguments = positional_arguments[len(named):]
        culled = True

    if spec.varkw is None or culled:
        first_defaulted = len(named) - len(spec.defaults or ())
        accepted = named[max(first_defaulted, given):]
        kept = {
            name: value for name, value in keyword_arguments.items()
            if name in accepted
        }
        if len(kept) != len(keyword_arguments):
            culled = True
        keyword_arguments = kept

    if culled:
        _logger.warning(
            'Culling passed arguments to match register function signature.'
        )
    return positional_arguments, keyword_arguments


def load_source(modname, filename):
    """Execute the Python source file *filename* as a new module *modname*.

    The module is returned but not added to :data:`sys.modules`.
    """
    loader = importlib.machinery.SourceFileLoader(modname, filename)
    spec = importlib.util.spec_from_file_location(
        modname, filename, loader=loader
    )
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
