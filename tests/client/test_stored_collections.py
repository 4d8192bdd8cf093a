"""Collections the server sent, stored as plain members until read.

Loading keeps a collection attribute as the tuple of entities the server
sent and makes the :class:`~ftrack_api.collection.Collection` (or mapped
proxy) only when it is read. Nothing of that may show: every public way
of looking at an entity sees collections, merging compares members, and
encoding gives the same JSON whether a collection was read or not.
Entity classes with construction of their own still get it for server
data.
"""

import copy
import json
import uuid

import pytest

import ftrack_api
import ftrack_api.collection
import ftrack_api.entity.location
import ftrack_api.exception
import ftrack_api.inspection
from ftrack_api.symbol import NOT_SET

from session_helpers import SHOT_OBJECT_TYPE, new_session

Collection = ftrack_api.collection.Collection
KeyValueProxy = ftrack_api.collection.KeyValueMappedCollectionProxy
CustomAttributeProxy = ftrack_api.collection.CustomAttributeCollectionProxy

SHOT_QUERY = ('select name, children, metadata, custom_attributes, notes '
              'from Shot where id is "{0}"')
STRATEGIES = ('all', 'set_only', 'modified_only', 'persisted_only')


@pytest.fixture(scope='module')
def scene(ftrack_server):
    """A shot with three tasks, metadata, a custom attribute value and a
    note, committed by a session of its own."""
    session = new_session(ftrack_server)
    try:
        schema = session.query('ProjectSchema').first()
        project = session.create('Project', {
            'name': 'stored', 'full_name': 'Stored', 'project_schema': schema})
        shot = session.create('Shot', {'name': 'sh010', 'parent': project})
        tasks = [session.create('Task', {'name': name, 'parent': shot})
                 for name in ('comp', 'fx', 'lighting')]
        text = session.query(
            'CustomAttributeType where name is "text"').one()
        session.create('CustomAttributeConfiguration', {
            'key': 'look', 'label': 'Look', 'type': text,
            'entity_type': 'task', 'object_type_id': SHOT_OBJECT_TYPE,
            'config': json.dumps({}), 'default': ''})
        session.commit()
        shot['metadata']['colour'] = 'grey'
        shot['metadata']['lens'] = '35mm'
        shot['custom_attributes']['look'] = 'warm'
        user = session.query('User where username is "{0}"'.format(
            ftrack_server.api_user)).one()
        shot.create_note('Looks good', author=user)
        session.commit()
        yield {'shot': shot['id'], 'tasks': [task['id'] for task in tasks],
               'project': project['id']}
    finally:
        session.close()


@pytest.fixture
def session(ftrack_server):
    session = new_session(ftrack_server)
    yield session
    session.close()


def load_shot(session, scene):
    return session.query(SHOT_QUERY.format(scene['shot'])).one()


def collection_names(entity):
    return sorted(entity.attributes._collection_names)


def ids(collection):
    return sorted(member['id'] for member in collection)


# Reading ---------------------------------------------------------------

def test_loaded_collections_read_back_as_their_collection_types(
        session, scene):
    shot = load_shot(session, scene)
    children = shot['children']
    assert type(children) is Collection
    assert ids(children) == sorted(scene['tasks'])
    assert all(isinstance(task, session.types['Task']) for task in children)
    assert isinstance(shot['metadata'], KeyValueProxy)
    assert dict(shot['metadata']) == {'colour': 'grey', 'lens': '35mm'}
    assert isinstance(shot['custom_attributes'], KeyValueProxy)
    assert shot['custom_attributes']['look'] == 'warm'
    assert [note['content'] for note in shot['notes']] == ['Looks good']
    # The members are the session's instances.
    task = session.get('Task', scene['tasks'][0])
    assert any(member is task for member in children)


