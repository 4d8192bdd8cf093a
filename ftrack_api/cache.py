"""Caches, cache key makers and memoisation.

The session keeps every entity it knows in a cache (by default a
:class:`LayeredCache` whose top layer is a :class:`MemoryCache`); a
persistent layer such as a :class:`SerialisedCache` over a
:class:`FileCache` lets entities survive between sessions. Keys are built
by a :class:`KeyMaker`.
"""

import abc
import collections.abc
import contextlib
import copy
import dbm
import functools
import inspect
import operator
import pickle
import re


class Cache(metaclass=abc.ABCMeta):
    """The interface every cache offers.

    Subclasses provide :meth:`get`, :meth:`set` and :meth:`remove`, and
    :meth:`keys` when they can list what they hold; :meth:`values` and
    :meth:`clear` are built on those.
    """

    @abc.abstractmethod
    def get(self, key):
        """Return the value stored under *key*.

        Raises :class:`KeyError` when there is none.
        """

    @abc.abstractmethod
    def set(self, key, value):
        """Store *value* under *key*, replacing any previous value."""

    @abc.abstractmethod
    def remove(self, key):
        """Forget *key*.

        Raises :class:`KeyError` when there is no such key.
        """

    def keys(self):
        """Return a list of the keys held (unsupported unless overridden)."""
        raise NotImplementedError()

    def values(self):
        """Return a list of the values held.

        Keys that disappear while the values are collected (another thread
        or process removing them) are skipped.
        """
        values = []
        for key in self.keys():
            try:
                values.append(self.get(key))
            except KeyError:
                continue
        return values

    def clear(self, pattern=None):
        """Remove every key, or only the keys *pattern* matches.

        *pattern* is a regular expression looked for anywhere in each key
        (:func:`re.search`). Keys that disappear meanwhile are ignored.
        """
        matches = None if pattern is None else re.compile(pattern).search
        for key in self.keys():
            if matches is None or matches(key) is not None:
                with contextlib.suppress(KeyError):
                    self.remove(key)


class ProxyCache(Cache):
    """Pass every call through to the cache in :attr:`proxied`.

    A base for caches that change how values travel (see
    :class:`SerialisedCache`) rather than where they are kept.
    """

    def __init__(self, proxied):
        super().__init__()
        self.proxied = proxied

    def get(self, key):
        """Return the proxied cache's value for *key*."""
        return self.proxied.get(key)

    def set(self, key, value):
        """Store *value* under *key* in the proxied cache."""
        self.proxied.set(key, value)

    def remove(self, key):
        """Remove *key* from the proxied cache."""
        self.proxied.remove(key)

    def keys(self):
        """Return the proxied cache's keys."""
        return self.proxied.keys()


class LayeredCache(Cache):
    """Several caches consulted in order, fastest first.

    A value found in a lower layer is copied into the layers above it, so
    the next lookup is served from the top. :attr:`caches` is the list of
    layers, top first.
    """

    def __init__(self, caches):
        self.caches = caches
        super().__init__()

    def get(self, key):
        """Return the value for *key* from the first layer holding it.

        Layers above the one that had it are back-filled; layers below are
        left alone. Raises :class:`KeyError` if no layer has the key.
        """
        caches = self.caches
        for depth, cache in enumerate(caches):
            try:
                value = cache.get(key)
            except KeyError:
                continue
            if depth:
                for upper in caches[:depth]:
                    upper.set(key, value)
            return value
        raise KeyError(key)

    def set(self, key, value):
        """Store *value* under *key* in every layer."""
        for cache in self.caches:
            cache.set(key, value)

    def remove(self, key):
        """Remove *key* from every layer.

        Raises :class:`KeyError` only when no layer had it.
        """
        found = False
        for cache in self.caches:
            try:
                cache.remove(key)
            except KeyError:
                continue
            found = True
        if not found:
            raise KeyError(key)

    def keys(self):
        """Return the keys of all layers, each once, in first-seen order."""
        seen = {}
        for cache in self.caches:
            seen.update(dict.fromkeys(cache.keys()))
        return list(seen)


class MemoryCache(Cache):
    """A cache held in a dictionary in this process."""

    def __init__(self):
        self._cache = {}
        super().__init__()

    def get(self, key):
        """Return the value stored under *key*."""
        return self._cache[key]

    def set(self, key, value):
        """Store *value* under *key*."""
        self._cache[key] = value

    def remove(self, key):
        """Forget *key*."""
        del self._cache[key]

    def keys(self):
        """Return a list of the keys held."""
        return list(self._cache)


