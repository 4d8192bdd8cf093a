"""Custom attribute values: upserts keyed by configuration and entity,
checked against the configuration's type."""

import json
import uuid

import pytest

SHOT_OBJECT_TYPE = 'bad911de-3bd6-47b9-8b46-3476e237cb36'


def update_value(configuration_id, entity_id, value,
                 entity_type='ContextCustomAttributeValue'):
    return {
        'action': 'update', 'entity_type': entity_type,
        'entity_key': [configuration_id, entity_id],
        'entity_data': {'__entity_type__': entity_type, 'value': value},
    }


@pytest.fixture(scope='module')
def shot(api):
    project = api.create_project('attributes', 'Attributes')
    return api.create('Shot', {
        'name': 'sh010', 'parent': api.ref('Project', project['id'])})


@pytest.fixture(scope='module')
def configurations(api):
    types = {item['name']: item['id'] for item in api.query(
        'select name from CustomAttributeType')['data']}
    made = {}
    for key, type_name, config in (
        ('fstart', 'number', {'isdecimal': False}),
        ('notes_text', 'text', {}),
        ('approved', 'boolean', {}),
        ('due', 'date', {}),
        ('look', 'enumerator', {'multiSelect': True, 'data': json.dumps([
            {'menu': 'Warm', 'value': 'warm'},
            {'menu': 'Cold', 'value': 'cold'}])}),
    ):
        made[key] = api.create('CustomAttributeConfiguration', {
            'key': key, 'label': key, 'type_id': types[type_name],
            'entity_type': 'task', 'object_type_id': SHOT_OBJECT_TYPE,
            'config': json.dumps(config), 'default': None,
        })['id']
    return made


def read_values(api, shot_id):
    found = api.query(
        'select custom_attributes from Shot where id is {0}'.format(shot_id)
    )['data'][0]
    return {item['key']: item['value']
            for item in found['custom_attributes']}


def test_update_creates_the_value_then_changes_it(api, shot, configurations):
    result = api.call([update_value(configurations['fstart'], shot['id'],
                                    1001)])[0]
    assert result['action'] == 'update'
    data = result['data']
    assert data['__entity_type__'] == 'ContextCustomAttributeValue'
    assert data['configuration_id'] == configurations['fstart']
    assert data['entity_id'] == shot['id']
    assert data['value'] == 1001
    api.call([update_value(configurations['fstart'], shot['id'], 1009.5)])
    assert read_values(api, shot['id'])['fstart'] == 1009.5


def test_values_of_each_type(api, shot, configurations):
    api.call([
        update_value(configurations['notes_text'], shot['id'], 'hello'),
        update_value(configurations['approved'], shot['id'], True),
        update_value(configurations['due'], shot['id'],
                     {'__type__': 'datetime',
                      'value': '2024-03-04T05:06:07+01:00'}),
        update_value(configurations['look'], shot['id'], ['warm', 'cold']),
    ])
    values = read_values(api, shot['id'])
    assert values['notes_text'] == 'hello'
    assert values['approved'] is True
    assert values['look'] == ['warm', 'cold']
    assert '2024-03-04T04:06:07' in json.dumps(values['due'])


def test_value_for_a_new_entity_in_the_same_batch(api, shot, configurations):
    new_shot = str(uuid.uuid4())
    api.call([
        {'action': 'create', 'entity_type': 'Shot', 'entity_data': {
            '__entity_type__': 'Shot', 'id': new_shot, 'name': 'fresh',
            'parent': api.ref('Shot', shot['id'])}},
        update_value(configurations['fstart'], new_shot, 1),
    ])
    assert read_values(api, new_shot)['fstart'] == 1


@pytest.mark.parametrize('key, value, kind', [
    ('fstart', 'test', 'number'),
    ('fstart', True, 'number'),
    ('notes_text', 12, 'text'),
    ('approved', 'yes', 'boolean'),
    ('look', [1, 2], 'enumerator'),
    ('due', 'someday', 'date'),
])
def test_wrong_types_are_refused_with_ftracks_message(
        api, shot, configurations, key, value, kind):
    error = api.error([update_value(configurations[key], shot['id'], value)])
    assert error['exception'] == 'ValidationError'
    expected = 'Custom attribute value for "{0}" must be of type {1}. Got'\
        .format(key, kind)
    assert expected in error['content'], error['content']
    assert 'of type <class' in error['content']


def test_the_ftrack_example_message(api, shot, configurations):
    error = api.error([update_value(configurations['fstart'], shot['id'],
                                    'test')])
    assert ('Custom attribute value for "fstart" must be of type number. '
            'Got "test" of type <class \'str\'>') in error['content']


def test_null_clears_a_value(api, shot, configurations):
    api.call([update_value(configurations['notes_text'], shot['id'], 'x')])
    api.call([update_value(configurations['notes_text'], shot['id'], None)])
    assert read_values(api, shot['id'])['notes_text'] is None


def test_unknown_configuration(api, shot):
    error = api.error([update_value(str(uuid.uuid4()), shot['id'], 1)])
    assert 'Custom attribute configuration' in error['content']
    assert 'does not exist' in error['content']


def test_values_can_be_filtered(api, shot, configurations):
    api.call([update_value(configurations['fstart'], shot['id'], 1234)])
    found = api.query(
        'select id from Shot where custom_attributes any '
        '(key is "fstart" and value is 1234)')['data']
    assert [item['id'] for item in found] == [shot['id']]


def test_deleting_a_configuration_deletes_its_values(api, shot):
    number = api.query('select id from CustomAttributeType where name is '
                       '"number"')['data'][0]['id']
    configuration = api.create('CustomAttributeConfiguration', {
        'key': 'temporary', 'label': 'temporary', 'type_id': number,
        'entity_type': 'task', 'object_type_id': SHOT_OBJECT_TYPE,
        'config': '{}'})
    api.call([update_value(configuration['id'], shot['id'], 3)])
    api.call([{'action': 'delete', 'entity_type':
               'CustomAttributeConfiguration',
               'entity_key': [configuration['id']]}])
    assert api.query(
        'select value from CustomAttributeValue where configuration_id is '
        '{0}'.format(configuration['id']))['data'] == []
