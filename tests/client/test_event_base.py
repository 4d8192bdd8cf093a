"""ftrack_api.event.base: the event mapping."""

import copy
import pickle
from collections.abc import MutableMapping

import pytest

from ftrack_api.event.base import Event

KEYS = ['id', 'data', 'topic', 'sent', 'source', 'target', 'in_reply_to_event']


def test_event_is_a_mutable_mapping_with_exactly_the_seven_keys_in_order():
    event = Event('ftrack.update')
    assert isinstance(event, MutableMapping)
    assert not isinstance(event, dict)
    assert list(event) == KEYS
    assert len(event) == 7


def test_defaults():
    event = Event('ftrack.update')
    assert event['topic'] == 'ftrack.update'
    assert event['data'] == {}
    assert event['source'] == {}
    assert event['sent'] is None
    assert event['target'] == ''
    assert event['in_reply_to_event'] is None
    assert isinstance(event['id'], str)
    assert len(event['id']) == 32
    int(event['id'], 16)  # a uuid4 hex


def test_each_event_gets_its_own_id_and_dictionaries():
    first, second = Event('a'), Event('a')
    assert first['id'] != second['id']
    assert first['data'] is not second['data']
    assert first['source'] is not second['source']


def test_given_values_are_kept_as_the_same_objects():
    data, source = {'x': 1}, {'id': 'hub'}
    event = Event(
        'a.b', id='abc', data=data, sent=5, source=source, target='id=x',
        in_reply_to_event='r1',
    )
    assert event['id'] == 'abc'
    assert event['data'] is data
    assert event['source'] is source
    assert event['sent'] == 5
    assert event['target'] == 'id=x'
    assert event['in_reply_to_event'] == 'r1'


@pytest.mark.parametrize('falsy', [None, '', 0])
def test_falsy_id_data_and_source_are_replaced_by_defaults(falsy):
    event = Event('t', id=falsy, data=falsy, source=falsy)
    assert len(event['id']) == 32
    assert event['data'] == {}
    assert event['source'] == {}


def test_keyword_construction():
    event = Event(topic='t', id='1')
    assert event['topic'] == 't' and event['id'] == '1'


def test_items_can_be_added_changed_and_removed():
    event = Event('t', id='1')
    event['extra'] = 'value'
    assert list(event)[-1] == 'extra'
    assert 'extra' in event and event.get('extra') == 'value'
    event['topic'] = 'other'
    assert event['topic'] == 'other'
    del event['extra']
    del event['id']
    assert 'id' not in event
    assert len(event) == 6
    with pytest.raises(KeyError):
        event['id']
    with pytest.raises(KeyError):
        del event['missing']
    assert event.get('missing') is None
    assert event.get('missing', 5) == 5


def test_mapping_helpers_come_for_free():
    event = Event('t', id='1', data={'a': 1})
    assert dict(event)['data'] == {'a': 1}
    assert event.pop('sent') is None
    event.update({'sent': 3})
    assert event['sent'] == 3
    assert event.setdefault('new', 'x') == 'x'
    assert ('topic', 't') in event.items()


def test_str_shows_the_mapping():
    event = Event('a.b', id='x')
    assert str(event) == (
        "<Event {'id': 'x', 'data': {}, 'topic': 'a.b', 'sent': None, "
        "'source': {}, 'target': '', 'in_reply_to_event': None}>"
    )


def test_str_names_a_subclass():
    class CustomEvent(Event):
        pass

    assert str(CustomEvent('t', id='1')).startswith("<CustomEvent {'id': '1'")


def test_repr_is_the_default_object_repr():
    assert repr(Event('t')).startswith(
        '<ftrack_api.event.base.Event object at'
    )


def test_stop_flag():
    event = Event('t')
    assert event.is_stopped() is False
    event.stop()
    assert event.is_stopped() is True
    event.stop()
    assert event.is_stopped() is True


def test_equality_is_mapping_equality_and_ignores_the_stop_flag():
    first, second = Event('t', id='1'), Event('t', id='1')
    assert first == second
    second.stop()
    assert first == second
    assert first == dict(first)
    assert Event('t') != Event('t')  # ids differ
    assert first != {'a': 1}
    assert (first == 5) is False
    assert first.__eq__(5) is NotImplemented


def test_events_are_unhashable():
    with pytest.raises(TypeError):
        hash(Event('t'))


def test_copy_and_pickle_keep_content_and_stop_flag():
    event = Event('t', id='1', data={'nested': [1, 2]})
    event.stop()
    for clone in (
        copy.copy(event), copy.deepcopy(event),
        pickle.loads(pickle.dumps(event)),
    ):
        assert clone == event
        assert clone.is_stopped()
    deep = copy.deepcopy(event)
    assert deep['data'] is not event['data']
