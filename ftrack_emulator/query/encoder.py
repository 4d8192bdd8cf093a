"""Write loaded entities the way ftrack's server does.

Within one response an entity is written in full once; every other
occurrence is a bare reference (``{"__entity_type__": ..., <primary
key>}``), as in the captured server responses. Result rows are written in
full where they stand and nested entities in full at their first position
in document order: the Python client merges nested collections lazily, so
a result row reduced to a reference would lose its data there. Because the
loader merges everything loaded for an entity into one dict, the full copy
holds what all positions asked for.
"""

__all__ = ['Normaliser', 'normalise']


class Normaliser:
    """De-duplicates entities across one response."""

    def __init__(self, registry):
        self.registry = registry
        self._keys = {}
        self._seen = set()
        self._reserved = set()

    def _primary_key(self, entity_type):
        keys = self._keys.get(entity_type)
        if keys is None:
            declared = self.registry.get(entity_type)
            keys = tuple(declared.primary_key) if declared else ('id',)
            self._keys[entity_type] = keys
        return keys

    def _identity(self, entity):
        entity_type = entity['__entity_type__']
        keys = self._keys.get(entity_type) or self._primary_key(entity_type)
        if len(keys) == 1:
            return (entity_type, entity.get(keys[0])), keys
        return (entity_type,) + tuple(entity.get(key) for key in keys), keys

    def entity(self, entity, root=False):
        """Return the encoded form of one entity dict."""
        identity, keys = self._identity(entity)
        if root:
            self._reserved.discard(identity)
        if identity in self._seen or identity in self._reserved:
            reference = {'__entity_type__': identity[0]}
            for key in keys:
                reference[key] = entity.get(key)
            return reference
        self._seen.add(identity)
        encoded = {}
        for name, value in entity.items():
            kind = type(value)
            if kind is dict:
                if '__entity_type__' in value:
                    value = self.entity(value)
            elif kind is list and value and type(value[0]) is dict:
                value = [
                    self.entity(item) if '__entity_type__' in item else item
                    for item in value
                ]
            encoded[name] = value
        return encoded

    def entities(self, entities):
        """Encode result rows; each is written in full at its own
        position."""
        self._reserved.update(self._identity(entity)[0] for entity in entities)
        return [self.entity(entity, root=True) for entity in entities]


def normalise(registry, entities):
    """Return *entities* encoded with repeated entities as references."""
    return Normaliser(registry).entities(entities)
