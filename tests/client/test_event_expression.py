"""ftrack_api.event.expression: the event expression language."""

import operator
import threading

import pytest

import ftrack_api.exception
from ftrack_api.event import expression as expression_module
from ftrack_api.event.base import Event
from ftrack_api.event.expression import (
    All, Any, Condition, Expression, Not, Parser,
)


@pytest.fixture
def parse():
    return Parser().parse


# -- module constants ---------------------------------------------------------

def test_module_constants():
    assert expression_module.alphanums == (
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    )
    assert (expression_module.eq, expression_module.ne) == (
        operator.eq, operator.ne
    )
    assert (expression_module.gt, expression_module.ge) == (
        operator.gt, operator.ge
    )
    assert (expression_module.lt, expression_module.le) == (
        operator.lt, operator.le
    )
    quoted = expression_module.quotedString
    assert list(quoted.parse_string('"a b"')) == ['"a b"']


def test_grammar_leaves_the_shared_quoted_string_element_untouched(parse):
    parse('a="x"')
    # Quotes are only removed on the parser's own copy.
    assert list(expression_module.quotedString.parse_string("'q'")) == ["'q'"]


# -- parsing: structure -------------------------------------------------------

@pytest.mark.parametrize('text, expected', [
    ('topic=foo', '<Condition topic=foo>'),
    ('topic="foo bar"', '<Condition topic=foo bar>'),
    ("topic='x'", '<Condition topic=x>'),
    ('a = b', '<Condition a=b>'),
    ('  a=b  ', '<Condition a=b>'),
    ('a.b.c=1', '<Condition a.b.c=1>'),
    ('a>=1', '<Condition a>=1>'),
    ('a<=1', '<Condition a<=1>'),
    ('a>1', '<Condition a>1>'),
    ('a<1', '<Condition a<1>'),
    ('a!=x', '<Condition a!=x>'),
    ('a=*', '<Condition a=*>'),
    ('a=-_,./*@+', '<Condition a=-_,./*@+>'),
    ('a="é ü"', '<Condition a=é ü>'),
    ('a=""', '<Condition a=>'),
    ('a="b\'c"', "<Condition a=b'c>"),
    ('a="x\\"y"', '<Condition a=x\\"y>'),  # escapes are kept as written
    ('1a=b', '<Condition 1a=b>'),
    ('_a=b', '<Condition _a=b>'),
    ('.a=b', '<Condition .a=b>'),
    ('nota=b', '<Condition nota=b>'),
    ('and=b', '<Condition and=b>'),
    ('not=b', '<Condition not=b>'),
    ('a=and', '<Condition a=and>'),
    ('a=not', '<Condition a=not>'),
    ('(a=b)', '<Condition a=b>'),
    ('((a=b))', '<Condition a=b>'),
    ('a=b and c=d', '<All [<Condition a=b> <Condition c=d>]>'),
    ('a=b and c=d and e=f',
     '<All [<Condition a=b> <Condition c=d> <Condition e=f>]>'),
    ('a=b or c=d or e=f',
     '<Any [<Condition a=b> <Condition c=d> <Condition e=f>]>'),
    ('not a=b', '<Not <Condition a=b>>'),
    ('not not a=b', '<Not <Not <Condition a=b>>>'),
    ('not(a=b)', '<Not <Condition a=b>>'),
    ('not.a=b', '<Not <Condition .a=b>>'),
    ('not not=c', '<Not <Condition not=c>>'),
    ('a=b and and=c', '<All [<Condition a=b> <Condition and=c>]>'),
    ('(a=b)and(c=d)', '<All [<Condition a=b> <Condition c=d>]>'),
    ('a=b\nand\tc=d', '<All [<Condition a=b> <Condition c=d>]>'),
])
def test_parse_structure(parse, text, expected):
    assert str(parse(text)) == expected


@pytest.mark.parametrize('text, kind', [
    ('A=b AND c=d', All), ('a=b And c=d', All), ('a=b AnD c=d', All),
    ('a=b OR c=d', Any), ('a=b Or c=d', Any), ('NOT a=b', Not),
    ('nOt a=b', Not),
])
def test_keywords_are_case_insensitive(parse, text, kind):
    assert type(parse(text)) is kind


def test_values_keep_their_case(parse):
    assert str(parse('a=B')) == '<Condition a=B>'


