"""``python -m ftrack_emulator serve ...``: the ``ftrack-emulator`` command."""

import sys

from ftrack_emulator.cli import main

if __name__ == '__main__':
    sys.exit(main())
