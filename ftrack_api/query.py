"""Lazy, paged query results."""

import collections.abc
import re

import ftrack_api.exception


class QueryResult(collections.abc.Sequence):
    """The entities matching a query expression, fetched page by page.

    Nothing is sent to the server until results are needed: indexing and
    iterating fetch pages until enough results are known, ``len()`` and
    :meth:`all` fetch every page. An ``offset`` or ``limit`` written in the
    expression is honoured across pages.
    """

    #: Finds an offset clause (anywhere in the text).
    OFFSET_EXPRESSION = re.compile(r'(?P<offset>offset (?P<value>\d+))')
    #: Finds a limit clause (anywhere in the text).
    LIMIT_EXPRESSION = re.compile(r'(?P<limit>limit (?P<value>\d+))')

    def __init__(self, session, expression, page_size=500):
        super().__init__()
        self._session = session
        self._results = []

        expression, self._offset = self._take_clause(
            expression, self.OFFSET_EXPRESSION
        )
        expression, self._limit = self._take_clause(
            expression, self.LIMIT_EXPRESSION
        )
        self._expression = expression.strip()

        self._page_size = page_size
        if self._limit is not None and self._limit < page_size:
            # One page is enough to reach the limit.
            self._page_size = self._limit

        self._next_offset = self._offset if self._offset is not None else 0

    @staticmethod
    def _take_clause(expression, pattern):
        """Return *expression* without the first *pattern* clause, and the
        clause's value (None when absent)."""
        match = pattern.search(expression)
        if match is None:
            return expression, None
        remainder = expression[:match.start()] + expression[match.end():]
        return remainder, int(match.group('value'))

    def __getitem__(self, index):
        results = self._results
        while self._next_offset is not None and index >= len(results):
            self._fetch_page()
        return results[index]

    def __len__(self):
        while self._next_offset is not None:
            self._fetch_page()
        return len(self._results)

    def __iter__(self):
        index = 0
        results = self._results
        while True:
            while self._next_offset is not None and index >= len(results):
                self._fetch_page()
            if index >= len(results):
                return
            yield results[index]
            index += 1

    def _fetch_page(self):
        """Fetch the next page and work out where the one after starts."""
        expression = '{0} offset {1} limit {2}'.format(
            self._expression, self._next_offset, self._page_size
        )
        records, metadata = self._session._query(expression)
        self._results.extend(records)

        if self._limit is not None and len(self._results) >= self._limit:
            del self._results[self._limit:]
            self._next_offset = None
        else:
            self._next_offset = metadata.get('next', {}).get('offset')

    def all(self):
        """Return every result as a list."""
        return list(self)

    def one(self):
        """Return the only result.

        Raise :exc:`~ftrack_api.exception.NoResultFoundError` when there is
        none and :exc:`~ftrack_api.exception.MultipleResultsFoundError` when
        there are several. The expression may not set a limit or offset.
        """
        if self._limit is not None:
            raise ValueError('Expression already contains a limit clause.')
        if self._offset is not None:
            raise ValueError(
                'Expression contains an offset clause which does not make '
                'sense when selecting a single item.'
            )
        # Asking for two tells one result apart from several.
        records, _ = self._session._query(self._expression + ' limit 2')
        if not records:
            raise ftrack_api.exception.NoResultFoundError()
        if len(records) > 1:
            raise ftrack_api.exception.MultipleResultsFoundError()
        return records[0]

    def first(self):
        """Return the first result, or None when there is none.

        A fresh single-result request is made, whatever has already been
        fetched. The expression may not set a limit.
        """
        if self._limit is not None:
            raise ValueError('Expression already contains a limit clause.')
        expression = self._expression
        if self._offset is not None:
            expression += ' offset {0}'.format(self._offset)
        records, _ = self._session._query(expression + ' limit 1')
        if records:
            return records[0]
        return None
