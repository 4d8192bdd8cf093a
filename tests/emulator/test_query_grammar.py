"""The query grammar: every form of the language, and clear parse errors."""

import pytest

from ftrack_emulator.errors import QueryError
from ftrack_emulator.query import ast
from ftrack_emulator.query.grammar import parse, parse_criteria


def path(text):
    return ast.Path(tuple(text.split('.')))


def literal(value, quoted=False, text=None):
    if text is None:
        text = '"{0}"'.format(value) if quoted else str(value)
    return ast.Literal(value, quoted, text)


def where(expression):
    return parse('Task where ' + expression).where


def test_select_from_where():
    query = parse('select context_type, id, name from Task where name is '
                  '"x" offset 0 limit 500')
    assert query == ast.Query(
        entity_type='Task',
        projections=(path('context_type'), path('id'), path('name')),
        where=ast.Comparison(path('name'), '=', literal('x', True)),
        offset=0, limit=500,
    )


def test_without_select():
    assert parse('Task') == ast.Query('Task')
    query = parse('Timer where user_id = "u"')
    assert query.projections is None
    assert query.where == ast.Comparison(path('user_id'), '=',
                                         literal('u', True))


def test_dotted_projections_and_aggregates():
    query = parse('select status.state.short, count(id), sum(bid), avg(bid),'
                  ' min(x.y), max(z), count() from Task')
    assert query.projections == (
        path('status.state.short'),
        ast.Aggregate('count', path('id')),
        ast.Aggregate('sum', path('bid')),
        ast.Aggregate('avg', path('bid')),
        ast.Aggregate('min', path('x.y')),
        ast.Aggregate('max', path('z')),
        ast.Aggregate('count', None),
    )
    assert query.projections[4].result_key == 'min_x_y'
    assert parse('select count from Task').projections == (path('count'),)


@pytest.mark.parametrize('spelling, operator', [
    ('is', '='), ('=', '='), ('is_not', '!='), ('!=', '!='),
    ('>', '>'), ('after', '>'), ('greater_than', '>'),
    ('<', '<'), ('before', '<'), ('less_than', '<'),
    ('>=', '>='), ('<=', '<='), ('like', 'like'), ('not_like', 'not_like'),
    ('IS', '='), ('Is_Not', '!='), ('LIKE', 'like'),
])
def test_operators(spelling, operator):
    assert where('a {0} 1'.format(spelling)) == ast.Comparison(
        path('a'), operator, literal(1)
    )


def test_operators_without_spaces():
    assert where('a>=1') == ast.Comparison(path('a'), '>=', literal(1))
    assert where('a!="x"') == ast.Comparison(path('a'), '!=',
                                              literal('x', True))


@pytest.mark.parametrize('text, value, quoted', [
    ('"double"', 'double', True),
    ("'single'", 'single', True),
    ('"with \\"escaped\\" quotes"', 'with "escaped" quotes', True),
    ("'it\\'s'", "it's", True),
    ('"it\'s"', "it's", True),
    ('""', '', True),
    ('"None"', 'None', True),
    ('"a and b or c"', 'a and b or c', True),
    ('01ac528a-c5ea-11e1-a6c6-f23c91df25eb',
     '01ac528a-c5ea-11e1-a6c6-f23c91df25eb', False),
    ('bare_word', 'bare_word', False),
    ('42', 42, False),
    ('-7', -7, False),
    ('1.5', 1.5, False),
    ('-0.25', -0.25, False),
    ('1e3', 1000.0, False),
    ('True', True, False), ('true', True, False), ('FALSE', False, False),
    ('None', None, False), ('none', None, False), ('null', None, False),
    ('NULL', None, False),
    ('2024-01-02', '2024-01-02', False),
])
def test_values(text, value, quoted):
    node = where('a is ' + text)
    assert node.value.value == value
    assert type(node.value.value) is type(value)
    assert node.value.quoted is quoted
    assert node.value.text == text


def test_quoted_value_directly_followed_by_a_keyword():
    assert where('(a is "x"and b is "y") or (a is "z"and b is "w")') == \
        ast.Or((
            ast.And((
                ast.Comparison(path('a'), '=', literal('x', True)),
                ast.Comparison(path('b'), '=', literal('y', True)),
            )),
            ast.And((
                ast.Comparison(path('a'), '=', literal('z', True)),
                ast.Comparison(path('b'), '=', literal('w', True)),
            )),
        ))


def test_in_lists_and_sub_queries():
    assert where('id in (a,b)') == ast.Comparison(
        path('id'), 'in', (literal('a'), literal('b'))
    )
    assert where('id not_in ("a", 2)') == ast.Comparison(
        path('id'), 'not_in', (literal('a', True), literal(2))
    )
    assert where('id in ()') == ast.Comparison(path('id'), 'in', ())
    node = where('id in (select parent_id from Task where name like "a%")')
    assert node.operator == 'in'
    assert node.value == ast.Query(
        'Task', (path('parent_id'),),
        ast.Comparison(path('name'), 'like', literal('a%', True)),
    )


