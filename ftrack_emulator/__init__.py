"""A local server that speaks the ftrack protocol.

``ftrack_emulator.Emulator()`` runs one in a background thread;
``ftrack-emulator serve`` runs one from the command line.
"""

__version__ = '0.1.0'

__all__ = ['Emulator', '__version__']


def __getattr__(name):
    # The server pulls in aiohttp and SQLAlchemy: import it on first use so
    # that importing the package (e.g. for the pytest plugin) stays cheap.
    if name == 'Emulator':
        from ftrack_emulator.server import Emulator
        return Emulator
    raise AttributeError(
        'module {0!r} has no attribute {1!r}'.format(__name__, name)
    )
