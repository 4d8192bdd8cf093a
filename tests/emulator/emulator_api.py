"""A small HTTP client for the emulator's ``/api``, for tests that post
operations without ``ftrack_api`` in between.

A module of its own (not the conftest) so that test modules can import it
whichever other conftest files a run loads.
"""

import json

import requests


def create_op(entity_type, data, key=None):
    """A ``create`` operation, as a client sends it."""
    operation = {
        'action': 'create', 'entity_type': entity_type,
        'entity_data': dict(data, __entity_type__=entity_type),
    }
    if key is not None:
        operation['entity_key'] = key
    return operation


def update_op(entity_type, key, data):
    """An ``update`` operation of the entity with primary key *key*."""
    return {'action': 'update', 'entity_type': entity_type,
            'entity_key': key,
            'entity_data': dict(data, __entity_type__=entity_type)}


def delete_op(entity_type, key):
    """A ``delete`` operation of the entity with primary key *key*."""
    return {'action': 'delete', 'entity_type': entity_type,
            'entity_key': key}


class ApiClient:
    """Posts operations to a running emulator's ``/api``."""

    def __init__(self, server):
        self.server = server
        self.http = requests.Session()

    def headers(self, strict=False, user=None, key=None):
        return {
            'content-type': 'application/json',
            'accept': 'application/json',
            'ftrack-user': self.server.api_user if user is None else user,
            'ftrack-api-key': self.server.api_key if key is None else key,
            'ftrack-strict-api': 'true' if strict else 'false',
        }

    def post(self, body, strict=False, headers=None, **credentials):
        """Post *body* (operations, or raw bytes) and return the response."""
        if headers is None:
            headers = self.headers(strict=strict, **credentials)
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return self.http.post(self.server.url + '/api', data=body,
                              headers=headers, timeout=60)

    def call(self, operations, **options):
        """Post *operations*; return the decoded results, or raise
        ApiError when the server answered an error object."""
        response = self.post(operations, **options)
        payload = response.json()
        if isinstance(payload, dict) and 'exception' in payload:
            raise ApiError(payload, response.status_code)
        assert response.status_code == 200, response.text
        assert isinstance(payload, list) and len(payload) == len(operations)
        return payload

    def error(self, operations, **options):
        """Post *operations* expecting an error; return its payload."""
        response = self.post(operations, **options)
        payload = response.json()
        assert isinstance(payload, dict) and 'exception' in payload, payload
        return payload

    @staticmethod
    def ref(entity_type, entity_id):
        """A reference to an entity with a single ``id`` key."""
        return {'__entity_type__': entity_type, 'id': entity_id}

    def query(self, expression):
        return self.call([{'action': 'query', 'expression': expression}])[0]

    def create(self, entity_type, data):
        return self.call([create_op(entity_type, data)])[0]['data']

    def create_project(self, name, full_name, **data):
        """Create a project on the first seeded schema; return its data."""
        schema = self.query('select id from ProjectSchema')['data'][0]
        return self.create('Project', dict(
            data, name=name, full_name=full_name,
            project_schema=self.ref('ProjectSchema', schema['id']),
        ))

    def create_asset(self, name, parent):
        """Create an asset of the first seeded type under *parent* (a
        reference, see :meth:`ref`)."""
        asset_type = self.query('select id from AssetType limit 1')['data'][0]
        return self.create('Asset', {
            'name': name, 'parent': parent, 'type_id': asset_type['id'],
        })


class ApiError(Exception):
    def __init__(self, payload, status):
        super().__init__('{exception}: {content}'.format(**payload))
        self.payload = payload
        self.status = status