def test_precedence_not_then_and_then_or(parse):
    assert str(parse('a=b or c=d and e=f')) == (
        '<Any [<Condition a=b> <All [<Condition c=d> <Condition e=f>]>]>'
    )
    assert str(parse('a=b and c=d or e=f and g=h')) == (
        '<Any [<All [<Condition a=b> <Condition c=d>]> '
        '<All [<Condition e=f> <Condition g=h>]>]>'
    )
    assert str(parse('not a=b and c=d')) == (
        '<All [<Not <Condition a=b>> <Condition c=d>]>'
    )
    assert str(parse('not a=b or c=d')) == (
        '<Any [<Not <Condition a=b>> <Condition c=d>]>'
    )


def test_parentheses_group(parse):
    assert str(parse('not (a=b or c=d)')) == (
        '<Not <Any [<Condition a=b> <Condition c=d>]>>'
    )
    assert str(parse('(a=b) and (c=d or e=f)')) == (
        '<All [<Condition a=b> <Any [<Condition c=d> <Condition e=f>]>]>'
    )
    assert str(parse('(a=b or c=d) or e=f')) == (
        '<Any [<Any [<Condition a=b> <Condition c=d>]> <Condition e=f>]>'
    )


def test_condition_operators_are_the_operator_functions(parse):
    for symbol, function in [
        ('=', operator.eq), ('!=', operator.ne), ('>=', operator.ge),
        ('<=', operator.le), ('>', operator.gt), ('<', operator.lt),
    ]:
        condition = parse('a{0}b'.format(symbol))
        assert condition._operator is function


def test_each_parse_returns_new_objects(parse):
    first, second = parse('a=b and c=d'), parse('a=b and c=d')
    assert first is not second
    assert first._expressions is not second._expressions
    assert first._expressions[0] is not second._expressions[0]


def test_parser_instances_share_results():
    text = 'x=1 or y=2'
    assert str(Parser().parse(text)) == str(Parser().parse(text))


def test_parser_is_usable_from_several_threads():
    texts = ['t{0}=v{0} and (u=w or not z=q{0})'.format(n) for n in range(40)]
    results = {}

    def work(offset):
        parser = Parser()
        for text in texts[offset::4]:
            results[text] = str(parser.parse(text))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 40
    assert results[texts[7]] == (
        '<All [<Condition t7=v7> <Any [<Condition u=w> '
        '<Not <Condition z=q7>>]>]>'
    )


# -- parsing: errors ----------------------------------------------------------

@pytest.mark.parametrize('text, found, location', [
    ('a=x y', 'y', 4), ('a=b and', 'a', 4), ('a=b or', 'o', 4),
    ('a=b c=d', 'c', 4), ('a=b)', ')', 3), ('a=b=c', '=', 3),
    ('a=b:c', ':', 3), ('a=b notc=d', 'n', 4), ('a=b and (c=d', 'a', 4),
    ('a="a" b', 'b', 6),
])
def test_trailing_text_is_reported_as_the_reference_does(
    parse, text, found, location
):
    with pytest.raises(ftrack_api.exception.ParseError) as caught:
        parse(text)
    assert str(caught.value) == (
        "Failed to parse: {0}. Expected end of text, found '{1}'  "
        '(at char {2}), (line:1, col:{3})'.format(
            text, found, location, location + 1
        )
    )


@pytest.mark.parametrize('text, location', [
    ('a', 1), ('a=', 2), ('=b', 0), ('a==b', 2), ('(a=b', 4), ('a="b', 4),
    ('a=é', 2), ('aé=b', 1), ('a-b=c', 1), ('a/b=c', 1), ('a > = b', 4),
    ('not', 3), ('and', 3), ('or', 2), ('()', 1), ('a=(b)', 2), ('a<>b', 2),
])
def test_invalid_expressions_raise_parse_error_with_position(
    parse, text, location
):
    with pytest.raises(ftrack_api.exception.ParseError) as caught:
        parse(text)
    message = str(caught.value)
    assert message.startswith('Failed to parse: {0}. Expected '.format(text))
    assert '(at char {0}), (line:1, col:{1})'.format(
        location, location + 1
    ) in message


def test_error_names_the_stripped_expression(parse):
    with pytest.raises(ftrack_api.exception.ParseError) as caught:
        parse('  a=b and  ')
    assert str(caught.value).startswith('Failed to parse: a=b and. ')


def test_braces_in_a_failing_expression_do_not_break_the_message(parse):
    with pytest.raises(ftrack_api.exception.ParseError) as caught:
        parse('a={x}')
    assert str(caught.value) == (
        "Failed to parse: a={x}. Expected value, found '{'  (at char 2), "
        '(line:1, col:3)'
    )


def test_failed_parses_are_not_remembered(parse):
    for _ in range(2):
        with pytest.raises(ftrack_api.exception.ParseError):
            parse('a=b and')


