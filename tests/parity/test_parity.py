"""Parity: every scenario script gives the same transcript under the
reference client (3.1.0) and under ours, each run against a freshly reset
emulator. See ``parity_runner.py`` for what is normalised and
``scenarios/recorder.py`` for what a transcript holds."""

import concurrent.futures
import sys

import pytest

import parity_runner


@pytest.mark.parametrize('name', parity_runner.scenario_names())
def test_transcripts_are_equal(name, reference_python, fresh_parity_servers,
                               tmp_path):
    reference_server, our_server = fresh_parity_servers
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        reference_run = pool.submit(
            parity_runner.run_scenario, reference_python, name,
            reference_server, str(tmp_path / 'reference'))
        our_run = pool.submit(
            parity_runner.run_scenario, sys.executable, name, our_server,
            str(tmp_path / 'ours'))
        reference_entries = reference_run.result()
        our_entries = our_run.result()

    problems = []
    broken = parity_runner.unexpected_outcomes(reference_entries)
    if broken:
        problems.append(
            'Scenario {0} does not do what it declares under the reference '
            'client:\n{1}'.format(name, '\n'.join(
                '[{0} {1}] {2}'.format(entry['number'], entry['step'],
                                       entry['unexpected'])
                for entry in broken)))
    difference = parity_runner.compare(reference_entries, our_entries)
    if difference:
        problems.append(
            'Transcripts of scenario {0} differ (transcripts in {1}):\n{2}'
            .format(name, tmp_path, difference))
    if problems:
        pytest.fail('\n\n'.join(problems), pytrace=False)
