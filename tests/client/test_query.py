"""Queries: expressions sent, paging, first/one/all, get and populate."""

import pytest

import ftrack_api.exception
import ftrack_api.query

from session_helpers import project_tree, transcript  # noqa: F401


def test_query_is_lazy(ftrack_session, transcript):  # noqa: F811
    result = ftrack_session.query('Task')
    assert isinstance(result, ftrack_api.query.QueryResult)
    assert transcript.exchanges == []


def test_default_projections_are_selected(ftrack_session, transcript, project_tree):  # noqa: F811
    tasks = ftrack_session.query('Task').all()
    assert len(tasks) == len(project_tree['tasks'])
    assert transcript.expressions == [
        'select context_type, id, name from Task offset 0 limit 500'
    ]


def test_unknown_entity_type_is_a_key_error(ftrack_session, transcript):  # noqa: F811
    with pytest.raises(KeyError):
        ftrack_session.query('Bogus where name is "x"')
    # Only a lower-case "select" counts as a projection list.
    with pytest.raises(KeyError) as error:
        ftrack_session.query('Select name from Task')
    assert error.value.args == ('Select',)
    assert transcript.exchanges == []


def test_paging_follows_the_next_offset(ftrack_session, transcript, project_tree):  # noqa: F811
    result = ftrack_session.query('select name from Task', page_size=3)
    assert len(result) == 8
    assert transcript.expressions == [
        'select name from Task offset 0 limit 3',
        'select name from Task offset 3 limit 3',
        'select name from Task offset 6 limit 3',
    ]
    assert sorted(task['id'] for task in result) == sorted(
        project_tree['tasks']
    )


def test_indexing_fetches_only_the_pages_it_needs(ftrack_session, transcript, project_tree):  # noqa: F811
    result = ftrack_session.query('select name from Task', page_size=3)
    assert result[4] is result.all()[4]
    assert transcript.expressions[:2] == [
        'select name from Task offset 0 limit 3',
        'select name from Task offset 3 limit 3',
    ]


def test_negative_index_only_sees_fetched_results(ftrack_session, project_tree):  # noqa: F811
    result = ftrack_session.query('select name from Task', page_size=3)
    with pytest.raises(IndexError):
        result[-1]
    result[0]
    assert result[-1] is result[2]


def test_slicing_is_not_supported(ftrack_session, project_tree):  # noqa: F811
    with pytest.raises(TypeError):
        ftrack_session.query('Task')[0:2]


def test_limit_in_the_expression_limits_results(ftrack_session, transcript, project_tree):  # noqa: F811
    assert len(ftrack_session.query('select name from Task limit 5', page_size=3)) == 5
    assert transcript.expressions == [
        'select name from Task offset 0 limit 3',
        'select name from Task offset 3 limit 3',
    ]
    transcript.clear()
    assert len(ftrack_session.query('select name from Task limit 2')) == 2
    assert transcript.expressions == ['select name from Task offset 0 limit 2']


def test_offset_in_the_expression_is_where_paging_starts(ftrack_session, transcript, project_tree):  # noqa: F811
    everything = ftrack_session.query('select name from Task order by id').all()
    later = ftrack_session.query(
        'select name from Task order by id offset 6'
    ).all()
    assert later == everything[6:]
    assert transcript.expressions[-1] == (
        'select name from Task order by id offset 6 limit 500'
    )


def test_clauses_are_found_anywhere_in_the_text(ftrack_session, transcript, project_tree):  # noqa: F811
    # The reference client strips the first "limit N" wherever it is, even
    # inside a quoted value.
    ftrack_session.query('Task where name is "limit 3"').all()
    assert transcript.expressions == [
        'select context_type, id, name from Task where name is "" offset 0 '
        'limit 3'
    ]


def test_first(ftrack_session, transcript, project_tree):  # noqa: F811
    task = ftrack_session.query('Task where name is "anim"').first()
    assert task['name'] == 'anim'
    assert ftrack_session.query('Task where name is "none"').first() is None
    ftrack_session.query('Task offset 2').first()
    assert transcript.expressions == [
        'select context_type, id, name from Task where name is "anim" limit 1',
        'select context_type, id, name from Task where name is "none" limit 1',
        'select context_type, id, name from Task offset 2 limit 1',
    ]
    with pytest.raises(ValueError) as error:
        ftrack_session.query('Task limit 3').first()
    assert str(error.value) == 'Expression already contains a limit clause.'


def test_one(ftrack_session, transcript, project_tree):  # noqa: F811
    project = ftrack_session.query(
        'Project where id is "{0}"'.format(project_tree['project'])
    ).one()
    assert project['id'] == project_tree['project']
    assert transcript.expressions == [
        'select context_type, id, name from Project where id is "{0}" '
        'limit 2'.format(project_tree['project'])
    ]

    with pytest.raises(ftrack_api.exception.NoResultFoundError):
        ftrack_session.query('Task where name is "none"').one()
    with pytest.raises(ftrack_api.exception.MultipleResultsFoundError) as error:
        ftrack_session.query('Task').one()
    assert isinstance(error.value, ftrack_api.exception.IncorrectResultError)

    with pytest.raises(ValueError) as error:
        ftrack_session.query('Task limit 1').one()
    assert str(error.value) == 'Expression already contains a limit clause.'
    with pytest.raises(ValueError) as error:
        ftrack_session.query('Task offset 1').one()
    assert str(error.value) == (
        'Expression contains an offset clause which does not make sense '
        'when selecting a single item.'
    )


