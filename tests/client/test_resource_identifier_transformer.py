"""ftrack_api.resource_identifier_transformer.base: the identity transformer
and how subclasses extend it."""

from ftrack_api.resource_identifier_transformer.base import (
    ResourceIdentifierTransformer,
)


def test_keeps_the_session():
    session = object()
    assert ResourceIdentifierTransformer(session).session is session


def test_encode_and_decode_leave_identifiers_unchanged():
    transformer = ResourceIdentifierTransformer(None)
    for identifier in ['a/b.txt', '', None, 5]:
        assert transformer.encode(identifier) == identifier
        assert transformer.decode(identifier) == identifier
        assert transformer.encode(identifier, context={'component': 1}) == (
            identifier
        )
        assert transformer.decode(identifier, context={}) == identifier


def test_transformer_instances_are_truthy():
    # Locations apply a transformer only when it is truthy.
    assert ResourceIdentifierTransformer(None)


class Prefixing(ResourceIdentifierTransformer):
    """Store identifiers with a marker prefix, as a custom location might."""

    def encode(self, resource_identifier, context=None):
        return 'stored:' + resource_identifier

    def decode(self, resource_identifier, context=None):
        return resource_identifier[len('stored:'):]


def test_subclasses_round_trip():
    transformer = Prefixing(session=None)
    encoded = transformer.encode('path/to/file', context={'component': None})
    assert encoded == 'stored:path/to/file'
    assert transformer.decode(encoded) == 'path/to/file'
