"""The parity runner: what it normalises, what it does not, and how a
difference is reported."""

import datetime
import json
import os
import sys

import pytest

import parity_runner

TODAY = datetime.date(2024, 6, 1)

FIRST = 'a0a87b46-fcf1-478f-88c7-f633bfebbb85'
SECOND = 'ee3c4b39-9479-4920-b343-8f2f4031f00a'
OTHER_FIRST = '1221b5a2-2155-441c-aff7-c0fcbbe8f88d'
OTHER_SECOND = 'd59a0625-469d-4e78-be33-9eca03b1d74b'


def entry(number, step, value):
    return {'number': number, 'step': step, 'value': value}


def test_ids_are_numbered_in_order_of_first_appearance():
    lines = parity_runner.normalise([
        entry(1, 'one', '<Task({0})>'.format(FIRST)),
        entry(2, 'two', [SECOND, FIRST.upper()]),
    ], today=TODAY)
    text = '\n'.join(lines)
    assert FIRST not in text and SECOND not in text
    assert '"<Task(<id1>)>"' in text
    assert '"<id2>"' in text
    # The same id (whatever its case) keeps its number.
    assert text.count('<id1>') == 2


def test_runs_with_other_ids_in_the_same_places_are_equal():
    ours = [entry(1, 'one', [FIRST, SECOND, FIRST])]
    theirs = [entry(1, 'one', [OTHER_FIRST, OTHER_SECOND, OTHER_FIRST])]
    assert parity_runner.compare(ours, theirs) == ''


def test_ids_in_other_places_differ():
    ours = [entry(1, 'one', [FIRST, SECOND, FIRST])]
    theirs = [entry(1, 'one', [OTHER_FIRST, OTHER_SECOND, OTHER_SECOND])]
    assert parity_runner.compare(ours, theirs) != ''


def test_addresses_and_todays_timestamps_are_normalised():
    lines = parity_runner.normalise([entry(1, 'one', [
        '<dynamic ftrack Task object 139653206145168>',
        '<ftrack_api.collection.Collection object at 0x7f6ae35ba250>',
        '2024-06-01T10:11:12+00:00', '2024-05-31T23:59:59',
        '2024-01-08T09:00:00',
        '32-digit hex ids 0a2c4f0b2c9d4e1f8a7b6c5d4e3f2a1b too',
    ])], today=TODAY)
    text = '\n'.join(lines)
    assert 'object <address>>' in text
    assert 'object at <address>>' in text
    assert text.count('<now>') == 2
    # Fixed dates are data, not the run's clock.
    assert '2024-01-08T09:00:00' in text
    assert '<hex1>' in text


def test_values_and_errors_are_not_normalised():
    for ours, theirs in (
        (entry(1, 'one', 'sh010'), entry(1, 'one', 'sh020')),
        (entry(1, 'one', 3), entry(1, 'one', 3.0)),
        ({'number': 1, 'step': 'one', 'raised': {
            'class': 'builtins.KeyError', 'message': "'x'"}},
         {'number': 1, 'step': 'one', 'raised': {
             'class': 'builtins.ValueError', 'message': "'x'"}}),
        (entry(1, 'one', None), {'number': 1, 'step': 'one', 'value': None,
                                  'requests': [[{'action': 'query'}]]}),
        (entry(1, 'one', 1), entry(1, 'other', 1)),
    ):
        assert parity_runner.compare([ours], [theirs]) != ''


def test_a_difference_is_shown_as_a_diff_naming_the_step():
    ours = [entry(1, 'read a name', 'sh010'),
            entry(2, 'read a description', 'made by us')]
    theirs = [entry(1, 'read a name', 'sh010'),
              entry(2, 'read a description', 'made by them')]
    difference = parity_runner.compare(ours, theirs)
    assert difference.startswith('--- reference client\n+++ our client')
    assert '-[2 read a description]  "value": "made by us"' in difference
    assert '+[2 read a description]  "value": "made by them"' in difference


def test_unexpected_outcomes_are_reported():
    entries = [entry(1, 'fine', 1),
               dict(entry(2, 'broken', 2), unexpected='no exception')]
    assert parity_runner.unexpected_outcomes(entries) == [entries[1]]
    # The marker itself never makes transcripts differ.
    assert parity_runner.compare(entries, [entry(1, 'fine', 1),
                                           entry(2, 'broken', 2)]) == ''


def test_transcripts_are_read_with_replacements(tmp_path):
    path = tmp_path / 'transcript.jsonl'
    path.write_text(json.dumps(entry(1, 'url', 'http://h:1/img')) + '\n\n')
    assert parity_runner.read_transcript(
        str(path), {'http://h:1': '<server>'}
    ) == [entry(1, 'url', '<server>/img')]
    assert parity_runner.read_transcript(str(tmp_path / 'missing')) == []


def test_every_scenario_script_is_collected():
    names = parity_runner.scenario_names()
    assert 'recorder' not in names
    for expected in ('queries', 'population', 'merging', 'unit_of_work',
                     'ensure', 'custom_attributes', 'metadata', 'encoding',
                     'caching', 'errors', 'specialised', 'entities',
                     'sessions'):
        assert expected in names


class _Server(object):
    url = 'http://127.0.0.1:9'
    api_user = 'nobody'
    api_key = 'none'


def test_a_crashing_scenario_is_an_error(tmp_path, monkeypatch):
    scenarios = tmp_path / 'scenarios'
    scenarios.mkdir()
    (scenarios / 'crash.py').write_text(
        'import sys\nsys.stderr.write("broken on purpose")\nsys.exit(3)\n')
    monkeypatch.setattr(parity_runner, 'SCENARIO_DIRECTORY', str(scenarios))
    with pytest.raises(parity_runner.ScenarioFailed) as failure:
        parity_runner.run_scenario(sys.executable, 'crash', _Server(),
                                   str(tmp_path / 'run'))
    assert 'exit code 3' in str(failure.value)
    assert 'broken on purpose' in str(failure.value)


def test_a_scenario_stopping_half_way_is_an_error(tmp_path, monkeypatch):
    scenarios = tmp_path / 'scenarios'
    scenarios.mkdir()
    # Writes one step, never the end marker, yet exits with 0.
    (scenarios / 'short.py').write_text(
        'import json, sys\n'
        'open(sys.argv[4], "w").write(json.dumps('
        '{"number": 1, "step": "only"}) + "\\n")\n')
    monkeypatch.setattr(parity_runner, 'SCENARIO_DIRECTORY', str(scenarios))
    with pytest.raises(parity_runner.ScenarioFailed):
        parity_runner.run_scenario(sys.executable, 'short', _Server(),
                                   str(tmp_path / 'run'))
    assert os.path.exists(str(tmp_path / 'run' / 'transcript.jsonl'))
