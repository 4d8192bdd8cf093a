"""Sentinels and constants of ftrack_api.symbol."""

import copy
import importlib.util
import os
import pickle
import subprocess
import sys

import pytest

import ftrack_api.symbol
from ftrack_api.symbol import Symbol


def test_symbol_renders_its_name():
    symbol = Symbol('EXAMPLE')
    assert str(symbol) == 'EXAMPLE'
    assert repr(symbol) == 'Symbol(EXAMPLE)'
    assert symbol.name == 'EXAMPLE'


@pytest.mark.parametrize(
    'value, expected', [(True, True), (False, False), (0, False), ([], False),
                        ('x', True)],
)
def test_symbol_truth_follows_its_value(value, expected):
    assert bool(Symbol('S', value)) is expected


def test_symbol_defaults_to_true():
    symbol = Symbol('S')
    assert symbol.value is True
    assert symbol


def test_symbols_compare_by_identity():
    first, second = Symbol('SAME'), Symbol('SAME')
    assert first != second
    assert first == first
    assert {first: 1}[first] == 1


def test_shallow_copy_is_the_same_object():
    assert copy.copy(ftrack_api.symbol.NOT_SET) is ftrack_api.symbol.NOT_SET
    copied = copy.copy({'value': ftrack_api.symbol.NOT_SET})
    assert copied['value'] is ftrack_api.symbol.NOT_SET


def test_deep_copy_and_pickle_make_new_objects_as_in_the_reference():
    deep = copy.deepcopy(ftrack_api.symbol.NOT_SET)
    assert deep is not ftrack_api.symbol.NOT_SET
    assert (deep.name, deep.value) == ('NOT_SET', False)
    restored = pickle.loads(pickle.dumps(ftrack_api.symbol.CREATED))
    assert restored is not ftrack_api.symbol.CREATED
    assert repr(restored) == 'Symbol(CREATED)'


def test_state_symbols():
    symbol = ftrack_api.symbol
    assert not symbol.NOT_SET
    for state in (symbol.CREATED, symbol.MODIFIED, symbol.DELETED):
        assert state
    assert [str(s) for s in (
        symbol.NOT_SET, symbol.CREATED, symbol.MODIFIED, symbol.DELETED
    )] == ['NOT_SET', 'CREATED', 'MODIFIED', 'DELETED']
    # The constant's name and the symbol's name differ in the reference.
    assert repr(symbol.JOB_SYNC_USERS_LDAP) == 'Symbol(SYNC_USERS_LDAP)'


def test_topics_and_location_identifiers():
    symbol = ftrack_api.symbol
    assert symbol.COMPONENT_ADDED_TO_LOCATION_TOPIC == (
        'ftrack.location.component-added'
    )
    assert symbol.COMPONENT_REMOVED_FROM_LOCATION_TOPIC == (
        'ftrack.location.component-removed'
    )
    assert symbol.ORIGIN_LOCATION_ID == 'ce9b348f-8809-11e3-821c-20c9d081909b'
    assert symbol.UNMANAGED_LOCATION_ID == (
        'cb268ecc-8809-11e3-a7e2-20c9d081909b'
    )
    assert symbol.REVIEW_LOCATION_ID == 'cd41be70-8809-11e3-b98a-20c9d081909b'
    assert symbol.CONNECT_LOCATION_ID == (
        '07b82a97-8cf9-11e3-9383-20c9d081909b'
    )
    assert symbol.SERVER_LOCATION_ID == '3a372bde-05bc-11e4-8908-20c9d081909b'


def _fresh_symbol_module(monkeypatch, value):
    """Execute the symbol module anew with the variable set to *value*.

    The copy is a separate module object, so the imported
    ``ftrack_api.symbol`` (and the identity of its sentinels) is untouched.
    """
    if value is None:
        monkeypatch.delenv('FTRACK_API_FILE_CHUNK_SIZE', raising=False)
    else:
        monkeypatch.setenv('FTRACK_API_FILE_CHUNK_SIZE', value)
    spec = importlib.util.spec_from_file_location(
        'fresh_symbol', ftrack_api.symbol.__file__
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('value, expected', [
    (None, 1024 * 1024),
    ('0', 1024 * 1024),
    ('4096', 4096),
    (' 12 ', 12),
])
def test_chunk_size_comes_from_the_environment(monkeypatch, value, expected):
    assert _fresh_symbol_module(monkeypatch, value).CHUNK_SIZE == expected


@pytest.mark.parametrize('value', ['lots', '', '1.5'])
def test_chunk_size_that_is_not_a_number_is_rejected_naming_the_variable(
    monkeypatch, value
):
    with pytest.raises(ValueError) as info:
        _fresh_symbol_module(monkeypatch, value)
    assert str(info.value) == (
        'FTRACK_API_FILE_CHUNK_SIZE must be a whole number of bytes, '
        'not {0!r}.'.format(value)
    )


def test_chunk_size_is_read_at_import_in_a_new_interpreter():
    environment = dict(os.environ, FTRACK_API_FILE_CHUNK_SIZE='2048')
    result = subprocess.run(
        [sys.executable, '-c',
         'import ftrack_api.symbol as s; print(s.CHUNK_SIZE)'],
        env=environment, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '2048'
