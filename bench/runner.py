"""Run workloads under both clients against one seeded emulator.

The runner starts one :class:`ftrack_emulator.Emulator` on a file-backed
SQLite database in a temporary directory, seeds it once
(:mod:`bench.seeding`), then runs every workload in a fresh subprocess per
client and repeat (``bench/workloads/worker.py``), the reference client
first and ours right after, so both see the same data and about the same
machine load. Write workloads work in a scratch project the runner empties
after each run; it also checks that the seeded task count never changes.
"""

import dataclasses
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import typing

from bench import catalogue, interpreters

logger = logging.getLogger(__name__)

BENCH_DIRECTORY = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(BENCH_DIRECTORY, 'workloads', 'worker.py')
PROFILE_DIRECTORY = os.path.join(BENCH_DIRECTORY, 'profiles')

#: Seconds one workload run may take before it is stopped.
RUN_TIMEOUT = 900

#: Environment variables that would change how a client behaves.
_CLEARED_ENVIRONMENT = (
    'FTRACK_SERVER', 'FTRACK_API_KEY', 'FTRACK_APIKEY', 'FTRACK_API_USER',
    'FTRACK_EVENT_PLUGIN_PATH', 'FTRACK_API_SCHEMA_CACHE_PATH',
)

REFERENCE = 'reference'
OURS = 'ours'


class BenchError(RuntimeError):
    """The bench could not run (as opposed to a workload failing)."""


@dataclasses.dataclass
class Run:
    """One workload run in one subprocess."""

    workload: str
    client: str
    ok: bool
    wall_seconds: float
    measurements: dict = dataclasses.field(default_factory=dict)
    peak_kib: typing.Optional[int] = None
    error: typing.Optional[str] = None
    details: typing.Optional[str] = None
    notes: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Options:
    only: typing.Sequence[str] = ()
    quick: bool = False
    repeat: int = 1
    clients: typing.Sequence[str] = (REFERENCE, OURS)
    profile: typing.Optional[str] = None
    profile_directory: str = PROFILE_DIRECTORY
    progress: typing.Any = None


def _environment():
    environment = dict(os.environ)
    for name in _CLEARED_ENVIRONMENT:
        environment.pop(name, None)
    return environment


