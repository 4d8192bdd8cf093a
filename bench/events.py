"""Event hub benchmark: latency and throughput between two sessions.

::

    python -m bench.events                 # both clients, 1,000 events
    python -m bench.events --client ours   # ours alone
    python -m bench.events --events 200 --throughput-events 1000
    python -m bench.events --repeat 3      # medians of three runs each
    python -m bench.events --update-readme # record the table in README.md

One emulator runs in this process; each client runs in a subprocess of its
own (this file, run as ``python -I bench/events.py worker ...`` from a
directory outside the repository, so the reference interpreter imports the
reference client). The worker makes two sessions, a *listener* handling
events in a thread of its own (``event_hub.wait()``) and a *publisher*,
both connected to the emulator's event server, and measures:

``latency``
    Publish-to-receive time of *events* events sent one at a time: from
    just before ``publish()`` to the listener's callback, through the
    server.
``reply round trip``
    From ``publish(..., on_reply=...)`` to the ``on_reply`` callback, the
    listener's callback returning the reply: two trips through the server.
``throughput``
    *throughput events* published back to back; events per second from the
    first publish to the last one received.

Every event is checked (all received, in order, with their data), so a
client dropping events cannot look fast.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

#: Seconds to wait for one event before the run is declared broken.
EVENT_TIMEOUT = 10.0

README_START = '<!-- events-table:start -->'
README_END = '<!-- events-table:end -->'


# The worker: runs under either client, imports nothing from this
# repository but ftrack_api. ---------------------------------------------


def _worker(server_url, api_user, api_key, events, throughput_events):
    import ftrack_api
    from ftrack_api.event.base import Event

    def session():
        made = ftrack_api.Session(
            server_url=server_url, api_user=api_user, api_key=api_key,
            schema_cache_path=False, plugin_paths=[],
        )
        made.event_hub.connect()
        return made

    listener, publisher = session(), session()
    topic = 'bench.events.' + uuid.uuid4().hex
    received = []
    arrived = threading.Event()
    clock = time.perf_counter

    def on_event(event):
        received.append((clock(), event['data']))
        arrived.set()
        if event['data'].get('reply'):
            return {'n': event['data']['n']}
        return None

    listener.event_hub.subscribe('topic=' + topic, on_event)
    running = threading.Event()
    running.set()

    def serve():
        while running.is_set():
            listener.event_hub.wait(0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def publish_one(data, on_reply=None):
        arrived.clear()
        started = clock()
        publisher.event_hub.publish(Event(topic, data=data),
                                    on_reply=on_reply)
        if not arrived.wait(EVENT_TIMEOUT):
            raise RuntimeError('event {0} never arrived'.format(data))
        return started

    # The listener's subscription must be known to the server first.
    deadline = time.monotonic() + EVENT_TIMEOUT
    while not received:
        try:
            publish_one({'n': -1, 'warm': True})
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
    # Warm both paths up (first calls import and compile).
    for _ in range(20):
        publish_one({'n': -1, 'warm': True})
    del received[:]

    latencies = []
    for number in range(events):
        started = publish_one({'n': number})
        latencies.append(received[-1][0] - started)
    _check(received, events)

    # Replies: the publisher handles them in this thread.
    del received[:]
    round_trips = []
    replies = []
    for number in range(events):
        started = clock()
        publisher.event_hub.publish(
            Event(topic, data={'n': number, 'reply': True}),
            on_reply=lambda event: replies.append((clock(), event['data'])),
        )
        deadline = time.monotonic() + EVENT_TIMEOUT
        while len(replies) <= number:
            if time.monotonic() > deadline:
                raise RuntimeError('reply {0} never arrived'.format(number))
            publisher.event_hub.wait(0.0005)
        round_trips.append(replies[-1][0] - started)
    if [data['n'] for _, data in replies] != list(range(events)):
        raise RuntimeError('replies missing or out of order')

    del received[:]
    all_arrived = threading.Event()

    def count(event):
        if len(received) >= throughput_events:
            all_arrived.set()

    counter = listener.event_hub.subscribe('topic=' + topic, count,
                                           priority=1000)
    started = clock()
    for number in range(throughput_events):
        publisher.event_hub.publish(Event(topic, data={'n': number}))
    published = clock()
    if not all_arrived.wait(EVENT_TIMEOUT + throughput_events / 100.0):
        raise RuntimeError('{0} of {1} events arrived'.format(
            len(received), throughput_events))
    finished = received[-1][0]
    _check(received, throughput_events)
    listener.event_hub.unsubscribe(counter)

    running.clear()
    thread.join()
    listener.close()
    publisher.close()
    return {
        'latency': latencies,
        'round_trip': round_trips,
        'throughput_seconds': finished - started,
        'publish_seconds': published - started,
        'throughput_events': throughput_events,
    }


def _check(received, expected):
    numbers = [data['n'] for _, data in received]
    if numbers != list(range(expected)):
        raise RuntimeError('expected events 0..{0} in order, got {1} '
                           'events'.format(expected - 1, len(numbers)))


def _worker_main(argv):
    server_url, api_user, api_key, events, throughput = argv
    try:
        result = _worker(server_url, api_user, api_key, int(events),
                         int(throughput))
    except Exception as error:
        import traceback
        result = {'error': '{0}: {1}'.format(type(error).__name__, error),
                  'details': traceback.format_exc()}
    sys.stdout.write(json.dumps(result) + '\n')


# The driver. -------------------------------------------------------------


def _percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summarise(result):
    """Return the figures of one client's run (milliseconds, events/s)."""
    return {
        'latency_median': statistics.median(result['latency']) * 1000,
        'latency_p99': _percentile(result['latency'], 0.99) * 1000,
        'round_trip_median': statistics.median(result['round_trip']) * 1000,
        'round_trip_p99': _percentile(result['round_trip'], 0.99) * 1000,
        'throughput': (result['throughput_events']
                       / result['throughput_seconds']),
        'publish_rate': (result['throughput_events']
                         / result['publish_seconds']),
    }


