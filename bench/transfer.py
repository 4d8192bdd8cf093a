"""Upload and download throughput through the emulator's server location,
the reference client and ours side by side.

``python -m bench.transfer [--size MB] [--repeat N] [--client ours]``
starts an emulator (temporary database and storage), writes a file of
random bytes (200 MB by default) and runs :mod:`bench.transfer_worker`
under each client in a fresh, isolated process: the reference first, then
ours, per repeat (and ours again uploading in parts, see ``--parts``). It
prints a Markdown table of MB/s (medians) and the worker's peak memory
above its size after importing the client; ``--update-readme`` records it
in ``bench/README.md``. The exit status is 1 when a copy was not
byte-identical.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench import interpreters

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, 'bench', 'transfer_worker.py')
README = os.path.join(ROOT, 'bench', 'README.md')
TABLE_START = '<!-- transfer-table:start -->'
TABLE_END = '<!-- transfer-table:end -->'
MB = 1000 * 1000
MIB = 1024 * 1024


def write_random_file(path, size):
    """Write *size* random bytes to *path*, a block at a time."""
    with open(path, 'wb') as handle:
        remaining = size
        while remaining:
            block = os.urandom(min(remaining, 4 * MIB))
            handle.write(block)
            remaining -= len(block)


def run_worker(python, server, source, work, environment=None):
    os.makedirs(work, exist_ok=True)
    process = subprocess.run(
        [python, '-I', WORKER, server.url, server.api_user, server.api_key,
         source, work],
        capture_output=True, text=True, cwd=work, timeout=3600,
        env=dict(os.environ, PYTHONPATH='', **(environment or {})),
    )
    if process.returncode != 0:
        raise RuntimeError(process.stderr[-3000:])
    return json.loads(process.stdout.strip().splitlines()[-1])


def summarise(runs):
    size = runs[0]['size']
    return {
        'upload': size / statistics.median(run['upload'] for run in runs),
        'download': size / statistics.median(run['download'] for run in runs),
        'peak_kib': max(run['peak_kib'] or 0 for run in runs),
        'identical': all(run['identical'] for run in runs),
    }


def _rate(value):
    return '{0:.1f} MB/s'.format(value / MB)


def table(results, size, repeat):
    lines = [
        'Latest run: {0}, on {1} CPU cores, {2} {3}, Python {4}, '
        '{5} MB file, median of {6}.'.format(
            time.strftime('%Y-%m-%d'), os.cpu_count(), platform.system(),
            platform.machine(), platform.python_version(), size // MB,
            repeat),
        '',
        '| client | upload | download | peak memory | identical |',
        '|---|---:|---:|---:|---|',
    ]
    for client, summary in results.items():
        lines.append('| {0} | {1} | {2} | {3:.1f} MiB | {4} |'.format(
            client, _rate(summary['upload']), _rate(summary['download']),
            summary['peak_kib'] / 1024.0,
            'yes' if summary['identical'] else 'NO',
        ))
    if 'reference' in results and 'ours' in results:
        lines.append('')
        lines.append(
            'ours / reference: upload {0:.1f}x, download {1:.1f}x'.format(
                results['ours']['upload'] / results['reference']['upload'],
                results['ours']['download']
                / results['reference']['download'],
            ))
    return '\n'.join(lines)


def update_readme(text):
    with open(README, encoding='utf-8') as handle:
        content = handle.read()
    pattern = re.compile(
        re.escape(TABLE_START) + '.*?' + re.escape(TABLE_END), re.DOTALL)
    replacement = '{0}\n\n{1}\n\n{2}'.format(TABLE_START, text, TABLE_END)
    if not pattern.search(content):
        raise SystemExit('{0} has no {1} marker.'.format(README, TABLE_START))
    with open(README, 'w', encoding='utf-8') as handle:
        handle.write(pattern.sub(lambda match: replacement, content))


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m bench.transfer',
                                     description=__doc__.split('\n\n')[0])
    parser.add_argument('--size', type=int, default=200,
                        help='file size in MB (default 200)')
    parser.add_argument('--repeat', type=int, default=1)
    parser.add_argument('--client', choices=('both', 'ours', 'reference'),
                        default='both')
    parser.add_argument('--parts', type=int, default=16, metavar='MIB',
                        help='also run ours uploading in parts of MIB MiB '
                        '(0: do not; default 16)')
    parser.add_argument('--update-readme', action='store_true')
    arguments = parser.parse_args(argv)

    from ftrack_emulator.server import Emulator

    clients = []
    if arguments.client in ('both', 'reference'):
        clients.append(('reference', interpreters.reference(), None))
    if arguments.client in ('both', 'ours'):
        clients.append(('ours', interpreters.ours(), None))
        if arguments.parts:
            clients.append((
                'ours, multipart ({0} MiB parts)'.format(arguments.parts),
                interpreters.ours(),
                {'BENCH_TRANSFER_PART_MB': str(arguments.parts)},
            ))

    directory = tempfile.mkdtemp(prefix='bench-transfer-')
    try:
        source = os.path.join(directory, 'source.bin')
        size = arguments.size * MB
        write_random_file(source, size)
        emulator = Emulator(
            database='sqlite:///' + os.path.join(directory, 'db.sqlite'),
            storage=os.path.join(directory, 'storage'),
        )
        emulator.start()
        try:
            runs = {name: [] for name, _, _ in clients}
            for index in range(arguments.repeat):
                for number, (name, python, environment) in enumerate(
                        clients):
                    work = os.path.join(directory, 'work-{0}-{1}'.format(
                        number, index))
                    runs[name].append(run_worker(python, emulator, source,
                                                 work, environment))
                    shutil.rmtree(work, ignore_errors=True)
        finally:
            emulator.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    results = {name: summarise(samples) for name, samples in runs.items()}
    text = table(results, size, arguments.repeat)
    sys.stdout.write(text + '\n')
    if arguments.update_readme:
        update_readme(text)
    return 0 if all(result['identical'] for result in results.values()) \
        else 1


if __name__ == '__main__':
    sys.exit(main())
