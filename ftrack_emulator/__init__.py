"""A local server that speaks the ftrack protocol.

``ftrack_emulator.Emulator()`` runs one in a background thread;
``ftrack-emulator serve`` runs one from the command line.
"""

__version__ = '0.1.0'
