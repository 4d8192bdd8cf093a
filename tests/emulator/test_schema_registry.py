"""What the registry derives from the shipped definitions: storage families,
subtypes, the type of each stored row, relations and table columns."""

import pytest

from ftrack_emulator.schema import load_registry, model

TYPED_CONTEXTS = {
    'Task': '11c137c0-ee7e-4f9c-91c5-8c77cec22b2c',
    'Shot': 'bad911de-3bd6-47b9-8b46-3476e237cb36',
    'Sequence': 'e5139355-61da-4c8f-9db4-3abc870166bc',
    'Episode': '22139355-61da-4c8f-9db4-3abc870166bc',
    'Folder': '3c133785-51cb-11e3-980a-20c9d0831e59',
    'Milestone': '01decdd1-51cb-11e3-9d5b-20c9d0831e59',
    'AssetBuild': '4be63b64-5010-42fb-bf1f-428af9d638f0',
}


@pytest.fixture(scope='module')
def registry():
    return load_registry()


def names(types):
    return sorted(entity_type.name for entity_type in types)


def test_loaded_once(registry):
    assert load_registry() is registry
    assert len(registry.types) == 116


@pytest.mark.parametrize('table, members', [
    ('context', ['AssetBuild', 'Context', 'Episode', 'Folder', 'Milestone',
                 'Project', 'Sequence', 'Shot', 'Task', 'TypedContext']),
    ('component', ['Component', 'ContainerComponent', 'FileComponent',
                   'SequenceComponent']),
    ('resource', ['Group', 'Resource', 'User']),
    ('list', ['AssetVersionList', 'List', 'TypedContextList']),
    ('note_category', ['NoteCategory', 'NoteLabel']),
    ('status_change', ['AssetVersionStatusChange', 'StatusChange',
                       'TypedContextStatusChange']),
    ('custom_configuration', ['CustomAttributeConfiguration',
                              'CustomAttributeLinkConfiguration',
                              'CustomConfigurationBase']),
])
def test_shared_tables(registry, table, members):
    assert names(registry.tables[table].types) == members
    assert registry.tables[table].types[0].discriminator == {}


def test_every_value_type_shares_one_table(registry):
    values = [name for name in registry.types
              if name.endswith('CustomAttributeValue')]
    assert len(values) == 7
    assert {registry[name].table for name in values} == {
        'custom_attribute_value'}
    kinds = [registry[name].discriminator.get('entity_kind')
             for name in values if name != 'CustomAttributeValue']
    assert len(set(kinds)) == 6


def test_context_family(registry):
    context = registry['Context']
    assert context.abstract
    assert names(context.subtypes) == sorted(
        ['Project', 'TypedContext'] + list(TYPED_CONTEXTS))
    assert registry['Project'].discriminator == {'context_type': 'show'}
    typed = registry['TypedContext']
    assert not typed.abstract
    assert names(typed.subtypes) == sorted(TYPED_CONTEXTS)
    for name, object_type_id in TYPED_CONTEXTS.items():
        entity_type = registry[name]
        assert entity_type.discriminator == {
            'context_type': 'task', 'object_type_id': object_type_id}
        assert entity_type.properties['object_type_id'].default == \
            object_type_id
        assert entity_type.subtypes == []


@pytest.mark.parametrize('queried, row, expected', [
    ('Context', {'context_type': 'show'}, 'Project'),
    ('Context', {'context_type': 'task',
                 'object_type_id': TYPED_CONTEXTS['Shot']}, 'Shot'),
    ('TypedContext', {'context_type': 'task',
                      'object_type_id': TYPED_CONTEXTS['Task']}, 'Task'),
    # A studio's own object type has no type of its own.
    ('Context', {'context_type': 'task', 'object_type_id': 'custom'},
     'TypedContext'),
    ('Component', {'system_type': 'file'}, 'FileComponent'),
    ('Component', {'system_type': 'sequence'}, 'SequenceComponent'),
    ('Component', {'system_type': 'container'}, 'ContainerComponent'),
    ('Resource', {'resource_type': 'user'}, 'User'),
    ('Resource', {'resource_type': 'group'}, 'Group'),
    ('List', {'system_type': 'task'}, 'TypedContextList'),
    ('List', {'system_type': 'assetversion'}, 'AssetVersionList'),
    ('StatusChange', {'parent_type': 'task'}, 'TypedContextStatusChange'),
    ('StatusChange', {'parent_type': 'assetversion'},
     'AssetVersionStatusChange'),
    ('CustomConfigurationBase', {'config_kind': 'attribute'},
     'CustomAttributeConfiguration'),
    ('CustomConfigurationBase', {'config_kind': 'link'},
     'CustomAttributeLinkConfiguration'),
    ('CustomAttributeValue', {'entity_kind': 'context'},
     'ContextCustomAttributeValue'),
    ('CustomAttributeValue', {'entity_kind': 'asset_version'},
     'AssetVersionCustomAttributeValue'),
    ('CustomAttributeValue', {'entity_kind': None}, 'CustomAttributeValue'),
    ('NoteLabel', {}, 'NoteLabel'),
    ('NoteCategory', {}, 'NoteCategory'),
])
def test_concrete_type_of_rows(registry, queried, row, expected):
    assert registry.concrete_type(registry[queried], row).name == expected


