"""Fixtures of the parity suite: the emulators the scenarios run against.

Each client gets its own emulator with the demo production, so that a
scenario can run under the reference client and ours at the same time.
Before every run both are reset to freshly seeded data, and identically so:
the emulator gives the records it seeds random ids, which are made
repeatable here for the duration of the reset. Queries that order by name
then break ties between equal names the same way on both servers (the
emulator adds the primary key as last sort key), so the two clients see
the same rows in the same order.
"""

import random
import threading
import uuid
from unittest import mock

import pytest

_reset_lock = threading.Lock()

#: Seed of the ids given to the records a reset creates.
ID_SEED = 13


def reset_repeatably(server):
    """Reset *server* so that its data, ids included, is the same after
    every call."""
    generator = random.Random(ID_SEED)

    def repeatable_uuid4():
        return uuid.UUID(int=generator.getrandbits(128), version=4)

    with _reset_lock, mock.patch.object(uuid, 'uuid4', repeatable_uuid4):
        server.reset()


@pytest.fixture(scope='session')
def parity_servers():
    """Two running emulators with demo data: (for the reference, for ours)."""
    from ftrack_emulator.server import Emulator

    servers = []
    try:
        for _ in range(2):
            servers.append(Emulator(demo=True).start())
        yield tuple(servers)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def fresh_parity_servers(parity_servers):
    """The parity emulators, both just reset to the same data."""
    for server in parity_servers:
        reset_repeatably(server)
    return parity_servers
