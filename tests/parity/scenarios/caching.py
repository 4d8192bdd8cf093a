"""Parity scenario: the session cache, get, reset, file caches and the
cache module's building blocks."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ftrack_api.cache  # noqa: E402

import recorder  # noqa: E402
from recorder import attribute_state as state, fixed_id  # noqa: E402


def main(scenario):
    step, error = scenario.step, scenario.error
    session = scenario.connect()

    # Requests counted through Session.call, wrapped on the instance.
    calls = []
    original_call = session.call

    def counting_call(data):
        calls.append([operation.get('action') for operation in data])
        return original_call(data)
    session.call = counting_call

    def counted(function):
        def run():
            del calls[:]
            result = function()
            return {'result': recorder.describe(result),
                    'calls through Session.call': list(calls)}
        return run

    shot = session.query(
        'Shot where name is "sh010" and parent.name is "sq020"').one()
    step('get of a cached entity sends nothing', counted(
        lambda: session.get('Shot', shot['id']) is shot))
    step('get with a key list', counted(
        lambda: session.get('Shot', [shot['id']]) is shot))
    step('get of an uncached entity queries', counted(
        lambda: session.get('Sequence', shot['parent']['id'])))
    step('get of a missing entity', counted(
        lambda: session.get('Shot', fixed_id(99))))
    step('a missing entity is asked for again', counted(
        lambda: session.get('Shot', fixed_id(99))))
    value = session.query(
        'select key, value from ContextCustomAttributeValue where key is '
        '"fend" and entity_id is "{0}"'.format(shot['id'])).one()
    step('get with a composite key', counted(lambda: session.get(
        'ContextCustomAttributeValue',
        [value['configuration_id'], value['entity_id']]) is value))
    step('get of a composite key not cached', counted(lambda: str(session.get(
        'ContextCustomAttributeValue',
        [value['configuration_id'], shot['parent']['id']]))))
    error('get with a key of the wrong length', lambda: session.get(
        'ContextCustomAttributeValue', 'only-one'))
    error('get of an unknown type', lambda: session.get('Nothing', 'x'))
    step('queries go through Session.call', counted(lambda: len(
        session.query('Sequence').all())))
    step('population goes through Session.call', counted(
        lambda: shot['description']))
    shot['description'] = 'cached change'
    step('commit goes through Session.call', counted(session.commit))

    # What the cache holds.
    step('the session cache is layered with memory on top', lambda: (
        type(session.cache).__name__,
        [type(layer).__name__ for layer in session.cache.caches]))
    step('cache keys', lambda: sorted(session.cache.keys()))
    step('cache key of an entity', lambda: session.cache_key_maker.key(
        ('Shot', [shot['id']])))
    step('cached value is the instance', lambda: session.cache.get(
        session.cache_key_maker.key(('Shot', [shot['id']]))) is shot)

    # Reset and rollback empty the cache.
    created = session.create('Sequence', {'id': fixed_id(1), 'name': 'new'})
    step('created entity is cached', counted(
        lambda: session.get('Sequence', fixed_id(1)) is created))
    session.rollback()
    step('rolled back entity left the cache', counted(
        lambda: session.get('Sequence', fixed_id(1))))
    session.reset()
    step('reset empties the cache', lambda: sorted(
        key for key in session.cache.keys()
        if 'Location' not in key))
    step('get after reset queries again', counted(
        lambda: session.get('Shot', shot['id']) is shot))
    step('old instances are stale after reset', counted(
        lambda: state(shot, ['name', 'description'])))

    # A file cache shared by two sessions.
    path = os.path.join(scenario.workdir, 'cache.dbm')

    def file_cache(owner):
        return ftrack_api.cache.SerialisedCache(
            ftrack_api.cache.FileCache(path),
            encode=owner.encode, decode=owner.decode)

    writer = scenario.connect(cache=file_cache)
    step('session with a file cache', lambda: [
        type(layer).__name__ for layer in writer.cache.caches])
    task = writer.query(
        'select name, bid, parent.name, parent.description, metadata, '
        'status.name from Task where name is "compositing" and '
        'parent.name is "sh020" and parent.parent.name is "sq020"').one()
    step('loaded through the writer', lambda: (
        task['name'], task['parent']['name'], dict(task['parent'][
            'metadata']) if 'metadata' in task['parent'].keys() else None))
    task_id = task['id']
    writer.close()

    reader = scenario.connect(cache=file_cache)
    reader_calls = []
    original_reader_call = reader.call

    def counting_reader_call(data):
        reader_calls.append([operation.get('action') for operation in data])
        return original_reader_call(data)
    reader.call = counting_reader_call
    cached_task = step('a new session gets the entity from the file',
                       lambda: reader.get('Task', task_id))
    step('values come from the file without requests', lambda: (
        cached_task['name'], recorder.describe(cached_task['bid']),
        cached_task['parent']['name'], cached_task['status']['name'],
        list(reader_calls)))
    step('file cache keys', lambda: sorted(
        key for key in reader.cache.caches[1].keys()))
    step('state of the entity read from the file', lambda: state(
        cached_task))
    reader.close()

    # The cache module's building blocks.
    memory = ftrack_api.cache.MemoryCache()
    step('memory cache set and get', lambda: (
        memory.set('a', 1), memory.get('a'), memory.keys()))
    error('memory cache get of a missing key', lambda: memory.get('b'))
    error('memory cache remove of a missing key', lambda: memory.remove('b'))
    step('memory cache clear with a pattern', lambda: (
        memory.set('apple', 1), memory.set('banana', 2),
        memory.clear(pattern='an'), sorted(memory.keys())))
    top = ftrack_api.cache.MemoryCache()
    bottom = ftrack_api.cache.MemoryCache()
    layered = ftrack_api.cache.LayeredCache([top, bottom])
    bottom.set('low', 'value')
    step('layered cache back-fills the layers above', lambda: (
        layered.get('low'), sorted(top.keys())))
    step('layered cache set writes every layer', lambda: (
        layered.set('both', 1), sorted(top.keys()), sorted(bottom.keys())))
    step('layered cache keys', lambda: sorted(layered.keys()))
    step('layered cache remove', lambda: (
        layered.remove('both'), sorted(layered.keys())))
    error('layered cache remove of a missing key', lambda: layered.remove(
        'nothing'))
    proxy = ftrack_api.cache.ProxyCache(memory)
    step('proxy cache', lambda: (
        proxy.set('p', 2), proxy.get('p'), proxy.proxied is memory))
    serialised = ftrack_api.cache.SerialisedCache(
        ftrack_api.cache.MemoryCache(), encode=lambda value: 'E' + value,
        decode=lambda value: value[1:])
    step('serialised cache', lambda: (
        serialised.set('s', 'text'), serialised.proxied.get('s'),
        serialised.get('s')))
    plain_file = ftrack_api.cache.FileCache(
        os.path.join(scenario.workdir, 'plain.dbm'))
    step('file cache', lambda: (
        plain_file.set('k', 'v'), plain_file.get('k'),
        sorted(plain_file.keys())))
    error('file cache of a non-text value', lambda: plain_file.set('n', 5))
    error('file cache get of a missing key', lambda: plain_file.get('none'))
    step('string key maker', lambda: ftrack_api.cache.StringKeyMaker().key(
        'a', 1, ('b', [2])))
    maker = ftrack_api.cache.ObjectKeyMaker()
    step('object key maker', lambda: [
        maker.key({}), maker.key('text'), maker.key(1), maker.key([1, 'a']),
        maker.key({'b': 1, 'a': [2]}), maker.key(recorder.describe),
        maker.key(len), maker.key(ftrack_api.cache.MemoryCache),
        maker.key(memory.get), maker.key(None, True)])

    counter = []

    def add(first, second=2):
        counter.append((first, second))
        return [first + second]
    memoiser = ftrack_api.cache.Memoiser()
    step('memoiser shares results between call styles', lambda: (
        memoiser.call(add, args=(1,)), memoiser.call(add, args=(1, 2)),
        memoiser.call(add, kw={'first': 1}), list(counter)))
    step('memoiser returns copies', lambda: (
        memoiser.call(add, args=(1,)) is memoiser.call(add, args=(1,))))
    error('cache base class keys', lambda: ftrack_api.cache.ProxyCache(
        ftrack_api.cache.Cache.__new__(
            type('Bare', (ftrack_api.cache.Cache,), {
                'get': lambda self, key: None,
                'set': lambda self, key, value: None,
                'remove': lambda self, key: None}))).keys())

    # The cache argument: a cache, or a callable returning one (or None).
    step('a cache instance as the second layer', lambda: [
        type(layer).__name__ for layer in scenario.connect(
            cache=ftrack_api.cache.MemoryCache()).cache.caches])
    step('a callable returning None adds no layer', lambda: [
        type(layer).__name__ for layer in scenario.connect(
            cache=lambda owner: None).cache.caches])

    # A session with another key maker.
    keyed = scenario.connect(cache_key_maker=ftrack_api.cache.ObjectKeyMaker())
    keyed_shot = keyed.query('Shot where name is "sh030"').one()
    step('object key maker in a session', lambda: (
        keyed.get('Shot', keyed_shot['id']) is keyed_shot,
        sorted(type(key).__name__ for key in keyed.cache.keys())[:1]))
    doomed = keyed.create('Sequence', {'id': fixed_id(2), 'name': 'x'})
    keyed.rollback()
    step('rollback with another key maker leaves created entities cached',
         lambda: keyed.get('Sequence', fixed_id(2)) is doomed)


if __name__ == '__main__':
    recorder.run(main)
