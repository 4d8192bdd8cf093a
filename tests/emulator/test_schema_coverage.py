"""The rendered schema against the schema captured from a real ftrack server.

Compared the way ``shared/tools/schema_coverage.py`` compares a running
server: every type, every attribute's kind (scalar type and format,
reference target, collection or mapped collection item type) and the type
keys clients or servers act on. Defaults and the client-visible property
flags are compared too, since clients materialise defaults on create.
The reference file is read-only data outside the project; without it these
tests are skipped.
"""

import json
import os

import pytest

from ftrack_emulator.schema import load_registry
from ftrack_emulator.schema.render import render_schemas

REFERENCE = os.path.join(
    os.path.dirname(__file__), '..', '..', '..', 'shared', 'reference',
    'server-responses', 'query_schemas.json',
)
TYPE_KEYS = ('primary_key', 'required', 'immutable', 'computed',
             'default_projections')
FLAGS = ('default', 'restricted_projection', 'transform', 'enum',
         'key_value_attributes')


def attribute_kind(spec):
    if '$ref' in spec:
        return ('reference', spec['$ref'])
    kind = spec.get('type')
    if kind in ('array', 'mapped_array'):
        return (kind, (spec.get('items') or {}).get('$ref'))
    return (kind, spec.get('format'))


@pytest.fixture(scope='module')
def reference():
    if not os.path.exists(REFERENCE):
        pytest.skip('no captured reference schema at ' + REFERENCE)
    with open(REFERENCE) as handle:
        return {entry['id']: entry for entry in json.load(handle)}


@pytest.fixture(scope='module')
def ours():
    return {entry['id']: entry for entry in render_schemas(load_registry())}


def test_same_types(reference, ours):
    assert len(reference) == 116
    assert sorted(ours) == sorted(reference)


def test_every_attribute_has_the_same_kind(reference, ours):
    problems = []
    total = 0
    for name, theirs in sorted(reference.items()):
        mine = ours[name]['properties']
        for attribute, spec in sorted(theirs['properties'].items()):
            total += 1
            if attribute not in mine:
                problems.append('missing {0}.{1}'.format(name, attribute))
            elif attribute_kind(spec) != attribute_kind(mine[attribute]):
                problems.append('{0}.{1}: {2} != {3}'.format(
                    name, attribute, attribute_kind(mine[attribute]),
                    attribute_kind(spec)
                ))
        for attribute in sorted(set(mine) - set(theirs['properties'])):
            problems.append('extra {0}.{1}'.format(name, attribute))
    assert problems == []
    assert total == 1299


@pytest.mark.parametrize('key', TYPE_KEYS)
def test_type_keys(reference, ours, key):
    problems = [
        '{0}: {1} != {2}'.format(name, ours[name].get(key), theirs.get(key))
        for name, theirs in sorted(reference.items())
        if sorted(theirs.get(key) or []) != sorted(ours[name].get(key) or [])
    ]
    assert problems == []


def test_primary_key_order(reference, ours):
    """Clients send entity keys in this order."""
    for name, theirs in reference.items():
        assert ours[name]['primary_key'] == theirs['primary_key'], name


def test_defaults_and_flags(reference, ours):
    problems = []
    for name, theirs in sorted(reference.items()):
        for attribute, spec in sorted(theirs['properties'].items()):
            mine = ours[name]['properties'].get(attribute, {})
            for flag in FLAGS:
                if spec.get(flag, 'unset') != mine.get(flag, 'unset'):
                    problems.append('{0}.{1} {2}: {3!r} != {4!r}'.format(
                        name, attribute, flag, mine.get(flag, 'unset'),
                        spec.get(flag, 'unset')
                    ))
    assert problems == []


COVERAGE_TOOL = os.path.join(
    os.path.dirname(__file__), '..', '..', '..', 'shared', 'tools',
    'schema_coverage.py',
)


def test_the_coverage_tool_against_a_running_server(ftrack_server):
    """The shared tool, run against a live emulator as against a real
    server, finds every type, attribute and type key matching."""
    import re
    import subprocess
    import sys

    if not os.path.exists(COVERAGE_TOOL):
        pytest.skip('no schema coverage tool at ' + COVERAGE_TOOL)
    result = subprocess.run(
        [sys.executable, COVERAGE_TOOL, ftrack_server.url,
         ftrack_server.api_user, ftrack_server.api_key],
        capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    last = result.stdout.strip().splitlines()[-1]
    match = re.fullmatch(
        r'schema: (\d+)/(\d+) types, (\d+)/(\d+) attributes, '
        r'(\d+)/(\d+) type keys match', last)
    assert match is not None, output
    types, all_types, attributes, all_attributes, keys, all_keys = (
        int(number) for number in match.groups())
    assert (types, all_types) == (116, 116), last
    assert attributes == all_attributes > 0, last
    assert keys == all_keys > 0, last
