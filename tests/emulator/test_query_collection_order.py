"""Collections list their items in display order: by ``sort`` where the
item type has one (statuses, task types ...), so scripts that take the
first status of a workflow get the first one a user would see."""

import pytest


@pytest.mark.parametrize('owner, collection, item', [
    ('WorkflowSchema', 'statuses', 'Status'),
    ('TaskTypeSchema', 'types', 'Type'),
])
def test_collection_items_come_in_sort_order(api, owner, collection, item):
    sorts, owners = api.call([
        {'action': 'query', 'expression': 'select sort from ' + item},
        {'action': 'query',
         'expression': 'select {0} from {1}'.format(collection, owner)},
    ])
    # Items repeated across owners come back as bare references after
    # their first occurrence, so look their sort values up by id.
    sort_of = {row['id']: row['sort'] for row in sorts['data']}
    checked = 0
    for row in owners['data']:
        order = [sort_of[entry['id']] for entry in row[collection]]
        if len(order) > 1:
            assert order == sorted(order), row
            checked += 1
    assert checked