def test_query_results_are_the_cached_instances(ftrack_session, project_tree):  # noqa: F811
    first = ftrack_session.query('Task').all()
    second = ftrack_session.query('select name, parent from Task').all()
    by_id = {task['id']: task for task in first}
    for task in second:
        assert by_id[task['id']] is task


def test_query_keeps_local_changes(ftrack_session, project_tree):  # noqa: F811
    task = ftrack_session.get('Task', project_tree['tasks'][0])
    task['name'] = 'changed locally'
    again = ftrack_session.query(
        'select name from Task where id is "{0}"'.format(task['id'])
    ).one()
    assert again is task
    assert task['name'] == 'changed locally'
    assert task.attributes.get('name').get_remote_value(task) == 'anim'


def test_query_expression_errors_come_from_the_server(ftrack_session):
    with pytest.raises(ftrack_api.exception.ServerError):
        ftrack_session.query('select name from Task where bogus is 1').all()
    # The session stays usable.
    assert ftrack_session.query('Project').first() is not None


# get

def test_get_uses_the_cache_first(ftrack_session, transcript, project_tree):  # noqa: F811
    task_id = project_tree['tasks'][0]
    task = ftrack_session.get('Task', task_id)
    assert transcript.expressions == [
        'select context_type, id, name from Task where (id is "{0}") '
        'offset 0 limit 500'.format(task_id)
    ]
    assert ftrack_session.get('Task', [task_id]) is task
    assert len(transcript.exchanges) == 1


def test_get_missing_entity_is_none(ftrack_session):
    assert ftrack_session.get('Task', 'no-such-id') is None


def test_get_composite_key(ftrack_session, transcript, project_tree):  # noqa: F811
    metadata = ftrack_session.create('Metadata', {
        'parent_id': project_tree['shots'][0], 'parent_type': 'Shot',
        'key': 'camera', 'value': 'A',
    })
    ftrack_session.commit()
    ftrack_session.reset()
    transcript.clear()
    fetched = ftrack_session.get(
        'Metadata', [project_tree['shots'][0], 'camera']
    )
    assert fetched['value'] == 'A'
    assert fetched == metadata
    assert transcript.expressions[0] == (
        'select parent_id, key, value, parent_type from Metadata where '
        '(parent_id is "{0}" and key is "camera") offset 0 limit 500'.format(
            project_tree['shots'][0]
        )
    )


def test_get_validates_its_arguments(ftrack_session):
    with pytest.raises(KeyError):
        ftrack_session.get('Bogus', 'x')
    with pytest.raises(ValueError) as error:
        ftrack_session.get('Task', ['a', 'b'])
    assert str(error.value) == (
        "Incompatible entity_key ['a', 'b'] supplied. Entity type Task "
        "expects a primary key composed of 1 values (id)."
    )
    with pytest.raises(ValueError) as error:
        ftrack_session.get('Metadata', 'a')
    assert 'composed of 2 values (parent_id, key)' in str(error.value)
    with pytest.raises(TypeError):
        ftrack_session.get('Task', 5)


# populate

def test_populate_many_and_one(ftrack_session, transcript, project_tree):  # noqa: F811
    tasks = ftrack_session.query('Task').all()
    transcript.clear()
    ftrack_session.populate(tasks[:2], 'bid, description')
    ftrack_session.populate(tasks[0], 'sort')
    ftrack_session.populate(tuple(tasks[:1]), 'end_date')
    assert transcript.expressions == [
        'select bid, description from Task where id in ({0},{1}) offset 0 '
        'limit 500'.format(tasks[0]['id'], tasks[1]['id']),
        'select sort from Task where id is {0} offset 0 limit 500'.format(
            tasks[0]['id']
        ),
        'select end_date from Task where id is {0} offset 0 limit '
        '500'.format(tasks[0]['id']),
    ]
    assert tasks[0].attributes.get('bid').get_remote_value(tasks[0]) == 0


def test_populate_accepts_a_query_result(ftrack_session, transcript, project_tree):  # noqa: F811
    ftrack_session.populate(
        ftrack_session.query('Task where name is "comp"'), 'description'
    )
    assert len(transcript.expressions) == 2
    assert transcript.expressions[1].startswith(
        'select description from Task where id in ('
    )


def test_populate_composite_keys(ftrack_session, transcript, project_tree):  # noqa: F811
    shot_id = project_tree['shots'][1]
    made = [
        ftrack_session.create('Metadata', {
            'parent_id': shot_id, 'parent_type': 'Shot',
            'key': key, 'value': key,
        })
        for key in ('one', 'two')
    ]
    ftrack_session.commit()
    transcript.clear()
    ftrack_session.populate(made, 'value')
    assert transcript.expressions == [
        'select value from Metadata where (parent_id is "{0}"and key is '
        '"one") or (parent_id is "{0}"and key is "two") offset 0 limit '
        '500'.format(shot_id)
    ]


def test_populate_skips_created_entities_and_nothing(ftrack_session, transcript):  # noqa: F811
    created = ftrack_session.create('User', {'username': 'new'})
    ftrack_session.populate([created], 'email')
    ftrack_session.populate([], 'email')
    assert transcript.exchanges == []


def test_populate_keeps_local_values(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    shot['description'] = 'mine'
    ftrack_session.populate([shot], 'description')
    assert shot['description'] == 'mine'
    del shot['description']
    assert shot['description'] == 'sq010 sh010'
