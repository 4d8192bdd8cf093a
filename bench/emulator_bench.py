"""The emulator alone on many tasks (``python -m bench emulator``).

Three measurements against an emulator seeded with 100,000 tasks, each
sent as one ``POST /api`` over plain HTTP (what a client waits for) and,
for comparison, run in-process through the backend (no HTTP):

* a filtered query on an indexed attribute (a task by name);
* a projected query of 500 tasks through two relationships
  (``status.name`` and ``parent.name``);
* one request creating 1,000 tasks with references, as a client's commit
  sends it.

Each runs ``repeat`` times; the median is compared with its target. The
created tasks go to the scratch project, emptied after every run.
"""

import dataclasses
import json
import os
import shutil
import statistics
import tempfile
import time

from bench.workloads import dataset

TASKS = 100000
REPEAT = 5

#: Targets in seconds.
TARGETS = {
    'indexed filter': 0.020,
    'projected 500': 0.150,
    'create 1,000': 2.0,
}

CREATES = 1000


@dataclasses.dataclass
class Result:
    name: str
    description: str
    http_seconds: list
    backend_seconds: list
    target: float

    @property
    def median(self):
        return statistics.median(self.http_seconds)

    @property
    def met(self):
        return self.median <= self.target


class _Client:
    """Posts operations to the emulator and checks the answers."""

    def __init__(self, server):
        import requests

        self.server = server
        self.url = server.url + '/api'
        self.http = requests.Session()
        self.headers = {
            'content-type': 'application/json',
            'accept': 'application/json',
            'ftrack-user': server.api_user,
            'ftrack-api-key': server.api_key,
            'ftrack-strict-api': 'false',
        }

    def post(self, operations):
        """Return (seconds, results) of one request."""
        body = json.dumps(operations, sort_keys=True)
        started = time.perf_counter()
        response = self.http.post(self.url, data=body, headers=self.headers)
        text = response.text
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError('The emulator answered {0}: {1}'.format(
                response.status_code, text[:500]))
        results = json.loads(text)
        if isinstance(results, dict):
            raise RuntimeError('The emulator failed: {0}'.format(
                text[:500]))
        return elapsed, results

    def in_process(self, operations):
        """Return the seconds the backend takes for *operations* without
        HTTP (request decoding excluded, response encoding included)."""
        backend = self.server.backend
        started = time.perf_counter()
        backend.call(backend.execute_encoded, operations,
                     self.server.api_user, self.server.api_key,
                     self.server.url)
        return time.perf_counter() - started


def _query(expression):
    return [{'action': 'query', 'expression': expression}]


def _create_operations(shot_id, status_ids, type_ids):
    operations = []
    for index in range(CREATES):
        operations.append({
            'action': 'create', 'entity_type': 'Task',
            'entity_data': {
                '__entity_type__': 'Task',
                'name': dataset.SCRATCH_PREFIX + str(index),
                'parent': {'__entity_type__': 'Shot', 'id': shot_id},
                'status_id': status_ids[index % len(status_ids)],
                'type_id': type_ids[index % len(type_ids)],
            },
        })
    return operations


def _check_rows(results, count, what):
    rows = results[0]['data']
    if len(rows) != count:
        raise RuntimeError('{0}: expected {1} rows, got {2}.'.format(
            what, count, len(rows)))
    return rows


