"""The write path used directly, without HTTP: value decoding, change
records for listeners, the cascade table."""

import datetime

import pytest

from ftrack_emulator.store import values
from ftrack_emulator.api.backend import Backend
from ftrack_emulator.config import Config
from ftrack_emulator.errors import ValidationError
from ftrack_emulator.store import writer as writer_module
from ftrack_emulator.store.seed import seed_id

SHOT_OBJECT_TYPE = 'bad911de-3bd6-47b9-8b46-3476e237cb36'


@pytest.fixture(scope='module')
def backend(tmp_path_factory):
    backend = Backend(Config(
        database='sqlite://', storage=str(tmp_path_factory.mktemp('files')),
    ))
    backend.open()
    yield backend
    backend.close()


@pytest.fixture
def write(backend):
    """Run ``function(writer, connection, batch)`` in a transaction that is
    rolled back afterwards; return its result and the batch."""

    def run(function):
        with backend.database.engine.connect() as connection:
            transaction = connection.begin()
            batch = backend.writer_batch(None)
            try:
                return function(backend.writer, connection, batch), batch
            finally:
                transaction.rollback()

    return run


@pytest.mark.parametrize('text, expected', [
    ('2024-01-02T03:04:05', datetime.datetime(2024, 1, 2, 3, 4, 5)),
    ('2024-01-02T03:04:05+02:00', datetime.datetime(2024, 1, 2, 1, 4, 5)),
    ('2024-01-02T03:04:05Z', datetime.datetime(2024, 1, 2, 3, 4, 5)),
    ('2024-01-02T03:04:05.123456-01:30',
     datetime.datetime(2024, 1, 2, 4, 34, 5, 123456)),
    ('2024-01-02', datetime.datetime(2024, 1, 2)),
])
def test_datetimes_become_naive_utc(text, expected):
    assert values.decode_datetime({'__type__': 'datetime', 'value': text}) \
        == expected
    assert values.decode_datetime({'__type__': 'date', 'value': text}) \
        == expected
    assert values.decode_datetime(text) == expected


def test_bad_datetimes_name_the_attribute():
    with pytest.raises(ValidationError) as raised:
        values.decode_datetime({'__type__': 'datetime', 'value': 'soon'},
                               'start_date')
    assert '"soon"' in raised.value.content
    assert 'start_date' in raised.value.content
    with pytest.raises(ValidationError):
        values.decode_datetime(3, 'start_date')


def test_describe_never_uses_braces():
    for value in ({'a': 1}, {'__entity_type__': 'Task', 'id': 'x'}, [1, 2],
                  '{x}', 3.5, None, True):
        text = values.describe(value)
        assert '{' not in text and '}' not in text


def test_entity_keys_accept_lists_and_bare_strings():
    assert values.normalise_entity_key('abc', ['id'], 'Task') == ('abc',)
    assert values.normalise_entity_key([1, 'b'], ['a', 'b'], 'X') == (
        '1', 'b')
    with pytest.raises(ValidationError):
        values.normalise_entity_key({'id': 1}, ['id'], 'Task')


def test_every_cascade_names_a_relation_of_the_schema(backend):
    registry = backend.registry
    for type_name, names in writer_module.CASCADES.items():
        assert type_name in registry, type_name
        entity_type = registry[type_name]
        missing = [name for name in names
                   if name not in entity_type.properties
                   or entity_type.properties[name].relation is None]
        assert missing == [], (type_name, missing)


def test_every_reverse_cascade_names_a_stored_attribute(backend):
    registry = backend.registry
    for type_name, pairs in writer_module.REVERSE_CASCADES.items():
        assert type_name in registry, type_name
        for dependent, attribute in pairs:
            assert registry[dependent].properties[attribute].column


def test_change_records_describe_each_write(write):
    def work(writer, connection, batch):
        project = writer.create(connection, batch, 'Project', {
            'name': 'records', 'full_name': 'Records',
            'project_schema_id': seed_id('ProjectSchema', 'VFX'),
        })[0]
        shot = writer.create(connection, batch, 'Shot', {
            'name': 'sh1', 'parent': {'__entity_type__': 'Project',
                                      'id': project}})[0]
        writer.update(connection, batch, 'Shot', [shot],
                      {'name': 'sh2', 'description': 'd'})
        writer.delete(connection, batch, 'Shot', [shot])
        return project, shot

    (project, shot), batch = write(work)
    added, updated, removed = batch.changes[1:]
    assert added['action'] == 'add' and added['entity_type'] == 'Shot'
    assert added['key'] == [shot]
    assert added['values']['name'] == [None, 'sh1']
    assert added['object_type_id'] == 'bad911de-3bd6-47b9-8b46-3476e237cb36'
    assert added['ancestors'] == [{'entity_type': 'Project',
                                   'entity_id': project,
                                   'object_type_id': None}]
    assert updated['attributes'] == ['description', 'name']
    assert updated['values'] == {'name': ['sh1', 'sh2'],
                                 'description': [None, 'd']}
    assert removed['action'] == 'remove'
    assert removed['values']['name'] == ['sh2', None]


def _production(writer, connection, batch):
    """A project, a shot and a task under it, an asset on the shot and a
    version of it; return their ids."""
    ids = {}
    ids['project'] = writer.create(connection, batch, 'Project', {
        'name': 'chain', 'full_name': 'Chain',
        'project_schema_id': seed_id('ProjectSchema', 'VFX'),
    })[0]
    ids['shot'] = writer.create(connection, batch, 'Shot', {
        'name': 'sh1', 'parent_id': ids['project']})[0]
    ids['task'] = writer.create(connection, batch, 'Task', {
        'name': 'comp', 'parent_id': ids['shot']})[0]
    asset_type = writer.find(connection, 'AssetType')[0]['id']
    ids['asset'] = writer.create(connection, batch, 'Asset', {
        'name': 'plate', 'context_id': ids['shot'],
        'type_id': asset_type})[0]
    ids['version'] = writer.create(connection, batch, 'AssetVersion', {
        'asset_id': ids['asset'], 'task_id': ids['task']})[0]
    return ids