def _ascii_key(key):
    """Return *key* as the ASCII bytes a :class:`FileCache` stores."""
    if not isinstance(key, str):
        # The reference fails with AttributeError for non-str keys too.
        raise AttributeError(
            'FileCache keys must be str, not {0}.'.format(type(key).__name__)
        )
    try:
        return key.encode('ascii')
    except UnicodeEncodeError as error:
        raise UnicodeEncodeError(
            'ascii', key, error.start, error.end,
            'FileCache keys must be ASCII'
        ) from None


def _top_memory_store(cache):
    """Return the dictionary of the in-memory layer a lookup in *cache*
    tries first, or None when *cache* is arranged otherwise.

    The session's default cache is a layered cache with a memory cache on
    top: its hot paths read that dictionary directly, which answers a hit
    exactly as the layered lookup would, without the calls.
    """
    if type(cache) is not LayeredCache or not cache.caches:
        return None
    top = cache.caches[0]
    if type(top) is not MemoryCache:
        return None
    store = getattr(top, '_cache', None)
    return store if type(store) is dict else None


class FileCache(Cache):
    """A persistent cache in a :mod:`dbm` database at *path*.

    The database is created straight away and then opened and closed
    around every call, so it is never held open between calls. There is no
    locking: concurrent writers must coordinate. Keys must be ASCII strings;
    values must be :class:`str` or :class:`bytes` and are returned as
    UTF-8 decoded :class:`str`. Wrap it in a :class:`SerialisedCache` to
    store other values.
    """

    def __init__(self, path):
        self.path = path
        with self._database():
            pass
        super().__init__()

    def _database(self):
        return contextlib.closing(dbm.open(self.path, 'c'))

    def get(self, key):
        """Return the text stored under *key*."""
        encoded = _ascii_key(key)
        with self._database() as database:
            return database[encoded].decode('utf-8')

    def set(self, key, value):
        """Store *value* (:class:`str` or :class:`bytes`) under *key*."""
        encoded = _ascii_key(key)
        if isinstance(value, str):
            value = value.encode('utf-8')
        # Other values are refused by the dbm module itself, with its own
        # TypeError, as with the reference client.
        with self._database() as database:
            database[encoded] = value

    def remove(self, key):
        """Forget *key*."""
        encoded = _ascii_key(key)
        with self._database() as database:
            del database[encoded]

    def keys(self):
        """Return a list of the keys held."""
        with self._database() as database:
            return [key.decode('utf-8') for key in database.keys()]


class SerialisedCache(ProxyCache):
    """Convert values on their way to and from the proxied cache.

    *encode* is applied to values before they are stored and *decode* to
    values read back; either may be None to pass values through. Keys are
    never changed. With a session's ``encode``/``decode`` over a
    :class:`FileCache` this makes entities persist between sessions.
    """

    def __init__(self, proxied, encode=None, decode=None):
        super().__init__(proxied)
        self.encode = encode
        self.decode = decode

    def set(self, key, value):
        """Encode *value* and store it under *key*."""
        encode = self.encode
        self.proxied.set(key, encode(value) if encode else value)

    def get(self, key):
        """Return the decoded value stored under *key*."""
        decode = self.decode
        value = self.proxied.get(key)
        return decode(value) if decode else value


class KeyMaker(metaclass=abc.ABCMeta):
    """Build cache keys from any number of items.

    Each item becomes a key part through :meth:`_key`; the parts are joined
    with :attr:`item_separator`.
    """

    def __init__(self):
        super().__init__()
        self.item_separator = ''

    def key(self, *items):
        """Return the key for *items*."""
        return self.item_separator.join(map(self._key, items))

    @abc.abstractmethod
    def _key(self, item):
        """Return the key part for one *item*."""


class StringKeyMaker(KeyMaker):
    """Keys made of the items' :func:`str` forms, joined with nothing.

    Cheap, and good enough when the items' text forms are unambiguous, as
    entity identities (``('User', ['<id>'])``) are.
    """

    # str itself is the fastest possible key part maker.
    _key = staticmethod(str)


_by_mapping_key = operator.itemgetter(0)


