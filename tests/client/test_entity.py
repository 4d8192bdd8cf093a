"""Entities: the mapping interface, identity, values and auto-population."""

import pytest

import ftrack_api.entity.base
import ftrack_api.exception
import ftrack_api.inspection
import ftrack_api.symbol

from session_helpers import project_tree, transcript  # noqa: F401

NOT_SET = ftrack_api.symbol.NOT_SET


@pytest.fixture
def shot(ftrack_session, project_tree):  # noqa: F811
    return ftrack_session.get('Shot', project_tree['shots'][0])


def test_class_and_instance_repr(ftrack_session, shot):
    assert repr(type(shot)) == "<dynamic ftrack class 'Shot'>"
    assert repr(shot) == '<dynamic ftrack Shot object {0}>'.format(id(shot))
    assert str(shot) == '<Shot({0})>'.format(shot['id'])
    assert isinstance(shot, ftrack_api.entity.base.Entity)
    assert isinstance(shot, ftrack_session.types['Shot'])
    assert type(shot).__mro__[1] is ftrack_api.entity.base.Entity


def test_str_of_composite_and_unknown_keys(ftrack_session):
    metadata = ftrack_session.create('Metadata', {
        'parent_id': 'p', 'key': 'k', 'value': 'v'
    })
    assert str(metadata) == '<Metadata(p, k)>'
    keyless = ftrack_session.types['User'](
        ftrack_session, {'username': 'x'}, reconstructing=True
    )
    assert str(keyless) == '<User(Unknown)>'


def test_mapping_interface(ftrack_session, shot):
    keys = list(shot.keys())
    assert keys == list(shot)
    assert len(shot) == len(keys) == len(type(shot).attributes)
    assert 'name' in keys and 'custom_attributes' in keys
    # Properties without a type or reference are not attributes.
    assert 'user_type_id' not in ftrack_session.types['User'].attributes.keys()
    assert shot.get('bogus', 'fallback') == 'fallback'
    with pytest.raises(KeyError):
        shot['bogus']
    with pytest.raises(KeyError):
        shot['bogus'] = 1


def test_deleting_an_unknown_key_is_an_attribute_error(shot):
    with pytest.raises(AttributeError) as error:
        del shot['bogus']
    assert not isinstance(error.value, ftrack_api.exception.Error)


def test_equality_and_hash_follow_identity(ftrack_session, shot, project_tree):  # noqa: F811
    other_session = type(ftrack_session)(
        server_url=ftrack_session.server_url,
        api_key=ftrack_session.api_key, api_user=ftrack_session.api_user,
        schema_cache_path=False,
    )
    try:
        same = other_session.get('Shot', shot['id'])
        assert same is not shot
        assert same == shot
        assert hash(same) == hash(shot)
        assert hash(shot) == hash(str(ftrack_api.inspection.identity(shot)))
        assert len({shot, same}) == 1
        assert shot != ftrack_session.get('Shot', project_tree['shots'][1])
        assert shot != 'text'
        assert (shot == 1) is False
    finally:
        other_session.close()


def test_unset_values_are_fetched_on_access(ftrack_session, shot, transcript):  # noqa: F811
    assert shot['description'] == 'sq010 sh010'
    assert transcript.expressions == [
        'select description from Shot where id is {0} offset 0 '
        'limit 500'.format(shot['id'])
    ]
    # Now known: no second request.
    assert shot['description'] == 'sq010 sh010'
    assert len(transcript.exchanges) == 1


def test_reference_access_fetches_default_projections(ftrack_session, shot, transcript):  # noqa: F811
    parent = shot['parent']
    assert parent['name'] == 'sq010'
    assert transcript.expressions == [
        'select parent.context_type, parent.id, parent.name from Shot where '
        'id is {0} offset 0 limit 500'.format(shot['id'])
    ]
    assert parent is ftrack_session.get('Sequence', parent['id'])


def test_unset_value_without_auto_populate_is_not_set(ftrack_session, shot, transcript):  # noqa: F811
    with ftrack_session.auto_populating(False):
        assert shot['description'] is NOT_SET
        assert shot['parent'] is NOT_SET
        children = shot['children']
        assert list(children) == []
    assert transcript.exchanges == []
    # The empty placeholder stays as the local value.
    assert shot['children'] is children


def test_null_on_the_server_is_a_known_value(ftrack_session, shot, transcript):  # noqa: F811
    assert shot['thumbnail_id'] is None
    assert shot['thumbnail_id'] is None
    assert len(transcript.exchanges) == 1


def test_created_entities_are_never_fetched(ftrack_session, transcript):  # noqa: F811
    user = ftrack_session.create('User', {'username': 'fresh'})
    assert user['email'] is NOT_SET
    assert list(user['timelogs']) == []
    assert user['resource_type'] == 'user'
    assert transcript.exchanges == []


def test_values_and_items_fetch_scalars_in_one_query(ftrack_session, shot, transcript):  # noqa: F811
    values = dict(shot.items())
    first = transcript.expressions[0]
    assert first.startswith('select ')
    assert first.endswith(
        ' from Shot where id is {0} offset 0 limit 500'.format(shot['id'])
    )
    projected = first[len('select '):first.index(' from ')].split(', ')
    assert 'description' in projected and 'name' not in projected
    assert values['description'] == 'sq010 sh010'
    assert len(shot.values()) == len(shot)


def test_setting_records_an_update_even_when_equal(ftrack_session, shot):
    shot['name'] = shot['name']
    operation = list(ftrack_session.recorded_operations)[-1]
    assert isinstance(operation, ftrack_api.operation.UpdateEntityOperation)
    assert operation.entity_type == 'Shot'
    assert dict(operation.entity_key) == {'id': shot['id']}
    assert operation.attribute_name == 'name'
    assert operation.old_value is NOT_SET
    assert operation.new_value == 'sh010'


