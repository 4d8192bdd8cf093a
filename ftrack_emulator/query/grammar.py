"""Parse ftrack query expressions into :mod:`ftrack_emulator.query.ast`.

The grammar knows nothing about the schema: it accepts any attribute path
and any type name, and leaves resolution and value coercion to the
compiler. Clients repeat the same expressions all the time (paging, populate,
``session.get``), so parsed queries are kept in an LRU cache; the nodes are
frozen dataclasses, which makes sharing them safe.
"""

import functools
import re
import threading

import pyparsing as pp

from ftrack_emulator.errors import QueryError
from ftrack_emulator.query import ast

__all__ = ['parse', 'parse_criteria', 'AGGREGATE_FUNCTIONS']

#: Functions accepted in ``select`` projections.
AGGREGATE_FUNCTIONS = ('count', 'sum', 'avg', 'min', 'max')

#: Operator spellings and the normalised form the AST carries.
_OPERATOR_ALIASES = {
    'is': '=', '=': '=',
    'is_not': '!=', '!=': '!=',
    '>': '>', 'after': '>', 'greater_than': '>',
    '<': '<', 'before': '<', 'less_than': '<',
    '>=': '>=', '<=': '<=',
    'like': 'like', 'not_like': 'not_like',
}


#: Every operator a condition may use, as listed in error messages.
_OPERATOR_WORDS = tuple(_OPERATOR_ALIASES) + (
    'in', 'not_in', 'has', 'any',
)
_KEYWORD_IN_ERROR = re.compile(r"(?:Caseless)?Keyword '(\w+)'")

_IDENTIFIER = r'[A-Za-z_][A-Za-z0-9_]*'
_NUMBER = re.compile(r'-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$')
_SPECIAL_WORDS = {'true': True, 'false': False, 'none': None, 'null': None}
_ESCAPE = re.compile(r'\\(.)', re.DOTALL)


def _comma_list(element):
    """One or more *element* separated by commas (``DelimitedList`` only
    exists from pyparsing 3.1)."""
    return element + pp.ZeroOrMore(pp.Suppress(',') + element)


def _keyword(word):
    return pp.CaselessKeyword(word)


def _literal_from_quoted(tokens):
    raw = tokens[0]
    return ast.Literal(_ESCAPE.sub(r'\1', raw[1:-1]), True, raw)


def _literal_from_bare(tokens):
    raw = tokens[0]
    lowered = raw.lower()
    if lowered in _SPECIAL_WORDS:
        return ast.Literal(_SPECIAL_WORDS[lowered], False, raw)
    if _NUMBER.match(raw):
        if re.match(r'-?\d+$', raw):
            return ast.Literal(int(raw), False, raw)
        return ast.Literal(float(raw), False, raw)
    return ast.Literal(raw, False, raw)


def _path(tokens):
    return ast.Path(tuple(tokens[0].split('.')))


def _comparison_tail(tokens):
    operator, value = tokens
    return lambda path: ast.Comparison(
        path, _OPERATOR_ALIASES[operator.lower()], value
    )


def _membership_tail(tokens):
    operator = tokens[0].lower()
    rest = list(tokens[1:])
    if len(rest) == 1 and isinstance(rest[0], ast.Query):
        value = rest[0]
    else:
        value = tuple(rest)
    return lambda path: ast.Comparison(path, operator, value)


def _has_tail(tokens):
    criteria = tokens[1]
    return lambda path: ast.Has(path, criteria)


def _any_tail(tokens):
    criteria = tokens[1] if len(tokens) > 1 else None
    return lambda path: ast.AnyOf(path, criteria)


def _condition(tokens):
    path, build = tokens
    return build(path)


def _not(tokens):
    return ast.Not(tokens[1])


def _chain(node_class):
    def build(tokens):
        items = [token for token in tokens if not isinstance(token, str)]
        if len(items) == 1:
            return items[0]
        return node_class(tuple(items))
    return build


def _aggregate(tokens):
    function = tokens[0].lower()
    path = tokens[1] if len(tokens) > 1 else None
    return ast.Aggregate(function, path)


def _order_item(tokens):
    direction = tokens[1].lower() if len(tokens) > 1 else 'asc'
    return ast.OrderBy(tokens[0], direction.startswith('desc'))


class _Clause:
    """A tagged tail clause (order by, group by, offset, limit)."""

    __slots__ = ('name', 'value', 'location')

    def __init__(self, name, value, location):
        self.name = name
        self.value = value
        self.location = location


def _clause(name, many=False):
    def build(source, location, tokens):
        value = tuple(tokens) if many else tokens[0]
        return _Clause(name, value, location)
    return build