def test_remote_value_is_an_immutable_collection_and_local_a_copy(
        session, scene):
    shot = load_shot(session, scene)
    attribute = shot.attributes.get('children')
    # Asked before the collection was ever read.
    remote = attribute.get_remote_value(shot)
    assert type(remote) is Collection
    assert remote.mutable is False
    assert attribute.get_remote_value(shot) is remote
    assert attribute.get_local_value(shot) is NOT_SET
    extra = session.create('Task', {'name': 'extra'})
    with pytest.raises(ftrack_api.exception.ImmutableCollectionError):
        remote.append(extra)

    local = shot['children']
    assert local is not remote
    assert local.mutable is True
    assert attribute.get_local_value(shot) is local
    assert ids(local) == ids(remote)
    assert attribute.is_modified(shot) is False
    local.append(extra)
    assert len(remote) == 3 and len(local) == 4
    assert attribute.is_modified(shot) is True


@pytest.mark.parametrize('name', ['children', 'metadata',
                                  'custom_attributes', 'notes'])
def test_mapped_and_plain_remote_values_have_their_types(
        session, scene, name):
    shot = load_shot(session, scene)
    attribute = shot.attributes.get(name)
    remote = attribute.get_remote_value(shot)
    expected = Collection if name in ('children', 'notes') else KeyValueProxy
    assert type(remote) is expected
    assert remote.mutable is False
    assert type(shot[name]) is expected
    assert shot[name].mutable is True


def test_no_view_of_an_entity_shows_a_stored_tuple(session, scene):
    shot = load_shot(session, scene)
    storage = shot.attributes.get('children').get_entity_storage(shot)
    for name in collection_names(shot):
        if storage[name]['remote'] is not NOT_SET:
            assert not isinstance(storage[name]['remote'], tuple), name

    shot = load_shot(new_session_like(session), scene)
    for name, value in shot.items():
        assert not isinstance(value, tuple), name
    shot = load_shot(new_session_like(session), scene)
    for value in shot.values():
        assert not isinstance(value, tuple)
    shot = load_shot(new_session_like(session), scene)
    for name in shot.keys():
        assert not isinstance(shot.get(name), tuple), name
    shot = load_shot(new_session_like(session), scene)
    duplicate = copy.copy(shot)
    for name in collection_names(shot):
        value = duplicate.get(name) if name in ('children', 'metadata') \
            else NOT_SET
        assert not isinstance(value, tuple), name
    assert ids(duplicate['children']) == sorted(scene['tasks'])


def new_session_like(session):
    """Another session on the same server (closed with the test's)."""
    other = ftrack_api.Session(
        server_url=session.server_url, api_user=session.api_user,
        api_key=session.api_key, schema_cache_path=False)
    session.__dict__.setdefault('_stored_test_sessions', []).append(other)
    return other


@pytest.fixture(autouse=True)
def close_other_sessions(session):
    yield
    for other in session.__dict__.get('_stored_test_sessions', ()):
        other.close()


def test_states_and_operations_are_untouched_by_reading(session, scene):
    shot = load_shot(session, scene)
    assert ftrack_api.inspection.state(shot) is NOT_SET
    for name in collection_names(shot):
        shot.get(name)
    assert ftrack_api.inspection.state(shot) is NOT_SET
    assert list(session.recorded_operations) == []


# Duplicates ------------------------------------------------------------

def test_duplicate_members_from_the_server_are_refused(session, scene):
    task = session.get('Task', scene['tasks'][0])
    other = session.get('Task', scene['tasks'][1])
    with pytest.raises(
            ftrack_api.exception.DuplicateItemInCollectionError):
        session.create('Shot', {'id': str(uuid.uuid4()),
                                'children': [task, other, task]},
                       reconstructing=True)
    with pytest.raises(
            ftrack_api.exception.DuplicateItemInCollectionError):
        session.create('Shot', {'id': str(uuid.uuid4()),
                                'children': [task, task]},
                       reconstructing=True)
    reference = {'__entity_type__': 'Task', 'id': scene['tasks'][0]}
    with pytest.raises(
            ftrack_api.exception.DuplicateItemInCollectionError):
        session.decode(json.dumps({
            '__entity_type__': 'Shot', 'id': scene['shot'],
            'children': [reference, reference]}))
    # One member, or none, is fine.
    single = session.create('Shot', {'id': str(uuid.uuid4()),
                                     'children': [task]},
                            reconstructing=True)
    assert [member['id'] for member in single['children']] == [task['id']]
    empty = session.create('Shot', {'id': str(uuid.uuid4()),
                                    'children': None}, reconstructing=True)
    assert list(empty['children']) == []


