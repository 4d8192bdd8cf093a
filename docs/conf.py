"""Sphinx configuration.

The API reference pages are generated here, one per public module of
``ftrack_api`` and ``ftrack_emulator``, so that a new module appears in the
documentation without anyone having to remember to list it.
"""

import os
import pkgutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import ftrack_api  # noqa: E402

project = 'ftrack-python-api (re-implementation)'
author = 'The ftrack-python-api re-implementation authors'
copyright = '2026, ' + author
version = release = ftrack_api.__version__

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.intersphinx',
    'sphinx.ext.viewcode',
]
autodoc_member_order = 'bysource'
autodoc_default_options = {'members': True, 'show-inheritance': True}
autodoc_mock_imports = []
exclude_patterns = ['_build']
html_theme = 'alabaster'
intersphinx_mapping = {}
nitpicky = False


def _public_modules(package_name):
    package = __import__(package_name)
    names = [package_name]
    for info in pkgutil.walk_packages(package.__path__, package_name + '.'):
        if any(part.startswith('_') for part in info.name.split('.')):
            continue
        names.append(info.name)
    return sorted(names)


def _write_api_pages():
    directory = os.path.join(HERE, 'api')
    os.makedirs(directory, exist_ok=True)
    wanted = set()
    for package_name in ('ftrack_api', 'ftrack_emulator'):
        for module_name in _public_modules(package_name):
            file_name = module_name + '.rst'
            wanted.add(file_name)
            text = '{0}\n{1}\n\n.. automodule:: {0}\n'.format(
                module_name, '=' * len(module_name)
            )
            path = os.path.join(directory, file_name)
            if not os.path.exists(path) or open(path).read() != text:
                with open(path, 'w') as handle:
                    handle.write(text)
    for file_name in os.listdir(directory):
        if file_name not in wanted:
            os.remove(os.path.join(directory, file_name))


_write_api_pages()