ROWS = (
    ('latency_median', 'publish → receive, median', 'ms', False),
    ('latency_p99', 'publish → receive, p99', 'ms', False),
    ('round_trip_median', 'publish → reply received, median', 'ms', False),
    ('round_trip_p99', 'publish → reply received, p99', 'ms', False),
    ('throughput', 'throughput (published → all received)', 'events/s',
     True),
    ('publish_rate', 'publish calls alone', 'events/s', True),
)


def table(figures):
    """Return a Markdown table of *figures* (client → summary)."""
    lines = [
        '| measure | reference | ours | ratio |',
        '|---|---:|---:|---:|',
    ]
    for key, label, unit, higher_is_better in ROWS:
        cells = []
        for client in ('reference', 'ours'):
            value = figures.get(client, {}).get(key)
            cells.append('—' if value is None else _format(value, unit))
        reference = figures.get('reference', {}).get(key)
        ours = figures.get('ours', {}).get(key)
        if reference and ours:
            ratio = ours / reference if higher_is_better else reference / ours
            cells.append('{0:.1f}x'.format(ratio))
        else:
            cells.append('—')
        lines.append('| {0} | {1} |'.format(label, ' | '.join(cells)))
    return '\n'.join(lines)


def _format(value, unit):
    if unit == 'ms':
        return '{0:.2f} ms'.format(value)
    return '{0:,.0f} {1}'.format(value, unit)


def run_client(python, server, events, throughput_events):
    directory = tempfile.mkdtemp(prefix='bench-events-')
    try:
        process = subprocess.run(
            [python, '-I', os.path.abspath(__file__), 'worker', server.url,
             server.api_user, server.api_key, str(events),
             str(throughput_events)],
            cwd=directory, capture_output=True, text=True,
            env=_environment(), timeout=900,
        )
    finally:
        os.rmdir(directory)
    lines = process.stdout.strip().splitlines()
    if process.returncode != 0 or not lines:
        raise RuntimeError('worker failed:\n' + process.stderr[-3000:])
    result = json.loads(lines[-1])
    if 'error' in result:
        raise RuntimeError('{0}\n{1}'.format(result['error'],
                                             result['details']))
    return result


def _environment():
    environment = dict(os.environ)
    for name in ('FTRACK_SERVER', 'FTRACK_API_KEY', 'FTRACK_APIKEY',
                 'FTRACK_API_USER', 'FTRACK_EVENT_PLUGIN_PATH'):
        environment.pop(name, None)
    return environment


def update_readme(text):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'README.md')
    with open(path, encoding='utf-8') as handle:
        content = handle.read()
    start = content.index(README_START) + len(README_START)
    end = content.index(README_END)
    content = content[:start] + '\n\n' + text + '\n\n' + content[end:]
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(content)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m bench.events',
        description='Event hub latency and throughput, reference and ours.',
    )
    parser.add_argument('--client', choices=('both', 'ours', 'reference'),
                        default='both')
    parser.add_argument('--events', type=int, default=1000,
                        help='events for the latency measures (1,000)')
    parser.add_argument('--throughput-events', type=int, default=5000,
                        help='events for the throughput measure (5,000)')
    parser.add_argument('--repeat', type=int, default=1, metavar='N',
                        help='run each client N times (alternating), '
                        'report the median of each figure')
    parser.add_argument('--update-readme', action='store_true',
                        help='record the table in bench/README.md')
    options = parser.parse_args(argv)

    import platform

    from bench import interpreters
    from ftrack_emulator.server import Emulator

    clients = ('reference', 'ours') if options.client == 'both' else (
        options.client,)
    runs = {client: [] for client in clients}
    started = time.monotonic()
    with Emulator() as server:
        for repeat in range(options.repeat):
            for client in clients:
                python = (interpreters.reference() if client == 'reference'
                          else interpreters.ours())
                print('running {0} ({1} of {2}) ...'.format(
                    client, repeat + 1, options.repeat), file=sys.stderr)
                result = run_client(python, server, options.events,
                                    options.throughput_events)
                runs[client].append(summarise(result))
    figures = {
        client: {
            key: statistics.median(summary[key] for summary in summaries)
            for key in summaries[0]
        }
        for client, summaries in runs.items()
    }
    text = (
        'Latest run: {date}, on {cores} CPU cores, {system} {machine}, '
        'Python {python}, with `python -m bench.events{args}` ({seconds:.0f}'
        ' s in all): {events:,} events for the latencies, {throughput:,} '
        'for the throughput{medians}.\n\n{table}'
    ).format(
        date=time.strftime('%Y-%m-%d'), cores=os.cpu_count(),
        system=platform.system(), machine=platform.machine(),
        python=platform.python_version(),
        args=''.join(' ' + arg for arg in (argv or sys.argv[1:])
                     if arg != '--update-readme'),
        seconds=time.monotonic() - started, events=options.events,
        throughput=options.throughput_events, table=table(figures),
        medians=('; medians of {0} runs'.format(options.repeat)
                 if options.repeat > 1 else ''),
    )
    print(text)
    if options.update_readme:
        update_readme(text)
    return 0


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == 'worker':
        _worker_main(sys.argv[2:])
    else:
        sys.exit(main())
