"""What a workload sees of the benchmark: sessions, timers, checks.

A workload is a function taking a :class:`Context`. It prepares what it
needs untimed, wraps the part being measured in ``with ctx.timed(...)``,
then checks its result with :meth:`Context.check` so that a broken client
cannot look fast. The same function runs under our client and the
reference one, so workloads use only the public API both share.

Standard library only (plus the client under test): this module runs in
the reference client's interpreter too.
"""

import contextlib
import os
import statistics
import time


class ValidationError(AssertionError):
    """A workload's result was wrong."""


class RequestCounter:
    """Counts HTTP requests by wrapping ``requests.Session.send``, which
    both clients send their API calls through."""

    def __init__(self):
        self.count = 0
        #: When a list, the body of every request sent is appended to it.
        self.bodies = None
        self._installed = False

    def install(self):
        if self._installed:
            return
        import requests

        original = requests.Session.send
        counter = self

        def send(session, request, **kwargs):
            counter.count += 1
            if counter.bodies is not None:
                body = request.body
                if isinstance(body, bytes):
                    body = body.decode('utf-8', 'replace')
                counter.bodies.append(body or '')
            return original(session, request, **kwargs)

        requests.Session.send = send
        self._installed = True


def _status_kib(field):
    """Return *field* (``VmRSS``, ``VmHWM``) of this process in KiB, or
    None where ``/proc`` is not available."""
    try:
        with open('/proc/self/status') as handle:
            for line in handle:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_memory():
    """Make the kernel's peak RSS (``VmHWM``) start again from the current
    RSS; return False where that is not supported."""
    try:
        with open('/proc/self/clear_refs', 'w') as handle:
            handle.write('5')
        return True
    except OSError:
        return False


class MemoryProbe:
    """Peak resident memory of this process above a baseline."""

    def __init__(self):
        self.baseline_kib = None

    def start(self):
        reset_peak_memory()
        self.baseline_kib = _status_kib('VmRSS')

    def peak_kib(self):
        """Return the peak RSS since :meth:`start` minus the RSS then."""
        peak = _status_kib('VmHWM')
        if peak is None or self.baseline_kib is None:
            return None
        return max(peak - self.baseline_kib, 0)


class Context:
    """Everything a workload run needs (see the module documentation)."""

    def __init__(self, spec, requests_counter, profiler=None):
        self.spec = spec
        #: The workload's parameters (sizes, expected counts).
        self.params = dict(spec.get('params') or {})
        #: A private directory the workload may write to.
        self.directory = spec['directory']
        self.timings = {}
        self.cpu_times = {}
        self.request_counts = {}
        self.notes = {}
        self._requests = requests_counter
        self._profiler = profiler
        self._sessions = []

    @property
    def server(self):
        """The benchmark server: ``url``, ``user`` and ``key``."""
        return self.spec['server']

    # Sessions -----------------------------------------------------------

    def session(self, **options):
        """Return a new ``ftrack_api.Session`` on the benchmark server.

        No schema cache unless *options* asks for one, no event hub.
        """
        import ftrack_api

        server = self.spec['server']
        arguments = {
            'server_url': server['url'], 'api_user': server['user'],
            'api_key': server['key'], 'auto_connect_event_hub': False,
            'schema_cache_path': False, 'plugin_paths': [],
        }
        arguments.update(options)
        session = ftrack_api.Session(**arguments)
        self._sessions.append(session)
        return session

    def close(self, session):
        """Close *session* and forget it (so that it can be freed)."""
        session.close()
        self._sessions.remove(session)

    def close_sessions(self):
        while self._sessions:
            session = self._sessions.pop()
            with contextlib.suppress(Exception):
                session.close()

    # Measuring ----------------------------------------------------------

    @property
    def requests(self):
        """HTTP requests sent by this process so far."""
        return self._requests.count

    @contextlib.contextmanager
    def timed(self, label=None):
        """Time the block; times recorded under the same *label* are
        reported as their median. Requests sent inside are counted, and
        the CPU time this process spent (the rest is waiting, mostly for
        the server)."""
        requests_before = self._requests.count
        if self._profiler is not None:
            self._profiler.start()
        cpu_started = time.process_time()
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            if self._profiler is not None:
                self._profiler.stop()
            self.timings.setdefault(label, []).append(elapsed)
            self.cpu_times.setdefault(label, []).append(cpu)
            self.request_counts.setdefault(label, []).append(
                self._requests.count - requests_before)

    @contextlib.contextmanager
    def request_bodies(self):
        """Collect the bodies of the requests sent inside the block into
        the list this yields."""
        previous = self._requests.bodies
        bodies = self._requests.bodies = []
        try:
            yield bodies
        finally:
            self._requests.bodies = previous

    def note(self, key, value):
        """Record an extra fact about the run (shown in the JSON result)."""
        self.notes[key] = value

    # Checking -----------------------------------------------------------

    def check(self, condition, message, *args):
        """Fail the workload with *message* unless *condition* holds."""
        if not condition:
            raise ValidationError(message.format(*args) if args else message)

    def check_equal(self, found, expected, what):
        if found != expected:
            raise ValidationError('{0}: expected {1!r}, got {2!r}'.format(
                what, expected, found))

    def result(self):
        """Return the measurements as a JSON-ready dict."""
        measurements = {}
        for label, values in self.timings.items():
            measurements['' if label is None else label] = {
                'seconds': statistics.median(values),
                'samples': values,
                'cpu_seconds': statistics.median(self.cpu_times[label]),
                'requests': self.request_counts[label][-1],
            }
        return {'measurements': measurements, 'notes': self.notes}