@pytest.mark.parametrize('text', ['', ' ', '\t\n '])
def test_empty_expression_raises_attribute_error(parse, text):
    # A reference quirk: not a ParseError.
    with pytest.raises(AttributeError) as caught:
        parse(text)
    assert str(caught.value) == "'NoneType' object has no attribute 'getName'"


@pytest.mark.parametrize('value', [None, 5])
def test_non_text_raises_attribute_error(parse, value):
    with pytest.raises(AttributeError, match='strip'):
        parse(value)


def test_bytes_raise_parse_error(parse):
    with pytest.raises(ftrack_api.exception.ParseError) as caught:
        parse(b'a=b')
    assert str(caught.value).startswith("Failed to parse: b'a=b'. ")


# -- matching -----------------------------------------------------------------

@pytest.mark.parametrize('text, candidate, expected', [
    ('topic=foo', {'topic': 'foo'}, True),
    ('topic=foo', {'topic': 'foox'}, False),
    ('topic=foo', {}, False),
    ('topic!=foo', {'topic': 'bar'}, True),
    ('topic!=foo', {}, False),  # a missing key never matches
    ('not topic=a', {}, True),
    ('data.n=5', {'data': {'n': '5'}}, True),
    ('data.n=5', {'data': {'n': 5}}, False),  # values are always strings
    ('a=True', {'a': True}, False),
    ('a=None', {'a': None}, False),
    ('data.n=5', {'data': 'x'}, False),
    ('data.n=5', {'data': None}, False),
    ('data.n=5', {'data': ['a']}, False),
    ('data.n=5', {'data': {'n': {'x': 1}}}, False),
    ('a.0=x', {'a': ['x']}, False),
    ('a.b=c', {'a.b': 'c'}, False),
    ('a.b=c', {'a': {'b': 'c'}}, True),
    ('A=b', {'a': 'b'}, False),
    ('data.n>4', {'data': {'n': '5'}}, True),
    ('data.n>=5', {'data': {'n': '5'}}, True),
    ('data.n<6', {'data': {'n': '10'}}, True),  # string ordering
    ('data.n<=10', {'data': {'n': '10'}}, True),
    ('a=b or c=d', {'c': 'd'}, True),
    ('a=b and c=d', {'a': 'b', 'c': 'd'}, True),
    ('a=b and c=d', {'a': 'b', 'c': 'x'}, False),
    ('a=b and not c=d', {'a': 'b'}, True),
    ('a="x y"', {'a': 'x y'}, True),
])
def test_match(parse, text, candidate, expected):
    assert parse(text).match(candidate) is expected


@pytest.mark.parametrize('text, value, expected', [
    ('topic=foo*', 'foox', True),
    ('topic=foo*', 'xfooy', True),  # a substring, not a prefix
    ('topic=foo*', 'foo', True),
    ('topic=foo*', 'fo', False),
    ('topic=*', '', True),
    ('topic=*', 'anything', True),
    ('topic=a*b', 'a*b', True),  # only a trailing star is special
    ('topic=a*b', 'axb', False),
    ('topic="b*"', 'xb', True),
    ('topic!=foo*', 'foo', True),  # not special for other operators
    ('topic!=foo*', 'foo*', False),
])
def test_trailing_star_means_substring(parse, text, value, expected):
    assert parse(text).match({'topic': value}) is expected


def test_star_on_a_list_value_tests_membership(parse):
    assert parse('a=x*').match({'a': ['x', 'y']}) is True
    assert parse('a=x*').match({'a': ['xy']}) is False


@pytest.mark.parametrize('value', [5, None])
def test_star_on_a_non_container_raises_type_error(parse, value):
    with pytest.raises(TypeError, match='not iterable'):
        parse('topic=*').match({'topic': value})


def test_star_on_a_missing_key_does_not_match(parse):
    assert parse('topic=*').match({}) is False


def test_empty_quoted_value_fails_on_a_present_key(parse):
    # Another reference quirk: comparing with "" looks at its last character.
    condition = parse('a=""')
    assert condition.match({}) is False
    with pytest.raises(IndexError):
        condition.match({'a': ''})
    assert parse('a!=""').match({'a': ''}) is False


@pytest.mark.parametrize('text', ['n>4', 'n>=4', 'n<4', 'n<=4'])
@pytest.mark.parametrize('value', [5, None, ['a']])
def test_ordering_against_non_strings_raises_type_error(parse, text, value):
    with pytest.raises(TypeError, match='not supported between instances'):
        parse(text).match({'n': value})


def test_all_and_any_evaluate_every_part(parse):
    # The second condition raises even though the first decided the result.
    with pytest.raises(TypeError):
        parse('a=b and c>b').match({'a': 'x', 'c': 1})
    with pytest.raises(TypeError):
        parse('a=b or c>b').match({'a': 'b', 'c': 1})