class ObjectKeyMaker(KeyMaker):
    """Byte-string keys that are equal whenever the items are equal.

    Text and other plain values are pickled; mappings are encoded with
    their items sorted, so insertion order does not matter; other iterables
    element by element; functions, classes and methods by name and module,
    so a function's key stays the same for the life of its module.
    """

    def __init__(self):
        super().__init__()
        self.item_separator = b'\x00'
        self.mapping_identifier = b'\x01'
        self.mapping_pair_separator = b'\x02'
        self.iterable_identifier = b'\x03'
        self.name_identifier = b'\x04'

    def _key(self, item):
        """Return the bytes standing for *item*."""
        if isinstance(item, str):
            return pickle.dumps(item, protocol=2)

        if isinstance(item, collections.abc.Mapping):
            pair_separator = self.mapping_pair_separator
            pairs = [
                self._key(name) + pair_separator + self._key(value)
                for name, value in sorted(item.items(), key=_by_mapping_key)
            ]
            return b''.join((
                self.mapping_identifier,
                self.item_separator.join(pairs),
                self.mapping_identifier,
            ))

        if isinstance(item, collections.abc.Iterable):
            return b''.join((
                self.iterable_identifier,
                self.item_separator.join(map(self._key, item)),
                self.iterable_identifier,
            ))

        if inspect.ismethod(item):
            return self._named(
                item.__name__,
                item.__self__.__class__.__name__,
                item.__module__,
            )

        if inspect.isfunction(item) or inspect.isclass(item):
            return self._named(item.__name__, item.__module__)

        if inspect.isbuiltin(item):
            return self._named(item.__name__)

        return pickle.dumps(item, protocol=2)

    def _named(self, *names):
        # A missing __module__ (None) counts as an empty name.
        return self.name_identifier + self.item_separator.join(
            (name or '').encode('utf-8') for name in names
        )


class Memoiser(object):
    """Remember what functions returned for given arguments.

    Arguments are normalised against the function's signature first, so
    ``f(1)``, ``f(a=1)`` and ``f(1, b=2)`` (with ``b`` defaulting to 2)
    share one entry. Results are stored in *cache* (a :class:`MemoryCache`
    by default) under keys made by *key_maker* (an :class:`ObjectKeyMaker`
    by default). With *return_copies* every call returns a deep copy, so
    callers may change results without corrupting the cache. Exceptions
    are not remembered.
    """

    def __init__(self, cache=None, key_maker=None, return_copies=True):
        if cache is None:
            cache = MemoryCache()
        if key_maker is None:
            key_maker = ObjectKeyMaker()
        self.cache = cache
        self.key_maker = key_maker
        self.return_copies = return_copies
        super().__init__()

    def call(self, function, args=None, kw=None):
        """Return ``function(*args, **kw)``, computing it only once."""
        if not callable(function):
            raise TypeError(
                'Memoiser.call needs a callable, not {0!r}.'.format(function)
            )
        if args is None:
            args = ()
        elif not isinstance(args, collections.abc.Iterable):
            raise TypeError(
                'Memoiser.call args must be an iterable of positional '
                'arguments, not {0!r}.'.format(args)
            )
        if kw is None:
            kw = {}
        elif not isinstance(kw, collections.abc.Mapping):
            raise TypeError(
                'Memoiser.call kw must be a mapping of keyword arguments, '
                'not {0!r}.'.format(kw)
            )
        args = tuple(args)

        # Key on every argument by parameter name, defaults filled in.
        key = self.key_maker.key(
            function, inspect.getcallargs(function, *args, **kw)
        )
        cache = self.cache
        try:
            result = cache.get(key)
        except KeyError:
            result = function(*args, **kw)
            cache.set(key, result)
        return copy.deepcopy(result) if self.return_copies else result


def memoise_decorator(memoiser):
    """Return a decorator that memoises functions through *memoiser*."""

    def decorate(function):
        """Memoise *function* (see :class:`Memoiser`)."""

        def call_memoised(*args, **kw):
            return memoiser.call(function, args, kw)

        return functools.update_wrapper(call_memoised, function)

    return decorate


#: The process-wide memoiser behind :func:`memoise`.
memoiser = Memoiser()

#: Decorator memoising a function through the process-wide :data:`memoiser`.
memoise = memoise_decorator(memoiser)
