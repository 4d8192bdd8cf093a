"""Plugin discovery and loading of ftrack_api.plugin."""

import logging
import os
import pathlib
import sys
import textwrap
import types

import pytest

import ftrack_api.plugin

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'plugins')
WALK = os.path.join(FIXTURES, 'walk')
LOGGER = 'ftrack_api.plugin.discover'
CULLING = 'Culling passed arguments to match register function signature.'


@pytest.fixture
def module_log(monkeypatch):
    """Where fixture plugins without register note that they ran."""
    log = types.ModuleType('plugin_fixture_log')
    log.events = []
    monkeypatch.setitem(sys.modules, 'plugin_fixture_log', log)
    return log.events


@pytest.fixture
def warnings_seen(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)

    def seen(level=logging.WARNING):
        return [
            record.getMessage() for record in caplog.records
            if record.name == LOGGER and record.levelno == level
        ]

    return seen


def write_plugin(directory, source, name='plugin.py'):
    """Write a plugin file into *directory* and return the directory."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(textwrap.dedent(source))
    return str(directory)


def register_plugin(tmp_path, signature):
    """A plugin whose register records the arguments it received."""
    return write_plugin(tmp_path / 'signature', '''
        import inspect

        def register({0}):
            frame = inspect.currentframe()
            arguments = inspect.getargvalues(frame)
            values = dict(arguments.locals)
            values.pop('frame', None)
            if 'log' in values:
                log = values.pop('log')
            else:
                log = values['args'][0]
            log.append(values)
    '''.format(signature))


# -- Walking paths ------------------------------------------------------------

def test_walks_directories_recursively_and_loads_python_files_only(
    module_log, warnings_seen
):
    recorder = []
    ftrack_api.plugin.discover([WALK], [recorder], {'flag': True})

    assert sorted(name for name, _ in recorder) == ['first', 'second', 'third']
    assert all(kw == {'flag': True} for _, kw in recorder)
    # Module-level code runs even without register.
    assert [event for event, _ in module_log] == ['no_register ran']

    messages = warnings_seen()
    assert (
        'Failed to load plugin that did not define a "register" function at '
        'the module level: ' + os.path.join(WALK, 'no_register.py')
    ) in messages
    failed_import = [m for m in messages if m.startswith('Failed to load plugin from')]
    assert failed_import == [
        'Failed to load plugin from "{0}": No module named '
        "'ftrack_plugin_fixture_module_that_does_not_exist'".format(
            os.path.join(WALK, 'failing_import.py')
        )
    ]


def test_load_failure_logs_the_traceback_at_debug_level(warnings_seen):
    ftrack_api.plugin.discover([WALK], [[]])
    tracebacks = warnings_seen(logging.DEBUG)
    assert len(tracebacks) == 1
    assert tracebacks[0].startswith('Traceback (most recent call last):')
    assert 'ModuleNotFoundError' in tracebacks[0]


def test_each_plugin_is_a_fresh_module_with_a_unique_name():
    recorder = []
    paths = [os.path.join(FIXTURES, 'same_name')]
    ftrack_api.plugin.discover(paths, [recorder])
    ftrack_api.plugin.discover(paths, [recorder])

    assert sorted(origin for origin, _ in recorder) == ['a', 'a', 'b', 'b']
    names = [name for _, name in recorder]
    assert len(set(names)) == 4
    assert all(len(name) == 32 and int(name, 16) >= 0 for name in names)
    assert not any(name in sys.modules for name in names)


def test_paths_are_stripped_and_blank_or_missing_ones_skipped():
    recorder = []
    ftrack_api.plugin.discover(
        ['', '   ', '  {0}  '.format(os.path.join(WALK, 'nested')),
         os.path.join(FIXTURES, 'does-not-exist')],
        [recorder],
    )
    assert sorted(name for name, _ in recorder) == ['second', 'third']


def test_a_path_to_a_file_is_ignored():
    recorder = []
    ftrack_api.plugin.discover([os.path.join(WALK, 'first.py')], [recorder])
    assert recorder == []


def test_a_directory_listed_twice_is_loaded_twice():
    recorder = []
    nested = os.path.join(WALK, 'nested', 'deeper')
    ftrack_api.plugin.discover([nested, nested], [recorder])
    assert [name for name, _ in recorder] == ['third', 'third']


def test_paths_may_be_any_iterable_and_path_like():
    recorder = []
    deeper = os.path.join(WALK, 'nested', 'deeper')
    ftrack_api.plugin.discover(iter([pathlib.Path(deeper)]), [recorder])
    ftrack_api.plugin.discover((os.fsencode(deeper),), [recorder])
    assert [name for name, _ in recorder] == ['third', 'third']


def test_nothing_to_discover():
    ftrack_api.plugin.discover([])


def test_symbolic_links_to_directories_are_not_followed(tmp_path):
    recorder = []
    root = tmp_path / 'root'
    root.mkdir()
    os.symlink(os.path.join(WALK, 'nested'), str(root / 'linked'))
    ftrack_api.plugin.discover([str(root)], [recorder])
    assert recorder == []


def test_only_lower_case_py_extension_counts(tmp_path):
    recorder = []
    for name in ('upper.PY', 'script.pyw', 'x.py.txt', '.py'):
        write_plugin(tmp_path, 'raise SystemExit("must not run")\n', name)
    write_plugin(tmp_path, '''
        def register(recorder):
            recorder.append('hidden')
    ''', '.hidden.py')
    ftrack_api.plugin.discover([str(tmp_path)], [recorder])
    assert recorder == ['hidden']


def test_a_single_string_is_refused_rather_than_walked_per_character():
    with pytest.raises(TypeError, match='list of plugin paths'):
        ftrack_api.plugin.discover(WALK)
    with pytest.raises(TypeError, match='list of plugin paths'):
        ftrack_api.plugin.discover(os.fsencode(WALK))


def test_paths_must_be_iterable():
    with pytest.raises(TypeError):
        ftrack_api.plugin.discover(None)


def test_path_entries_must_be_text(tmp_path):
    with pytest.raises(AttributeError, match='Plugin paths must be strings'):
        ftrack_api.plugin.discover([5])


def test_syntax_errors_are_logged_and_skipped(tmp_path, warnings_seen):
    directory = write_plugin(tmp_path, 'def broken(:\n', 'broken.py')
    recorder = []
    ftrack_api.plugin.discover([directory], [recorder])
    (message,) = warnings_seen()
    assert message.startswith(
        'Failed to load plugin from "{0}": '.format(
            os.path.join(directory, 'broken.py')
        )
    )
    assert 'invalid syntax' in message


def test_runtime_errors_at_module_level_are_logged_and_skipped(
    tmp_path, warnings_seen
):
    directory = write_plugin(tmp_path, 'this_name_is_undefined\n', 'bad.py')
    write_plugin(directory, '''
        def register(recorder):
            recorder.append('good')
    ''', 'good.py')
    recorder = []
    ftrack_api.plugin.discover([directory], [recorder])
    assert recorder == ['good']
    assert warnings_seen() == [
        'Failed to load plugin from "{0}": name \'this_name_is_undefined\' '
        'is not defined'.format(os.path.join(directory, 'bad.py'))
    ]


def test_system_exit_from_a_plugin_is_not_swallowed(tmp_path):
    directory = write_plugin(tmp_path, 'import sys\nsys.exit(3)\n')
    with pytest.raises(SystemExit):
        ftrack_api.plugin.discover([directory])


def test_exceptions_from_register_propagate():
    recorder = []
    with pytest.raises(RuntimeError, match='register failed on purpose'):
        ftrack_api.plugin.discover(
            [os.path.join(FIXTURES, 'raising')], [recorder]
        )
    assert recorder == ['raising called']


@pytest.mark.parametrize('value', ['None', '5'])
def test_register_that_is_not_callable_raises_type_error(tmp_path, value):
    directory = write_plugin(tmp_path, 'register = {0}\n'.format(value))
    with pytest.raises(TypeError):
        ftrack_api.plugin.discover([directory], [[]])


# -- Fitting arguments to register --------------------------------------------

def run_register(tmp_path, signature, positional, keyword):
    """Discover a plugin with *signature* and return what it received."""
    log = []
    register_plugin(tmp_path, signature)
    ftrack_api.plugin.discover(
        [str(tmp_path / 'signature')],
        None if positional is None else [log] + list(positional),
        keyword,
    )
    (received,) = log
    return received


def test_var_args_and_kwargs_receive_everything(tmp_path, warnings_seen):
    received = run_register(tmp_path, '*args, **kw', [1], {'z': 1})
    assert received['args'][1:] == (1,)
    assert received['kw'] == {'z': 1}
    assert CULLING not in warnings_seen()


def test_keywords_beyond_the_signature_are_culled(tmp_path, warnings_seen):
    # From the reference documentation's example.
    received = run_register(
        tmp_path, 'log, b=False, c=False, d=False', [2],
        {'c': 3, 'd': 4, 'e': 5},
    )
    assert received == {'b': 2, 'c': 3, 'd': 4}
    assert warnings_seen() == [CULLING]


def test_keywords_fill_defaulted_parameters(tmp_path, warnings_seen):
    received = run_register(tmp_path, 'log, b=False', [], {'b': True})
    assert received == {'b': True}
    assert warnings_seen() == []


def test_keywords_for_parameters_filled_positionally_are_culled(
    tmp_path, warnings_seen
):
    received = run_register(tmp_path, 'log, b=1', [2], {'b': 5})
    assert received == {'b': 2}
    assert warnings_seen() == [CULLING]


def test_keywords_for_required_parameters_are_culled(tmp_path):
    register_plugin(tmp_path, 'log, b')
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'b'"):
        ftrack_api.plugin.discover(
            [str(tmp_path / 'signature')], [[]], {'b': 2}
        )


def test_keyword_only_parameters_are_culled_without_kwargs(tmp_path):
    received = run_register(tmp_path, 'log, *, b=1', [], {'b': 2, 'z': 3})
    assert received == {'b': 1}


def test_kwargs_keep_every_keyword(tmp_path, warnings_seen):
    received = run_register(
        tmp_path, 'log, b=1, c=2, *, d=3, **kw', [], {'c': 5, 'd': 6, 'z': 7}
    )
    assert received == {'b': 1, 'c': 5, 'd': 6, 'kw': {'z': 7}}
    assert warnings_seen() == []


def test_var_args_without_kwargs_cull_keywords(tmp_path, warnings_seen):
    received = run_register(tmp_path, 'log, b=1, *args', [], {'b': 7, 'z': 1})
    assert received == {'b': 7, 'args': ()}
    assert warnings_seen() == [CULLING]
    received = run_register(tmp_path, 'log, b=1, *args', [2, 3], {'b': 7})
    assert received == {'b': 2, 'args': (3,)}


def test_empty_keywords_cause_no_warning(tmp_path, warnings_seen):
    run_register(tmp_path, 'log, *args', [1, 2], None)
    run_register(tmp_path, 'log, b=1', [], {})
    assert warnings_seen() == []


def test_surplus_positionals_drop_the_leading_ones_like_the_reference(
    tmp_path, warnings_seen
):
    # Quirk: the arguments past the named parameters are kept, and the
    # leading ones dropped.
    register_plugin(tmp_path, 'log')
    keeper = []
    ftrack_api.plugin.discover(
        [str(tmp_path / 'signature')], [['dropped'], keeper]
    )
    assert keeper == [{}]
    assert warnings_seen() == [CULLING]


def test_surplus_positionals_also_cull_keywords_even_with_kwargs(tmp_path):
    register_plugin(tmp_path, 'log, **kw')
    keeper = []
    ftrack_api.plugin.discover(
        [str(tmp_path / 'signature')], [['dropped'], keeper], {'x': 1}
    )
    assert keeper == [{'kw': {}}]


def test_register_without_parameters_fails_when_given_the_session(
    tmp_path, warnings_seen
):
    directory = write_plugin(tmp_path, '''
        def register():
            pass
    ''')
    with pytest.raises(TypeError, match='takes 0 positional arguments'):
        ftrack_api.plugin.discover([directory], ['session'])
    assert warnings_seen() == [CULLING]


def test_register_without_parameters_runs_with_keywords_only(
    tmp_path, module_log, warnings_seen
):
    directory = write_plugin(tmp_path, '''
        import sys

        def register():
            sys.modules['plugin_fixture_log'].events.append('called')
    ''')
    ftrack_api.plugin.discover([directory], None, {'x': 1})
    assert module_log == ['called']
    assert warnings_seen() == [CULLING]


def test_register_missing_required_argument(tmp_path, warnings_seen):
    register_plugin(tmp_path, 'log')
    with pytest.raises(TypeError, match='missing 1 required positional'):
        ftrack_api.plugin.discover([str(tmp_path / 'signature')])
    assert warnings_seen() == []


def test_register_may_be_a_class_or_bound_method(tmp_path, module_log):
    directory = write_plugin(tmp_path, '''
        import sys

        events = sys.modules['plugin_fixture_log'].events

        class register(object):
            def __init__(self, session, b=2):
                events.append(('class', session, b))
    ''', 'as_class.py')
    write_plugin(directory, '''
        import sys

        events = sys.modules['plugin_fixture_log'].events

        class Plugin(object):
            def hook(self, session, b=2):
                events.append(('method', session, b))

        register = Plugin().hook
    ''', 'as_method.py')
    ftrack_api.plugin.discover([directory], ['s'], {'b': 3, 'z': 1})
    assert sorted(module_log) == [('class', 's', 3), ('method', 's', 3)]


def test_arguments_given_as_tuple(tmp_path):
    received = run_register(tmp_path, 'log, b=1', (5,), None)
    assert received == {'b': 5}


def test_each_plugin_gets_the_full_arguments(tmp_path):
    directory = str(tmp_path)
    for name in ('one.py', 'two.py'):
        write_plugin(directory, '''
            def register(recorder, value=None):
                recorder.append(value)
        ''', name)
    recorder = []
    ftrack_api.plugin.discover([directory], [recorder], {'value': 1})
    assert recorder == [1, 1]


# -- load_source --------------------------------------------------------------

def test_load_source_runs_a_file_as_a_named_module():
    module = ftrack_api.plugin.load_source(
        'fixture_first', os.path.join(WALK, 'first.py')
    )
    assert module.__name__ == 'fixture_first'
    assert module.__file__ == os.path.join(WALK, 'first.py')
    assert callable(module.register)
    assert 'fixture_first' not in sys.modules


def test_load_source_accepts_any_file_name(tmp_path):
    path = tmp_path / 'settings.txt'
    path.write_text('VALUE = 42\n')
    assert ftrack_api.plugin.load_source('settings', str(path)).VALUE == 42


def test_load_source_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        ftrack_api.plugin.load_source('missing', str(tmp_path / 'missing.py'))


def test_load_source_propagates_errors(tmp_path):
    path = tmp_path / 'broken.py'
    path.write_text('1 +\n')
    with pytest.raises(SyntaxError):
        ftrack_api.plugin.load_source('broken', str(path))
