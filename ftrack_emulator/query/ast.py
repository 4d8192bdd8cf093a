"""The parsed form of an ftrack query expression.

The parser (``grammar.py``) produces these nodes and knows nothing about the
schema; the compiler (``compiler.py``) resolves attribute paths against the
schema and turns the nodes into SQL. Literal values stay as the parser read
them (``Literal.quoted`` tells ``"1"`` from ``1``) so that the compiler can
coerce them to the type of the attribute they are compared with.
"""

import dataclasses
import typing


@dataclasses.dataclass(frozen=True)
class Path:
    """A dotted attribute path, e.g. ``parent.status.name``."""

    parts: typing.Tuple[str, ...]

    def __str__(self):
        return '.'.join(self.parts)


@dataclasses.dataclass(frozen=True)
class Literal:
    """A value as written in the expression.

    ``value`` is ``str`` for quoted text and for bare words; ``int`` or
    ``float`` for bare numbers; ``True``/``False`` for bare ``true``/``false``
    (any case); ``None`` for bare ``none``/``null`` (any case).
    """

    value: typing.Any
    quoted: bool = False
    text: str = ''


@dataclasses.dataclass(frozen=True)
class Aggregate:
    """An aggregate projection such as ``count(id)``; ``path`` may be None
    for ``count()``."""

    function: str
    path: typing.Optional[Path]

    @property
    def result_key(self):
        """The key the result row uses, e.g. ``count_id``."""
        if self.path is None:
            return self.function
        return '{0}_{1}'.format(self.function, '_'.join(self.path.parts))


@dataclasses.dataclass(frozen=True)
class Comparison:
    """``path <operator> value``.

    ``operator`` is normalised to one of ``=``, ``!=``, ``>``, ``<``, ``>=``,
    ``<=``, ``like``, ``not_like``, ``in``, ``not_in``.
    ``value`` is a Literal, a tuple of Literals (``in``/``not_in`` lists) or a
    :class:`Query` (``in``/``not_in`` sub-queries).
    """

    path: Path
    operator: str
    value: typing.Any


@dataclasses.dataclass(frozen=True)
class Has:
    """``path has (criteria)``: the referenced entity matches *criteria*."""

    path: Path
    criteria: typing.Any


@dataclasses.dataclass(frozen=True)
class AnyOf:
    """``path any (criteria)``: some item of the collection matches.

    ``criteria`` is None for ``path any ()`` (the collection is not empty).
    """

    path: Path
    criteria: typing.Any


@dataclasses.dataclass(frozen=True)
class And:
    items: typing.Tuple[typing.Any, ...]


@dataclasses.dataclass(frozen=True)
class Or:
    items: typing.Tuple[typing.Any, ...]


@dataclasses.dataclass(frozen=True)
class Not:
    item: typing.Any


@dataclasses.dataclass(frozen=True)
class OrderBy:
    path: Path
    descending: bool = False


@dataclasses.dataclass(frozen=True)
class Query:
    """A whole expression.

    ``projections`` is None when the expression has no ``select`` part
    (``Task where ...``), else a tuple of Path and Aggregate.
    """

    entity_type: str
    projections: typing.Optional[typing.Tuple[typing.Any, ...]] = None
    where: typing.Any = None
    order_by: typing.Tuple[OrderBy, ...] = ()
    group_by: typing.Tuple[Path, ...] = ()
    offset: typing.Optional[int] = None
    limit: typing.Optional[int] = None
