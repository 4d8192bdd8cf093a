"""ftrack_api.accessor.base: the abstract accessor."""

import pytest

import ftrack_api.exception
from ftrack_api.accessor.base import Accessor

ABSTRACT = {
    'exists', 'get_container', 'is_container', 'is_file', 'is_sequence',
    'list', 'make_container', 'open', 'remove',
}


class Memory(Accessor):
    """A minimal in-memory accessor: just enough to exercise the base."""

    def __init__(self):
        super().__init__()
        self.items = {'a': b'data'}
        self.removed = []

    def list(self, resource_identifier):
        return sorted(self.items)

    def exists(self, resource_identifier):
        return resource_identifier in self.items

    def is_file(self, resource_identifier):
        return self.exists(resource_identifier)

    def is_container(self, resource_identifier):
        return False

    def is_sequence(self, resource_identifier):
        return False

    def open(self, resource_identifier, mode='rb'):
        return self.items[resource_identifier]

    def remove(self, resource_identifier):
        self.removed.append(resource_identifier)
        return 'removed'

    def make_container(self, resource_identifier, recursive=True):
        pass

    def get_container(self, resource_identifier):
        return ''


def test_accessor_is_abstract():
    assert Accessor.__abstractmethods__ == frozenset(ABSTRACT)
    with pytest.raises(TypeError):
        Accessor()


def test_partial_implementation_cannot_be_instantiated():
    class Partial(Accessor):
        def list(self, resource_identifier):
            return []

    with pytest.raises(TypeError):
        Partial()


def test_constructor_takes_no_arguments():
    accessor = Memory()
    with pytest.raises(TypeError):
        Accessor.__init__(accessor, 'x')


def test_remove_container_delegates_to_remove():
    accessor = Memory()
    assert accessor.remove_container('dir') == 'removed'
    assert accessor.removed == ['dir']


@pytest.mark.parametrize('method', ['get_filesystem_path', 'get_url'])
def test_optional_operations_are_unsupported(method):
    with pytest.raises(
        ftrack_api.exception.AccessorUnsupportedOperationError
    ) as caught:
        getattr(Memory(), method)('some/file')
    assert caught.value.details['operation'] == method
    assert caught.value.details['resource_identifier'] == 'some/file'
    assert str(caught.value) == "Operation b'{0}' unsupported.".format(method)


def test_implemented_methods_are_used():
    accessor = Memory()
    assert accessor.open('a') == b'data'
    assert accessor.exists('a') and not accessor.exists('b')
