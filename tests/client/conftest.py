"""Fixtures shared by the client tests that publish to the emulator."""

import pytest

from session_helpers import create_version


@pytest.fixture
def session(ftrack_session):
    """A session on the module's emulator, closed after the test."""
    return ftrack_session


@pytest.fixture
def version(session):
    """A committed version to publish components to."""
    return create_version(session)
