"""Parity scenario: metadata on new and persisted entities."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import recorder  # noqa: E402
from recorder import attribute_state as state, fixed_id  # noqa: E402


def main(scenario):
    session = scenario.connect()
    step, error, observe = scenario.step, scenario.error, scenario.observe

    def pending():
        return list(session.recorded_operations)

    def on_server(entity_type, entity_id):
        return dict(scenario.connect().query(
            'select metadata from {0} where id is "{1}"'.format(
                entity_type, entity_id)).one()['metadata'])

    shot = session.query(
        'Shot where name is "sh030" and parent.name is "sq010"').one()
    metadata = shot['metadata']
    step('read persisted metadata', lambda: (
        metadata['camera'], sorted(metadata.keys()), len(metadata)))
    error('missing key', lambda: metadata['lens'])
    step('metadata entities', lambda: [
        state(item) for item in metadata.collection])

    # Persisted entity.
    metadata['lens'] = '35mm'
    step('adding a key records a create and a collection update', pending)
    metadata['camera'] = 'cam_new'
    step('changing a key records an update of the value', lambda: pending()[
        -1:])
    step('commit metadata changes', session.commit)
    step('metadata on the server', lambda: on_server('Shot', shot['id']))
    del metadata['lens']
    step('deleting a key', pending)
    step('commit the deletion', session.commit)
    step('metadata on the server after deletion', lambda: on_server(
        'Shot', shot['id']))
    error('deleting a missing key', lambda: metadata.__delitem__('lens'))

    # New entity.
    sequence = shot['parent']
    new_shot = session.create('Shot', {
        'id': fixed_id(1), 'name': 'sh900', 'parent': sequence})
    new_shot['metadata']['frame_rate'] = '24'
    new_shot['metadata']['frame_rate'] = '25'
    new_shot['metadata']['colour'] = 'linear'
    step('metadata of a new entity', lambda: (
        dict(new_shot['metadata']), pending()))
    step('commit the new entity with metadata', session.commit)
    step('new entity metadata on the server', lambda: on_server(
        'Shot', fixed_id(1)))

    # Metadata as a dict in the creation data.
    created = session.create('Shot', {
        'id': fixed_id(2), 'name': 'sh901', 'parent': sequence,
        'metadata': {'source': 'scan', 'lut': 'rec709'}})
    step('metadata given at creation', lambda: (
        dict(created['metadata']), pending()))
    step('commit it', session.commit)
    step('creation metadata on the server', lambda: on_server(
        'Shot', fixed_id(2)))

    # Replacing the whole mapping.
    created['metadata'] = {'source': 'cg', 'fresh': 'yes'}
    step('assigning a mapping replaces every key', lambda: (
        dict(created['metadata']), pending()))
    step('commit the replacement', session.commit)
    step('replaced metadata on the server', lambda: on_server(
        'Shot', fixed_id(2)))

    # Other owners.
    version = session.query(
        'AssetVersion where version is 1 and asset.parent.name is "sh010" '
        'and asset.parent.parent.name is "sq020"').one()
    version['metadata']['approved_by'] = 'supervisor'
    user = session.query('User where username is "john.smith"').one()
    user['metadata']['desk'] = '12'
    step('metadata of a version and a user', pending)
    step('commit them', session.commit)
    step('version metadata on the server', lambda: on_server(
        'AssetVersion', version['id']))
    observe('a number as metadata value', lambda: (
        user['metadata'].__setitem__('number', 5), session.commit()))
    step('pending after the refusal', pending)
    session.rollback()
    observe('metadata with a non-string value', lambda: (
        dict(user['metadata'])))
    step('rollback restores persisted values', lambda: dict(
        user['metadata']))


if __name__ == '__main__':
    recorder.run(main)
