"""Lay data out by component id."""

import os

import ftrack_api.symbol
import ftrack_api.structure.base

#: How many leading characters of an id become directories of their own, so
#: that no directory collects too many entries.
_SHARD_DEPTH = 4


def _is_set(value):
    return value is not ftrack_api.symbol.NOT_SET and bool(value)


class IdStructure(ftrack_api.structure.base.Structure):
    """Place each component under a path derived from its id.

    A file component ``0123456789...`` with file type ``.png`` is stored at
    ``<prefix>/0/1/2/3/456789....png``. Components inside a container are
    placed inside the container's path; members of a sequence sit beside
    the sequence's frame pattern as ``file.<member name><file type>``.
    """

    def get_resource_identifier(self, entity, context=None):
        """Return the resource identifier for the component *entity*.

        *context* is not used. Raise :exc:`NotImplementedError` for anything
        but a file, sequence or container component.
        """
        entity_type = entity.entity_type

        if entity_type == 'FileComponent':
            container = entity['container']
            if _is_set(container):
                container_path = self.get_resource_identifier(container)
                if container.entity_type == 'SequenceComponent':
                    parts = [
                        os.path.dirname(container_path),
                        'file.{0}{1}'.format(
                            entity['name'], entity['file_type']
                        ),
                    ]
                else:
                    parts = [
                        container_path, entity['id'] + entity['file_type']
                    ]
            else:
                identifier = entity['id']
                parts = self._id_directories(identifier) + [
                    identifier[_SHARD_DEPTH:] + entity['file_type']
                ]

        elif entity_type == 'SequenceComponent':
            name = 'file.' + self._get_sequence_expression(entity)
            file_type = entity['file_type']
            if _is_set(file_type):
                name += file_type
            identifier = entity['id']
            parts = self._id_directories(identifier) + [
                identifier[_SHARD_DEPTH:], name
            ]

        elif entity_type == 'ContainerComponent':
            identifier = entity['id']
            parts = self._id_directories(identifier) + [
                identifier[_SHARD_DEPTH:]
            ]

        else:
            raise NotImplementedError(
                'Cannot generate path for unsupported entity {0}'.format(
                    entity
                )
            )

        return self.path_separator.join(parts).strip('/')

    def _id_directories(self, identifier):
        """Return the prefix and the one-character directories of an id."""
        return [self.prefix] + list(identifier[:_SHARD_DEPTH])
