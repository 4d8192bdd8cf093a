"""Caches, key makers and memoisation of ftrack_api.cache."""

import collections
import dbm
import enum
import functools
import inspect
import json
import os
import pickle
import re
import types

import pytest

import ftrack_api.cache as cache


# -- Cache base ---------------------------------------------------------------

class PlainCache(cache.Cache):
    """A cache without keys(): only the abstract methods."""

    def get(self, key):
        return 1

    def set(self, key, value):
        pass

    def remove(self, key):
        pass


class VanishingCache(cache.MemoryCache):
    """Lists a key that is gone by the time it is read or removed."""

    def keys(self):
        return super().keys() + ['gone']


def test_cache_is_abstract():
    with pytest.raises(TypeError, match='abstract'):
        cache.Cache()


def test_base_keys_values_and_clear_need_keys():
    plain = PlainCache()
    for method in (plain.keys, plain.values, plain.clear):
        with pytest.raises(NotImplementedError):
            method()


def test_values_skip_keys_that_vanish():
    store = VanishingCache()
    store.set('x', 1)
    store.set('y', 2)
    assert store.values() == [1, 2]


def test_clear_ignores_keys_that_vanish():
    store = VanishingCache()
    store.set('x', 1)
    store.clear()
    assert store.keys() == ['gone']
    with pytest.raises(KeyError):
        store.get('x')


# -- MemoryCache --------------------------------------------------------------

def test_memory_cache_round_trip():
    store = cache.MemoryCache()
    store.set('a', 1)
    store.set('b', 2)
    store.set('a', 3)
    assert store.get('a') == 3
    assert store.keys() == ['a', 'b']
    assert store.values() == [3, 2]
    store.remove('a')
    assert store.keys() == ['b']


def test_memory_cache_missing_keys_raise_key_error():
    store = cache.MemoryCache()
    with pytest.raises(KeyError):
        store.get('missing')
    with pytest.raises(KeyError):
        store.remove('missing')


def test_memory_cache_keys_is_a_list_copy():
    store = cache.MemoryCache()
    store.set('a', 1)
    keys = store.keys()
    store.set('b', 2)
    assert keys == ['a']


def test_memory_cache_accepts_any_hashable_key():
    store = cache.MemoryCache()
    store.set(('t',), 'tuple')
    store.set(1, 'int')
    assert store.get(('t',)) == 'tuple'
    with pytest.raises(TypeError):
        store.set(['unhashable'], 1)


def test_clear_with_pattern_searches_anywhere_in_the_key():
    store = cache.MemoryCache()
    for key in ('a', 'b', 'ab', 'xa'):
        store.set(key, key)
    store.clear(pattern='^a')
    assert sorted(store.keys()) == ['b', 'xa']
    store.clear(pattern='a')
    assert store.keys() == ['b']
    store.clear()
    assert store.keys() == []


def test_clear_accepts_a_compiled_pattern():
    store = cache.MemoryCache()
    store.set('keep', 1)
    store.set('drop', 2)
    store.clear(pattern=re.compile('dr'))
    assert store.keys() == ['keep']


def test_clear_with_pattern_and_non_text_keys_raises_type_error():
    store = cache.MemoryCache()
    store.set(1, 'int')
    with pytest.raises(TypeError):
        store.clear('1')


def test_clear_with_invalid_pattern_raises_re_error():
    store = cache.MemoryCache()
    store.set('a', 1)
    with pytest.raises(re.error):
        store.clear(pattern='[')
    assert store.keys() == ['a']


# -- ProxyCache and SerialisedCache -------------------------------------------

def test_proxy_cache_delegates_everything():
    inner = cache.MemoryCache()
    proxy = cache.ProxyCache(inner)
    assert proxy.proxied is inner
    proxy.set('a', 1)
    assert inner.get('a') == 1
    inner.set('b', 2)
    assert proxy.get('b') == 2
    assert proxy.keys() == ['a', 'b']
    assert proxy.values() == [1, 2]
    proxy.remove('a')
    assert inner.keys() == ['b']
    proxy.clear()
    assert inner.keys() == []
    with pytest.raises(KeyError):
        proxy.get('a')


