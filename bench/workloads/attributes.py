"""Attribute access: read five attributes of many merged entities.

The entities are reconstructed locally (as a query result would be
merged) so that building 100,000 of them needs no server; only the reads
are timed.
"""

import uuid

from . import dataset

#: The attributes read from every entity (four scalars, one reference).
ATTRIBUTES = ('name', 'bid', 'status_id', 'parent_id', 'status')


def read_attributes(ctx):
    session = ctx.session()
    statuses = session.query('Status').all()
    parent_id = str(uuid.uuid4())
    count = ctx.params['entities']
    entities = []
    for index in range(count):
        status = statuses[index % len(statuses)]
        entities.append(session.create('Task', {
            'id': str(uuid.uuid4()), 'name': dataset.task_name(index),
            'bid': dataset.task_bid(index), 'status_id': status['id'],
            'status': status, 'parent_id': parent_id,
        }, reconstructing=True))
    ctx.check_equal(len(session.recorded_operations), 0,
                    'operations recorded while reconstructing')
    with ctx.timed():
        values = [
            (entity['name'], entity['bid'], entity['status_id'],
             entity['parent_id'], entity['status'])
            for entity in entities
        ]
    ctx.check_equal(ctx.request_counts[None][-1], 0, 'requests while reading')
    for index, (name, bid, status_id, parent, status) in enumerate(values):
        expected_status = statuses[index % len(statuses)]
        ctx.check(
            name == dataset.task_name(index)
            and bid == dataset.task_bid(index)
            and status_id == expected_status['id'] and parent == parent_id
            and status is expected_status,
            'entity {0} read back {1!r}', index,
            (name, bid, status_id, parent, status),
        )
