"""pytest fixtures that run an ftrack emulator for the tests using them.

Registered through the ``pytest11`` entry point, so installing the package
makes the fixtures available to every test suite. Fixtures arrive with the
emulator server (issue 3).
"""