def test_link_views_stay_apart(registry):
    """One link row is a CustomAttributeLink from its source and a
    CustomAttributeLinkFrom from its target; the two families share the
    table without becoming subtypes of each other."""
    link = registry['CustomAttributeLink']
    link_from = registry['CustomAttributeLinkFrom']
    assert link.table == link_from.table == 'custom_attribute_link'
    assert all(not t.name.endswith('From') for t in link.subtypes)
    assert all(t.name.endswith('From') for t in link_from.subtypes)
    assert len(link.subtypes) == len(link_from.subtypes) == 7
    row = {'from_kind': 'asset', 'to_kind': 'context'}
    assert registry.concrete_type(link, row).name == \
        'AssetCustomAttributeLink'
    assert registry.concrete_type(link_from, row).name == \
        'ContextCustomAttributeLinkFrom'


@pytest.mark.parametrize('owner, name, local, remote', [
    ('Asset', 'parent', 'context_id', 'id'),
    ('Note', 'author', 'user_id', 'id'),
    ('Recipient', 'recipient', 'resource_id', 'id'),
    ('SchemaStatus', 'task_status', 'status_id', 'id'),
    ('SchemaType', 'task_type', 'type_id', 'id'),
    ('ReviewSessionObject', 'asset_version', 'version_id', 'id'),
    ('Status', 'state', 'state_id', 'id'),
    ('List', 'owner', 'user_id', 'id'),
    ('Feed', 'event', 'social_id', 'id'),
    ('ProjectSchema', '_task_workflow', 'task_workflow_schema_id', 'id'),
    ('ProjectSchema', '_version_workflow',
     'asset_version_workflow_schema_id', 'id'),
    ('AssetCustomAttributeLink', 'asset', 'from_id', 'id'),
    ('AssetCustomAttributeLinkFrom', 'asset', 'to_id', 'id'),
    ('Task', 'parent', 'parent_id', 'id'),
])
def test_irregular_references(registry, owner, name, local, remote):
    relation = registry[owner].properties[name].relation
    assert (relation.local, relation.remote) == (local, remote)


@pytest.mark.parametrize('owner, name, remote, filters, owner_type', [
    ('Task', 'children', 'parent_id', {}, None),
    ('Project', 'children', 'parent_id', {}, None),
    ('Task', 'assets', 'context_id', {}, None),
    ('Task', 'notes', 'parent_id', {}, 'parent_type'),
    ('AssetVersion', 'notes', 'parent_id', {}, 'parent_type'),
    ('User', 'metadata', 'parent_id', {}, 'parent_type'),
    ('Task', 'assignments', 'context_id', {'type': 'assignment'}, None),
    ('Task', 'allocations', 'context_id', {'type': 'allocation'}, None),
    ('User', 'assignments', 'resource_id', {'type': 'assignment'}, None),
    ('Task', 'status_changes', 'parent_id', {}, None),
    ('Task', 'incoming_links', 'to_id', {}, None),
    ('Task', 'outgoing_links', 'from_id', {}, None),
    ('ContainerComponent', 'members', 'container_id', {}, None),
    ('SequenceComponent', 'members', 'container_id', {}, None),
    ('Note', 'replies', 'in_reply_to_id', {}, None),
    ('Event', 'feeds', 'social_id', {}, None),
    ('ReviewSession', 'settings', 'parent_id', {}, 'parent_type'),
    ('Asset', 'versions', 'asset_id', {}, None),
])
def test_collections(registry, owner, name, remote, filters, owner_type):
    relation = registry[owner].properties[name].relation
    assert relation.local == 'id' and not relation.through
    assert relation.remote == remote
    assert relation.target_filters == filters
    assert relation.owner_type_column == owner_type