def test_serialised_cache_encodes_on_set_and_decodes_on_get():
    inner = cache.MemoryCache()
    serialised = cache.SerialisedCache(
        inner, encode=json.dumps, decode=json.loads
    )
    assert serialised.proxied is inner
    serialised.set('k', {'a': 1})
    assert inner.get('k') == '{"a": 1}'
    assert serialised.get('k') == {'a': 1}
    assert serialised.keys() == ['k']
    assert serialised.values() == [{'a': 1}]
    with pytest.raises(KeyError):
        serialised.get('missing')


def test_serialised_cache_without_functions_passes_values_through():
    inner = cache.MemoryCache()
    value = [1]
    for encode, decode in ((None, None), (0, 0)):
        serialised = cache.SerialisedCache(inner, encode=encode, decode=decode)
        serialised.set('r', value)
        assert serialised.get('r') is value


def test_serialised_cache_only_decodes_values_not_keys():
    inner = cache.MemoryCache()
    serialised = cache.SerialisedCache(inner, encode=str.upper, decode=str.lower)
    serialised.set('Key', 'Value')
    assert inner.keys() == ['Key']
    assert inner.get('Key') == 'VALUE'
    assert serialised.get('Key') == 'value'


# -- LayeredCache -------------------------------------------------------------

def layers(count=3):
    caches = [cache.MemoryCache() for _ in range(count)]
    return caches, cache.LayeredCache(caches)


def test_layered_cache_keeps_the_given_layers():
    caches, layered = layers()
    assert layered.caches is caches
    assert cache.LayeredCache((caches[0],)).caches == (caches[0],)


def test_layered_get_back_fills_only_the_layers_above():
    (top, middle, bottom), layered = layers()
    middle.set('k', 'v')
    assert layered.get('k') == 'v'
    assert top.keys() == ['k']
    assert bottom.keys() == []


def test_layered_get_from_the_bottom_fills_every_layer_above():
    (top, middle, bottom), layered = layers()
    bottom.set('k', 'v')
    assert layered.get('k') == 'v'
    assert top.get('k') == middle.get('k') == 'v'


def test_layered_get_prefers_the_top_layer():
    (top, middle, bottom), layered = layers()
    top.set('k', 'top')
    bottom.set('k', 'bottom')
    assert layered.get('k') == 'top'
    assert middle.keys() == []


def test_layered_get_missing_everywhere_raises_key_error():
    _, layered = layers()
    with pytest.raises(KeyError):
        layered.get('missing')
    with pytest.raises(KeyError):
        cache.LayeredCache([]).get('x')


def test_layered_set_writes_every_layer():
    caches, layered = layers()
    layered.set('k', 1)
    assert [c.get('k') for c in caches] == [1, 1, 1]


def test_layered_remove_removes_everywhere():
    (top, middle, bottom), layered = layers()
    middle.set('k', 1)
    bottom.set('k', 1)
    layered.remove('k')
    assert top.keys() == middle.keys() == bottom.keys() == []
    with pytest.raises(KeyError):
        layered.remove('k')


def test_layered_keys_are_a_deduplicated_union():
    (top, middle, bottom), layered = layers()
    top.set('a', 1)
    middle.set('b', 2)
    middle.set('a', 1)
    bottom.set('c', 3)
    assert layered.keys() == ['a', 'b', 'c']
    assert sorted(layered.values()) == [1, 2, 3]
    assert cache.LayeredCache([]).keys() == []


def test_layered_clear_clears_all_layers():
    caches, layered = layers()
    caches[2].set('x', 1)
    caches[0].set('y', 1)
    layered.clear()
    assert [c.keys() for c in caches] == [[], [], []]


def test_layered_cache_needs_an_iterable_of_caches():
    with pytest.raises(TypeError):
        cache.LayeredCache(None).get('x')


# -- FileCache ----------------------------------------------------------------

@pytest.fixture
def file_cache(tmp_path):
    return cache.FileCache(str(tmp_path / 'cache'))


