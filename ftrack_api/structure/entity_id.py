"""Use the entity id itself as the resource identifier."""

import ftrack_api.structure.base


class EntityIdStructure(ftrack_api.structure.base.Structure):
    """Identify an entity's data by the entity's id alone.

    Suits locations that address data by id rather than by path, such as
    the server location.
    """

    def get_resource_identifier(self, entity, context=None):
        """Return the id of *entity*; *context* is not used."""
        return entity['id']
