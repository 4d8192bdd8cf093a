"""A fast, faithful implementation of the ftrack Python API.

``import ftrack_api; session = ftrack_api.Session()`` behaves as with the
reference ``ftrack-python-api`` package: same modules, classes, signatures,
defaults, exceptions, events and wire protocol.
"""

from ftrack_api._version import __version__
from ftrack_api.session import Session


def mixin(instance, mixin_class, name=None):
    """Give *instance* the behaviour of *mixin_class* as well as its own.

    The instance's class is swapped for a new subclass of both (named
    ``<CurrentClass><MixinClass>`` unless *name* is given). Nothing changes
    when *mixin_class* is already among the instance's bases.
    """
    current = type(instance)
    if mixin_class in current.mro():
        return
    if name is None:
        name = '{0}{1}'.format(current.__name__, mixin_class.__name__)
    instance.__class__ = type(name, (mixin_class, current), {})
