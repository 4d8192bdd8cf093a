"""Parity: every scenario script gives the same transcript under the
reference client (3.1.0) and under ours, each run against a freshly reset
emulator. See ``parity_runner.py`` for what is normalised and
``scenarios/recorder.py`` for what a transcript holds."""

import concurrent.futures
import os
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


#: A scenario wrapper that runs a scenario with Session.get never looking
#: at the cache: a deliberate change of behaviour.
CACHE_BYPASSING_WRAPPER = '''
import runpy
import sys

import ftrack_api.session


def get(self, entity_type, entity_key):
    if not isinstance(entity_key, str):
        entity_key = entity_key[0]
    return self.query('{{0}} where id is "{{1}}"'.format(
        entity_type, entity_key)).first()


ftrack_api.session.Session.get = get
runpy.run_path({script!r}, run_name='__main__')
'''


def test_runs_of_one_client_are_equal_and_a_changed_behaviour_is_not(
        fresh_parity_servers, tmp_path, monkeypatch):
    """The comparison is neither blind nor flaky: two runs of our client
    give equal transcripts, and a client whose get skips the cache does
    not."""
    name = 'caching'
    first_server, second_server = fresh_parity_servers
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(
            parity_runner.run_scenario, sys.executable, name, first_server,
            str(tmp_path / 'first'))
        second = pool.submit(
            parity_runner.run_scenario, sys.executable, name, second_server,
            str(tmp_path / 'second'))
        first, second = first.result(), second.result()
    assert parity_runner.compare(first, second) == ''

    wrappers = tmp_path / 'wrappers'
    wrappers.mkdir()
    (wrappers / (name + '.py')).write_text(CACHE_BYPASSING_WRAPPER.format(
        script=os.path.join(parity_runner.SCENARIO_DIRECTORY, name + '.py')))
    monkeypatch.setattr(parity_runner, 'SCENARIO_DIRECTORY', str(wrappers))
    first_server.reset()
    changed = parity_runner.run_scenario(
        sys.executable, name, first_server, str(tmp_path / 'changed'))
    difference = parity_runner.compare(first, changed)
    assert difference.startswith('--- reference client\n+++ our client')
    assert '+[1 get of a cached entity sends nothing]  "requests": [' in (
        difference)
