"""Keep data where it already is."""

import ftrack_api.structure.base


class OriginStructure(ftrack_api.structure.base.Structure):
    """Return the identifier the data was found at, unchanged.

    Used by the origin location, where a component's data is wherever the
    person adding it said it was.
    """

    def get_resource_identifier(self, entity, context=None):
        """Return ``context['source_resource_identifier']``.

        Raise :exc:`ValueError` when *context* does not provide it.
        """
        if context is None:
            context = {}
        resource_identifier = context.get('source_resource_identifier')
        if resource_identifier is None:
            raise ValueError(
                'Could not generate resource identifier as no source resource'
                ' identifier found in passed context.'
            )
        return resource_identifier