def test_reference_client_refuses_duplicates_alike(
        reference_python, ftrack_server, scene, tmp_path):
    import subprocess

    script = '''
import json, ftrack_api, ftrack_api.exception
session = ftrack_api.Session(server_url={url!r}, api_user={user!r},
                             api_key={key!r}, schema_cache_path=False,
                             auto_connect_event_hub=False)
task = session.get('Task', {task!r})
results = []
for children in ([task, task], [task]):
    try:
        shot = session.create('Shot', {{'id': 'new-' + str(len(children)),
                                        'children': children}},
                              reconstructing=True)
        results.append(len(shot['children']))
    except ftrack_api.exception.DuplicateItemInCollectionError:
        results.append('duplicate')
print(json.dumps(results))
'''.format(url=ftrack_server.url, user=ftrack_server.api_user,
           key=ftrack_server.api_key, task=scene['tasks'][0])
    # Run away from the checkout, whose ftrack_api would shadow the
    # reference's.
    output = subprocess.run([reference_python, '-c', script],
                            capture_output=True, text=True, timeout=120,
                            cwd=str(tmp_path))
    assert output.returncode == 0, output.stderr
    assert json.loads(output.stdout.splitlines()[-1]) == ['duplicate', 1]


# Merging ---------------------------------------------------------------

def stored(entity, name):
    """What the entity stores as the server's value (internal: tells
    whether the collection was made)."""
    return entity._remote_values.get(name, NOT_SET)


def test_merging_the_same_result_again_leaves_collections_unread(
        session, scene):
    shot = load_shot(session, scene)
    before = {name: stored(shot, name) for name in collection_names(shot)
              if stored(shot, name) is not NOT_SET}
    assert before and all(type(value) is tuple for value in before.values())
    again = load_shot(session, scene)
    assert again is shot
    for name, value in before.items():
        assert type(stored(shot, name)) is tuple, name
        assert stored(shot, name) == value, name
    assert ftrack_api.inspection.state(shot) is NOT_SET
    assert list(session.recorded_operations) == []
    assert ids(shot['children']) == sorted(scene['tasks'])


def test_merging_a_read_collection_with_the_same_members_keeps_it(
        session, scene):
    shot = load_shot(session, scene)
    remote = shot.attributes.get('children').get_remote_value(shot)
    local = shot['children']
    load_shot(session, scene)
    assert shot.attributes.get('children').get_remote_value(shot) is remote
    assert shot['children'] is local


def add_task(ftrack_server, scene, name):
    """Add a task to the shot behind the session's back; return its id."""
    other = new_session(ftrack_server)
    try:
        task = other.create('Task', {
            'name': name, 'parent': other.get('Shot', scene['shot'])})
        other.commit()
        return task['id']
    finally:
        other.close()


def remove_task(ftrack_server, task_id):
    other = new_session(ftrack_server)
    try:
        other.delete(other.get('Task', task_id))
        other.commit()
    finally:
        other.close()


@pytest.mark.parametrize('read_first', [False, True],
                         ids=['unread', 'read'])
def test_changed_membership_replaces_the_remote_collection(
        ftrack_server, session, scene, read_first):
    shot = load_shot(session, scene)
    if read_first:
        shot.attributes.get('children').get_remote_value(shot)
    added = add_task(ftrack_server, scene, 'added')
    try:
        load_shot(session, scene)
        remote = shot.attributes.get('children').get_remote_value(shot)
        assert type(remote) is Collection and remote.mutable is False
        assert ids(remote) == sorted(scene['tasks'] + [added])
        assert ids(shot['children']) == sorted(scene['tasks'] + [added])
        assert list(session.recorded_operations) == []
    finally:
        remove_task(ftrack_server, added)


def test_an_unchanged_local_copy_follows_the_server(
        ftrack_server, session, scene):
    shot = load_shot(session, scene)
    assert ids(shot['children']) == sorted(scene['tasks'])  # local copy
    added = add_task(ftrack_server, scene, 'follows')
    try:
        load_shot(session, scene)
        assert ids(shot['children']) == sorted(scene['tasks'] + [added])
        assert shot['children'].mutable is True
        assert shot.attributes.get('children').is_modified(shot) is False
        assert list(session.recorded_operations) == []
    finally:
        remove_task(ftrack_server, added)


