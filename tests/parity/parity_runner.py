"""Run parity scenarios under a client and compare the transcripts.

A scenario script (``scenarios/*.py``, see ``scenarios/recorder.py``)
writes one JSON line per step. :func:`run_scenario` runs it with a given
interpreter against an emulator, isolated from this repository so that the
reference interpreter imports its own ``ftrack_api``. :func:`normalise`
removes what legitimately differs between two runs, and :func:`compare`
returns a readable diff of two normalised transcripts (empty when equal).

What is normalised, and nothing else:

* UUIDs (client-generated primary keys, ids the emulator makes up) become
  ``<id1>``, ``<id2>``, ... in order of first appearance, so that two runs
  match when they refer to the same entities at the same places;
* 32-digit hexadecimal ids (event ids, hub ids) likewise become ``<hex1>``...;
* Python object addresses in reprs become ``<address>``;
* timestamps of the run's own day (creation dates set by the server, timer
  starts) become ``<now>``;
* the emulator's URL (each client has its own emulator) becomes
  ``<server>``.
"""

import datetime
import difflib
import json
import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO_DIRECTORY = os.path.join(HERE, 'scenarios')

#: Seconds one scenario run may take before it is considered hung.
RUN_TIMEOUT = 300

_UUID = re.compile(
    r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
    r'[0-9a-fA-F]{12}'
)
_HEX_ID = re.compile(r'(?<![0-9a-fA-F-])[0-9a-f]{32}(?![0-9a-fA-F-])')
_ADDRESS = re.compile(r'(?:(?<=object )\d{6,}|0x[0-9a-fA-F]{6,})')
_TIMESTAMP = re.compile(
    r'(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?'
    r'(?:Z|[+-]\d{2}:?\d{2})?'
)


class ScenarioFailed(Exception):
    """A scenario script crashed instead of finishing its transcript."""


def scenario_names():
    """Return the names of the scenario scripts, sorted."""
    return sorted(
        name[:-3] for name in os.listdir(SCENARIO_DIRECTORY)
        if name.endswith('.py') and name != 'recorder.py'
        and not name.startswith('_')
    )


def run_scenario(python, name, server, directory):
    """Run scenario *name* with the interpreter *python* against the
    emulator *server*; return the list of transcript entries.

    *directory* receives the transcript and serves as working directory
    (outside the repository) and scratch space for the script.
    """
    os.makedirs(directory, exist_ok=True)
    output = os.path.join(directory, 'transcript.jsonl')
    workdir = os.path.join(directory, 'work')
    os.makedirs(workdir, exist_ok=True)
    environment = {
        key: value for key, value in os.environ.items()
        if not key.startswith(('FTRACK_', 'PYTHON'))
    }
    # Keep any cache a scenario does not configure itself out of the
    # user's directories.
    environment['XDG_CACHE_HOME'] = os.path.join(directory, 'cache')
    script = os.path.join(SCENARIO_DIRECTORY, name + '.py')
    result = subprocess.run(
        [python, '-I', script, server.url, server.api_user, server.api_key,
         output, workdir],
        capture_output=True, text=True, timeout=RUN_TIMEOUT, cwd=directory,
        env=environment,
    )
    # The two emulators listen on different ports: server URLs in
    # computed values (thumbnail URLs, ...) are the same once named.
    entries = read_transcript(output, {server.url: '<server>'})
    if result.returncode != 0 or not entries or \
            entries[-1].get('step') != 'end of scenario':
        raise ScenarioFailed(
            'Scenario {0} failed under {1} (exit code {2}):\n{3}{4}'.format(
                name, python, result.returncode, result.stdout,
                result.stderr)
        )
    return entries


def read_transcript(path, replacements=None):
    """Return the entries of the transcript file at *path* ([] if none),
    with the texts in the *replacements* mapping replaced first."""
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    for old, new in (replacements or {}).items():
        text = text.replace(old, new)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def unexpected_outcomes(entries):
    """Return the steps whose outcome was not the declared one."""
    return [entry for entry in entries if 'unexpected' in entry]


def normalise(entries, today=None):
    """Return *entries* as text lines with the run-specific values
    replaced (see the module documentation)."""
    today = today or datetime.date.today()
    recent = {
        (today + datetime.timedelta(days=offset)).isoformat()
        for offset in (-1, 0, 1)
    }
    names = {}

    def rename(prefix, pattern, text):
        def replace(match):
            value = match.group(0).lower()
            key = (prefix, value)
            if key not in names:
                names[key] = '<{0}{1}>'.format(
                    prefix, sum(1 for k in names if k[0] == prefix) + 1)
            return names[key]
        return pattern.sub(replace, text)

    def timestamp(match):
        return '<now>' if match.group(1) in recent else match.group(0)

    lines = []
    for entry in entries:
        entry = {key: value for key, value in entry.items()
                 if key != 'unexpected'}
        label = '[{0} {1}] '.format(entry.pop('number', '?'),
                                    entry.get('step', '?'))
        text = json.dumps(entry, sort_keys=True, indent=1)
        text = rename('id', _UUID, text)
        text = rename('hex', _HEX_ID, text)
        text = _ADDRESS.sub('<address>', text)
        text = _TIMESTAMP.sub(timestamp, text)
        # Every line names its step, so each hunk of a diff says where it
        # is.
        lines.extend(label + line for line in text.splitlines())
    return lines


def compare(reference_entries, our_entries, context=3):
    """Return a unified diff of the normalised transcripts ('' when they
    are equal)."""
    reference_lines = normalise(reference_entries)
    our_lines = normalise(our_entries)
    if reference_lines == our_lines:
        return ''
    return '\n'.join(difflib.unified_diff(
        reference_lines, our_lines, 'reference client', 'our client',
        n=context, lineterm='',
    ))