def test_match_against_events(parse):
    event = Event(
        'ftrack.action.launch',
        data={'actionIdentifier': 'my-action'},
        source={'user': {'username': 'jane doe'}},
    )
    expression = parse(
        'topic=ftrack.action.* and data.actionIdentifier=my-action '
        'and source.user.username="jane doe"'
    )
    assert expression.match(event) is True
    assert parse('source.user.id=1').match(event) is False


@pytest.mark.parametrize('candidate', [None, ['a'], 'abc', object(), 5])
def test_candidates_that_cannot_be_indexed_by_key_do_not_match(
    parse, candidate
):
    assert parse('a=x').match(candidate) is False


class Lookup:
    """A non-mapping that answers item lookups, raising *error* when asked
    for anything but ``a``."""

    def __init__(self, error):
        self.error = error

    def __getitem__(self, key):
        if key == 'a':
            return 'x'
        raise self.error(key)


def test_match_works_on_anything_indexable(parse):
    assert parse('a=x').match(Lookup(KeyError)) is True
    assert parse('b=x').match(Lookup(KeyError)) is False


@pytest.mark.parametrize('error', [IndexError, ValueError])
def test_unexpected_lookup_errors_propagate(parse, error):
    with pytest.raises(error):
        parse('b=x').match(Lookup(error))


# -- the expression classes ---------------------------------------------------

def test_expression_always_matches():
    expression = Expression()
    assert str(expression) == '<Expression>'
    assert expression.match({}) is True
    assert expression.match(None) is True


def test_all_and_any_defaults():
    assert str(All()) == '<All []>' and All().match({}) is True
    assert str(Any()) == '<Any []>' and Any().match({}) is False
    assert All()._expressions == [] and Any()._expressions == []


def test_all_and_any_keep_the_list_they_are_given():
    parts = [Expression()]
    combined = All(parts)
    assert combined._expressions is parts
    parts.append(Not(Expression()))
    assert combined.match({}) is False
    assert Any(parts).match({}) is True


def test_composite_str_nests():
    tree = All([Expression(), Any([Not(Expression())])])
    assert str(tree) == '<All [<Expression> <Any [<Not <Expression>>]>]>'
    assert str(All((Expression(),))) == '<All [<Expression>]>'


def test_str_uses_the_subclass_name():
    class Everything(All):
        pass

    class Check(Condition):
        pass

    assert str(Everything([Expression()])) == '<Everything [<Expression>]>'
    assert str(Check('a', operator.eq, 'b')) == '<Check a=b>'


def test_not_inverts():
    assert Not(Expression()).match({}) is False
    assert Not(Any()).match({}) is True
    assert repr(Not(Expression())).startswith(
        '<ftrack_api.event.expression.Not object'
    )


@pytest.mark.parametrize('function, symbol', [
    (operator.eq, '='), (operator.ne, '!='), (operator.ge, '>='),
    (operator.le, '<='), (operator.gt, '>'), (operator.lt, '<'),
])
def test_condition_str(function, symbol):
    expected = '<Condition a.b{0}v>'.format(symbol)
    assert str(Condition('a.b', function, 'v')) == expected


def test_condition_str_with_an_unknown_operator_shows_the_function():
    assert str(Condition('a', len, 'b')) == (
        '<Condition a<built-in function len>b>'
    )


def test_condition_built_directly_compares_any_value():
    assert Condition('a', operator.eq, 5).match({'a': 5}) is True
    assert Condition('a', operator.eq, None).match({'a': None}) is True
    # The star rule applies to string values only.
    assert Condition('a', operator.eq, ['x', '*']).match({'a': ['x', '*']})
    assert Condition('a', operator.eq, ('*',)).match({'a': 5}) is False
    assert Condition('a', operator.eq, b'x*').match({'a': b'x'}) is False
    assert Condition('a', operator.gt, 'b').match({'a': 'c'}) is True


def test_condition_with_odd_keys():
    assert Condition('', operator.eq, 'x').match({'': 'x'}) is True
    assert Condition('a.', operator.eq, 'x').match({'a': {'': 'x'}}) is True
    with pytest.raises(AttributeError):
        Condition(5, operator.eq, 'x').match({5: 'x'})


def test_conditions_compare_by_identity():
    assert Condition('a', operator.eq, 'b') != Condition('a', operator.eq, 'b')


def test_parser_attributes():
    parser = Parser()
    assert parser._operators == {
        '=': operator.eq, '!=': operator.ne, '>=': operator.ge,
        '<=': operator.le, '>': operator.gt, '<': operator.lt,
    }
    assert parser._parser is not None