def test_a_locally_modified_collection_survives_a_merge(
        ftrack_server, session, scene):
    shot = load_shot(session, scene)
    mine = session.create('Task', {'name': 'mine'})
    shot['children'].append(mine)
    added = add_task(ftrack_server, scene, 'theirs')
    try:
        load_shot(session, scene)
        attribute = shot.attributes.get('children')
        assert ids(shot['children']) == sorted(scene['tasks'] + [mine['id']])
        assert ids(attribute.get_remote_value(shot)) == sorted(
            scene['tasks'] + [added])
        assert attribute.is_modified(shot) is True
    finally:
        session.rollback()
        remove_task(ftrack_server, added)


@pytest.mark.parametrize('read_first', [False, True],
                         ids=['unread', 'read'])
def test_is_modified_ignores_order(session, scene, read_first):
    shot = load_shot(session, scene)
    attribute = shot.attributes.get('children')
    if read_first:
        members = list(shot['children'])
    else:
        members = [session.get('Task', task_id)
                   for task_id in scene['tasks']]
        assert type(stored(shot, 'children')) is tuple
    shot['children'] = list(reversed(members))
    assert attribute.is_modified(shot) is False
    shot['children'] = members[:2]
    assert attribute.is_modified(shot) is True
    shot['children'] = members[1:] + members[:1]
    assert attribute.is_modified(shot) is False
    session.rollback()


def test_is_modified_of_a_mapped_collection(session, scene):
    shot = load_shot(session, scene)
    attribute = shot.attributes.get('metadata')
    assert attribute.is_modified(shot) is False
    metadata = shot['metadata']
    assert attribute.is_modified(shot) is False
    metadata['colour'] = 'blue'
    # The same Metadata entities: the membership did not change.
    assert attribute.is_modified(shot) is False
    metadata['new key'] = 'x'
    assert attribute.is_modified(shot) is True
    session.rollback()


# Encoding --------------------------------------------------------------

def read_everything(entity):
    """Make every loaded collection a collection: remote and local."""
    for name in collection_names(entity):
        if stored(entity, name) is NOT_SET:
            continue
        entity.attributes.get(name).get_remote_value(entity)
        value = entity.get(name)
        if isinstance(value, (Collection,
                              ftrack_api.collection.MappedCollectionProxy)):
            list(value)


@pytest.mark.parametrize('strategy', STRATEGIES)
def test_encoding_is_the_same_whether_collections_were_read(
        session, scene, strategy):
    unread = load_shot(session, scene)
    other = new_session_like(session)
    read = load_shot(other, scene)
    read_everything(read)
    assert type(stored(unread, 'children')) is tuple
    assert type(stored(read, 'children')) is not tuple
    text = session.encode(unread, entity_attribute_strategy=strategy)
    assert text == other.encode(read, entity_attribute_strategy=strategy)
    assert session.encode([unread, unread], strategy) == other.encode(
        [read, read], strategy)
    encoded = json.loads(text)
    if strategy in ('set_only', 'persisted_only', 'all'):
        assert sorted(item['id'] for item in encoded['children']) == sorted(
            scene['tasks'])
        assert {item['__entity_type__'] for item in encoded['children']} == {
            'Task'}
        assert len(encoded['metadata']) == 2
    else:
        assert set(encoded) == {'__entity_type__', 'id'}


def test_encoding_a_modified_collection_sends_the_local_members(
        session, scene):
    shot = load_shot(session, scene)
    shot['children'] = [session.get('Task', scene['tasks'][0])]
    encoded = json.loads(session.encode(shot, 'modified_only'))
    assert encoded['children'] == [
        {'__entity_type__': 'Task', 'id': scene['tasks'][0]}]
    persisted = json.loads(session.encode(shot, 'persisted_only'))
    assert sorted(item['id'] for item in persisted['children']) == sorted(
        scene['tasks'])
    session.rollback()


def test_encoding_leaves_collections_unread(session, scene):
    shot = load_shot(session, scene)
    for strategy in ('set_only', 'persisted_only', 'modified_only'):
        session.encode(shot, strategy)
        assert type(stored(shot, 'children')) is tuple, strategy