def test_file_cache_creates_its_database_at_once(tmp_path):
    path = str(tmp_path / 'cache')
    store = cache.FileCache(path)
    assert store.path == path
    assert dbm.whichdb(path) is not None
    assert store.keys() == []


def test_file_cache_round_trip_returns_text(file_cache):
    file_cache.set('a', 'value')
    file_cache.set('b', b'bytes')
    file_cache.set('u', 'é')
    assert file_cache.get('a') == 'value'
    assert file_cache.get('b') == 'bytes'
    assert file_cache.get('u') == 'é'
    assert sorted(file_cache.keys()) == ['a', 'b', 'u']
    assert sorted(file_cache.values()) == ['bytes', 'value', 'é']


def test_file_cache_persists_between_instances(tmp_path):
    path = str(tmp_path / 'cache')
    cache.FileCache(path).set('p', 'q')
    assert cache.FileCache(path).get('p') == 'q'


def test_file_cache_remove_and_clear(file_cache):
    file_cache.set('a', '1')
    file_cache.set('b', '2')
    file_cache.set('ab', '3')
    file_cache.remove('a')
    assert sorted(file_cache.keys()) == ['ab', 'b']
    file_cache.clear(pattern='^a')
    assert file_cache.keys() == ['b']
    file_cache.clear()
    assert file_cache.keys() == []


def test_file_cache_missing_keys_raise_key_error(file_cache):
    with pytest.raises(KeyError):
        file_cache.get('x')
    with pytest.raises(KeyError):
        file_cache.remove('x')


@pytest.mark.parametrize('value', [5, None, ['x'], {'a': 1}])
def test_file_cache_rejects_values_that_are_not_text_or_bytes(file_cache, value):
    with pytest.raises(TypeError, match='values must be bytes or strings'):
        file_cache.set('c', value)
    assert file_cache.keys() == []


def test_file_cache_rejects_non_ascii_keys(file_cache):
    for method, arguments in (
        (file_cache.set, ('é', 'v')),
        (file_cache.get, ('é',)),
        (file_cache.remove, ('é',)),
    ):
        with pytest.raises(UnicodeEncodeError, match='must be ASCII'):
            method(*arguments)
    assert file_cache.keys() == []


@pytest.mark.parametrize('key', [b'bytes', 5, None])
def test_file_cache_rejects_keys_that_are_not_text(file_cache, key):
    with pytest.raises(AttributeError, match='keys must be str'):
        file_cache.set(key, 'v')
    with pytest.raises(AttributeError, match='keys must be str'):
        file_cache.get(key)


def test_file_cache_undecodable_bytes_fail_on_get(file_cache):
    file_cache.set('bin', b'\xff')
    with pytest.raises(UnicodeDecodeError):
        file_cache.get('bin')


def test_file_cache_in_a_missing_directory(tmp_path):
    with pytest.raises(OSError):
        cache.FileCache(str(tmp_path / 'missing' / 'cache'))


def test_file_cache_under_serialised_cache_stores_structures(tmp_path):
    path = str(tmp_path / 'cache')
    store = cache.SerialisedCache(
        cache.FileCache(path), encode=json.dumps, decode=json.loads
    )
    store.set('entity', {'id': '1', 'names': ['a', 'b']})
    reopened = cache.SerialisedCache(
        cache.FileCache(path), encode=json.dumps, decode=json.loads
    )
    assert reopened.get('entity') == {'id': '1', 'names': ['a', 'b']}


# -- Key makers ---------------------------------------------------------------

def test_key_maker_is_abstract():
    with pytest.raises(TypeError, match='abstract'):
        cache.KeyMaker()


def test_key_maker_subclass_joins_parts_with_the_separator():
    class Upper(cache.KeyMaker):
        def __init__(self):
            super().__init__()
            self.item_separator = '|'

        def _key(self, item):
            return str(item).upper()

    assert Upper().key('a', 'b', 1) == 'A|B|1'
    assert Upper().key() == ''


def test_string_key_maker():
    maker = cache.StringKeyMaker()
    assert maker.item_separator == ''
    assert maker.key() == ''
    assert maker.key('a') == 'a'
    assert maker.key('a', 1, None) == 'a1None'
    assert maker.key(('User', ['1'])) == "('User', ['1'])"
    assert maker.key(b'x') == "b'x'"


