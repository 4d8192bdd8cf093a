"""The results table of ``python -m bench``, and its place in the README.

Times are the medians over repeats; the time ratio is reference / ours
(higher is better, the aim is at least 3). The cpu columns are the CPU
time the client process spent in the timed block: the rest of the wall
time is waiting, mostly for the server. The memory ratio is reference
peak / ours (the aim is at least 2, i.e. ours at most half). A ratio
missing an aim is flagged with ``!``. The floor row runs no client code
(plain HTTP and ``json.loads``, in the same process as the merge); the
merge/floor line below the table compares each client's merge with it
(the aim is at most 2).
"""

import datetime
import os
import platform
import re

from bench.runner import OURS, REFERENCE

#: The workload and label of the merge measured against its floor.
MERGE = ('query_merge', '')
FLOOR = ('query_merge', 'floor')

TIME_AIM = 3.0
MEMORY_AIM = 2.0
FLOOR_AIM = 2.0

README = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      'README.md')
TABLE_START = '<!-- bench-table:start -->'
TABLE_END = '<!-- bench-table:end -->'
EMULATOR_START = '<!-- emulator-table:start -->'
EMULATOR_END = '<!-- emulator-table:end -->'

#: Peaks below this are noise of the RSS measure; no ratio is computed.
_MEMORY_FLOOR_KIB = 2048


def _seconds(value):
    if value is None:
        return '—'
    if value < 0.001:
        return '{0:.1f} µs'.format(value * 1e6)
    if value < 1:
        return '{0:.1f} ms'.format(value * 1e3)
    return '{0:.2f} s'.format(value)


def _mib(kib):
    if kib is None:
        return '—'
    return '{0:.1f} MiB'.format(kib / 1024.0)


def _ratio(reference, ours, aim, floor=0):
    if reference is None or ours is None:
        return '—'
    if reference < floor and ours < floor:
        return '~'
    if ours <= 0:
        return '∞'
    ratio = reference / ours
    return '{0:.1f}x{1}'.format(ratio, '' if ratio >= aim else ' !')


def _name(row):
    return row.workload + (' / ' + row.label if row.label else '')


def table_lines(rows):
    """Return the results table as Markdown lines."""
    header = ('workload', 'reference', 'ours', 'ratio', 'reference cpu',
              'ours cpu', 'reference peak', 'ours peak', 'memory ratio')
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '|'.join(['---'] + ['---:'] * (len(header) - 1)) + '|']
    for row in rows:
        if row.errors:
            cells = [_name(row)] + [
                'FAILED' if client in row.errors else
                _seconds(row.seconds.get(client))
                for client in (REFERENCE, OURS)
            ] + ['—'] * 6
        elif (row.workload, row.label) == FLOOR:
            # No client code runs there: both columns measure the same.
            cells = [_name(row) + ' (no client code)',
                     _seconds(row.seconds.get(REFERENCE)),
                     _seconds(row.seconds.get(OURS)), '—',
                     _seconds(row.cpu_seconds.get(REFERENCE)),
                     _seconds(row.cpu_seconds.get(OURS)), '—', '—', '—']
        else:
            reference = row.seconds.get(REFERENCE)
            ours = row.seconds.get(OURS)
            reference_peak = row.peak_kib.get(REFERENCE)
            ours_peak = row.peak_kib.get(OURS)
            cells = [
                _name(row), _seconds(reference), _seconds(ours),
                _ratio(reference, ours, TIME_AIM),
                _seconds(row.cpu_seconds.get(REFERENCE)),
                _seconds(row.cpu_seconds.get(OURS)),
                _mib(reference_peak), _mib(ours_peak),
                _ratio(reference_peak, ours_peak, MEMORY_AIM,
                       _MEMORY_FLOOR_KIB),
            ]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return lines


def floor_lines(rows):
    """Return the merge/floor comparison, each client's merge against the
    floor measured in the same process."""
    by_name = {(row.workload, row.label): row for row in rows}
    floor = by_name.get(FLOOR)
    merge = by_name.get(MERGE)
    if floor is None or merge is None:
        return []
    parts = []
    for client in (OURS, REFERENCE):
        base = floor.seconds.get(client)
        if client in merge.seconds and base:
            ratio = merge.seconds[client] / base
            flag = '' if client != OURS or ratio <= FLOOR_AIM else ' !'
            parts.append('{0} {1:.1f}x{2}'.format(client, ratio, flag))
    if not parts:
        return []
    return ['merge / floor (query_merge over its floor, measured in the '
            'same process; aim ≤ {0:g}x for ours): {1}'.format(
                FLOOR_AIM, ', '.join(parts))]


def shortfalls(rows):
    """Return the names of rows missing an aim (time, memory, floor)."""
    missing = []
    for row in rows:
        if row.errors or (row.workload, row.label) == FLOOR:
            continue
        reference = row.seconds.get(REFERENCE)
        ours = row.seconds.get(OURS)
        if reference and ours and reference / ours < TIME_AIM:
            missing.append((_name(row), 'time'))
        reference_peak = row.peak_kib.get(REFERENCE)
        ours_peak = row.peak_kib.get(OURS)
        if (reference_peak and ours_peak
                and max(reference_peak, ours_peak) >= _MEMORY_FLOOR_KIB
                and reference_peak / ours_peak < MEMORY_AIM):
            missing.append((_name(row), 'memory'))
    for line in floor_lines(rows):
        if '!' in line:
            missing.append(('query_merge', 'floor'))
    return missing


def failures(runs):
    """Return a description of every failed run."""
    lines = []
    for run in runs:
        if run.ok:
            continue
        lines.append('{0} under {1}: {2}'.format(
            run.workload, run.client, run.error))
        if run.details:
            lines.extend('    ' + line
                         for line in run.details.strip().splitlines()[-12:])
    return lines


def machine():
    """Return a one-line description of this machine."""
    return '{0} CPU cores, {1} {2}, Python {3}'.format(
        os.cpu_count(), platform.system(), platform.machine(),
        platform.python_version())


def readme_block(rows, command, seconds):
    """Return the README section holding the latest table."""
    lines = [
        TABLE_START,
        '',
        'Latest run: {0}, on {1}, with `{2}` ({3:.0f} s in all).'.format(
            datetime.date.today().isoformat(), machine(), command, seconds),
        '',
    ]
    lines.extend(table_lines(rows))
    extra = floor_lines(rows)
    if extra:
        lines.extend([''] + extra)
    lines.extend(['', TABLE_END])
    return '\n'.join(lines)


def replace_section(block, start=TABLE_START, end=TABLE_END, path=README):
    """Replace the text between the markers *start* and *end* (included)
    in the file at *path* with *block*."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    pattern = re.compile(re.escape(start) + '.*?' + re.escape(end),
                         re.DOTALL)
    if not pattern.search(text):
        raise ValueError('{0} has no {1} ... {2} section.'.format(
            path, start, end))
    text = pattern.sub(lambda match: block, text)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


def update_readme(rows, command, seconds, path=README):
    """Record the table of *rows* in the README at *path*."""
    replace_section(readme_block(rows, command, seconds), path=path)


def update_readme_emulator(lines, command, path=README):
    """Record the emulator benchmark's table in the README at *path*."""
    block = '\n'.join([
        EMULATOR_START, '',
        'Latest run: {0}, on {1}, with `{2}`.'.format(
            datetime.date.today().isoformat(), machine(), command),
        '',
    ] + list(lines) + ['', EMULATOR_END])
    replace_section(block, EMULATOR_START, EMULATOR_END, path=path)