def test_decoding_an_encoded_entity_round_trips(session, scene):
    shot = load_shot(session, scene)
    text = session.encode(shot, 'persisted_only')
    other = new_session_like(session)
    decoded = other.decode(text)
    assert isinstance(decoded, other.types['Shot'])
    assert decoded is not other.get('Shot', scene['shot'])
    assert type(decoded['children']) is Collection
    assert ids(decoded['children']) == sorted(scene['tasks'])
    assert isinstance(decoded['metadata'], KeyValueProxy)
    assert dict(decoded['metadata']) == {'colour': 'grey', 'lens': '35mm'}
    assert other.encode(decoded, 'persisted_only') == text
    # Read relations of a decoded entity are the session's instances.
    task = other.get('Task', scene['tasks'][0])
    assert any(member is task for member in decoded['children'])


def test_a_decoded_entity_merges_its_relations_on_read(session, scene):
    reference = {'__entity_type__': 'Task', 'id': scene['tasks'][0]}
    decoded = session.decode(json.dumps({
        '__entity_type__': 'Shot', 'id': scene['shot'], 'name': 'decoded',
        'children': [reference, {'__entity_type__': 'Task',
                                 'id': scene['tasks'][1]}],
    }))
    cached = session.get('Task', scene['tasks'][0])
    children = decoded['children']
    assert type(children) is Collection
    assert any(member is cached for member in children)
    assert decoded['name'] == 'decoded'
    # Detached: the session's own shot is another instance, not changed.
    own = session.get('Shot', scene['shot'])
    assert own is not decoded and own['name'] == 'sh010'
    assert list(session.recorded_operations) == []


# Construction ----------------------------------------------------------

PLUGIN = '''
import ftrack_api.entity.base
from ftrack_api.entity.factory import StandardFactory


class Counted(ftrack_api.entity.base.Entity):
    """Runs construction of its own."""

    made = []

    def __init__(self, session, data=None, reconstructing=False):
        self.note = 'constructed'
        Counted.made.append(reconstructing)
        super().__init__(session, data=data, reconstructing=reconstructing)


class TagMixin(object):
    def __init__(self, *args, **kwargs):
        self.tags = ['mixed in']
        super().__init__(*args, **kwargs)


class Plain(ftrack_api.entity.base.Entity):
    def describe(self):
        return 'plain ' + self['name']


def register(session, **kw):
    session.counted_class = Counted

    def construct(event):
        schema = event['data']['schema']
        if schema['id'] == 'Shot':
            schema = dict(schema, properties=dict(schema['properties']))
            # The legacy custom attribute proxy of older schemas.
            attribute = dict(schema['properties']['custom_attributes'])
            attribute['items'] = {'$ref': 'CustomAttributeValue'}
            schema['properties']['custom_attributes'] = attribute
            return StandardFactory().create(schema, bases=[Counted])
        if schema['id'] == 'Task':
            return StandardFactory().create(
                schema, bases=[TagMixin, ftrack_api.entity.base.Entity])
        if schema['id'] == 'Sequence':
            return StandardFactory().create(schema, bases=[Plain])

    session.event_hub.subscribe(
        'topic=ftrack.api.session.construct-entity-type', construct)
'''


@pytest.fixture
def plugin_session(ftrack_server, tmp_path):
    (tmp_path / 'constructing.py').write_text(PLUGIN)
    session = new_session(ftrack_server, plugin_paths=[str(tmp_path)])
    yield session
    session.close()


def test_classes_with_their_own_init_run_it_for_server_data(
        plugin_session, scene):
    session = plugin_session
    made = session.counted_class.made
    del made[:]
    shot = load_shot(session, scene)
    assert shot.note == 'constructed'
    assert made == [True]
    assert ids(shot['children']) == sorted(scene['tasks'])
    tasks = session.query('select name, parent from Task where parent_id is '
                          '"{0}"'.format(scene['shot'])).all()
    assert len(tasks) == 3
    for task in tasks:
        assert task.tags == ['mixed in']
        assert task['parent'] is shot
    # Merging the same data again constructs nothing new.
    load_shot(session, scene)
    assert made == [True]


