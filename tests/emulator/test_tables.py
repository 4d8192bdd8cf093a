"""SQL tables built from the schema, exercised in an in-memory SQLite."""

import datetime

import pytest
import sqlalchemy as sa

from ftrack_emulator.schema import load_registry, model
from ftrack_emulator.store import tables


@pytest.fixture(scope='module')
def registry():
    return load_registry()


@pytest.fixture(scope='module')
def metadata(registry):
    return tables.build_metadata(registry)


@pytest.fixture
def engine(metadata):
    engine = sa.create_engine('sqlite://')
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_one_table_per_registry_table(registry, metadata, engine):
    assert set(metadata.tables) == set(registry.tables)
    assert set(sa.inspect(engine).get_table_names()) == set(registry.tables)


def test_columns_keys_and_indexes_follow_the_registry(registry, metadata):
    for name, table in registry.tables.items():
        sql_table = metadata.tables[name]
        assert set(sql_table.c.keys()) == set(table.columns)
        assert sorted(c.name for c in sql_table.primary_key) == \
            sorted(table.primary_key)
        indexed = {column.name for index in sql_table.indexes
                   for column in index.columns}
        assert indexed == {c.name for c in table.columns.values()
                           if c.index}, name


def test_sql_types(metadata):
    context = metadata.tables['context'].c
    assert isinstance(context.name.type, sa.String)
    assert isinstance(context.description.type, sa.Text)
    assert isinstance(context.bid.type, sa.Float)
    assert isinstance(context.is_global.type, sa.Boolean)
    assert isinstance(context.start_date.type, tables.UTCDateTime)
    assert isinstance(metadata.tables['component'].c.size.type, sa.Integer)
    assert isinstance(metadata.tables['custom_attribute_value'].c.value.type,
                      tables.JSONValue)
    with pytest.raises(ValueError, match='Unknown column type "blob"'):
        tables.sql_type('blob')


def test_rows_round_trip(metadata, engine):
    context = metadata.tables['context']
    aware = datetime.datetime(
        2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(
            datetime.timedelta(hours=2)))
    with engine.begin() as connection:
        connection.execute(context.insert(), {
            'id': 'p1', 'name': 'show', 'context_type': 'show',
            'start_date': aware, 'is_global': False,
        })
        row = connection.execute(
            sa.select(context).where(context.c.id == 'p1')
        ).mappings().one()
    # Stored as naive UTC.
    assert row['start_date'] == datetime.datetime(2024, 1, 2, 1, 4, 5)
    assert row['is_global'] is False
    assert row['name'] == 'show'


def test_integer_keys_are_generated(metadata, engine):
    event = metadata.tables['event']
    with engine.begin() as connection:
        first = connection.execute(
            event.insert(), {'action': 'a'}).inserted_primary_key[0]
        second = connection.execute(
            event.insert(), {'action': 'b'}).inserted_primary_key[0]
    assert isinstance(first, int) and second == first + 1


def test_composite_keys_are_enforced(metadata, engine):
    meta = metadata.tables['metadata']
    with engine.begin() as connection:
        connection.execute(meta.insert(), {
            'parent_id': 'x', 'key': 'k', 'value': '1', 'parent_type': 'Task'
        })
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as connection:
            connection.execute(meta.insert(), {
                'parent_id': 'x', 'key': 'k', 'value': '2',
                'parent_type': 'Task'
            })


VALUES = [10, 2.5, '20', 'text', True, False, [1, 'two'], {'a': [1]}, None]


@pytest.fixture
def values(metadata, engine):
    table = metadata.tables['custom_attribute_value']
    with engine.begin() as connection:
        for index, value in enumerate(VALUES):
            connection.execute(table.insert(), {
                'configuration_id': 'c{0}'.format(index),
                'entity_id': 'e', 'value': value,
                'entity_kind': 'context',
            })
    return table


def read(engine, statement):
    with engine.connect() as connection:
        return connection.execute(statement).scalars().all()


def test_json_values_come_back_as_written(engine, values):
    found = read(engine, sa.select(values.c.value).order_by(
        values.c.configuration_id))
    assert found == VALUES
    assert [type(value) for value in found] == [
        type(value) for value in VALUES]


def test_json_values_compare_natively(engine, values):
    value = values.c.value
    numeric = sa.func.typeof(value).in_(['integer', 'real'])
    assert sorted(read(engine, sa.select(value).where(value > 5, numeric))) \
        == [10]
    assert read(engine, sa.select(value).where(value == 10)) == [10]
    # A number and its text are different values.
    assert read(engine, sa.select(value).where(value == '20')) == ['20']
    assert read(engine, sa.select(value).where(value == 20)) == []
    assert read(engine, sa.select(value).where(value.is_(True))) == [True]
    assert read(engine, sa.select(value).where(value.is_(False))) == [False]
    # Comparisons bind booleans the way they are stored.
    assert read(engine, sa.select(value).where(
        value == sa.literal(True, tables.JSONValue()))) == [True]
    assert read(engine, sa.select(value).where(value.like('te%'))) == \
        ['text']
    assert sorted(read(engine, sa.select(value).where(
        value.in_([10, 'text']))), key=str) == [10, 'text']
    assert read(engine, sa.select(value).where(value.is_(None))) == [None]


@pytest.mark.parametrize('value, stored', [
    (None, None), ('a', 'a'), (3, 3), (1.5, 1.5), (True, b'true'),
    ([1], b'[1]'), ({'b': 1, 'a': 2}, b'{"a": 2, "b": 1}'),
    (datetime.datetime(2024, 1, 2, 3, 4, 5,
                       tzinfo=datetime.timezone.utc), '2024-01-02T03:04:05'),
    (datetime.date(2024, 1, 2), '2024-01-02'),
])
def test_json_value_encoding(value, stored):
    assert tables.encode_json_value(value) == stored
    if isinstance(stored, bytes):
        assert tables.decode_json_value(stored) == value


def test_build_metadata_of_a_hand_made_registry():
    prop = model.Property
    thing = model.EntityType(
        'Thing', 'thing', {},
        {'id': prop('id', 'scalar', 'string', column='id'),
         'when': prop('when', 'scalar', 'string', format='date-time',
                      column='when'),
         'owner': prop('owner', 'reference', target='Thing',
                       relation=model.Relation(local='owner_id'))},
        ['id'],
    )
    link = model.Table('thing_tag', {
        'thing_id': model.Column('thing_id', 'string', nullable=False,
                                 primary_key=True),
        'tag': model.Column('tag', 'string', nullable=False,
                            primary_key=True, index=True),
    })
    registry = model.Registry([thing], [link])
    existing = sa.MetaData()
    metadata = tables.build_metadata(registry, existing)
    assert metadata is existing
    assert set(metadata.tables) == {'thing', 'thing_tag'}
    assert set(metadata.tables['thing'].c.keys()) == {'id', 'when',
                                                      'owner_id'}
    assert isinstance(metadata.tables['thing'].c.when.type,
                      tables.UTCDateTime)
    engine = sa.create_engine('sqlite://')
    metadata.create_all(engine)
    assert set(sa.inspect(engine).get_table_names()) == {'thing',
                                                         'thing_tag'}