def test_string_key_maker_subclass_can_override_the_part_maker():
    class Prefixed(cache.StringKeyMaker):
        def _key(self, item):
            return '<{0}>'.format(item)

    assert Prefixed().key('a', 'b') == '<a><b>'


def test_object_key_maker_separators():
    maker = cache.ObjectKeyMaker()
    assert maker.item_separator == b'\x00'
    assert maker.mapping_identifier == b'\x01'
    assert maker.mapping_pair_separator == b'\x02'
    assert maker.iterable_identifier == b'\x03'
    assert maker.name_identifier == b'\x04'


def p(value):
    return pickle.dumps(value, protocol=2)


def sample_function():
    pass


class SampleClass(object):
    def method(self):
        pass

    @classmethod
    def class_method(cls):
        pass


class Colour(enum.Enum):
    RED = 1


# Byte formats observed on the reference.
OBJECT_KEYS = [
    ((), b''),
    (({},), b'\x01\x01'),
    (('a',), b'\x80\x02X\x01\x00\x00\x00aq\x00.'),
    (('a', 'b'), p('a') + b'\x00' + p('b')),
    ((1,), b'\x80\x02K\x01.'),
    ((None,), b'\x80\x02N.'),
    ((True,), b'\x80\x02\x88.'),
    (({'a': 1},), b'\x01' + p('a') + b'\x02' + p(1) + b'\x01'),
    (({'b': 2, 'a': 1},),
     b'\x01' + p('a') + b'\x02' + p(1) + b'\x00' + p('b') + b'\x02' + p(2)
     + b'\x01'),
    (({'a': {'b': [1]}},),
     b'\x01' + p('a') + b'\x02\x01' + p('b') + b'\x02\x03' + p(1)
     + b'\x03\x01\x01'),
    (({(1, 2): 3},),
     b'\x01\x03' + p(1) + b'\x00' + p(2) + b'\x03\x02' + p(3) + b'\x01'),
    (([],), b'\x03\x03'),
    (([1, 2],), b'\x03' + p(1) + b'\x00' + p(2) + b'\x03'),
    (((1, 'a'),), b'\x03' + p(1) + b'\x00' + p('a') + b'\x03'),
    (({1},), b'\x03' + p(1) + b'\x03'),
    (([[1]],), b'\x03\x03' + p(1) + b'\x03\x03'),
    ((b'x',), b'\x03' + p(ord('x')) + b'\x03'),
    ((range(2),), b'\x03' + p(0) + b'\x00' + p(1) + b'\x03'),
    ((iter([1]),), b'\x03' + p(1) + b'\x03'),
    ((sample_function,), b'\x04sample_function\x00' + __name__.encode()),
    ((SampleClass,), b'\x04SampleClass\x00' + __name__.encode()),
    ((SampleClass().method,),
     b'\x04method\x00SampleClass\x00' + __name__.encode()),
    ((SampleClass.class_method,),
     b'\x04class_method\x00type\x00' + __name__.encode()),
    ((SampleClass.method,), b'\x04method\x00' + __name__.encode()),
    ((len,), b'\x04len'),
    (([].append,), b'\x04append'),
    ((os.path.join,), b'\x04join\x00' + os.path.__name__.encode()),
    ((object,), b'\x04object\x00builtins'),
    ((Colour,), b'\x03' + p(Colour.RED) + b'\x03'),
    ((Colour.RED,), p(Colour.RED)),
    ((functools.partial(sample_function),),
     p(functools.partial(sample_function))),
    (({'a': 1}, [1], 'x'),
     b'\x01' + p('a') + b'\x02' + p(1) + b'\x01\x00\x03' + p(1) + b'\x03\x00'
     + p('x')),
]


@pytest.mark.parametrize('items, expected', OBJECT_KEYS)
def test_object_key_maker_byte_format(items, expected):
    assert cache.ObjectKeyMaker().key(*items) == expected