@pytest.mark.parametrize('owner, name, link, link_local, link_remote', [
    ('Task', 'scopes', 'context_scope', 'context_id', 'scope_id'),
    ('Task', 'lists', 'list_object', 'entity_id', 'list_id'),
    ('TypedContextList', 'items', 'list_object', 'list_id', 'entity_id'),
    ('AssetVersionList', 'items', 'list_object', 'list_id', 'entity_id'),
    ('WorkflowSchema', 'statuses', 'workflow_schema_status',
     'workflow_schema_id', 'status_id'),
    ('ProjectSchema', 'object_types', 'project_schema_object_type',
     'project_schema_id', 'object_type_id'),
    ('TaskTypeSchema', 'types', 'task_type_schema_type',
     'task_type_schema_id', 'type_id'),
    ('CustomAttributeConfiguration', 'read_security_roles',
     'custom_attribute_read_role', 'configuration_id', 'security_role_id'),
    ('AssetVersion', 'uses_versions', 'asset_version_link', 'to_id',
     'from_id'),
])
def test_link_table_relations(registry, owner, name, link, link_local,
                              link_remote):
    relation = registry[owner].properties[name].relation
    assert relation.through
    assert (relation.link_table, relation.link_local,
            relation.link_remote) == (link, link_local, link_remote)
    table = registry.tables[link]
    assert link_local in table.columns and link_remote in table.columns


def test_composite_reference(registry):
    relation = registry['SettingComponent'].properties['setting'].relation
    assert (relation.local, relation.remote) == ('name', 'name')
    assert relation.extra_keys == {'group': 'group'}


def test_special_relations(registry):
    specials = {
        (entity_type.name, prop.name): prop.relation.special
        for entity_type in registry.types.values()
        for prop in entity_type.properties.values()
        if prop.relation is not None and prop.relation.special
    }
    assert specials[('Task', 'ancestors')] == 'ancestors'
    assert specials[('Project', 'descendants')] == 'descendants'
    assert specials[('Asset', 'latest_version')] == 'latest_version'
    assert specials[('Shot', 'custom_attributes')] == 'custom_attributes'
    assert set(specials.values()) == {
        'ancestors', 'descendants', 'latest_version', 'custom_attributes'}
    custom = registry['User'].properties['custom_attributes']
    assert custom.target == 'UserCustomAttributeValue'
    assert custom.relation.remote == 'entity_id'


def test_every_relation_resolves(registry):
    """Every reference and collection names its columns, and they exist."""
    for entity_type in registry.types.values():
        table = registry.tables[entity_type.table]
        for prop in entity_type.properties.values():
            if prop.is_scalar:
                assert prop.relation is None
                assert (prop.column is None) != (prop.computed_by is None), \
                    (entity_type.name, prop.name)
                continue
            relation = prop.relation
            assert relation is not None, (entity_type.name, prop.name)
            if relation.special:
                continue
            target = registry.tables[registry[prop.target].table]
            assert relation.local in table.columns
            assert relation.remote in target.columns, (
                entity_type.name, prop.name)


def test_providers(registry):
    providers = {
        prop.computed_by
        for entity_type in registry.types.values()
        for prop in entity_type.properties.values() if prop.computed_by
    }
    assert providers == {
        'link', 'thumbnail_url', 'component_url', 'linked_component_url',
        'linked_component_thumbnail_url', 'time_logged',
        'bid_time_logged_difference', 'is_latest_version',
        'custom_attribute_key', 'review_session_is_open',
    }
    assert registry['Task'].properties['link'].computed_by == 'link'
    assert registry['AssetVersion'].properties[
        'is_latest_version'].computed_by == 'is_latest_version'


@pytest.mark.parametrize('name, expected', [
    ('Task', ['project_id', 'context_type', 'object_type_id']),
    ('Project', ['context_type']),
    ('User', ['resource_type']),
    ('AssetVersion', ['asset_id']),
    ('FileComponent', ['system_type', 'version_id']),
    ('Asset', ['context_id']),
    ('ContextCustomAttributeValue', ['entity_id', 'key']),
])
def test_system_projections(registry, name, expected):
    assert registry[name].system_projections == expected
    for attribute in expected:
        assert attribute in registry[name].properties