def test_and_binds_tighter_than_or():
    a, b, c = (ast.Comparison(path(name), '=', literal(1))
               for name in 'abc')
    assert where('a is 1 or b is 1 and c is 1') == ast.Or((a, ast.And((b, c))))
    assert where('a is 1 and b is 1 or c is 1') == ast.Or((ast.And((a, b)), c))
    assert where('(a is 1 or b is 1) and c is 1') == \
        ast.And((ast.Or((a, b)), c))
    assert where('a is 1 AND b is 1 OR c is 1') == ast.Or((ast.And((a, b)), c))


def test_not():
    a = ast.Comparison(path('a'), '=', literal(1))
    assert where('not a is 1') == ast.Not(a)
    assert where('not (a is 1)') == ast.Not(a)
    assert where('not not a is 1') == ast.Not(ast.Not(a))
    assert where('NOT a is 1 and a is 1') == ast.And((ast.Not(a), a))


def test_has_and_any():
    assert where('parent has (name is x)') == ast.Has(
        path('parent'), ast.Comparison(path('name'), '=', literal('x'))
    )
    assert where('children any ()') == ast.AnyOf(path('children'), None)
    assert where('not children any ()') == ast.Not(
        ast.AnyOf(path('children'), None)
    )
    assert where('custom_attributes any (key is "fstart" and value > 10)') \
        == ast.AnyOf(path('custom_attributes'), ast.And((
            ast.Comparison(path('key'), '=', literal('fstart', True)),
            ast.Comparison(path('value'), '>', literal(10)),
        )))
    nested = where('parent.children any (assignments any (resource has '
                   '(username is bob)))')
    assert nested.path == path('parent.children')
    assert nested.criteria.criteria.criteria == ast.Comparison(
        path('username'), '=', literal('bob')
    )


def test_tail_clauses_in_any_order():
    query = parse('Task where a is 1 limit 5 order by name desc, parent.name '
                  'ascending, sort DESCENDING, id asc offset 10')
    assert query.limit == 5
    assert query.offset == 10
    assert query.order_by == (
        ast.OrderBy(path('name'), True),
        ast.OrderBy(path('parent.name'), False),
        ast.OrderBy(path('sort'), True),
        ast.OrderBy(path('id'), False),
    )
    query = parse('select count(id), status_id from Task group by status_id, '
                  'type_id offset 1 limit 2')
    assert query.group_by == (path('status_id'), path('type_id'))


def test_keywords_as_attribute_and_type_names():
    query = parse('select value, group from Setting where group is STORAGE '
                  'and name is x order by group')
    assert query.projections == (path('value'), path('group'))
    assert query.where.items[0].path == path('group')
    assert parse('select from, to from TypedContextLink where from.name is x'
                 ).projections == (path('from'), path('to'))
    assert parse('Group where name is x').entity_type == 'Group'
    assert parse('select name from Group').entity_type == 'Group'


def test_parse_criteria():
    assert parse_criteria('a is 1') == ast.Comparison(path('a'), '=',
                                                      literal(1))


def test_parsed_queries_are_cached():
    assert parse('Task where name is "cached"') is parse(
        'Task where name is "cached"'
    )


@pytest.mark.parametrize('expression, message', [
    ('', 'Query expression is empty'),
    ('   ', 'Query expression is empty'),
    ('Task where (a is 1', '"(" at position 11 is never closed'),
    ('Task where a is 1)', 'unexpected ")" at position 17'),
    ('Task where a in (select id from Task', 'never closed'),
    ('Task where a is "x', 'Unterminated quoted value'),
    ('Task where a foo b', 'at position 13 (near \'foo b\'): expected '
     'operator'),
    ('Task where a is', 'at position 15 (near \'<end>\'): expected value'),
    ('Task where a iss "x"', 'at position 13 (near \'iss "x"\'): expected '
     'an operator (is, =, is_not'),
    ('Task where a likes "x"', 'near \'likes "x"\'): expected an operator'),
    ('Task where', 'expected criteria'),
    ('Task where a has b', 'expected "("'),
    ('Task where a in (select id from)', 'expected entity type'),
    ('Task foo', 'expected "where", "order by", "group by", "offset", '
     '"limit" or the end of the expression'),
    ('Task order name', 'expected "by"'),
    ('Task limit x', 'expected integer'),
    ('Task limit -1', 'expected integer'),
    ('Task limit 1 limit 2', 'Duplicate "limit" clause'),
    ('Task order by a order by b', 'Duplicate "order by" clause'),
    ('select from Task', 'at position 12'),
    ('select a, from Task', 'position 8'),
    ('Task where a is 1 or', 'expected criteria'),
    ('Task where not', 'expected criteria'),
    ('Task where a is 1 and', 'expected criteria'),
    ('Task where and a is 1', 'expected'),
])
def test_parse_errors_name_the_position_and_expectation(expression, message):
    with pytest.raises(QueryError) as error:
        parse(expression)
    assert message in str(error.value)
    assert error.value.exception == 'ParseError'


def test_non_string_expression():
    with pytest.raises(QueryError) as error:
        parse(None)
    assert 'must be a string' in str(error.value)
