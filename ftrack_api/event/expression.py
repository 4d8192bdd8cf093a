"""The expression language that selects events.

Subscriptions (``topic=ftrack.update and data.user.name="jane"``) and event
targets are written in it. An expression is a list of conditions
``key<operator>value`` joined with ``and``, ``or`` and ``not`` (binding in
that order: ``not`` tightest, then ``and``, then ``or``) and grouped with
parentheses. Keys are dotted paths into the candidate mapping; values are
always strings, quoted or not.

Parsing is done once per distinct expression text and remembered, because
the same few subscriptions are parsed again and again; each call still gets
its own, new expression objects.
"""

import functools
import threading
from operator import eq, ge, gt, le, lt, ne

import pyparsing
from pyparsing import alphanums

import ftrack_api.exception

#: The pyparsing element for a single or double quoted string, as the module
#: has always exposed it. The grammar below works on its own copy.
quotedString = pyparsing.quoted_string

#: How each comparison operator is written in an expression.
_OPERATOR_SYMBOLS = {eq: '=', ne: '!=', ge: '>=', le: '<=', gt: '>', lt: '<'}

#: The operator function behind each written comparison.
_SYMBOL_OPERATORS = {
    symbol: function for function, symbol in _OPERATOR_SYMBOLS.items()
}

#: Ending an ``=`` value with this makes the condition a substring test.
_WILDCARD = '*'

#: How many distinct expression texts keep their parse remembered.
_CACHE_SIZE = 4096


class Expression:
    """An expression that every candidate matches.

    The base of the expression tree; also what an empty subscription means.
    """

    def __str__(self):
        return '<{0}>'.format(type(self).__name__)

    def match(self, candidate):
        """Return whether *candidate* satisfies this expression."""
        return True


class All(Expression):
    """Match when every one of *expressions* matches (so, when empty)."""

    def __init__(self, expressions=None):
        super().__init__()
        if expressions is None:
            expressions = []
        self._expressions = expressions

    def __str__(self):
        return '<{0} [{1}]>'.format(
            type(self).__name__,
            ' '.join(str(expression) for expression in self._expressions),
        )

    def match(self, candidate):
        """Return whether all sub-expressions match *candidate*.

        Every sub-expression is evaluated, even after the outcome is known,
        so that one which cannot compare (and raises) always does.
        """
        return all([
            expression.match(candidate) for expression in self._expressions
        ])


class Any(Expression):
    """Match when at least one of *expressions* matches (never when empty)."""

    def __init__(self, expressions=None):
        super().__init__()
        if expressions is None:
            expressions = []
        self._expressions = expressions

    def __str__(self):
        return '<{0} [{1}]>'.format(
            type(self).__name__,
            ' '.join(str(expression) for expression in self._expressions),
        )

    def match(self, candidate):
        """Return whether any sub-expression matches *candidate*.

        As with :class:`All`, every sub-expression is evaluated.
        """
        return any([
            expression.match(candidate) for expression in self._expressions
        ])


class Not(Expression):
    """Match when *expression* does not."""

    def __init__(self, expression):
        super().__init__()
        self._expression = expression

    def __str__(self):
        return '<{0} {1}>'.format(type(self).__name__, self._expression)

    def match(self, candidate):
        """Return the opposite of the wrapped expression's verdict."""
        return not self._expression.match(candidate)


class Condition(Expression):
    """Compare the value found at *key* in a candidate with *value*.

    *key* is a dotted path (``data.user.name``) walked through nested
    mappings; a candidate missing any step of it does not match. *operator*
    is a two-argument function such as :func:`operator.eq`, called as
    ``operator(candidate_value, value)``. An equality test whose *value*
    ends with ``*`` instead checks that *value* without the star occurs
    anywhere in the candidate's value.
    """

    def __init__(self, key, operator, value):
        super().__init__()
        self._key = key
        self._operator = operator
        self._value = value
        # Work done once here rather than for every candidate.
        self._path = key.split('.') if isinstance(key, str) else None
        self._is_wildcard_test = (
            operator is eq and isinstance(value, str)
            and value[-1:] == _WILDCARD
        )
        # ``=""`` looks at the last character of an empty string, which
        # fails; that failure is part of the observed behaviour.
        self._is_empty_test = operator is eq and value == ''

    def __str__(self):
        symbol = _OPERATOR_SYMBOLS.get(self._operator, self._operator)
        return '<{0} {1}{2}{3}>'.format(
            type(self).__name__, self._key, symbol, self._value
        )

    def match(self, candidate):
        """Return whether *candidate* satisfies the comparison.

        Raise :exc:`TypeError` when the found value cannot be compared with
        the (string) value, as with ``>`` against a number.
        """
        path = self._path
        if path is None:
            path = self._key.split('.')

        found = candidate
        try:
            for part in path:
                found = found[part]
        except (KeyError, TypeError):
            return False

        if self._is_wildcard_test:
            return self._value[:-1] in found
        if self._is_empty_test:
            raise IndexError('string index out of range')
        return self._operator(found, self._value)


