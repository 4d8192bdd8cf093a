"""Shared pieces of the session tests (imported by the test modules).

The tests talk to the emulator provided by the ``ftrack_server`` fixture of
:mod:`ftrack_emulator.pytest_plugin`; nothing is faked.
"""

import json
import uuid

import pytest

import ftrack_api
import ftrack_api.accessor.disk
import ftrack_api.structure.id
import ftrack_api.symbol

SHOT_OBJECT_TYPE = 'bad911de-3bd6-47b9-8b46-3476e237cb36'
TASK_OBJECT_TYPE = '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c'


def new_session(server, **kw):
    """Return a session on the emulator *server*."""
    kw.setdefault('server_url', server.url)
    kw.setdefault('api_user', server.api_user)
    kw.setdefault('api_key', server.api_key)
    kw.setdefault('schema_cache_path', False)
    return ftrack_api.Session(**kw)


def unique(prefix):
    """Return a name no other test uses."""
    return '{0}_{1}'.format(prefix, uuid.uuid4().hex[:8])


def write(path, content):
    """Write *content* (bytes) to *path*, making its folder; return it as
    text, the form ``create_component`` takes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return str(path)


def server_location(session):
    """The built-in server location of *session*."""
    return session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)


def origin_location(session):
    """The built-in origin location of *session*."""
    return session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)


def disk_location(session, root, name=None, priority=10):
    """Return a committed location storing data below *root* by id."""
    location = session.create('Location', {'name': name or unique('disk')})
    location.accessor = ftrack_api.accessor.disk.DiskAccessor(prefix=str(root))
    location.structure = ftrack_api.structure.id.IdStructure()
    location.priority = priority
    session.commit()
    return location


def create_version(session, prefix='version', asset_name='plate'):
    """Return a committed version of a new asset in a new project, the
    smallest context a component can be published to."""
    project = session.create('Project', {
        'name': unique(prefix), 'full_name': prefix.title(),
        'project_schema': session.query('ProjectSchema').first(),
    })
    asset = session.create('Asset', {
        'name': asset_name, 'parent': project,
        'type': session.query('AssetType').first(),
    })
    version = session.create('AssetVersion', {'asset': asset})
    session.commit()
    return version


class Transcript(object):
    """Records the API requests a session sends and what came back.

    Uses the response hook of the session's ``requests`` session, so the
    real HTTP exchange happens untouched.
    """

    def __init__(self, session):
        self.exchanges = []
        session._transport.http.hooks['response'].append(self._record)

    def _record(self, response, *args, **kwargs):
        body = response.request.body
        if isinstance(body, bytes):
            body = body.decode('utf-8')
        self.exchanges.append({
            'request': json.loads(body) if body else None,
            'headers': dict(response.request.headers),
            'status': response.status_code,
            'response': response.text,
        })

    def clear(self):
        self.exchanges[:] = []

    @property
    def requests(self):
        """The request bodies (lists of operations), in order."""
        return [exchange['request'] for exchange in self.exchanges]

    @property
    def operations(self):
        """Every operation sent, flattened, in order."""
        return [
            operation for request in self.requests for operation in request
        ]

    @property
    def expressions(self):
        """The expressions of every query operation sent."""
        return [
            operation['expression'] for operation in self.operations
            if operation['action'] == 'query'
        ]


@pytest.fixture
def transcript(ftrack_session):
    """A :class:`Transcript` of ``ftrack_session``."""
    return Transcript(ftrack_session)


@pytest.fixture(scope='module')
def project_tree(ftrack_server):
    """A project with two sequences of two shots, each with two tasks.

    Returns a dict of ids: ``project``, ``sequences``, ``shots``, ``tasks``,
    ``user`` (the API user), ``schema``.
    """
    session = new_session(ftrack_server)
    try:
        schema = session.query('ProjectSchema').first()
        project = session.create('Project', {
            'name': unique('tree'), 'full_name': 'Tree',
            'project_schema': schema,
        })
        sequences, shots, tasks = [], [], []
        for sequence_name in ('sq010', 'sq020'):
            sequence = session.create('Sequence', {
                'name': sequence_name, 'parent': project,
            })
            sequences.append(sequence)
            for shot_name in ('sh010', 'sh020'):
                shot = session.create('Shot', {
                    'name': shot_name, 'parent': sequence,
                    'description': '{0} {1}'.format(sequence_name, shot_name),
                })
                shots.append(shot)
                for task_name in ('anim', 'comp'):
                    tasks.append(session.create('Task', {
                        'name': task_name, 'parent': shot,
                    }))
        session.commit()
        user = session.query(
            'User where username is "{0}"'.format(ftrack_server.api_user)
        ).one()
        return {
            'project': project['id'],
            'schema': schema['id'],
            'sequences': [item['id'] for item in sequences],
            'shots': [item['id'] for item in shots],
            'tasks': [item['id'] for item in tasks],
            'user': user['id'],
        }
    finally:
        session.close()
