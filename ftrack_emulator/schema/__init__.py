"""The emulator's entity types: declared in ``definitions/``, read by
:mod:`~ftrack_emulator.schema.dsl` into the
:mod:`~ftrack_emulator.schema.model` every part of the emulator works with,
and rendered for clients by :mod:`~ftrack_emulator.schema.render`.
"""

from ftrack_emulator.schema.dsl import DefinitionError, load_registry

__all__ = ['DefinitionError', 'load_registry']
