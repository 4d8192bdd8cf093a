"""Lay data out the way people browse it: by project, context and version."""

import os
import re
import unicodedata

import ftrack_api.exception
import ftrack_api.structure.base
import ftrack_api.symbol

#: Characters that may stay in a sanitised name; everything else is replaced.
_ILLEGAL_CHARACTERS = re.compile(r'[^\w.-]')


def _is_set(value):
    return value is not ftrack_api.symbol.NOT_SET and bool(value)


class StandardStructure(ftrack_api.structure.base.Structure):
    """Place component data under human readable paths.

    A file component ``main`` with file type ``.exr`` on version 3 of asset
    ``plate`` under ``project/sq01/sh010`` is stored at
    ``project/sq01/sh010/plate/v003/main.exr``. Sequences become
    ``<name>.%04d<file type>`` and their members
    ``<sequence name>.<member name><file type>`` beside them; containers
    become a directory holding their members.

    *project_versions_prefix*, when given, is inserted between the project
    and assets that sit directly under the project, so that those do not
    mingle with the project's other top-level directories.

    Every name is made safe for file systems by
    :meth:`sanitise_for_filesystem`, which replaces unsafe characters with
    *illegal_character_substitute*; pass None to use names unchanged.
    """

    def __init__(
        self, project_versions_prefix=None, illegal_character_substitute='_'
    ):
        super().__init__()
        self.project_versions_prefix = project_versions_prefix
        self.illegal_character_substitute = illegal_character_substitute

    def sanitise_for_filesystem(self, value):
        """Return *value* as a lower-case name safe to use in a path.

        Accented letters lose their accents, other characters outside
        letters, digits, ``_``, ``.`` and ``-`` become the substitute. When
        the substitute is None, *value* is returned untouched.
        """
        if self.illegal_character_substitute is None:
            return value
        text = unicodedata.normalize('NFKD', str(value))
        text = text.encode('ascii', 'ignore').decode('ascii')
        text = _ILLEGAL_CHARACTERS.sub(self.illegal_character_substitute, text)
        return text.lower()

    def get_resource_identifier(self, entity, context=None):
        """Return the resource identifier for the component *entity*.

        *context* is not used. Raise
        :exc:`ftrack_api.exception.StructureError` when the component is not
        attached to a committed version with a context, and
        :exc:`NotImplementedError` for anything but a file, sequence or
        container component.
        """
        entity_type = entity.entity_type
        sanitise = self.sanitise_for_filesystem

        if entity_type == 'FileComponent':
            container = entity['container']
            if _is_set(container):
                container_path = self.get_resource_identifier(container)
                if container.entity_type == 'SequenceComponent':
                    # Frames sit beside the sequence's pattern, named after
                    # the sequence so that the set reads as one.
                    return self.path_separator.join([
                        os.path.dirname(container_path),
                        '{0}.{1}{2}'.format(
                            sanitise(container['name']),
                            sanitise(entity['name']),
                            sanitise(entity['file_type']),
                        ),
                    ])
                return self.path_separator.join([
                    container_path,
                    sanitise(entity['name'] + entity['file_type']),
                ])
            parts = self._version_directories(entity)
            parts.append(sanitise(entity['name'] + entity['file_type']))

        elif entity_type == 'SequenceComponent':
            parts = self._version_directories(entity)
            parts.append('{0}.{1}{2}'.format(
                sanitise(entity['name']),
                self._get_sequence_expression(entity),
                sanitise(entity['file_type']),
            ))

        elif entity_type == 'ContainerComponent':
            parts = self._version_directories(entity)
            parts.append(sanitise(entity['name']))

        else:
            raise NotImplementedError(
                'Cannot generate resource identifier for unsupported '
                'entity {0!r}'.format(entity)
            )

        return self.path_separator.join(parts)

    def _version_directories(self, component):
        """Return the directories leading to *component*'s version.

        That is the project, the contexts between project and asset, the
        asset and ``v<NNN>``, each sanitised.
        """
        session = component.session
        version = component['version']
        if version is ftrack_api.symbol.NOT_SET:
            # Only the foreign key may be loaded yet.
            version_id = component['version_id']
            if _is_set(version_id):
                version = session.get('AssetVersion', version_id)

        if version is ftrack_api.symbol.NOT_SET or version in session.created:
            raise self._not_attached(component)

        link = version['link']
        if not link:
            raise self._not_attached(component)

        project = session.get('Project', link[0]['id'])
        asset = version['asset']
        version_directory = 'v{0:03d}'.format(version['version'])

        sanitise = self.sanitise_for_filesystem
        parts = [sanitise(project['name'])]
        parts.extend(sanitise(item['name']) for item in link[1:-1])
        if len(parts) == 1 and self.project_versions_prefix:
            parts.append(sanitise(self.project_versions_prefix))
        parts.append(sanitise(asset['name']))
        parts.append(version_directory)
        return parts

    @staticmethod
    def _not_attached(component):
        # The error's text is a format template: keep braces literal.
        name = repr(component).replace('{', '{{').replace('}', '}}')
        return ftrack_api.exception.StructureError(
            'Component {0} must be attached to a committed version and a '
            'committed asset with a parent context.'.format(name)
        )
