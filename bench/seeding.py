"""Fill an emulator with the benchmark data, fast.

The few records with rules behind them (projects, users, custom attribute
configurations, one shot, one task, one assignment) go through the
emulator's own writer, so they get every default and derived column a
client-made record gets. The thousands of shots, tasks and assignments are
then cloned from those templates with bulk ``INSERT`` statements: seeding
100,000 tasks this way takes seconds rather than minutes.

Everything runs on the emulator's database thread
(:meth:`~ftrack_emulator.api.backend.Backend.call`).
"""

import logging
import uuid

import sqlalchemy

from bench.workloads import dataset

logger = logging.getLogger(__name__)

_CHUNK = 5000


def _ref(entity_type, entity_id):
    return {'__entity_type__': entity_type, 'id': entity_id}


def _task_object_type():
    from ftrack_emulator.store.seed import OBJECT_TYPE_IDS

    return OBJECT_TYPE_IDS['Task']


class Seeder:
    """Writes the benchmark data into one emulator's database."""

    def __init__(self, backend):
        self.backend = backend
        self.database = backend.database
        self.writer = backend.writer
        self.context = self.database.table('context')
        self.appointment = self.database.table('appointment')

    # Public -------------------------------------------------------------

    def seed(self, tasks):
        """Add the benchmark projects, users, custom attribute
        configurations, ``tasks`` tasks with statuses, shots and
        assignments; return a summary (ids the workloads may want)."""
        return self.backend.call(self._seed, tasks)

    def add_scratch_tasks(self, count):
        """Add *count* tasks under the scratch shot (for the update and
        delete workloads); return their ids."""
        return self.backend.call(self._add_scratch_tasks, count)

    def clear_scratch(self):
        """Remove every task of the scratch project with its assignments
        and custom attribute values; return how many tasks went."""
        return self.backend.call(self._clear_scratch)

    def count_tasks(self):
        """Return the number of tasks in the whole database."""
        return self.backend.call(self._count_tasks)

    # Implementation -----------------------------------------------------

    def _find(self, connection, entity_type, criteria):
        return self.writer.find(connection, entity_type, criteria)

    def _row(self, connection, table, entity_id):
        """Return the row *entity_id* of *table* as SQLite stores it (no
        type conversion), so that clones can be inserted as they are."""
        result = connection.exec_driver_sql(
            'SELECT * FROM "{0}" WHERE id = ?'.format(table.name),
            (entity_id,),
        )
        columns = [column[0] for column in result.cursor.description]
        return dict(zip(columns, result.one()))

    def _insert(self, connection, table, rows):
        """Insert stored-form *rows* with the driver's ``executemany``:
        SQLAlchemy's per-row parameter processing would triple the time."""
        if not rows:
            return
        columns = list(rows[0])
        statement = 'INSERT INTO "{0}" ({1}) VALUES ({2})'.format(
            table.name, ', '.join('"{0}"'.format(c) for c in columns),
            ', '.join('?' * len(columns)),
        )
        # A large page cache keeps the random-uuid indexes off the disk
        # while they grow.
        connection.exec_driver_sql('PRAGMA cache_size = -262144')
        for start in range(0, len(rows), _CHUNK):
            connection.exec_driver_sql(statement, [
                tuple(row[column] for column in columns)
                for row in rows[start:start + _CHUNK]
            ])

    def _seed(self, tasks):
        from ftrack_emulator.store.seed import (
            OBJECT_TYPE_IDS, PROJECT_SCHEMA_NAME, seed_id,
        )

        with self.database.begin() as connection:
            batch = self.backend.writer_batch(None)

            def create(entity_type, data):
                return self.writer.create(
                    connection, batch, entity_type, data)[0]

            schema_id = seed_id('ProjectSchema', PROJECT_SCHEMA_NAME)
            project = create('Project', {
                'name': dataset.PROJECT, 'full_name': 'Benchmark',
                'project_schema_id': schema_id,
            })
            scratch = create('Project', {
                'name': dataset.SCRATCH_PROJECT,
                'full_name': 'Benchmark scratch',
                'project_schema_id': schema_id,
            })
            create('Shot', {
                'name': dataset.SCRATCH_SHOT,
                'parent': _ref('Project', scratch), 'project_id': scratch,
            })
            users = [
                create('User', {
                    'username': dataset.user_name(index),
                    'first_name': 'Bench', 'last_name': str(index),
                    'email': dataset.user_name(index) + '@example.com',
                    'is_active': True,
                })
                for index in range(dataset.USERS)
            ]
            for key, type_name, default in dataset.CUSTOM_ATTRIBUTES:
                type_id = self._find(
                    connection, 'CustomAttributeType', {'name': type_name}
                )[0]['id']
                create('CustomAttributeConfiguration', {
                    'key': key, 'label': key.replace('_', ' ').title(),
                    'type_id': type_id, 'entity_type': 'task',
                    'object_type_id': OBJECT_TYPE_IDS['Task'],
                    'default': default, 'config': '{}',
                    'is_hierarchical': False,
                })
            statuses = [seed_id('Status', name)
                        for name in dataset.TASK_STATUSES]
            types = [seed_id('Type', name) for name in dataset.TASK_TYPES]

            shots = self._clone_shots(
                connection, create, project, dataset.shot_count(tasks))
            task_ids = self._clone_tasks(
                connection, create, project, shots, statuses, types, tasks)
            self._clone_assignments(connection, create, task_ids, users)
        logger.info('Seeded %d tasks under %d shots.', tasks, len(shots))
        return {'project_id': project, 'scratch_project_id': scratch,
                'tasks': tasks, 'shots': len(shots)}

    def _clone_shots(self, connection, create, project, count):
        first = create('Shot', {
            'name': dataset.shot_name(0), 'parent': _ref('Project', project),
            'project_id': project,
        })
        template = self._row(connection, self.context, first)
        shots = [first]
        rows = []
        for index in range(1, count):
            row = dict(template)
            row['id'] = str(uuid.uuid4())
            row['name'] = dataset.shot_name(index)
            rows.append(row)
            shots.append(row['id'])
        self._insert(connection, self.context, rows)
        return shots

    def _clone_tasks(self, connection, create, project, shots, statuses,
                     types, count):
        first = create('Task', {
            'name': dataset.task_name(0), 'parent': _ref('Shot', shots[0]),
            'project_id': project, 'status_id': statuses[0],
            'type_id': types[0], 'bid': dataset.task_bid(0),
        })
        template = self._row(connection, self.context, first)
        ids = [first]
        rows = []
        for index in range(1, count):
            row = dict(template)
            row['id'] = str(uuid.uuid4())
            row['name'] = dataset.task_name(index)
            row['parent_id'] = shots[dataset.task_shot(index)]
            row['status_id'] = statuses[index % len(statuses)]
            row['type_id'] = types[index % len(types)]
            row['bid'] = dataset.task_bid(index)
            rows.append(row)
            ids.append(row['id'])
        self._insert(connection, self.context, rows)
        return ids

    def _clone_assignments(self, connection, create, task_ids, users):
        first = create('Appointment', {
            'context_id': task_ids[0],
            'resource_id': users[dataset.task_assignee(0)],
            'type': 'assignment',
        })
        template = self._row(connection, self.appointment, first)
        rows = []
        for index in range(1, len(task_ids)):
            row = dict(template)
            row['id'] = str(uuid.uuid4())
            row['context_id'] = task_ids[index]
            row['resource_id'] = users[dataset.task_assignee(index)]
            rows.append(row)
        self._insert(connection, self.appointment, rows)

    def _scratch_shot(self, connection):
        shots = self._find(connection, 'Shot', {'name': dataset.SCRATCH_SHOT})
        return shots[0]

    def _add_scratch_tasks(self, count):
        from ftrack_emulator.store.seed import seed_id

        with self.database.begin() as connection:
            batch = self.backend.writer_batch(None)
            shot = self._scratch_shot(connection)
            first = self.writer.create(connection, batch, 'Task', {
                'name': dataset.SCRATCH_PREFIX + '0',
                'parent': _ref('Shot', shot['id']),
                'project_id': shot['project_id'],
                'status_id': seed_id('Status', dataset.TASK_STATUSES[0]),
                'type_id': seed_id('Type', dataset.TASK_TYPES[0]),
            })[0]
            template = self._row(connection, self.context, first)
            rows = []
            for index in range(1, count):
                row = dict(template)
                row['id'] = str(uuid.uuid4())
                row['name'] = dataset.SCRATCH_PREFIX + str(index)
                rows.append(row)
            self._insert(connection, self.context, rows)
        return [first] + [row['id'] for row in rows]

    def _clear_scratch(self):
        context = self.context
        values = self.database.table('custom_attribute_value')
        with self.database.begin() as connection:
            scratch = self._find(
                connection, 'Project', {'name': dataset.SCRATCH_PROJECT}
            )[0]['id']
            ids = sqlalchemy.select(context.c.id).where(
                context.c.project_id == scratch,
                context.c.object_type_id == _task_object_type(),
            )
            connection.execute(sqlalchemy.delete(values).where(
                values.c.entity_id.in_(ids)))
            connection.execute(sqlalchemy.delete(self.appointment).where(
                self.appointment.c.context_id.in_(ids)))
            removed = connection.execute(sqlalchemy.delete(context).where(
                context.c.id.in_(ids))).rowcount
        return removed

    def _count_tasks(self):
        context = self.context
        with self.database.engine.connect() as connection:
            return connection.execute(
                sqlalchemy.select(sqlalchemy.func.count()).select_from(
                    context).where(
                    context.c.object_type_id == _task_object_type())
            ).scalar()
