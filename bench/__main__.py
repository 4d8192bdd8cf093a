"""Command line of the benchmarks.

::

    python -m bench [--only NAME ...] [--quick] [--repeat N]
                    [--client {both,ours,reference}] [--profile NAME]
                    [--json PATH] [--update-readme] [--list]
    python -m bench emulator [--tasks N] [--repeat N] [--quick]
                             [--update-readme]

See bench/README.md.
"""

import argparse
import json
import logging
import shlex
import sys
import time

from bench import catalogue, report, runner

CLIENTS = {
    'both': (runner.REFERENCE, runner.OURS),
    'ours': (runner.OURS,),
    'reference': (runner.REFERENCE,),
}


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError('must be at least 1')
    return value


def client_parser():
    parser = argparse.ArgumentParser(
        prog='python -m bench',
        description='Run the workloads under the reference ftrack client '
                    'and ours against one emulator, and print a table. '
                    '"python -m bench emulator" benchmarks the emulator '
                    'alone.',
    )
    parser.add_argument('--only', action='append', default=[],
                        metavar='NAME', help='run only this workload '
                        '(repeatable; see --list)')
    parser.add_argument('--quick', action='store_true',
                        help='tiny sizes (checks that everything runs)')
    parser.add_argument('--repeat', type=_positive, default=1, metavar='N',
                        help='run each workload N times, report medians')
    parser.add_argument('--client', choices=sorted(CLIENTS), default='both',
                        help='which clients to run (default both)')
    parser.add_argument('--profile', metavar='NAME',
                        help='run workload NAME under our client with '
                        'pyinstrument; write bench/profiles/NAME.html/.txt')
    parser.add_argument('--json', metavar='PATH',
                        help='also write every run as JSON to PATH')
    parser.add_argument('--update-readme', action='store_true',
                        help='record the table in bench/README.md')
    parser.add_argument('--list', action='store_true',
                        help='list the workloads and exit')
    return parser


def emulator_parser():
    from bench import emulator_bench

    parser = argparse.ArgumentParser(
        prog='python -m bench emulator',
        description='Benchmark the emulator alone on many tasks: a filtered '
                    'query on an indexed attribute, a projected query of '
                    '500 tasks through two relationships and a 1,000-create '
                    'commit, against their targets.',
    )
    parser.add_argument('--tasks', type=_positive,
                        default=emulator_bench.TASKS, metavar='N',
                        help='tasks to seed (default %(default)s)')
    parser.add_argument('--repeat', type=_positive,
                        default=emulator_bench.REPEAT, metavar='N',
                        help='runs of each measurement (default '
                        '%(default)s); the median is reported')
    parser.add_argument('--quick', action='store_true',
                        help='1,000 tasks, one run (checks that it works)')
    parser.add_argument('--update-readme', action='store_true',
                        help='record the table in bench/README.md')
    return parser


def _command(prefix, arguments):
    """Return the command line that made a table, without the options
    that only say where its results go."""
    kept = []
    skip = False
    for argument in arguments:
        if skip:
            skip = False
        elif argument == '--json':
            skip = True
        elif argument != '--update-readme' and \
                not argument.startswith('--json='):
            kept.append(shlex.quote(argument))
    return ' '.join([prefix] + kept)


def _list():
    for workload in catalogue.WORKLOADS:
        print('{0:22} {1}'.format(workload.name, workload.description))
    return 0


def run_clients(arguments):
    parser = client_parser()
    options = parser.parse_args(arguments)
    if options.list:
        return _list()
    try:
        catalogue.select(options.only + ([options.profile]
                                         if options.profile else []))
    except ValueError as error:
        parser.error(str(error))
    clients = CLIENTS[options.client]
    if options.profile:
        clients = (runner.OURS,)
    settings = runner.Options(
        only=options.only, quick=options.quick, repeat=options.repeat,
        clients=clients, profile=options.profile, progress=sys.stderr,
    )
    started = time.perf_counter()
    try:
        bench_runner, runs, profile_paths = runner.main_run(settings)
    except runner.BenchError as error:
        print('bench: {0}'.format(error), file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    rows = runner.summarise(runs)
    print()
    print('\n'.join(report.table_lines(rows)))
    for line in report.floor_lines(rows):
        print()
        print(line)
    print()
    print('{0} tasks seeded in {1:.1f} s; {2:.0f} s in all; {3}.'.format(
        bench_runner.seeded['tasks'], bench_runner.seed_seconds, seconds,
        report.machine()))
    if profile_paths:
        print('Profiles: {0} and {1}'.format(profile_paths['html'],
                                               profile_paths['text']))
    problems = report.failures(runs)
    if problems:
        print()
        print('Failures:')
        print('\n'.join(problems))
    if options.json:
        with open(options.json, 'w') as handle:
            json.dump([run.__dict__ for run in runs], handle, indent=1)
    if options.update_readme and not problems and not options.profile:
        report.update_readme(rows, _command('python -m bench', arguments),
                             seconds)
        print('Table recorded in {0}.'.format(report.README))
    return 1 if problems else 0


def run_emulator(arguments):
    from bench import emulator_bench

    options = emulator_parser().parse_args(arguments)
    tasks, repeat = options.tasks, options.repeat
    if options.quick:
        tasks, repeat = 1000, 1
    results = emulator_bench.run(tasks, repeat, progress=sys.stderr)
    lines = emulator_bench.table_lines(results, tasks)
    print()
    print('\n'.join(lines))
    if options.update_readme:
        report.update_readme_emulator(
            lines, _command('python -m bench emulator', arguments))
        print('Table recorded in {0}.'.format(report.README))
    return 0


def main(arguments=None):
    if arguments is None:
        arguments = sys.argv[1:]
    logging.basicConfig(level=logging.WARNING,
                        format='%(levelname)s %(name)s: %(message)s')
    if arguments[:1] == ['emulator']:
        return run_emulator(arguments[1:])
    return run_clients(arguments)


if __name__ == '__main__':
    sys.exit(main())