def _grammar():
    """Return the pyparsing grammar that turns text into a recipe.

    Written as one rule per precedence level (``or`` over ``and`` over
    ``not`` over a condition or a parenthesised expression) rather than with
    ``infix_notation``: the result is the same and parses without
    look-ahead, which keeps it fast.
    """
    key = pyparsing.Word(alphanums + '_.').set_name('key')
    operator = pyparsing.one_of(list(_SYMBOL_OPERATORS)).set_name('operator')
    quoted = quotedString.copy().set_name('quoted value')
    quoted.set_parse_action(pyparsing.remove_quotes)
    value = (
        pyparsing.Word(alphanums + '-_,./*@+') | quoted
    ).set_name('value')
    condition = (key + operator + value).set_name('condition')
    condition.set_parse_action(lambda tokens: [('condition',) + tuple(tokens)])

    def keyword(word):
        return pyparsing.Suppress(pyparsing.CaselessKeyword(word))

    def combine(kind):
        def action(tokens):
            if len(tokens) == 1:
                return [tokens[0]]
            return [(kind, tuple(tokens))]
        return action

    expression = pyparsing.Forward().set_name('expression')
    group = pyparsing.Suppress('(') + expression + pyparsing.Suppress(')')
    negation = pyparsing.Forward()
    negation <<= (
        (keyword('not') + negation).set_parse_action(
            lambda tokens: [('not', tokens[0])]
        )
        | condition
        | group
    ).set_name('expression')
    conjunction = negation + pyparsing.ZeroOrMore(keyword('and') + negation)
    conjunction.set_parse_action(combine('all'))
    disjunction = conjunction + pyparsing.ZeroOrMore(
        keyword('or') + conjunction
    )
    disjunction.set_parse_action(combine('any'))
    expression <<= disjunction
    return expression


_GRAMMAR = _grammar()

# pyparsing elements are not guaranteed safe to run from several threads at
# once (the event hub parses in its own thread).
_GRAMMAR_LOCK = threading.Lock()


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _recipe(expression):
    """Return the nested tuples describing *expression*, or raise.

    The recipe, not the built expression, is what is remembered: building
    from it is cheap and gives every caller objects of its own.
    """
    with _GRAMMAR_LOCK:
        return _GRAMMAR.parse_string(expression, parse_all=True)[0]


def _build(recipe):
    """Turn a recipe from :func:`_recipe` into expression objects."""
    kind = recipe[0]
    if kind == 'condition':
        _, key, symbol, value = recipe
        return Condition(key, _SYMBOL_OPERATORS[symbol], value)
    if kind == 'not':
        return Not(_build(recipe[1]))
    if kind == 'all':
        return All([_build(part) for part in recipe[1]])
    return Any([_build(part) for part in recipe[1]])


def _describe(error):
    """Return a one-line account of a pyparsing failure.

    Only the first character of what was found is quoted, as older pyparsing
    releases did, so that messages read the same across versions.
    """
    if not isinstance(error, pyparsing.ParseBaseException):
        return str(error)
    text = error.pstr
    location = error.loc
    if location >= len(text):
        found = 'end of text'
    else:
        found = repr(text[location])
    return '{0}, found {1}  (at char {2}), (line:{3}, col:{4})'.format(
        error.msg, found, location, error.lineno, error.column
    )


class Parser:
    """Turn expression text into :class:`Expression` objects."""

    def __init__(self):
        super().__init__()
        self._operators = dict(_SYMBOL_OPERATORS)
        self._parser = _GRAMMAR

    def parse(self, expression):
        """Return the :class:`Expression` that *expression* describes.

        Surrounding whitespace is ignored. Raise
        :exc:`ftrack_api.exception.ParseError` when the text is not a valid
        expression.
        """
        expression = expression.strip()
        if not expression:
            # The reference implementation fails this way on empty text;
            # scripts that guard against it expect this exception.
            raise AttributeError(
                "'NoneType' object has no attribute 'getName'"
            )

        try:
            recipe = _recipe(expression)
        except Exception as error:
            text = 'Failed to parse: {0}. {1}'.format(
                expression, _describe(error)
            )
            # The error's text is a format template: keep braces literal.
            raise ftrack_api.exception.ParseError(
                text.replace('{', '{{').replace('}', '}}')
            )
        return _build(recipe)