class Runner:
    """Runs workloads (see the module documentation)."""

    def __init__(self, options):
        self.options = options
        self.runs = []
        self.seeded = None
        self.seed_seconds = None
        self._server = None
        self._seeder = None
        self._directory = None
        self._interpreters = {}
        self._total_tasks = None

    # Progress -----------------------------------------------------------

    def _say(self, message, *args):
        stream = self.options.progress
        if stream is not None:
            stream.write((message % args if args else message) + '\n')
            stream.flush()

    # Lifecycle ----------------------------------------------------------

    def _resolve_interpreters(self):
        for client in self.options.clients:
            if client == OURS:
                self._interpreters[OURS] = interpreters.ours()
            elif client == REFERENCE:
                try:
                    self._interpreters[REFERENCE] = interpreters.reference()
                except interpreters.ReferenceUnavailable as error:
                    raise BenchError(
                        'The reference client is unavailable: {0} (run '
                        'with --client ours to bench ours alone).'
                        .format(error)) from None
            else:
                raise BenchError('Unknown client {0!r}.'.format(client))

    def __enter__(self):
        import ftrack_emulator

        from bench.seeding import Seeder

        self._resolve_interpreters()
        self._directory = tempfile.mkdtemp(prefix='ftrack-bench-')
        database = 'sqlite:///' + os.path.join(self._directory, 'bench.db')
        self._server = ftrack_emulator.Emulator(
            database=database,
            storage=os.path.join(self._directory, 'storage'),
        ).start()
        self._seeder = Seeder(self._server.backend)
        tasks = (catalogue.QUICK_SEEDED_TASKS if self.options.quick
                 else catalogue.SEEDED_TASKS)
        started = time.perf_counter()
        self.seeded = self._seeder.seed(tasks)
        self.seed_seconds = time.perf_counter() - started
        self._total_tasks = self._seeder.count_tasks()
        self._say('Seeded %d tasks in %.1f s; emulator at %s.', tasks,
                  self.seed_seconds, self._server.url)
        return self

    def __exit__(self, *exc_info):
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    # Running ------------------------------------------------------------

    def run(self):
        """Run the selected workloads; return the list of :class:`Run`."""
        workloads = catalogue.select(self.options.only)
        for workload in workloads:
            clients = self._clients_for(workload)
            for _ in range(self.options.repeat):
                for client in clients:
                    self.runs.append(self.run_workload(workload, client))
        return self.runs

    def profile(self, name):
        """Run workload *name* under our client with pyinstrument; return
        the run and the paths of the HTML and text profiles."""
        workload = catalogue.select([name])[0]
        if OURS not in self._interpreters:
            raise BenchError('Profiling needs our client.')
        os.makedirs(self.options.profile_directory, exist_ok=True)
        base = os.path.join(self.options.profile_directory, name)
        paths = {'html': base + '.html', 'text': base + '.txt'}
        run = self.run_workload(workload, OURS, profile=paths)
        self.runs.append(run)
        return run, paths

    def _clients_for(self, workload):
        return [client for client in (REFERENCE, OURS)
                if client in self._interpreters
                and client in workload.clients]

    def run_workload(self, workload, client, profile=None):
        """Run *workload* once under *client* in a fresh subprocess; return
        its :class:`Run`."""
        params = workload.parameters(self.options.quick,
                                     self.seeded['tasks'])
        if workload.scratch_tasks:
            self._seeder.add_scratch_tasks(params[workload.scratch_tasks])
        directory = tempfile.mkdtemp(prefix=workload.name + '-',
                                     dir=self._directory)
        spec = {
            'name': workload.name, 'target': workload.target,
            'client': client, 'params': params,
            'server': {'url': self._server.url,
                       'user': self._server.api_user,
                       'key': self._server.api_key},
            'directory': directory,
            'result': os.path.join(directory, 'result.json'),
            'profile': profile,
        }
        spec_path = os.path.join(directory, 'spec.json')
        with open(spec_path, 'w') as handle:
            json.dump(spec, handle)
        python = self._interpreters[client]
        self._say('%-22s %-9s ...', workload.name, client)
        started = time.perf_counter()
        try:
            completed = subprocess.run(
                [python, '-I', WORKER, spec_path], cwd=directory,
                env=_environment(), capture_output=True, text=True,
                timeout=RUN_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            run = Run(workload.name, client, False,
                      time.perf_counter() - started,
                      error='timed out after {0} s'.format(RUN_TIMEOUT))
        else:
            run = self._read_result(workload, client, spec['result'],
                                    completed, time.perf_counter() - started)
        finally:
            if workload.writes or workload.scratch_tasks:
                self._seeder.clear_scratch()
            shutil.rmtree(directory, ignore_errors=True)
        self._check_seed_intact(run)
        self._say('%-22s %-9s %s', workload.name, client, _summary(run))
        return run

    def _read_result(self, workload, client, path, completed, wall):
        try:
            with open(path) as handle:
                result = json.load(handle)
        except (OSError, ValueError):
            return Run(workload.name, client, False, wall,
                       error='the worker exited with status {0} and no '
                             'result'.format(completed.returncode),
                       details=(completed.stdout + completed.stderr)[-4000:])
        return Run(
            workload.name, client, bool(result.get('ok')), wall,
            measurements=result.get('measurements') or {},
            peak_kib=result.get('peak_kib'), error=result.get('error'),
            details=result.get('traceback'), notes=result.get('notes') or {},
        )

    def _check_seed_intact(self, run):
        found = self._seeder.count_tasks()
        if found != self._total_tasks:
            raise BenchError(
                'After {0} under {1} the server holds {2} tasks instead of '
                '{3}; later workloads would check against wrong data.'
                .format(run.workload, run.client, found, self._total_tasks))


def _summary(run):
    if not run.ok:
        return 'FAILED: {0}'.format(run.error)
    parts = ['{0}{1:.3f} s (cpu {2:.3f} s, {3} requests)'.format(
        label + ' ' if label else '', measurement['seconds'],
        measurement.get('cpu_seconds', 0.0), measurement['requests'])
        for label, measurement in run.measurements.items()]
    if run.peak_kib is not None:
        parts.append('peak +{0:.1f} MiB'.format(run.peak_kib / 1024.0))
    return ', '.join(parts)


@dataclasses.dataclass
class Row:
    """One line of the results table: a measurement under each client."""

    workload: str
    label: str
    seconds: dict
    peak_kib: dict
    errors: dict
    cpu_seconds: dict = dataclasses.field(default_factory=dict)


def summarise(runs):
    """Return table rows (medians over repeats), in run order."""
    order = []
    samples = {}
    cpu = {}
    peaks = {}
    errors = {}
    for run in runs:
        key_base = run.workload
        if not run.ok:
            labels = [label for (workload, label) in order
                      if workload == key_base] or ['']
            for label in labels:
                key = (key_base, label)
                if key not in samples:
                    order.append(key)
                    samples[key], peaks[key], errors[key] = {}, {}, {}
                errors[key][run.client] = run.error
            continue
        for label, measurement in run.measurements.items():
            key = (key_base, label)
            if key not in samples:
                order.append(key)
                samples[key], peaks[key], errors[key] = {}, {}, {}
            samples[key].setdefault(run.client, []).append(
                measurement['seconds'])
            if 'cpu_seconds' in measurement:
                cpu.setdefault(key, {}).setdefault(run.client, []).append(
                    measurement['cpu_seconds'])
            if run.peak_kib is not None:
                peaks[key].setdefault(run.client, []).append(run.peak_kib)
    # A workload's unlabelled measurement first, then its labels in the
    # order they were timed.
    first_seen = {}
    for workload, _ in order:
        first_seen.setdefault(workload, len(first_seen))
    order.sort(key=lambda key: (first_seen[key[0]], key[1] != ''))
    rows = []
    for key in order:
        rows.append(Row(
            workload=key[0], label=key[1],
            seconds={client: statistics.median(values)
                     for client, values in samples[key].items()},
            peak_kib={client: statistics.median(values)
                      for client, values in peaks[key].items()},
            errors=errors[key],
            cpu_seconds={client: statistics.median(values)
                         for client, values in cpu.get(key, {}).items()},
        ))
    return rows


def main_run(options):
    """Run everything *options* asks for; return (runner, runs)."""
    with Runner(options) as runner:
        if options.profile:
            run, paths = runner.profile(options.profile)
            return runner, [run], paths
        return runner, runner.run(), None


if __name__ == '__main__':  # pragma: no cover - use python -m bench
    sys.exit('Run the bench with: python -m bench')