def test_object_key_maker_treats_any_mapping_as_a_mapping():
    maker = cache.ObjectKeyMaker()
    expected = maker.key({'a': 1})
    assert maker.key(types.MappingProxyType({'a': 1})) == expected
    assert maker.key(collections.OrderedDict(a=1)) == expected


def test_object_key_maker_non_ascii_names_are_utf8():
    def naïve():
        pass

    assert cache.ObjectKeyMaker().key(naïve) == (
        b'\x04na\xc3\xafve\x00' + __name__.encode()
    )


def test_object_key_maker_function_without_module():
    # The reference fails with AttributeError here; an empty name is kept.
    def orphan():
        pass

    orphan.__module__ = None
    assert cache.ObjectKeyMaker().key(orphan) == b'\x04orphan\x00'


def test_object_key_maker_mapping_keys_must_be_sortable():
    with pytest.raises(TypeError, match='not supported'):
        cache.ObjectKeyMaker().key({'b': 1, 1: 2})


def test_object_key_maker_unpicklable_values_fail():
    with pytest.raises((TypeError, pickle.PicklingError)):
        cache.ObjectKeyMaker().key(unpicklable())


def unpicklable():
    """An object pickle cannot handle: it holds an open generator."""
    return types.SimpleNamespace(generator=(i for i in range(1)))


# -- Memoiser -----------------------------------------------------------------

class Calls(object):
    def __init__(self):
        self.log = []

    def function(self, a, b=2, *args, **kw):
        return self.record(a, b, args, kw)

    def record(self, *values):
        self.log.append(values)
        return list(values)


def test_memoiser_defaults():
    memoiser = cache.Memoiser()
    assert isinstance(memoiser.cache, cache.MemoryCache)
    assert isinstance(memoiser.key_maker, cache.ObjectKeyMaker)
    assert memoiser.return_copies is True


def test_memoiser_keeps_given_parts_even_when_falsy():
    assert cache.Memoiser(cache=False).cache is False
    assert cache.Memoiser(key_maker=0).key_maker == 0


def test_memoiser_normalises_arguments_through_the_signature():
    calls = Calls()

    def function(a, b=2, *args, **kw):
        return calls.record(a, b, args, kw)

    memoiser = cache.Memoiser()
    results = [
        memoiser.call(function, [1]),
        memoiser.call(function, (1, 2)),
        memoiser.call(function, kw={'a': 1}),
        memoiser.call(function, [1], {'b': 2}),
    ]
    assert len(calls.log) == 1
    assert all(result == [1, 2, (), {}] for result in results)


def test_memoiser_distinguishes_different_arguments():
    calls = Calls()

    def function(a, b=2, *args, **kw):
        return calls.record(a, b, args, kw)

    memoiser = cache.Memoiser()
    memoiser.call(function, [1])
    memoiser.call(function, [1, 2, 3], {'z': 1})
    memoiser.call(function, [1], {'c': 5})
    assert len(calls.log) == 3
    assert len(memoiser.cache.keys()) == 3


def test_memoiser_key_is_the_function_and_its_arguments():
    def function(x):
        return x

    memoiser = cache.Memoiser()
    memoiser.call(function, [1])
    maker = cache.ObjectKeyMaker()
    assert memoiser.cache.keys() == [maker.key(function, {'x': 1})]


def test_memoiser_returns_deep_copies():
    memoiser = cache.Memoiser()

    def function():
        return {'nested': [1]}

    first = memoiser.call(function)
    first['nested'].append('changed')
    second = memoiser.call(function)
    assert second == {'nested': [1]}
    assert second is not memoiser.call(function)


def test_memoiser_can_return_the_cached_object():
    memoiser = cache.Memoiser(return_copies=False)

    def function():
        return {'x': 1}

    assert memoiser.call(function) is memoiser.call(function)


def test_memoiser_remembers_none_but_not_exceptions():
    calls = Calls()
    memoiser = cache.Memoiser()

    def returns_none(x):
        calls.record('none')

    def raises(x):
        calls.record('raise')
        raise ValueError('x')

    memoiser.call(returns_none, [1])
    memoiser.call(returns_none, [1])
    for _ in range(2):
        with pytest.raises(ValueError):
            memoiser.call(raises, [1])
    assert calls.log == [('none',), ('raise',), ('raise',)]


