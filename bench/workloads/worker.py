"""Run one workload in this process and write its result as JSON.

Started by the runner as ``python -I worker.py SPEC.json`` under either
client's interpreter, from a directory outside the repository, so that the
reference interpreter can only import the reference ``ftrack_api``. The
spec names the workload (``module:function``), its parameters, the server
and where to write the result; with ``profile`` set, the timed regions run
under pyinstrument and the profile is written next to the result.
"""

import json
import os
import sys
import time
import traceback

BENCH_DIRECTORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load(target):
    import importlib

    module_name, function_name = target.split(':')
    module = importlib.import_module('workloads.' + module_name)
    return getattr(module, function_name)


def main(arguments):
    with open(arguments[0]) as handle:
        spec = json.load(handle)
    # Import the workloads package from bench/ (never the repository root,
    # which holds our ftrack_api).
    sys.path.insert(0, BENCH_DIRECTORY)
    from workloads import harness

    counter = harness.RequestCounter()
    counter.install()
    started = time.perf_counter()
    import ftrack_api  # noqa: F401  (timed: part of what a user waits)
    import_seconds = time.perf_counter() - started

    profiler = None
    if spec.get('profile'):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)

    memory = harness.MemoryProbe()
    memory.start()
    ctx = harness.Context(spec, counter, profiler)
    result = {'workload': spec['name'], 'client': spec['client'],
              'import_seconds': import_seconds, 'ok': False}
    try:
        _load(spec['target'])(ctx)
    except Exception as error:
        result['error'] = '{0}: {1}'.format(type(error).__name__, error)
        result['traceback'] = traceback.format_exc()
    else:
        result['ok'] = True
    finally:
        result['peak_kib'] = memory.peak_kib()
        result.update(ctx.result())
        ctx.close_sessions()
    if profiler is not None and result['ok']:
        profile = spec['profile']
        with open(profile['html'], 'w') as handle:
            handle.write(profiler.output_html())
        with open(profile['text'], 'w') as handle:
            handle.write(profiler.output_text(unicode=True, color=False,
                                              show_all=False))
    with open(spec['result'], 'w') as handle:
        json.dump(result, handle, indent=1)
    return 0 if result['ok'] else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