def test_the_legacy_custom_attribute_proxy_from_stored_members(
        plugin_session, scene):
    shot = load_shot(plugin_session, scene)
    attribute = shot.attributes.get('custom_attributes')
    assert type(stored(shot, 'custom_attributes')) is tuple
    remote = attribute.get_remote_value(shot)
    assert isinstance(remote, CustomAttributeProxy)
    assert remote.mutable is False
    values = shot['custom_attributes']
    assert isinstance(values, CustomAttributeProxy)
    assert values['look'] == 'warm'
    assert attribute.is_modified(shot) is False


def test_a_class_without_construction_of_its_own_still_works(
        plugin_session, scene, tmp_path):
    sequence_name = 'sq' + uuid.uuid4().hex[:6]
    session = plugin_session
    project = session.get('Project', scene['project'])
    sequence = session.create('Sequence', {'name': sequence_name,
                                           'parent': project})
    session.commit()
    other = new_session_like(session)
    other_plugin = ftrack_api.Session(
        server_url=session.server_url, api_user=session.api_user,
        api_key=session.api_key, schema_cache_path=False,
        plugin_paths=[str(tmp_path)])
    try:
        loaded = other_plugin.query(
            'select name, children from Sequence where id is "{0}"'.format(
                sequence['id'])).one()
        assert loaded.describe() == 'plain ' + sequence_name
        assert list(loaded['children']) == []
    finally:
        other_plugin.close()
    assert other.get('Sequence', sequence['id'])['name'] == sequence_name


def test_special_entity_classes_from_server_data(session, scene):
    location = session.query(
        'select name from Location where name is "ftrack.unmanaged"').one()
    assert isinstance(location, ftrack_api.entity.location.Location)
    # Set by Location's own construction.
    assert 'progress_callback' in vars(location)
    assert location.priority is not None

    note = session.query('select content, replies, author from Note where '
                         'parent_id is "{0}"'.format(scene['shot'])).one()
    assert isinstance(note, ftrack_api.entity.note.Note)
    assert type(note['replies']) is Collection and list(note['replies']) == []

    shot = load_shot(session, scene)
    assert note in shot['notes']

    component = session.create_component(
        __file__, location=None, data={'name': 'stored'})
    session.commit()
    other = new_session_like(session)
    loaded = other.query('select name, component_locations from Component '
                         'where id is "{0}"'.format(component['id'])).one()
    assert isinstance(loaded, ftrack_api.entity.component.Component)
    assert type(loaded['component_locations']) is Collection
    assert list(loaded['component_locations']) == []


def test_a_decoded_entity_merged_into_a_session(session, scene):
    other = new_session_like(session)
    text = other.encode(load_shot(other, scene), 'persisted_only')
    decoded = session.decode(text)
    merged = session.merge(decoded)
    assert merged is session.get('Shot', scene['shot'])
    assert type(merged['children']) is Collection
    assert ids(merged['children']) == sorted(scene['tasks'])
    assert dict(merged['metadata']) == {'colour': 'grey', 'lens': '35mm'}
    assert list(session.recorded_operations) == []


def test_entities_from_a_serialised_cache_read_their_collections(
        ftrack_server, scene, tmp_path):
    import ftrack_api.cache

    path = str(tmp_path / 'cache.dbm')

    def cache_maker(session):
        return ftrack_api.cache.SerialisedCache(
            ftrack_api.cache.FileCache(path), encode=session.encode,
            decode=session.decode)

    first = new_session(ftrack_server, cache=cache_maker)
    try:
        load_shot(first, scene)
    finally:
        first.close()
    second = new_session(ftrack_server, cache=cache_maker)
    try:
        shot = second.get('Shot', scene['shot'])
        attribute = shot.attributes.get('children')
        assert type(attribute.get_remote_value(shot)) is Collection
        assert type(shot['children']) is Collection
        assert ids(shot['children']) == sorted(scene['tasks'])
        assert dict(shot['metadata']) == {'colour': 'grey', 'lens': '35mm'}
        assert json.loads(second.encode(shot, 'persisted_only'))[
            'children'] == [{'__entity_type__': 'Task', 'id': task['id']}
                            for task in attribute.get_remote_value(shot)]
    finally:
        second.close()
