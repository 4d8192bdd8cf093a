"""The definition format: what declarations mean and how mistakes are
reported (file and line, and what was wrong)."""

import textwrap

import pytest

from ftrack_emulator.schema import dsl, model
from ftrack_emulator.schema.dsl import DefinitionError


def load(text, path='test.types'):
    return dsl.load_texts([(path, textwrap.dedent(text))])


BASIC = '''
    # A tiny schema.
    type Owner
        id: string ={uid}
        name: string ="" req
        items: [Item]
        tags: {Tag}

    type Item
        id: string ={uid}
        owner_id: fk(Owner)
        owner: -> Owner
        size: integer =0 ro
        note: string sql=text desc="Free text, with spaces."

    type Tag
        @pk parent_id key
        @owned_by parent_id parent_type
        parent_id: string
        parent_type: string transform
        key: string
        value: string
'''


def test_scalars_defaults_and_flags():
    registry = load(BASIC)
    item = registry['Item']
    assert item.primary_key == ['id']
    assert item.properties['id'].default == '{uid}'
    assert item.properties['size'].default == 0
    assert item.properties['size'].type == 'integer'
    assert item.properties['owner_id'].format == 'foreign_key'
    assert item.properties['owner_id'].description == \
        'Foreign key(s): Owner.id'
    assert item.properties['note'].description == 'Free text, with spaces.'
    assert item.properties['note'].column_type == 'text'
    # The key is always required and immutable.
    assert item.required == ['id']
    assert item.immutable == ['id', 'size']
    assert registry['Owner'].required == ['id', 'name']
    assert registry['Owner'].properties['name'].default == ''


def test_reference_and_collection_inference():
    registry = load(BASIC)
    owner = registry['Item'].properties['owner']
    assert owner.kind == model.REFERENCE
    assert (owner.relation.local, owner.relation.remote) == ('owner_id', 'id')
    items = registry['Owner'].properties['items']
    assert items.kind == model.COLLECTION and items.target == 'Item'
    assert (items.relation.local, items.relation.remote) == ('id', 'owner_id')
    tags = registry['Owner'].properties['tags']
    assert tags.kind == model.MAPPED
    assert tags.relation.remote == 'parent_id'
    assert tags.relation.owner_type_column == 'parent_type'
    assert tags.key_value_attributes == {'key': 'key', 'value': 'value'}
    assert registry['Tag'].properties['parent_type'].transform == {
        'client': '{schema_id}', 'server': '{table_name}'
    }


def test_explicit_relations():
    registry = load('''
        link item_label: item_id, label_id

        type Item
            id: string ={uid}
            context_id: fk(Item)
            parent: -> Item via=context_id
            children: [Item] by=context_id filter=kind:leaf,depth:2
            labels: [Label] through=item_label(item_id,label_id)
            kind: string
            depth: integer
            best: -> Item special=latest_version computed

        type Label
            id: string ={uid}
    ''')
    item = registry['Item']
    parent = item.properties['parent'].relation
    assert (parent.local, parent.remote) == ('context_id', 'id')
    children = item.properties['children'].relation
    assert children.remote == 'context_id'
    assert children.target_filters == {'kind': 'leaf', 'depth': 2}
    labels = item.properties['labels'].relation
    assert labels.through
    assert (labels.link_table, labels.link_local, labels.link_remote) == (
        'item_label', 'item_id', 'label_id')
    best = item.properties['best']
    assert best.relation.special == 'latest_version'
    assert item.computed == ['best']
    link = registry.tables['item_label']
    assert link.primary_key == ['item_id', 'label_id']
    assert link.types == []


def test_composite_reference():
    registry = load('''
        type Setting
            @pk name group
            name: string
            group: string

        type Use
            id: string ={uid}
            name: string
            group: string
            setting: -> Setting via=name,group to=name,group
    ''')
    relation = registry['Use'].properties['setting'].relation
    assert (relation.local, relation.remote) == ('name', 'name')
    assert relation.extra_keys == {'group': 'group'}