class _Select:
    __slots__ = ('projections',)

    def __init__(self, projections):
        self.projections = projections


class _Where:
    __slots__ = ('criteria',)

    def __init__(self, criteria):
        self.criteria = criteria


def _query(source, location, tokens):
    tokens = list(tokens)
    projections = None
    if tokens and isinstance(tokens[0], _Select):
        projections = tokens.pop(0).projections
    entity_type = tokens.pop(0)
    where = None
    if tokens and isinstance(tokens[0], _Where):
        where = tokens.pop(0).criteria
    clauses = {}
    for clause in tokens:
        if clause.name in clauses:
            raise pp.ParseFatalException(
                source, clause.location,
                'Duplicate "{0}" clause'.format(clause.name.replace('_', ' '))
            )
        clauses[clause.name] = clause.value
    return ast.Query(
        entity_type=entity_type,
        projections=projections,
        where=where,
        order_by=clauses.get('order_by', ()),
        group_by=clauses.get('group_by', ()),
        offset=clauses.get('offset'),
        limit=clauses.get('limit'),
    )


def _build_grammar():
    lpar = pp.Suppress('(').set_name('"("')
    rpar = pp.Suppress(')').set_name('")"')

    # Keywords are only excluded where they would be ambiguous: attributes
    # and types may be called "group", "Group" or "order".
    path = pp.Regex(
        r'{0}(?:\.{0})*'.format(_IDENTIFIER)
    ).set_name('attribute').set_parse_action(_path)
    condition_path = (~_keyword('not') + path).set_name('attribute')
    # "from" is also an attribute (TypedContextLink.from): a projection is
    # always followed by a comma or by the "from" ending the list.
    projection_path = (
        path + pp.FollowedBy(pp.Literal(',') | _keyword('from'))
    ).set_name('attribute')
    type_name = pp.Regex(_IDENTIFIER).set_name('entity type')

    quoted = pp.Regex(
        r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', re.DOTALL
    ).set_parse_action(_literal_from_quoted)
    bare = pp.Regex(r'[^\s(),\'"]+').set_parse_action(_literal_from_bare)
    value = (quoted | bare).set_name('value')

    operator = pp.MatchFirst(
        [pp.Literal(symbol) for symbol in ('!=', '>=', '<=', '=', '>', '<')]
        + [_keyword(word) for word in (
            'is_not', 'is', 'after', 'before', 'greater_than', 'less_than',
            'not_like', 'like',
        )]
    ).set_name('operator')

    subquery = pp.Forward().set_name('sub-query')
    criteria = pp.Forward().set_name('criteria')

    membership_tail = (
        (_keyword('not_in') | _keyword('in')) - lpar
        + (subquery | pp.Optional(_comma_list(value))) + rpar
    )
    has_tail = _keyword('has') - lpar + criteria + rpar
    any_tail = _keyword('any') - lpar + pp.Optional(criteria) + rpar
    comparison_tail = operator - value
    condition = (
        condition_path - (
            membership_tail.set_parse_action(_membership_tail)
            | has_tail.set_parse_action(_has_tail)
            | any_tail.set_parse_action(_any_tail)
            | comparison_tail.set_parse_action(_comparison_tail)
        ).set_name('operator')
    ).set_name('condition').set_parse_action(_condition)

    negation = pp.Forward()
    atom = (lpar + criteria + rpar) | condition
    negation <<= (
        (_keyword('not') - negation).set_parse_action(_not) | atom
    ).set_name('criteria')
    conjunction = (
        negation + pp.ZeroOrMore(_keyword('and') - negation)
    ).set_parse_action(_chain(ast.And))
    criteria <<= (
        conjunction + pp.ZeroOrMore(_keyword('or') - conjunction)
    ).set_parse_action(_chain(ast.Or))

    aggregate = (
        pp.MatchFirst(
            [_keyword(name) for name in AGGREGATE_FUNCTIONS]
        ).set_name('projection')
        + lpar + pp.Optional(path) + rpar
    ).set_name('projection').set_parse_action(_aggregate)
    projection = (aggregate | projection_path).set_name('projection')
    select = (
        pp.Suppress(_keyword('select'))
        - _comma_list(projection).set_name('projection')
        - pp.Suppress(_keyword('from').set_name('"from"'))
    ).set_parse_action(lambda tokens: _Select(tuple(tokens)))
    where = (pp.Suppress(_keyword('where')) - criteria).set_parse_action(
        lambda tokens: _Where(tokens[0])
    )

    direction = (
        _keyword('ascending') | _keyword('asc')
        | _keyword('descending') | _keyword('desc')
    )
    order_item = (path + pp.Optional(direction)).set_parse_action(_order_item)
    integer = pp.Regex(r'\d+').set_name('integer').set_parse_action(
        lambda tokens: int(tokens[0])
    )
    order_by = (
        pp.Suppress(_keyword('order') - _keyword('by').set_name('"by"'))
        - _comma_list(order_item)
    ).set_parse_action(_clause('order_by', many=True))
    group_by = (
        pp.Suppress(_keyword('group') - _keyword('by').set_name('"by"'))
        - _comma_list(path)
    ).set_parse_action(_clause('group_by', many=True))
    offset = (pp.Suppress(_keyword('offset')) - integer).set_parse_action(
        _clause('offset')
    )
    limit = (pp.Suppress(_keyword('limit')) - integer).set_parse_action(
        _clause('limit')
    )
    tail = order_by | group_by | offset | limit

    rest = pp.Optional(where) + pp.ZeroOrMore(tail)
    query = (
        ((select - type_name) | type_name) + rest
    ).set_parse_action(_query)
    subquery <<= (select - type_name + rest).set_parse_action(_query)
    return (query + pp.StringEnd()), (criteria + pp.StringEnd())


