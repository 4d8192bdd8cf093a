"""The resource identifier transformer interface."""


class ResourceIdentifierTransformer:
    """Rewrite resource identifiers between their stored and usable forms.

    A location with a transformer passes every resource identifier through
    :meth:`encode` before storing it on the server and through
    :meth:`decode` after reading it back. This lets a location store, say, a
    relative or obfuscated form while its accessor works with the real one.
    This base class leaves identifiers unchanged; subclasses override both
    methods. *session* is the :class:`ftrack_api.session.Session` the
    transformer serves, for subclasses that need to look things up.
    """

    def __init__(self, session):
        super().__init__()
        self.session = session

    def encode(self, resource_identifier, context=None):
        """Return the form of *resource_identifier* to store.

        *context* gives extra information, such as the ``component`` the
        identifier belongs to.
        """
        return resource_identifier

    def decode(self, resource_identifier, context=None):
        """Return the usable form of a stored *resource_identifier*.

        *context* is as for :meth:`encode`.
        """
        return resource_identifier