def test_memoiser_handles_keyword_only_defaults():
    calls = Calls()
    memoiser = cache.Memoiser()

    def function(a, *, b=3):
        calls.record(a, b)
        return a + b

    assert memoiser.call(function, [1]) == 4
    assert memoiser.call(function, [1], {'b': 3}) == 4
    assert len(calls.log) == 1


class Scaler(object):
    """Multiplies by its factor; calls are logged outside the instance."""

    log = []

    def __init__(self, factor):
        self.factor = factor

    def scale(self, value):
        Scaler.log.append((self.factor, value))
        return value * self.factor


def test_memoiser_bound_methods_key_on_the_instance_state_too():
    memoiser = cache.Memoiser()
    del Scaler.log[:]
    double, triple = Scaler(2), Scaler(3)
    assert memoiser.call(double.scale, [5]) == 10
    assert memoiser.call(Scaler(2).scale, [5]) == 10
    assert memoiser.call(triple.scale, [5]) == 15
    assert Scaler.log == [(2, 5), (3, 5)]


def test_memoiser_builtins():
    assert cache.Memoiser().call(len, ['abc']) == 3


def test_memoiser_argument_mismatch_raises_the_call_error():
    memoiser = cache.Memoiser()

    def function(a, b=2):
        return a

    with pytest.raises(TypeError, match="missing 1 required positional"):
        memoiser.call(function)
    with pytest.raises(TypeError, match="multiple values for argument 'b'"):
        memoiser.call(function, [1, 2], {'b': 5})


@pytest.mark.parametrize('arguments, problem', [
    ((5,), 'needs a callable'),
    ((len, 5), 'args must be an iterable'),
    ((len, ['a'], 5), 'kw must be a mapping'),
])
def test_memoiser_rejects_bad_input_clearly(arguments, problem):
    with pytest.raises(TypeError, match=problem):
        cache.Memoiser().call(*arguments)


def test_memoiser_with_string_keys():
    memoiser = cache.Memoiser(
        cache=cache.MemoryCache(), key_maker=cache.StringKeyMaker()
    )

    def function(x):
        return {'x': x}

    assert memoiser.call(function, [5]) == {'x': 5}
    (key,) = memoiser.cache.keys()
    assert key == str(function) + "{'x': 5}"


def test_memoise_decorator_uses_the_given_memoiser():
    memoiser = cache.Memoiser(return_copies=False)
    calls = Calls()

    @cache.memoise_decorator(memoiser)
    def add(a, b=1):
        """Add."""
        calls.record(a, b)
        return a + b

    assert [add(1), add(1, 1), add(a=1), add(b=1, a=1)] == [2, 2, 2, 2]
    assert len(calls.log) == 1
    assert len(memoiser.cache.keys()) == 1
    assert add.__name__ == 'add'
    assert add.__doc__ == 'Add.'
    assert str(inspect.signature(add)) == '(a, b=1)'


def test_module_memoise_uses_the_global_memoiser():
    assert isinstance(cache.memoiser, cache.Memoiser)
    assert str(inspect.signature(cache.memoise)) == '(function)'
    calls = Calls()

    @cache.memoise
    def listed(x):
        calls.record(x)
        return [x]

    first, second = listed('memoise-test'), listed('memoise-test')
    assert first == second == ['memoise-test']
    assert first is not second
    assert len(calls.log) == 1
    key = cache.ObjectKeyMaker().key(
        listed.__wrapped__, {'x': 'memoise-test'}
    )
    assert cache.memoiser.cache.get(key) == ['memoise-test']


def test_file_cache_refusal_is_the_dbm_module_s_own(file_cache, tmp_path):
    # As with the reference client, the database module itself refuses
    # values it cannot store, with its own message.
    import contextlib
    import dbm

    with contextlib.closing(dbm.open(str(tmp_path / 'plain'), 'c')) as db:
        with pytest.raises(TypeError) as expected:
            db['k'] = 5
    with pytest.raises(TypeError) as refused:
        file_cache.set('k', 5)
    assert str(refused.value) == str(expected.value)
