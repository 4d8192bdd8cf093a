"""Text rendering of entities."""

import pytest

import ftrack_api.formatter
import ftrack_api.symbol

from session_helpers import project_tree  # noqa: F401


@pytest.fixture
def shot(ftrack_session, project_tree):  # noqa: F811
    shot = ftrack_session.query(
        'select name, parent.name, children.name, children.parent_id, '
        'children.parent.id from Shot where id is '
        '"{0}"'.format(project_tree['shots'][0])
    ).one()
    return shot


@pytest.fixture(autouse=True)
def no_colour(monkeypatch):
    for name in ('FORCE_COLOR', 'NO_COLOR', 'ANSI_COLORS_DISABLED'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('NO_COLOR', '1')


def only(*names):
    return lambda entity, name, value: name in names


def test_header_and_sorted_attribute_lines(shot):
    text = ftrack_api.formatter.format(shot, attribute_filter=only('name', 'id'))
    assert text == 'Shot\n id: {0}\n name: sh010'.format(shot['id'])


def test_indent(shot):
    text = ftrack_api.formatter.format(
        shot, attribute_filter=only('name'), indent=2
    )
    assert text == '  Shot\n   name: sh010'
    text = ftrack_api.formatter.format(
        shot, attribute_filter=only('name'), indent=2, indent_first_line=False
    )
    assert text == 'Shot\n   name: sh010'


def test_references_are_nested(shot):
    text = ftrack_api.formatter.format(
        shot, attribute_filter=only('name', 'parent')
    )
    project = shot['parent']['parent']
    assert text == (
        'Shot\n'
        ' name: sh010\n'
        ' parent: Sequence\n'
        '          name: sq010\n'
        '          parent: Project\n'
        '                   name: {0}\n'
        '                   parent: None'.format(project['name'])
    )


def test_collections_expand_only_when_recursive(ftrack_session, shot):
    flat = ftrack_api.formatter.format(shot, attribute_filter=only('children'))
    assert flat.startswith('Shot\n children: <ftrack_api.collection.Collection')
    with ftrack_session.auto_populating(False):
        nested = ftrack_api.formatter.format(
            shot, attribute_filter=only('children', 'name', 'parent'),
            recursive=True,
        )
    lines = nested.split('\n')
    assert lines[1] == ' children: Task'
    assert lines[2] == '            children: '
    assert lines[3] == '            name: anim'
    assert lines[4] == '            parent: Shot{...}'
    assert lines[5] == '           Task'


def test_ignore_unset_filter(ftrack_session):
    user = ftrack_session.create('User', {'username': 'fmt'})
    text = ftrack_api.formatter.format(
        user, attribute_filter=ftrack_api.formatter.FILTER['ignore_unset']
    )
    assert 'email' not in text
    assert ' username: fmt' in text
    assert 'NOT_SET' not in text


def test_custom_formatters(shot):
    text = ftrack_api.formatter.format(
        shot, attribute_filter=only('name'),
        formatters={'header': lambda text: '[{0}]'.format(text),
                    'label': str.upper},
    )
    assert text == '[Shot]\n NAME: sh010'


def test_colours(shot, monkeypatch):
    monkeypatch.delenv('NO_COLOR')
    monkeypatch.setenv('FORCE_COLOR', '0')
    text = ftrack_api.formatter.format(shot, attribute_filter=only('name'))
    assert text == (
        '\x1b[1m\x1b[44m\x1b[97mShot\x1b[0m\x1b[0m\n'
        ' \x1b[1m\x1b[34mname\x1b[0m\x1b[0m: sh010'
    )
    monkeypatch.setenv('ANSI_COLORS_DISABLED', '1')
    assert '\x1b' not in ftrack_api.formatter.format(
        shot, attribute_filter=only('name')
    )