def test_delete_key_reverts_to_the_remote_value(ftrack_session, shot):
    shot['name'] = 'changed'
    del shot['name']
    assert shot['name'] == 'sh010'
    operation = list(ftrack_session.recorded_operations)[-1]
    assert operation.new_value is NOT_SET and operation.old_value == 'changed'


def test_clear_reverts_every_attribute(ftrack_session, shot):
    shot['name'] = 'changed'
    shot['description'] = 'changed'
    before = len(ftrack_session.recorded_operations)
    shot.clear()
    assert shot['name'] == 'sh010'
    assert shot['description'] == 'sq010 sh010'
    assert len(ftrack_session.recorded_operations) - before == len(shot)


def test_immutable_attributes(ftrack_session, shot):
    with pytest.raises(ftrack_api.exception.ImmutableAttributeError) as error:
        shot['id'] = 'other'
    assert str(error.value) == "Cannot modify value of immutable 'id' attribute."
    with pytest.raises(ftrack_api.exception.ImmutableAttributeError):
        shot['object_type_id'] = 'other'
    assert shot['id'] != 'other'
    # Clearing an immutable value is allowed; so is a first value.
    shot['id'] = NOT_SET
    user = ftrack_session.types['User'](ftrack_session, {}, reconstructing=True)
    user['id'] = 'first'
    assert user['id'] == 'first'


def test_values_are_not_validated(ftrack_session, shot):
    shot['name'] = 5
    shot['parent'] = 'not an entity'
    assert shot['name'] == 5
    assert shot['parent'] == 'not an entity'


def test_construct_applies_defaults_and_records_one_create(ftrack_session):
    before = len(ftrack_session.recorded_operations)
    user = ftrack_session.create('User', {'username': 'with-defaults'})
    operations = list(ftrack_session.recorded_operations)[before:]
    assert len(operations) == 1
    create = operations[0]
    assert isinstance(create, ftrack_api.operation.CreateEntityOperation)
    assert create.entity_data['username'] == 'with-defaults'
    assert create.entity_data['resource_type'] == 'user'
    assert len(create.entity_data['id']) == 36
    assert dict(create.entity_key) == {'id': user['id']}
    assert ftrack_session.create('User', {})['id'] != user['id']


def test_construct_records_relations_after_the_create(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.get('Shot', project_tree['shots'][0])
    before = len(ftrack_session.recorded_operations)
    task = ftrack_session.create('Task', {
        'name': 'new', 'parent': shot, 'bogus': 'ignored',
        '__entity_type__': 'Ignored',
    })
    operations = list(ftrack_session.recorded_operations)[before:]
    assert [type(operation).__name__ for operation in operations] == [
        'CreateEntityOperation', 'UpdateEntityOperation'
    ]
    assert 'parent' not in operations[0].entity_data
    assert operations[1].attribute_name == 'parent'
    assert operations[1].new_value == shot
    assert task['parent'] is shot


def test_create_unknown_type(ftrack_session):
    with pytest.raises(ftrack_api.exception.UnrecognisedEntityTypeError) as error:
        ftrack_session.create('Bogus', {})
    assert str(error.value) == 'Entity type "b\'Bogus\'" not recognised.'


def test_create_twice_with_the_same_key_gives_one_instance(ftrack_session):
    first = ftrack_session.create('User', {'id': 'same', 'username': 'a'})
    second = ftrack_session.create('User', {'id': 'same', 'username': 'b'})
    assert first is second
    assert first['username'] == 'b'
    assert len(ftrack_session.recorded_operations) == 2


def test_reconstructing_records_nothing(ftrack_session):
    user = ftrack_session.create(
        'User', {'id': 'rebuilt', 'username': 'r'}, reconstructing=True
    )
    assert len(ftrack_session.recorded_operations) == 0
    assert user.attributes.get('username').get_remote_value(user) == 'r'
    assert user.attributes.get('username').get_local_value(user) is NOT_SET
    assert ftrack_api.inspection.state(user) is NOT_SET


def test_entity_merge_reports_changes(ftrack_session):
    target = ftrack_session.create(
        'User', {'id': 'target', 'username': 'a'}, reconstructing=True
    )
    source = ftrack_session.types['User'](
        ftrack_session, {'id': 'target', 'username': 'b', 'email': 'e'},
        reconstructing=True,
    )
    changes = target.merge(source)
    assert sorted(
        (change['type'], change['name'], change['old_value'],
         change['new_value'])
        for change in changes
    ) == [
        ('remote_attribute', 'email', NOT_SET, 'e'),
        ('remote_attribute', 'username', 'a', 'b'),
    ]
    assert target.merge(source) == []


def test_entity_merge_of_local_values_records_them(ftrack_session):
    target = ftrack_session.create('User', {'id': 'local-target'})
    source = ftrack_session.types['User'](
        ftrack_session, {'id': 'local-target', 'first_name': 'F'}
    )
    before = len(ftrack_session.recorded_operations)
    changes = target.merge(source)
    assert [(change['type'], change['name']) for change in changes] == [
        ('local_attribute', 'first_name')
    ]
    assert target['first_name'] == 'F'
    # Entity.merge records local changes unless recording is off.
    assert len(ftrack_session.recorded_operations) == before + 1


def test_merging_a_local_key_into_a_persisted_entity_fails(ftrack_session):
    ftrack_session.create(
        'User', {'id': 'persisted', 'username': 'p'}, reconstructing=True
    )
    with pytest.raises(ftrack_api.exception.ImmutableAttributeError):
        ftrack_session.create('User', {'id': 'persisted'})