def _chain(record):
    return [(item['entity_type'], item['entity_id'])
            for item in record['ancestors']]


def test_change_records_name_the_parents_of_every_kind_of_entity(write):
    def work(writer, connection, batch):
        ids = _production(writer, connection, batch)
        ids['component'] = writer.create(connection, batch, 'FileComponent', {
            'name': 'main', 'version_id': ids['version']})[0]
        ids['metadata'] = writer.create(connection, batch, 'Metadata', {
            'parent_id': ids['version'], 'parent_type': 'AssetVersion',
            'key': 'k', 'value': 'v'})
        del batch.changes[:]
        # The Python client creates a note without parent, then lists it
        # in the parent's notes.
        author = writer.find(connection, 'User')[0]['id']
        note = writer.create(connection, batch, 'Note', {
            'content': 'hi', 'user_id': author})[0]
        writer.update(connection, batch, 'AssetVersion', [ids['version']], {
            'notes': [{'__entity_type__': 'Note', 'id': note}]})
        ids['note'] = note
        writer.update(connection, batch, 'AssetVersion', [ids['version']],
                      {'comment': 'new'})
        writer.update(connection, batch, 'FileComponent', [ids['component']],
                      {'name': 'renamed'})
        writer.delete(connection, batch, 'Metadata', ids['metadata'])
        return ids

    ids, batch = write(work)
    above_version = [('Asset', ids['asset']), ('Shot', ids['shot']),
                     ('Project', ids['project'])]
    note_added, note_moved, owner, version, component, metadata = \
        batch.changes
    assert note_added['action'] == 'add' and note_added['ancestors'] == []
    assert note_moved['action'] == 'update'
    assert note_moved['entity_type'] == 'Note'
    assert note_moved['key'] == [ids['note']]
    assert note_moved['values'] == {
        'parent_id': [None, ids['version']],
        'parent_type': [None, 'AssetVersion']}
    assert _chain(note_moved) == [('AssetVersion', ids['version'])] + \
        above_version
    assert owner['attributes'] == ['notes']
    assert version['values'] == {'comment': ['', 'new']}
    assert version['object_type_id'] is None
    assert _chain(version) == above_version
    assert [item['object_type_id'] for item in version['ancestors']] == [
        None, 'bad911de-3bd6-47b9-8b46-3476e237cb36', None]
    assert component['entity_type'] == 'FileComponent'
    assert component['values'] == {'name': ['main', 'renamed']}
    assert _chain(component) == [('AssetVersion', ids['version'])] + \
        above_version
    assert metadata['action'] == 'remove'
    assert metadata['values']['value'] == ['v', None]
    assert _chain(metadata) == [('AssetVersion', ids['version'])] + \
        above_version


def test_custom_attribute_values_hang_off_their_entity(write):
    def work(writer, connection, batch):
        ids = _production(writer, connection, batch)
        text = writer.find(connection, 'CustomAttributeType',
                           {'name': 'text'})[0]['id']
        configuration = writer.create(
            connection, batch, 'CustomAttributeConfiguration', {
                'key': 'notes_field', 'label': 'Notes', 'type_id': text,
                'entity_type': 'task', 'config': '', 'default': '',
                'object_type_id': SHOT_OBJECT_TYPE,
            })[0]
        del batch.changes[:]
        writer.update(connection, batch, 'ContextCustomAttributeValue',
                      [configuration, ids['shot']], {'value': 'x'})
        return ids, configuration

    (ids, configuration), batch = write(work)
    [record] = batch.changes
    assert record['key'] == [configuration, ids['shot']]
    assert _chain(record) == [('Shot', ids['shot']),
                              ('Project', ids['project'])]


def test_find_and_fetch_speak_attribute_names(backend):
    with backend.database.begin() as connection:
        statuses = backend.writer.find(connection, 'Status',
                                       {'name': 'Approved'})
        assert len(statuses) == 1
        assert statuses[0]['__entity_type__'] == 'Status'
        fetched = backend.writer.fetch(connection, 'Status',
                                       (statuses[0]['id'],))
        assert fetched['name'] == 'Approved'
        assert backend.writer.fetch(connection, 'Status', ('nope',)) is None
        with pytest.raises(ValidationError):
            backend.writer.find(connection, 'Status', {'colour': 'x'})


def test_concrete_types_are_recognised(write):
    def work(writer, connection, batch):
        schema = seed_id('ProjectSchema', 'VFX')
        project = writer.create(connection, batch, 'Project', {
            'name': 'typed', 'project_schema_id': schema})[0]
        task = writer.create(connection, batch, 'Task', {
            'name': 't', 'parent_id': project})[0]
        return writer.fetch(connection, 'Context', (task,))

    found, _ = write(work)
    assert found['__entity_type__'] == 'Task'


def test_writes_to_a_missing_row_in_a_collection_fail_cleanly(write):
    def work(writer, connection, batch):
        schema = writer.create(connection, batch, 'WorkflowSchema',
                               {'name': 'w'})[0]
        writer.update(connection, batch, 'WorkflowSchema', [schema], {
            'statuses': [{'__entity_type__': 'Status', 'id': 'missing'}]})

    with pytest.raises(ValidationError) as raised:
        write(work)
    assert 'Status missing, which does not exist' in raised.value.content