def test_context_columns(registry):
    columns = registry.tables['context'].columns
    assert registry.tables['context'].primary_key == ['id']
    # Project's string status and the typed contexts' status_id coexist.
    assert columns['status'].type == 'string'
    assert columns['status_id'].type == 'string' and columns['status_id'].index
    assert columns['context_type'].index and columns['object_type_id'].index
    assert columns['name'].index
    assert columns['start_date'].type == 'datetime'
    assert columns['bid'].type == 'number'
    assert columns['is_global'].type == 'boolean'
    assert columns['description'].type == 'text'
    assert not columns['id'].index and not columns['id'].nullable
    # Derived values are not stored.
    for name in ('link', '_link', 'thumbnail_url', 'time_logged'):
        assert name not in columns


@pytest.mark.parametrize('table, key', [
    ('metadata', ['parent_id', 'key']),
    ('custom_attribute_value', ['configuration_id', 'entity_id']),
    ('setting', ['name', 'group']),
    ('recipient', ['note_id', 'resource_id']),
    ('note_component', ['component_id', 'note_id']),
    ('job_component', ['component_id', 'job_id']),
    ('note_label_link', ['note_id', 'label_id']),
    ('schema_status', ['status_id', 'schema_id']),
    ('entity_setting', ['parent_id', 'group', 'name']),
    ('setting_component', ['component_id', 'name', 'group']),
    ('dashboard_resource', ['dashboard_id', 'resource_id']),
    ('context_scope', ['context_id', 'scope_id']),
])
def test_composite_primary_keys(registry, table, key):
    assert sorted(registry.tables[table].primary_key) == sorted(key)


def test_other_columns(registry):
    tables = registry.tables
    # A reference without a scalar keeps a hidden column.
    assert tables['status'].columns['state_id'].type == 'string'
    assert tables['custom_attribute_value'].columns['value'].type == \
        'variable'
    assert tables['custom_attribute_value'].columns['entity_kind'].index
    assert tables['event'].columns['id'].type == 'integer'
    assert tables['feed'].columns['social_id'].type == 'integer'
    assert tables['job'].columns['data'].type == 'text'
    # Two attributes over one column.
    assert 'is_all_projects' not in tables['user_security_role'].columns
    assert registry['Schema'].properties['object_type_id'].column == 'type_id'
    # Only entity tables and the declared link tables exist.
    assert set(tables) - {t.table for t in registry.types.values()} == {
        'context_scope', 'custom_attribute_read_role',
        'custom_attribute_write_role'}


def test_registry_column_conflicts_are_errors():
    def entity(name, size_type, discriminator):
        return model.EntityType(
            name, 'shared', discriminator,
            {'id': model.Property('id', 'scalar', 'string', column='id'),
             'size': model.Property('size', 'scalar', size_type,
                                    column='size')},
            ['id'],
        )
    with pytest.raises(ValueError, match='column "size" is integer'):
        model.Registry([entity('A', 'integer', {}),
                        entity('B', 'string', {'kind': 'b'})])


def test_registry_without_lineage_uses_discriminators_only():
    """Types declared without supertypes keep the plain discriminator rule."""
    def entity(name, discriminator):
        return model.EntityType(
            name, 'things', discriminator,
            {'id': model.Property('id', 'scalar', 'string', column='id')},
            ['id'],
        )
    base, red = entity('Thing', {}), entity('Red', {'kind': 'red'})
    registry = model.Registry([base, red])
    assert base.subtypes == [red]
    assert registry.tables['things'].columns['kind'].index


def test_default_projections_are_known_attributes(registry):
    """Clients select these when a query names no attributes."""
    for entity_type in registry.types.values():
        for name in entity_type.default_projections:
            assert name in entity_type.properties, (entity_type.name, name)


def test_typed_links_know_their_end_types_without_advertising_them(registry):
    link = registry['AssetCustomAttributeLink']
    assert link.properties['to_entity_type'].hidden
    assert link.properties['from_entity_type'].column == 'from_entity_type'
    link_from = registry['AssetCustomAttributeLinkFrom']
    assert not link_from.properties['to_entity_type'].hidden
