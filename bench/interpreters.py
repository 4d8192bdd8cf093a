"""The interpreters the workloads run under.

Ours is the interpreter running the bench (it has this repository's
``ftrack_api`` installed). The reference client's comes from
``tests/reference_venv.py``, shared with the parity tests: an interpreter
named by ``FTRACK_REFERENCE_PYTHON``, the developer's ``../refvenv``, or a
virtual environment it builds once with ``pip install
ftrack-python-api==3.1.0`` and caches under ``.ci-venv/``.
"""

import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE_VENV_MODULE = os.path.join(ROOT, 'tests', 'reference_venv.py')


class ReferenceUnavailable(RuntimeError):
    """No interpreter with the reference client can be had here."""


def ours():
    return sys.executable


def _reference_venv():
    if not os.path.exists(REFERENCE_VENV_MODULE):
        raise ReferenceUnavailable(
            '{0} is missing, so the reference client cannot be located.'
            .format(REFERENCE_VENV_MODULE))
    spec = importlib.util.spec_from_file_location(
        '_bench_reference_venv', REFERENCE_VENV_MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference():
    """Return the path of an interpreter with the reference client
    installed; raise :class:`ReferenceUnavailable` when there is none."""
    module = _reference_venv()
    try:
        return module.reference_python()
    except module.ReferenceUnavailable as error:
        raise ReferenceUnavailable(str(error)) from None
