"""The structure interface."""

import abc

import ftrack_api.symbol


class Structure(metaclass=abc.ABCMeta):
    """Decide where, within a location, an entity's data is kept.

    *prefix* is prepended by structures that support it; *path_separator*
    joins the parts of the identifiers they build.
    """

    def __init__(self, prefix=''):
        super().__init__()
        self.prefix = prefix
        self.path_separator = '/'

    @abc.abstractmethod
    def get_resource_identifier(self, entity, context=None):
        """Return the resource identifier for *entity*.

        *context* carries extra information for structures that need it
        (for example ``source_resource_identifier`` when adding from the
        origin location). Raise :exc:`NotImplementedError` for entities the
        structure does not support.
        """

    def _get_sequence_expression(self, sequence):
        """Return the printf-style frame pattern for *sequence*.

        ``%04d`` for a padding of 4; ``%d`` when the sequence has no
        padding.
        """
        padding = sequence['padding']
        if padding is not ftrack_api.symbol.NOT_SET and padding:
            return '%0{0}d'.format(padding)
        return '%d'
