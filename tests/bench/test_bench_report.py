"""The table, ratios and README section of the bench report, and the
data checks the workloads rely on."""

import pytest

from bench import catalogue, report, runner
from bench.workloads import dataset


def _run(client, seconds, peak_kib, workload='query_merge', label='',
         cpu_seconds=None):
    measurement = {'seconds': seconds}
    if cpu_seconds is not None:
        measurement['cpu_seconds'] = cpu_seconds
    return runner.Run(workload, client, True, seconds,
                      measurements={label: measurement}, peak_kib=peak_kib)


def test_summary_takes_medians_over_repeats():
    runs = [_run(runner.REFERENCE, value, 40000) for value in (3.0, 1.0, 2.0)]
    runs += [_run(runner.OURS, value, 10000) for value in (0.5, 0.1)]
    (row,) = runner.summarise(runs)
    assert row.seconds == {runner.REFERENCE: 2.0, runner.OURS: 0.3}
    assert row.cpu_seconds == {}
    assert row.peak_kib == {runner.REFERENCE: 40000, runner.OURS: 10000}


def test_ratios_are_flagged_below_their_aims():
    rows = runner.summarise([
        _run(runner.REFERENCE, 3.0, 40000, cpu_seconds=2.5),
        _run(runner.OURS, 1.5, 30000, cpu_seconds=0.5),
    ])
    line = report.table_lines(rows)[2]
    assert line == ('| query_merge | 3.00 s | 1.50 s | 2.0x ! | 2.50 s | '
                    '500.0 ms | 39.1 MiB | 29.3 MiB | 1.3x ! |')
    assert report.shortfalls(rows) == [('query_merge', 'time'),
                                       ('query_merge', 'memory')]


def test_tiny_peaks_get_no_memory_ratio():
    rows = runner.summarise([
        _run(runner.REFERENCE, 1.0, 900), _run(runner.OURS, 0.1, 300),
    ])
    assert report.table_lines(rows)[2].endswith('| ~ |')
    assert report.shortfalls(rows) == []


def test_failures_are_shown_and_described():
    failed = runner.Run('cache_get', runner.OURS, False, 1.0,
                        error='ValidationError: boom', details='Trace\nboom')
    rows = runner.summarise([_run(runner.REFERENCE, 1.0, 100, 'cache_get'),
                             failed])
    assert report.table_lines(rows)[2].startswith(
        '| cache_get | 1.00 s | FAILED |')
    assert report.failures([failed]) == [
        'cache_get under ours: ValidationError: boom', '    Trace',
        '    boom']


def _merge_run(client, merge, floor):
    # The floor is timed first, as the workload does.
    return runner.Run('query_merge', client, True, merge + 2 * floor,
                      measurements={'floor': {'seconds': floor},
                                    '': {'seconds': merge}},
                      peak_kib=1)


def test_merge_over_floor_of_the_same_process():
    rows = runner.summarise([_merge_run(runner.REFERENCE, 8.0, 1.0),
                             _merge_run(runner.OURS, 3.0, 1.5)])
    assert [row.label for row in rows] == ['', 'floor']
    assert report.floor_lines(rows) == [
        'merge / floor (query_merge over its floor, measured in the same '
        'process; aim ≤ 2x for ours): ours 2.0x, reference 8.0x']
    floor_line = report.table_lines(rows)[3]
    assert floor_line == ('| query_merge / floor (no client code) | 1.00 s '
                          '| 1.50 s | — | — | — | — | — | — |')
    # The floor row is no shortfall, whatever its two times.
    assert report.shortfalls(rows) == [('query_merge', 'time')]


def test_merge_far_above_its_floor_is_a_shortfall():
    rows = runner.summarise([_merge_run(runner.REFERENCE, 30.0, 1.0),
                             _merge_run(runner.OURS, 3.0, 1.0)])
    assert report.floor_lines(rows)[0].endswith('ours 3.0x !, reference '
                                                '30.0x')
    assert report.shortfalls(rows) == [('query_merge', 'floor')]


def test_update_readme_replaces_only_the_table(tmp_path):
    path = tmp_path / 'README.md'
    path.write_text('intro\n{0}\nold\n{1}\noutro\n'.format(
        report.TABLE_START, report.TABLE_END), encoding='utf-8')
    rows = runner.summarise([_run(runner.REFERENCE, 2.0, 1),
                             _run(runner.OURS, 0.5, 1)])
    report.update_readme(rows, 'python -m bench', 12.0, path=str(path))
    text = path.read_text(encoding='utf-8')
    assert text.startswith('intro\n' + report.TABLE_START)
    assert text.endswith(report.TABLE_END + '\noutro\n')
    assert 'old' not in text
    assert '| query_merge | 2.00 s | 500.0 ms | 4.0x |' in text
    assert '`python -m bench`' in text


def test_update_readme_needs_its_markers(tmp_path):
    path = tmp_path / 'README.md'
    path.write_text('no table here\n', encoding='utf-8')
    with pytest.raises(ValueError, match='bench-table:start'):
        report.update_readme([], 'python -m bench', 1.0, path=str(path))


def test_the_readme_has_a_table_section():
    with open(report.README, encoding='utf-8') as handle:
        text = handle.read()
    assert report.TABLE_START in text and report.TABLE_END in text


def test_select_names_unknown_workloads():
    assert catalogue.select([]) == list(catalogue.WORKLOADS)
    with pytest.raises(ValueError, match="Unknown workload 'nope'"):
        catalogue.select(['query_merge', 'nope'])


def test_quick_parameters_resolve_the_seeded_count():
    workload = catalogue.BY_NAME['cache_get']
    assert workload.parameters(True, 200) == {'tasks': 200, 'rounds': 2}
    assert workload.parameters(False, 10000) == {'tasks': 10000,
                                                 'rounds': 10}


def test_seeded_task_check():
    index = 1234
    name = dataset.task_name(index)
    good = (dataset.task_status(index),
            dataset.shot_name(dataset.task_shot(index)), 1)
    assert dataset.check_task(name, *good) is None
    assert 'task_001234' in dataset.check_task(name, 'Done', good[1], 1)
    assert dataset.check_task(name, good[0], good[1], 0) is not None
    with pytest.raises(ValueError):
        dataset.task_index('scratch_1')


def test_recorded_command_leaves_out_output_options():
    from bench.__main__ import _command

    assert _command('python -m bench', [
        '--repeat', '3', '--json', '/tmp/x.json', '--update-readme',
        '--json=/tmp/y', '--only', 'query_merge',
    ]) == 'python -m bench --repeat 3 --only query_merge'
