"""Smoke tests of the bench machinery: tiny workloads under our client
against a real emulator, run the way ``python -m bench`` runs them."""

import dataclasses

import pytest

from bench import catalogue, report, runner


@pytest.fixture(scope='module')
def bench_runner():
    options = runner.Options(quick=True, clients=(runner.OURS,))
    with runner.Runner(options) as active:
        yield active


def _single(run):
    assert run.ok, '{0}\n{1}'.format(run.error, run.details)
    return run


def test_seeds_the_quick_data(bench_runner):
    assert bench_runner.seeded['tasks'] == catalogue.QUICK_SEEDED_TASKS
    assert bench_runner.seeded['shots'] == 2


def test_query_workload_runs_and_measures(bench_runner):
    run = _single(bench_runner.run_workload(
        catalogue.BY_NAME['query_merge'], runner.OURS))
    measurement = run.measurements['']
    assert measurement['seconds'] > 0
    assert 0 < measurement['cpu_seconds']
    # All pages were fetched through HTTP (the request counter works).
    assert measurement['requests'] >= 1
    assert run.peak_kib is not None and run.peak_kib > 0
    # The floor ran before and after the merge: 200 tasks are one page.
    floor = run.measurements['floor']
    assert len(floor['samples']) == 2
    assert floor['requests'] == 1


def test_wrong_result_fails_the_workload(bench_runner):
    # Expecting one task more than seeded: the workload's own check must
    # catch it, so a client returning wrong data cannot look fast.
    workload = dataclasses.replace(
        catalogue.BY_NAME['cache_get'],
        quick_params={'tasks': catalogue.QUICK_SEEDED_TASKS + 1,
                      'rounds': 1})
    run = bench_runner.run_workload(workload, runner.OURS)
    assert not run.ok
    assert run.error == 'ValidationError: tasks loaded: expected {0}, ' \
        'got {1}'.format(catalogue.QUICK_SEEDED_TASKS + 1,
                         catalogue.QUICK_SEEDED_TASKS)


def test_write_workload_leaves_the_seed_intact(bench_runner):
    before = bench_runner._seeder.count_tasks()
    run = _single(bench_runner.run_workload(
        catalogue.BY_NAME['commit_delete'], runner.OURS))
    assert run.measurements['']['requests'] >= 1
    assert bench_runner._seeder.count_tasks() == before


def test_profile_writes_html_and_text(bench_runner, tmp_path):
    bench_runner.options.profile_directory = str(tmp_path)
    run, paths = bench_runner.profile('cache_get')
    _single(run)
    with open(paths['text']) as handle:
        text = handle.read()
    assert 'get' in text
    assert open(paths['html']).read().lstrip().startswith('<!DOCTYPE html>')


def test_summary_table_of_real_runs(bench_runner):
    runs = [_single(bench_runner.run_workload(
        catalogue.BY_NAME['encode_all'], runner.OURS))]
    rows = runner.summarise(runs)
    assert [row.label for row in rows] == ['encode all', 'decode all']
    lines = report.table_lines(rows)
    assert lines[2].startswith('| encode_all / encode all | — | ')
