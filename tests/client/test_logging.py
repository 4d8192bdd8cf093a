"""Deferred log messages and deprecation warnings of ftrack_api.logging."""

import inspect
import logging
import warnings

import pytest

import ftrack_api.logging


class CountingFormat(object):
    """A message template that counts how often it is formatted."""

    def __init__(self, template):
        self.template = template
        self.calls = 0

    def format(self, *args, **kwargs):
        self.calls += 1
        return self.template.format(*args, **kwargs)


def test_lazy_message_formats_positional_and_keyword_arguments():
    message = ftrack_api.logging.LazyLogMessage('a {0} {b}', 1, b=2)
    assert str(message) == 'a 1 2'
    assert message.message == 'a {0} {b}'
    assert message.args == (1,)
    assert message.kwargs == {'b': 2}


def test_lazy_message_is_not_formatted_until_shown(caplog):
    template = CountingFormat('merged {0}')
    message = ftrack_api.logging.LazyLogMessage(template, 3)
    logger = logging.getLogger('test_lazy_message')

    with caplog.at_level(logging.INFO, logger='test_lazy_message'):
        logger.debug(message)
        assert template.calls == 0

        logger.info(message)
    # Each handler that emits the record formats it (caplog has two).
    assert template.calls >= 1
    assert [record.getMessage() for record in caplog.records] == ['merged 3']


def test_lazy_message_with_missing_argument_fails_when_shown():
    message = ftrack_api.logging.LazyLogMessage('a {0}')
    with pytest.raises(IndexError):
        str(message)


def test_lazy_message_needs_a_format_template():
    with pytest.raises(AttributeError):
        str(ftrack_api.logging.LazyLogMessage(5))


def test_deprecation_warning_on_every_call():
    @ftrack_api.logging.deprecation_warning('use something else')
    def add(a, b=2):
        """Add numbers."""
        return a + b

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert add(1) == 3
        assert add(1, b=3) == 4

    assert [type(w.message) for w in caught] == [PendingDeprecationWarning] * 2
    assert [str(w.message) for w in caught] == ['use something else'] * 2


def test_deprecated_function_keeps_its_identity():
    def original(a, b=2):
        """Original doc."""

    wrapped = ftrack_api.logging.deprecation_warning('old')(original)
    assert wrapped.__name__ == 'original'
    assert wrapped.__doc__ == 'Original doc.'
    assert wrapped.__wrapped__ is original
    assert str(inspect.signature(wrapped)) == '(a, b=2)'


def test_deprecated_function_exceptions_propagate():
    @ftrack_api.logging.deprecation_warning('old')
    def failing():
        raise RuntimeError('inner')

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(RuntimeError, match='inner'):
            failing()


def test_deprecation_warning_can_be_turned_into_an_error():
    deprecated = ftrack_api.logging.deprecation_warning('gone soon')(len)
    with warnings.catch_warnings():
        warnings.simplefilter('error', PendingDeprecationWarning)
        with pytest.raises(PendingDeprecationWarning, match='gone soon'):
            deprecated('abc')