_QUERY, _CRITERIA = _build_grammar()
_LOCK = threading.Lock()


def _check_parentheses(expression):
    """Report unbalanced parentheses (outside quotes) before parsing: the
    parser's own message for them points somewhere unhelpful."""
    depth = 0
    quote = None
    escaped = False
    opened = []
    for position, character in enumerate(expression):
        if quote:
            if escaped:
                escaped = False
            elif character == '\\':
                escaped = True
            elif character == quote:
                quote = None
            continue
        if character in '"\'':
            quote = character
        elif character == '(':
            depth += 1
            opened.append(position)
        elif character == ')':
            if depth == 0:
                raise QueryError(
                    'Unbalanced parentheses in query expression {0!r}: '
                    'unexpected ")" at position {1}.'.format(
                        expression, position
                    )
                )
            depth -= 1
            opened.pop()
    if quote:
        raise QueryError(
            'Unterminated quoted value in query expression {0!r}.'.format(
                expression
            )
        )
    if depth:
        raise QueryError(
            'Unbalanced parentheses in query expression {0!r}: "(" at '
            'position {1} is never closed.'.format(expression, opened[-1])
        )


def _run(grammar, expression):
    if not isinstance(expression, str):
        raise QueryError(
            'Query expression must be a string, got {0!r}.'.format(expression)
        )
    if not expression.strip():
        raise QueryError('Query expression is empty.')
    _check_parentheses(expression)
    try:
        with _LOCK:
            return grammar.parse_string(expression, parse_all=True)[0]
    except pp.ParseBaseException as error:
        position = error.loc
        found = expression[position:position + 20]
        detail = error.msg
        if detail.startswith('Expected '):
            detail = 'expected ' + detail[len('Expected '):]
        keyword = _KEYWORD_IN_ERROR.search(detail)
        if keyword is not None:
            # pyparsing names the last alternative it tried ("expected
            # CaselessKeyword 'is', was immediately followed by keyword
            # character"); say what the position allows instead.
            if keyword.group(1).lower() in _OPERATOR_WORDS:
                detail = 'expected an operator ({0})'.format(
                    ', '.join(_OPERATOR_WORDS)
                )
                # Point at the whole misspelt word, not at its tail.
                while position and (
                    expression[position - 1].isalnum()
                    or expression[position - 1] == '_'
                ):
                    position -= 1
                found = expression[position:position + 20]
            else:
                detail = 'expected "{0}"'.format(keyword.group(1))
        if detail == 'expected end of text':
            detail = (
                'expected "where", "order by", "group by", "offset", '
                '"limit" or the end of the expression'
            )
        raise QueryError(
            'Failed to parse query expression {0!r} at position {1} '
            '(near {2!r}): {3}.'.format(
                expression, position, found or '<end>', detail
            )
        ) from None


@functools.lru_cache(maxsize=2048)
def parse(expression):
    """Return the :class:`~ftrack_emulator.query.ast.Query` for
    *expression*, or raise :class:`~ftrack_emulator.errors.QueryError`
    naming where parsing failed."""
    return _run(_QUERY, expression)


@functools.lru_cache(maxsize=256)
def parse_criteria(expression):
    """Parse a bare criteria expression (what follows ``where``)."""
    return _run(_CRITERIA, expression)
