"""The identity map: merging entities and nested query results."""

import ftrack_api.cache
import ftrack_api.inspection
import ftrack_api.symbol

from session_helpers import new_session, project_tree, transcript  # noqa: F401

NOT_SET = ftrack_api.symbol.NOT_SET


def test_nested_results_merge_into_one_instance_per_entity(ftrack_session, project_tree):  # noqa: F811
    tasks = ftrack_session.query(
        'select name, parent.name, parent.parent.name, status.name from Task'
    ).all()
    shots = {task['parent']['id']: task['parent'] for task in tasks}
    assert len(shots) == 4
    for task in tasks:
        assert task['parent'] is shots[task['parent']['id']]
        assert task['parent'] is ftrack_session.get('Shot', task['parent']['id'])
    statuses = {id(task['status']) for task in tasks}
    assert len(statuses) == len({task['status']['id'] for task in tasks})


def test_later_results_update_remote_values(ftrack_session, project_tree):  # noqa: F811
    shot_id = project_tree['shots'][2]
    shot = ftrack_session.get('Shot', shot_id)
    other = new_session(
        type('Server', (), {
            'url': ftrack_session.server_url,
            'api_user': ftrack_session.api_user,
            'api_key': ftrack_session.api_key,
        })
    )
    try:
        remote = other.get('Shot', shot_id)
        remote['description'] = 'changed elsewhere'
        other.commit()
    finally:
        other.close()
    shot['name'] = 'local'
    again = ftrack_session.query(
        'select name, description from Shot where id is "{0}"'.format(shot_id)
    ).one()
    assert again is shot
    assert shot['description'] == 'changed elsewhere'
    assert shot['name'] == 'local'


def test_remote_collection_update_refreshes_an_unchanged_local_copy(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    children = shot['children']
    assert len(children) == 2
    task = ftrack_session.create('Task', {'name': 'extra', 'parent': shot})
    ftrack_session.commit()
    assert len(shot['children']) == 2
    ftrack_session.populate([shot], 'children')
    assert len(shot['children']) == 3
    assert task in shot['children']


def test_merge_returns_the_cached_instance(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    detached = ftrack_session.types['Shot'](
        ftrack_session, {'id': shot['id'], 'name': 'from elsewhere'},
        reconstructing=True,
    )
    assert ftrack_session.merge(detached) is shot
    assert shot.attributes.get('name').get_remote_value(shot) == 'from elsewhere'
    assert len(ftrack_session.recorded_operations) == 0


def test_merge_of_an_unknown_entity_makes_a_new_instance(ftrack_session):
    detached = ftrack_session.types['User'](
        ftrack_session, {'id': 'new-user', 'username': 'n'},
        reconstructing=True,
    )
    merged = ftrack_session.merge(detached)
    assert merged is not detached
    assert merged['username'] == 'n'
    assert ftrack_session.merge(detached) is merged
    key = ftrack_session.cache_key_maker.key(
        ftrack_api.inspection.identity(merged)
    )
    assert key == "('User', ['new-user'])"
    assert ftrack_session.cache.get(key) is merged


def test_merge_of_collections_and_other_values(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    assert ftrack_session.merge(shot['children']) == list(shot['children'])
    assert isinstance(ftrack_session.merge(shot['metadata']), list)
    value = {'a': shot, 'b': [1]}
    assert ftrack_session.merge(value) is value
    assert ftrack_session.merge(None) is None
    assert ftrack_session.merge(NOT_SET) is NOT_SET
    pair = (shot, 2)
    assert ftrack_session.merge(pair) is pair


def test_merge_handles_cycles(ftrack_session):
    user_class = ftrack_session.types['User']
    timelog_class = ftrack_session.types['Timelog']
    user = user_class(ftrack_session, {'id': 'cyclic'}, reconstructing=True)
    timelog = timelog_class(
        ftrack_session, {'id': 'tl', 'user': user}, reconstructing=True
    )
    user.attributes.get('timelogs').set_remote_value(user, [timelog])
    merged = ftrack_session.merge(user)
    assert merged['timelogs'][0]['user'] is merged


def test_persistent_cache_layer_serves_a_new_session(ftrack_server, project_tree, tmp_path):  # noqa: F811
    path = str(tmp_path / 'cache.dbm')

    def make_cache(session):
        return ftrack_api.cache.SerialisedCache(
            ftrack_api.cache.FileCache(path),
            encode=session.encode, decode=session.decode,
        )

    first = new_session(ftrack_server, cache=make_cache)
    shot = first.query(
        'select name, parent.name, metadata from Shot where id is '
        '"{0}"'.format(project_tree['shots'][0])
    ).one()
    parent_name = shot['parent']['name']
    first.close()

    second = new_session(ftrack_server, cache=make_cache)
    try:
        from session_helpers import Transcript
        transcript = Transcript(second)
        cached = second.get('Shot', project_tree['shots'][0])
        assert cached['name'] == 'sh010'
        assert cached['parent']['name'] == parent_name
        assert transcript.exchanges == []
    finally:
        second.close()


def test_new_instances_reach_a_serialising_layer_complete(ftrack_server):
    stored = ftrack_api.cache.MemoryCache()
    session = new_session(ftrack_server, cache=lambda session: (
        ftrack_api.cache.SerialisedCache(
            stored, encode=session.encode, decode=session.decode
        )
    ))
    try:
        detached = session.types['User'](
            session, {'id': 'layered', 'username': 'l'}, reconstructing=True
        )
        merged = session.merge(detached)
        text = stored.get(session.cache_key_maker.key(
            ftrack_api.inspection.identity(merged)
        ))
        assert '"username": "l"' in text
    finally:
        session.close()


def test_created_entity_collections_hold_the_session_instances(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    outsider = ftrack_session.types['Task'](
        ftrack_session, {'id': shot['children'][0]['id']}, reconstructing=True
    )
    created = ftrack_session.create('Shot', {
        'name': 'collects', 'children': [outsider],
    })
    assert created['children'][0] is shot['children'][0]


def test_another_session_s_entities_are_merged_on_first_read(ftrack_session, ftrack_server, project_tree):  # noqa: F811
    # As with the reference client, a relation given entities of another
    # session before it was ever read hands out the session's own instances
    # on its first read; once read, later foreign values stay as given.
    other = new_session(ftrack_server)
    try:
        foreign_shot = other.get('Shot', project_tree['shots'][1])
        foreign_tasks = [
            other.get('Task', task_id) for task_id in project_tree['tasks'][:2]
        ]
        shot = ftrack_session.get('Shot', project_tree['shots'][0])
        task = ftrack_session.get('Task', project_tree['tasks'][3])
        task['parent'] = foreign_shot
        parent = task['parent']
        assert parent is not foreign_shot
        assert parent.session is ftrack_session
        assert parent is ftrack_session.get('Shot', foreign_shot['id'])
        assert task.attributes.get('parent').get_local_value(task) is parent

        # Read once: a second foreign value is kept as it is.
        task['parent'] = foreign_shot
        assert task['parent'] is foreign_shot

        shot['children'] = foreign_tasks
        assert [item.session for item in shot['children']] == [
            ftrack_session, ftrack_session
        ]
        # Changing a read collection in place keeps foreign members.
        shot['children'].append(other.get('Task', project_tree['tasks'][4]))
        assert shot['children'][-1].session is other

        created = ftrack_session.create('Sequence', {'name': 'merged'})
        created['parent'] = other.get('Project', project_tree['project'])
        assert created['parent'].session is ftrack_session
    finally:
        ftrack_session.rollback()
        other.close()