def run(tasks=TASKS, repeat=REPEAT, progress=None):
    """Seed *tasks* tasks, run each measurement *repeat* times; return the
    list of :class:`Result`."""
    import ftrack_emulator

    from bench.seeding import Seeder
    from ftrack_emulator.store.seed import seed_id

    def say(message, *args):
        if progress is not None:
            progress.write(message % args + '\n')
            progress.flush()

    directory = tempfile.mkdtemp(prefix='ftrack-bench-emulator-')
    try:
        with ftrack_emulator.Emulator(
            database='sqlite:///' + os.path.join(directory, 'bench.db'),
            storage=os.path.join(directory, 'storage'),
        ) as server:
            seeder = Seeder(server.backend)
            started = time.perf_counter()
            seeder.seed(tasks)
            say('Seeded %d tasks in %.1f s.', tasks,
                time.perf_counter() - started)
            client = _Client(server)
            _, results = client.post(_query(
                'select id from Shot where name is "{0}"'.format(
                    dataset.SCRATCH_SHOT)))
            shot_id = _check_rows(results, 1, 'scratch shot')[0]['id']
            status_ids = [seed_id('Status', name)
                          for name in dataset.TASK_STATUSES]
            type_ids = [seed_id('Type', name) for name in dataset.TASK_TYPES]

            target_name = dataset.task_name(tasks * 54321 // 100000)
            indexed = _query(
                'select id, name, status_id from Task where name is "{0}"'
                .format(target_name))
            projected = _query(
                'select name, status.name, parent.name from Task '
                'limit 500')
            creates = _create_operations(shot_id, status_ids, type_ids)

            def check_indexed(results):
                rows = _check_rows(results, 1, 'indexed filter')
                if rows[0]['name'] != target_name:
                    raise RuntimeError('indexed filter returned {0!r}'
                                       .format(rows[0]['name']))

            def check_projected(results):
                rows = _check_rows(results, 500, 'projected 500')
                # Entities repeated in a result come back as bare
                # references after their first appearance.
                names = {}
                for row in rows:
                    for key in ('status', 'parent'):
                        if 'name' in row[key]:
                            names[row[key]['id']] = row[key]['name']
                for row in rows:
                    index = dataset.task_index(row['name'])
                    found = (names.get(row['status']['id']),
                             names.get(row['parent']['id']))
                    expected = (dataset.task_status(index),
                                dataset.shot_name(dataset.task_shot(index)))
                    if found != expected:
                        raise RuntimeError('{0}: expected {1}, got {2}'
                                           .format(row['name'], expected,
                                                   found))

            def check_created(results):
                if len(results) != CREATES or not all(
                        result.get('action') == 'create'
                        for result in results):
                    raise RuntimeError('the create request returned {0} '
                                       'results'.format(len(results)))
                seeder_count = seeder.clear_scratch()
                if seeder_count != CREATES:
                    raise RuntimeError('{0} tasks were stored instead of '
                                       '{1}'.format(seeder_count, CREATES))

            measurements = (
                ('indexed filter',
                 'select 3 attributes of the task named {0} (name is '
                 'indexed)'.format(target_name), indexed, check_indexed),
                ('projected 500',
                 'select name, status.name, parent.name from Task '
                 'limit 500', projected, check_projected),
                ('create 1,000',
                 'one request of 1,000 Task creates (parent, status, type)',
                 creates, check_created),
            )
            outcome = []
            for name, description, operations, check in measurements:
                http_seconds = []
                backend_seconds = []
                # One warm-up run: first-use compilation and caches.
                _, results = client.post(operations)
                check(results)
                for _ in range(repeat):
                    elapsed, results = client.post(operations)
                    check(results)
                    http_seconds.append(elapsed)
                    backend_seconds.append(client.in_process(operations))
                    if name == 'create 1,000':
                        seeder.clear_scratch()
                result = Result(name, description, http_seconds,
                                backend_seconds, TARGETS[name])
                say('%-15s %.1f ms (median of %d)', name,
                    result.median * 1e3, repeat)
                outcome.append(result)
            return outcome
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _ms(seconds):
    return '{0:.1f} ms'.format(seconds * 1e3)


def table_lines(results, tasks):
    """Return the results as a Markdown table."""
    lines = [
        'Emulator alone, {0:,} tasks (median over runs; HTTP = one POST '
        '/api over loopback, in-process = the backend without HTTP):'
        .format(tasks),
        '',
        '| measurement | HTTP | best | in-process | target | met |',
        '|---|---:|---:|---:|---:|:---:|',
    ]
    for result in results:
        lines.append('| {0} | {1} | {2} | {3} | {4} | {5} |'.format(
            result.name, _ms(result.median), _ms(min(result.http_seconds)),
            _ms(statistics.median(result.backend_seconds)),
            _ms(result.target), 'yes' if result.met else 'NO'))
    lines.append('')
    for result in results:
        lines.append('* {0}: {1}'.format(result.name, result.description))
    return lines
