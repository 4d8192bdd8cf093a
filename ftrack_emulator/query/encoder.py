"""Write loaded entities the way ftrack's server does.

Within one response an entity is written in full once, at its first
position in document order; every later occurrence is a bare reference
(``{"__entity_type__": ..., <primary key>}``), as in the captured server
responses. Because the loader merges everything loaded for an entity into
one dict, the full copy holds what all positions asked for.
"""

__all__ = ['Normaliser', 'normalise']


class Normaliser:
    """De-duplicates entities across one response."""

    def __init__(self, registry):
        self.registry = registry
        self._keys = {}
        self._seen = set()

    def _primary_key(self, entity_type):
        keys = self._keys.get(entity_type)
        if keys is None:
            declared = self.registry.get(entity_type)
            keys = tuple(declared.primary_key) if declared else ('id',)
            self._keys[entity_type] = keys
        return keys

    def entity(self, entity):
        """Return the encoded form of one entity dict."""
        entity_type = entity['__entity_type__']
        keys = self._primary_key(entity_type)
        identity = (entity_type,) + tuple(entity.get(key) for key in keys)
        if identity in self._seen:
            reference = {'__entity_type__': entity_type}
            for key in keys:
                reference[key] = entity.get(key)
            return reference
        self._seen.add(identity)
        encoded = {}
        for name, value in entity.items():
            if type(value) is dict:
                if '__entity_type__' in value:
                    value = self.entity(value)
            elif type(value) is list:
                value = [
                    self.entity(item)
                    if type(item) is dict and '__entity_type__' in item
                    else item
                    for item in value
                ]
            encoded[name] = value
        return encoded

    def entities(self, entities):
        return [self.entity(entity) for entity in entities]


def normalise(registry, entities):
    """Return *entities* encoded with repeated entities as references."""
    return Normaliser(registry).entities(entities)