def test_inheritance_templates_and_discriminators():
    registry = load('''
        template classified(tag)
            @where kind=$tag
            @alias Things *
            kind: string =(discriminator) ro

        type Thing
            @abstract
            @alias Things
            @system kind
            @projections id kind
            id: string ={uid}
            kind: string
            extra: string

        type Red : Thing
            @use classified(red)
            @drop extra
            @required kind

        type Blue : Thing
            @use classified(blue)
            @immutable -kind
    ''')
    thing, red, blue = registry['Thing'], registry['Red'], registry['Blue']
    assert thing.abstract and not red.abstract
    assert red.table == blue.table == 'thing'
    assert red.discriminator == {'kind': 'red'}
    assert red.supertype == 'Thing'
    assert red.properties['kind'].default == 'red'
    assert blue.properties['kind'].default == 'blue'
    assert 'extra' not in red.properties and 'extra' in blue.properties
    assert red.required == ['id', 'kind']
    assert red.immutable == ['id', 'kind'] and blue.immutable == ['id']
    # Inherited: projections and system projections; not inherited: the
    # alias (replaced by the template's) and abstract.
    assert red.default_projections == ['id', 'kind']
    assert red.system_projections == ['kind']
    assert thing.alias_for == 'Things'
    assert red.alias_for == {'id': 'Things', 'classifiers': {'kind': 'red'}}
    assert [t.name for t in thing.subtypes] == ['Red', 'Blue']


def test_scalar_options():
    registry = load('''
        type Job
            id: integer
            status: string ="queued" enum=queued,done
            data: json
            when: datetime
            parent_ref: fk(Job) ref type=integer
            kind_id: fk(Job) untyped
            total: number derived=time_logged
            url: object computed=component_url ro
            legacy: string col=status
    ''')
    job = registry['Job']
    props = job.properties
    assert props['status'].enum == ['queued', 'done']
    assert (props['data'].type, props['data'].format) == ('string', 'json')
    assert props['when'].is_datetime
    assert props['parent_ref'].target == 'Job'
    assert props['parent_ref'].type == 'integer'
    assert props['kind_id'].type is None
    assert props['total'].computed_by == 'time_logged'
    assert props['total'].column is None
    assert props['url'].computed_by == 'component_url'
    assert job.computed == ['url']
    assert props['legacy'].column == 'status'
    assert job.properties['id'].default is model.NO_DEFAULT
    columns = registry.tables['job'].columns
    assert columns['data'].type == 'text'
    assert columns['when'].type == 'datetime'
    assert 'total' not in columns and 'url' not in columns
    assert 'legacy' not in columns


def test_comments_and_quotes():
    registry = load('''
        type Colour  # trailing comment
            # a comment line
            id: string ={uid}
            hex: string ="#510100"   # a colour, not a comment
            label: string desc="a # inside quotes"
    ''')
    props = registry['Colour'].properties
    assert props['hex'].default == '#510100'
    assert props['label'].description == 'a # inside quotes'


def test_tokenize():
    assert dsl.tokenize('a: string desc="x y" # c') == [
        'a:', 'string', 'desc="x y"']
    assert dsl.snake_case('AssetVersionLink') == 'asset_version_link'


# Errors ---------------------------------------------------------------------


