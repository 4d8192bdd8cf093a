"""Encoding entities and dates to JSON, and decoding them back."""

import datetime
import json

import arrow
import pytest

import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol

from session_helpers import project_tree, transcript  # noqa: F401

NOT_SET = ftrack_api.symbol.NOT_SET


@pytest.fixture
def shot(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.query(
        'select name, description, parent, children, metadata, thumbnail_url '
        'from Shot where id is "{0}"'.format(project_tree['shots'][0])
    ).one()
    shot['description'] = 'local'
    return shot


def decoded(session, data, strategy):
    return json.loads(session.encode(data, strategy))


def test_set_only_takes_local_else_remote_values(ftrack_session, shot, transcript):  # noqa: F811
    transcript.clear()
    data = decoded(ftrack_session, shot, 'set_only')
    assert transcript.exchanges == []
    assert data['__entity_type__'] == 'Shot'
    assert data['id'] == shot['id']
    assert data['name'] == 'sh010'
    assert data['description'] == 'local'
    assert data['parent'] == {
        '__entity_type__': 'Sequence', 'id': shot['parent']['id']
    }
    assert data['children'] == [
        {'__entity_type__': 'Task', 'id': child['id']}
        for child in shot['children']
    ]
    assert data['metadata'] == []
    assert 'bid' not in data


def test_modified_only_takes_changed_local_values(ftrack_session, shot):
    data = decoded(ftrack_session, shot, 'modified_only')
    assert data == {
        '__entity_type__': 'Shot', 'id': shot['id'], 'description': 'local'
    }


def test_persisted_only_takes_remote_values_without_computed(ftrack_session, shot):
    data = decoded(ftrack_session, shot, 'persisted_only')
    assert data['description'] == 'sq010 sh010'
    assert 'thumbnail_url' not in data
    assert 'thumbnail_url' in decoded(ftrack_session, shot, 'set_only')


def test_all_fetches_every_value(ftrack_session, shot, transcript):  # noqa: F811
    with ftrack_session.auto_populating(False):
        data = decoded(ftrack_session, shot, 'all')
    assert transcript.expressions
    assert all(
        expression.endswith(' from Shot where id is {0} offset 0 limit '
                            '500'.format(shot['id']))
        for expression in transcript.expressions
    )
    assert data['bid'] == 0
    assert data['description'] == 'local'
    assert ftrack_session.auto_populate is True


def test_keys_are_sorted_and_dates_tagged(ftrack_session):
    text = ftrack_session.encode({
        'b': arrow.get('2024-01-02T03:04:05.123+02:00'),
        'a': datetime.date(2020, 1, 2),
        'c': datetime.datetime(2020, 1, 2, 3, 4, 5),
    })
    assert text == (
        '{"a": {"__type__": "datetime", "value": "2020-01-02"}, '
        '"b": {"__type__": "datetime", "value": '
        '"2024-01-02T03:04:05.123000+02:00"}, '
        '"c": {"__type__": "datetime", "value": "2020-01-02T03:04:05"}}'
    )


def test_collections_encode_as_references(ftrack_session, shot):
    assert json.loads(ftrack_session.encode(shot['children'])) == [
        ftrack_session.entity_reference(child) for child in shot['children']
    ]
    shot['metadata']['k'] = 'v'
    assert json.loads(ftrack_session.encode({'m': shot['metadata']})) == {
        'm': [{'__entity_type__': 'Metadata', 'parent_id': shot['id'],
               'key': 'k'}]
    }


def test_bad_input(ftrack_session):
    with pytest.raises(ValueError) as error:
        ftrack_session.encode({}, 'bogus')
    assert str(error.value) == (
        'Unsupported entity_attribute_strategy "bogus". Must be one of all, '
        'set_only, modified_only, persisted_only'
    )
    thing = object()
    with pytest.raises(TypeError) as error:
        ftrack_session.encode({'x': thing})
    assert str(error.value) == '{0!r} is not JSON serializable'.format(thing)


def test_entity_reference(ftrack_session, shot):
    with ftrack_session.auto_populating(False):
        assert ftrack_session.entity_reference(shot) == {
            '__entity_type__': 'Shot', 'id': shot['id']
        }
    metadata = ftrack_session.create('Metadata', {
        'parent_id': 'p', 'key': 3
    })
    assert ftrack_session.entity_reference(metadata) == {
        '__entity_type__': 'Metadata', 'parent_id': 'p', 'key': '3'
    }


def test_decode_dates_and_plain_values(ftrack_session):
    value = ftrack_session.decode(
        '{"a": {"__type__": "datetime", "value": "2022-10-10T10:12:09"},'
        ' "b": {"__type__": "date", "value": "2022-10-10"},'
        ' "c": {"__type__": "datetime", "value": "2022-10-10T10:12:09+02:00"},'
        ' "d": {"__type__": "other", "value": 1}, "e": [1, "x", null]}'
    )
    assert value['a'] == arrow.get('2022-10-10T10:12:09+00:00')
    assert value['a'].utcoffset() == datetime.timedelta(0)
    assert value['b'] == arrow.get('2022-10-10T00:00:00+00:00')
    assert value['c'].utcoffset() == datetime.timedelta(hours=2)
    assert value['d'] == {'__type__': 'other', 'value': 1}
    assert value['e'] == [1, 'x', None]


def test_decode_builds_entities_outside_the_cache(ftrack_session, shot, transcript):  # noqa: F811
    text = ftrack_session.encode(shot, 'persisted_only')
    entity = ftrack_session.decode(text)
    assert entity is not shot
    assert entity == shot
    # Decoding records nothing (the one operation is the fixture's change).
    assert len(ftrack_session.recorded_operations) == 1
    name = entity.attributes.get('name')
    assert name.get_remote_value(entity) == 'sh010'
    assert name.get_local_value(entity) is NOT_SET
    # Relations of decoded entities join the session when read.
    transcript.clear()
    assert entity['parent'] is shot['parent']
    assert list(entity['children']) == list(shot['children'])
    assert entity['children'][0] is shot['children'][0]


def test_decode_unknown_entity_type(ftrack_session):
    with pytest.raises(ftrack_api.exception.UnrecognisedEntityTypeError):
        ftrack_session.decode('{"__entity_type__": "Bogus", "id": "1"}')


def test_round_trip(ftrack_session, shot):
    for strategy in ('set_only', 'persisted_only', 'modified_only'):
        text = ftrack_session.encode([shot, {'n': 1}], strategy)
        entity, plain = ftrack_session.decode(text)
        assert entity == shot and plain == {'n': 1}
