"""The emulator's layers import downwards only: the store and the query
engine know nothing of the API, the HTTP application or the features built
on them."""

import ast
import os

import pytest

import ftrack_emulator

PACKAGE = os.path.dirname(os.path.abspath(ftrack_emulator.__file__))

#: Lower layer -> the packages it must never import.
FORBIDDEN = {
    'store': ('api', 'app', 'server', 'cli', 'events', 'files', 'query'),
    'query': ('api', 'app', 'server', 'cli', 'events', 'files', 'store'),
    'schema': ('api', 'app', 'server', 'cli', 'events', 'files', 'query',
               'store'),
}


def imported_modules(path):
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                continue  # relative: inside the same package
            yield node.module
            for alias in node.names:
                yield '{0}.{1}'.format(node.module, alias.name)


@pytest.mark.parametrize('layer', sorted(FORBIDDEN))
def test_lower_layers_do_not_import_upwards(layer):
    directory = os.path.join(PACKAGE, layer)
    offending = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith('.py'):
            continue
        for module in imported_modules(os.path.join(directory, name)):
            parts = module.split('.')
            if parts[0] == 'ftrack_emulator' and len(parts) > 1 \
                    and parts[1] in FORBIDDEN[layer]:
                offending.append('{0}/{1} imports {2}'.format(
                    layer, name, module))
    assert offending == []