@pytest.mark.parametrize('text, line, message', [
    ('    id: string', 1, 'indented line outside a type or template block'),
    ('typo Foo', 1, 'expected "type NAME"'),
    ('type 9x', 1, 'bad type name "9x"'),
    ('type A\n    id: strng', 2, 'unknown kind "strng"'),
    ('type A\n    id string', 2, 'expected "NAME: KIND ...", got "id string"'),
    ('type A\n    id:', 2, 'attribute "id" has no kind'),
    ('type A\n    id: string bogus', 2, 'unknown flag "bogus"'),
    ('type A\n    id: string colour=red', 2, 'unknown option "colour="'),
    ('type A\n    id: string col=', 2, 'option "col=" needs a value'),
    ('type A\n    id: string =', 2, 'missing value after "="'),
    ('type A\n    id: string ={uid}\n    b: -> A =1', 3,
     'reference "b" cannot take "default"'),
    ('type A\n    id: string via=x', 2, 'scalar "id" cannot take "via"'),
    ('type A\n    id: string ={uid}\n    b: [A] via=x', 3,
     'collection "b" cannot take "via"'),
    ('type A\n    id: string ={uid}\n    b: -> A computed=link', 3,
     'cannot take "computed="'),
    ('type A\n    id: string ref', 2, '"ref" needs an fk(TYPE) kind'),
    ('type A\n    id: string sql=blob', 2, 'unknown column type "blob"'),
    ('type A\n    id: string type=float', 2, 'unknown type "float"'),
    ('type A\n    id: string computed=x derived=y', 2,
     'use either computed= or derived='),
    ('type A\n    @colour red', 2, 'unknown directive "@colour"'),
    ('type A\n    @where kind', 2, '@where expects COLUMN=VALUE'),
    ('type A\n    @table', 2, '@table needs a name'),
    ('type A\n    @drop nothing', 2, 'no attribute "nothing" to drop'),
    ('type A\n    @use missing', 2, 'unknown template "missing"'),
    ('template T(a)\n    x: string\ntype A\n    @use T', 4,
     'template "T" takes 1 argument(s) (a), got 0'),
    ('template T\n    $b: string\ntype A\n    id: string\n    @use T', 2,
     'unknown template parameter "$b"'),
    ('type A\n    id: string\ntype A\n    id: string', 3,
     'duplicate type "A" (first declared at test.types:1)'),
    ('type A : B\n    id: string', 1, 'unknown base type "B"'),
    ('type A : A\n    id: string', 1, 'inherits from itself'),
    ('type A\n    id: string ={uid}\n    b: -> Nowhere', 3,
     'unknown type "Nowhere"'),
    ('type A\n    @pk key\n    id: string', 1,
     'primary key "key" is not an attribute'),
    ('type A\n    @system nothing\n    id: string', 1,
     'system projection "nothing" is not an attribute'),
    ('type A\n    id: string =(discriminator)', 2,
     'column "id" is not in the discriminator'),
    ('link l: a', 1, 'expected "link TABLE: COLUMN, COLUMN"'),
    ('type A\n    id: string\n    bs: [B]\ntype B\n    id: string', 3,
     'B has no reference back to A and no @owned_by'),
    ('type A\n    id: string\n    bs: [B]\ntype B\n    id: string\n'
     '    x: -> A\n    y: -> A', 3,
     'B refers back to A through x, y; say which with by=COLUMN'),
    ('type A\n    id: string\n    b: -> B via=nope\ntype B\n    id: string',
     3, 'via column "nope" is not stored by an attribute of A'),
    ('type A\n    id: string\n    bs: [B] on=nope\ntype B\n    id: string\n'
     '    a_id: string\n    a: -> A', 3,
     'owner column "nope" is not a column of table "a"'),
    ('type A\n    id: string\n    bs: [B] by=nope\ntype B\n    id: string',
     3, 'target column "nope" is not a column of table "b"'),
    ('type A\n    id: string\n    bs: [B] through=l(a,b)\ntype B\n'
     '    id: string', 3, 'unknown link table "l"'),
    ('type A\n    id: string\n    bs: [B] through=oops\ntype B\n'
     '    id: string', 3, 'through= expects TABLE(LOCAL,REMOTE)'),
    ('type A\n    id: string\n    b: -> A via=id,x', 3,
     'via= and to= name 2 and 1 column(s)'),
])
def test_errors_name_file_line_and_problem(text, line, message):
    with pytest.raises(DefinitionError) as caught:
        dsl.load_texts([('/somewhere/test.types', text)])
    text = str(caught.value)
    assert text.startswith('test.types:{0}'.format(line)), text
    assert message in text


def test_error_in_template_names_where_it_was_used():
    with pytest.raises(DefinitionError) as caught:
        load('template T\n    x: strng\n\ntype A\n    id: string\n'
             '    @use T\n')
    assert str(caught.value).startswith(
        'test.types:2 (used at test.types:6): attribute "x": unknown kind'
    )


def test_column_type_conflict_is_reported():
    with pytest.raises(DefinitionError) as caught:
        load('''
            type A
                @table shared
                id: string
                size: integer
            type B
                @table shared
                @where kind=b
                id: string
                size: string
        ''')
    assert 'column "size" is integer but B.size needs string' in \
        str(caught.value)


def test_link_table_may_not_reuse_an_entity_table():
    with pytest.raises(DefinitionError) as caught:
        load('link a: x, y\ntype A\n    id: string\n')
    assert 'link table "a" clashes with an entity table' in str(caught.value)


def test_empty_directory(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        dsl.load_directory(str(tmp_path))
    assert 'no *.types definition files' in str(caught.value)


def test_load_directory_reads_every_file(tmp_path):
    (tmp_path / 'a.types').write_text('type A\n    id: string\n    b: -> B\n')
    (tmp_path / 'b.types').write_text('type B\n    id: string\n')
    (tmp_path / 'notes.txt').write_text('not a definition')
    registry = dsl.load_directory(str(tmp_path))
    assert sorted(registry.types) == ['A', 'B']
