"""Fixtures shared by every part of the test suite."""

import os
import sys

import pytest

# Let test modules import the helpers that live next to this file
# (``import reference_venv``).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope='session')
def reference_python():
    """The interpreter of the reference ftrack-python-api (3.1.0).

    Built once into a cached virtual environment when needed; the test is
    skipped with a clear message only when the package index is unreachable.
    """
    import reference_venv
    return reference_venv.require_reference_python()
