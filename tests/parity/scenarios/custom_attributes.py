"""Parity scenario: dense custom attributes on persisted and new
entities."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import recorder  # noqa: E402
from recorder import attribute_state as state, fixed_id  # noqa: E402


def main(scenario):
    session = scenario.connect()
    step, error, observe = scenario.step, scenario.error, scenario.observe

    shot = session.query(
        'select custom_attributes from Shot where name is "sh020" and '
        'parent.name is "sq010"').one()
    attributes = shot['custom_attributes']
    step('read existing keys', lambda: (
        attributes['fstart'], attributes['fend']))
    step('keys, length and membership', lambda: (
        sorted(attributes.keys()), len(attributes), 'fstart' in attributes,
        'nothing' in attributes))
    step('as a dict', lambda: dict(attributes))
    step('value entities behind the proxy', lambda: sorted(
        (str(item['key']), recorder.describe(item['value']))
        for item in attributes.collection))
    error('unknown key', lambda: attributes['nothing'])

    step('set an existing key', lambda: attributes.__setitem__(
        'fend', 1300))
    step('recorded operations', lambda: list(session.recorded_operations))
    step('state of the value entity', lambda: [
        state(item, ['key', 'value']) for item in attributes.collection
        if item['key'] == 'fend'])
    step('commit the new value', session.commit)
    step('value seen by another session', lambda: scenario.connect().query(
        'select custom_attributes from Shot where id is "{0}"'.format(
            shot['id'])).one()['custom_attributes']['fend'])
    error('set a key with no value row on a persisted entity',
          lambda: attributes.__setitem__('nothing', 1))
    error('delete an unknown key', lambda: attributes.__delitem__('nothing'))

    # Wrong value types are refused by the server.
    attributes['fstart'] = 'not a number'
    error('commit a value of the wrong type', session.commit)
    step('pending after the failed commit', lambda: list(
        session.recorded_operations))
    step('rollback after the failure', session.rollback)
    step('value after rollback', lambda: attributes['fstart'])

    # New entities look configurations up.
    sequence = session.query('Sequence where name is "sq010"').one()
    new_shot = session.create('Shot', {
        'id': fixed_id(1), 'name': 'sh900', 'parent': sequence})
    step('custom attributes of a new entity', lambda: (
        new_shot['custom_attributes'], len(new_shot['custom_attributes'])))
    step('set a key on a new entity', lambda: new_shot[
        'custom_attributes'].__setitem__('fstart', 1001))
    step('read it back', lambda: new_shot['custom_attributes']['fstart'])
    step('operations for the new entity', lambda: list(
        session.recorded_operations))
    other_shot = session.create('Shot', {
        'id': fixed_id(2), 'name': 'sh901', 'parent': sequence})
    step('configurations are looked up once per session', lambda: other_shot[
        'custom_attributes'].__setitem__('fend', 1010))
    step('commit new entities with custom attributes', session.commit)
    step('values on the server', lambda: sorted(
        (item['name'], sorted(item['custom_attributes'].items()))
        for item in scenario.connect().query(
            'select name, custom_attributes from Shot where id in ("{0}", '
            '"{1}")'.format(fixed_id(1), fixed_id(2)))))
    new_sequence = session.create('Sequence', {
        'id': fixed_id(3), 'name': 'sq900', 'parent': sequence['parent']})
    error('no configuration for a new entity', lambda: new_sequence[
        'custom_attributes'].__setitem__('fstart', 1))
    error('unknown key on a new shot', lambda: session.create('Shot', {
        'name': 'sh902', 'parent': sequence})['custom_attributes']
        .__setitem__('nothing', 1))
    session.rollback()

    # Versions and users.
    version = session.query(
        'select custom_attributes from AssetVersion where version is 2 and '
        'asset.parent.name is "sh010" and asset.parent.parent.name is '
        '"sq010"').one()
    step('boolean custom attribute', lambda: version['custom_attributes'][
        'for_review'])
    version['custom_attributes']['for_review'] = False
    step('commit a boolean', session.commit)
    user = session.query('User where username is "jane.doe"').one()
    step('user without configurations', lambda: dict(
        user['custom_attributes']))
    new_version = session.create('AssetVersion', {
        'id': fixed_id(4), 'asset': version['asset']})
    step('new version custom attribute', lambda: new_version[
        'custom_attributes'].__setitem__('for_review', True))
    step('pending for the new version', lambda: list(
        session.recorded_operations))
    session.rollback()

    # What is checked before configurations are fetched.
    error('a version without an asset', lambda: scenario.connect().create(
        'AssetVersion', {})['custom_attributes'].__setitem__(
            'for_review', True))
    error('an entity kind without configurations', lambda: (
        scenario.connect().create('ListObject', {})['custom_attributes']
        .__setitem__('anything', True)))
    unparented = scenario.connect()
    error('a version of an asset without parent', lambda: unparented.create(
        'AssetVersion', {'asset': unparented.create('Asset', {
            'name': 'orphan'})})['custom_attributes'].__setitem__(
                'for_review', True))

    # Assigning a mapping.
    observe('assign a whole mapping to a persisted entity', lambda: (
        shot.__setitem__('custom_attributes', {'fstart': 1, 'fend': 2}),
        list(session.recorded_operations)))
    session.rollback()
    observe('custom attributes in creation data', lambda: (
        state(session.create('Shot', {
            'id': fixed_id(5), 'name': 'sh903', 'parent': sequence,
            'custom_attributes': {'fstart': 7}}), ['custom_attributes']),
        list(session.recorded_operations)))
    session.rollback()

    # A configuration made for one project, and a hierarchical one.
    text_type = session.query(
        'CustomAttributeType where name is "text"').one()
    project = sequence['parent']
    step('create configurations', lambda: (
        session.create('CustomAttributeConfiguration', {
            'id': fixed_id(6), 'key': 'notes_text', 'label': 'Notes',
            'type': text_type, 'entity_type': 'task',
            'object_type_id': new_shot['object_type_id'],
            'project_id': project['id'], 'default': '', 'config': '{}',
            'is_hierarchical': False}),
        session.create('CustomAttributeConfiguration', {
            'id': fixed_id(7), 'key': 'inherited', 'label': 'Inherited',
            'type': text_type, 'entity_type': 'show',
            'default': '', 'config': '{}', 'is_hierarchical': True}),
        session.commit()))
    fresh = scenario.connect()
    fresh_sequence = fresh.get('Sequence', sequence['id'])
    error('a new shot knows no project without project_id',
          lambda: fresh.create(
              'Shot', {'name': 'sh905', 'parent': fresh_sequence})[
                  'custom_attributes'].__setitem__('notes_text', 'hello'))
    fresh.rollback()
    fresh_shot = fresh.create('Shot', {
        'id': fixed_id(8), 'name': 'sh904', 'parent': fresh_sequence,
        'project_id': project['id']})
    step('project configuration applies to a new shot', lambda: (
        fresh_shot['custom_attributes'].__setitem__('notes_text', 'hello'),
        fresh_shot['custom_attributes']['notes_text']))
    step('hierarchical configuration applies to a new shot', lambda: (
        fresh_shot['custom_attributes'].__setitem__('inherited', 'down'),
        fresh_shot['custom_attributes']['inherited']))
    step('pending with project and hierarchical values', lambda: list(
        fresh.recorded_operations))
    step('commit them', fresh.commit)
    step('persisted shot sees the new keys', lambda: sorted(
        fresh.query('select custom_attributes from Shot where id is '
                    '"{0}"'.format(fixed_id(8))).one()[
            'custom_attributes'].keys()))


if __name__ == '__main__':
    recorder.run(main)
