"""``query``: run an ftrack query expression.

The query engine compiles the expression to SQL and answers
``{"action": "query", "data": [...], "metadata": {"next": {"offset": ...}}}``.
"""

from ftrack_emulator.errors import QueryError


def query(context, operation):
    expression = operation.get('expression')
    if not isinstance(expression, str) or not expression.strip():
        raise QueryError(
            'A query operation needs an "expression", e.g. "select name from '
            'Task".'
        )
    return context.backend.query_engine.run(
        context.connection, expression, server_url=context.base_url
    )
