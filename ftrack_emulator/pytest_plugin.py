"""pytest fixtures that run an ftrack emulator for the tests using them.

Registered through the ``pytest11`` entry point, so installing the package
makes the fixtures available to every test suite; nothing starts (or is even
imported) unless a test asks for one of them.

``ftrack_emulator_server``
    Session scope. One :class:`ftrack_emulator.Emulator` for the whole test
    run, on a free local port, with a temporary database and storage
    directory removed at the end.

``ftrack_server``
    Module scope. The same emulator, its database reset to a freshly seeded
    workspace before each test module, so modules cannot see each other's
    data (tests within a module share it).

``ftrack_session``
    Function scope. An ``ftrack_api.Session`` connected to
    ``ftrack_server`` (``schema_cache_path=False``, no event hub), closed
    after the test. Skipped with a reason when ``ftrack_api.Session`` cannot
    be imported.

Example::

    def test_my_publish(ftrack_session):
        project_schema = ftrack_session.query('ProjectSchema').first()
        ftrack_session.create('Project', {
            'name': 'demo', 'full_name': 'Demo',
            'project_schema': project_schema,
        })
        ftrack_session.commit()
"""

import pytest


@pytest.fixture(scope='session')
def ftrack_emulator_server():
    """One running emulator for the whole test session."""
    from ftrack_emulator.server import Emulator

    emulator = Emulator()
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope='module')
def ftrack_server(ftrack_emulator_server):
    """The session's emulator with a freshly seeded database."""
    ftrack_emulator_server.reset()
    return ftrack_emulator_server


@pytest.fixture
def ftrack_session(ftrack_server):
    """An ``ftrack_api.Session`` connected to ``ftrack_server``."""
    try:
        from ftrack_api.session import Session
    except ImportError as error:
        pytest.skip(
            'ftrack_api.Session is not available ({0}).'.format(error)
        )
    session = Session(
        server_url=ftrack_server.url,
        api_user=ftrack_server.api_user,
        api_key=ftrack_server.api_key,
        schema_cache_path=False,
    )
    try:
        yield session
    finally:
        session.close()
