"""The workloads of ``python -m bench``: what runs, with which sizes.

Each :class:`Workload` names a function in ``bench/workloads`` (run by the
worker under each client), its parameters at full size and under
``--quick``, and what the runner does to the server around each run
(``prepare``/``cleanup``) so that every run starts from the same data.
"""

import dataclasses
import typing

#: Tasks seeded for a full run and for ``--quick``.
SEEDED_TASKS = 10000
QUICK_SEEDED_TASKS = 200

#: Stands for the number of seeded tasks in parameters.
SEEDED = 'seeded'

#: How many scratch tasks the write workloads create, update, delete.
WRITE_TASKS = 1000
QUICK_WRITE_TASKS = 10


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    target: str
    description: str
    params: dict
    quick_params: dict
    #: The clients it runs under.
    clients: typing.Tuple[str, ...] = ('reference', 'ours')
    #: Scratch tasks the runner adds before each run.
    scratch_tasks: typing.Optional[str] = None
    #: Whether the runner empties the scratch project after each run.
    writes: bool = False

    def parameters(self, quick, seeded):
        """Return the parameters for this run, with ``seeded`` resolved."""
        chosen = self.quick_params if quick else self.params
        return {key: seeded if value == SEEDED else value
                for key, value in chosen.items()}


WORKLOADS = (
    Workload(
        'session_start_cold', 'session_start:without_cache',
        'Construct a session and build all 116 entity classes, fetching '
        'the schemas (median of the starts).',
        {'repeat': 5, 'types': 116}, {'repeat': 1, 'types': 116},
    ),
    Workload(
        'session_start_cached', 'session_start:with_cache',
        'The same from a valid on-disk schema cache (median of the '
        'starts).',
        {'repeat': 5, 'types': 116}, {'repeat': 1, 'types': 116},
    ),
    Workload(
        'query_merge', 'queries:query_merge',
        '"select name, status.name, parent.name, assignments from Task" '
        'over every seeded task, all pages, merged; and its floor, the '
        'same pages over plain HTTP plus json.loads, before and after.',
        {'tasks': SEEDED}, {'tasks': SEEDED},
    ),
    Workload(
        'auto_populate', 'queries:auto_populate',
        'The same values read from 500 tasks queried without projections '
        '(each attribute fetched on first read).',
        {'tasks': 500}, {'tasks': 10},
    ),
    Workload(
        'attribute_access', 'attributes:read_attributes',
        'Read five attributes (four scalars, one reference) of 100,000 '
        'merged tasks.',
        {'entities': 100000}, {'entities': 500},
    ),
    Workload(
        'commit_create', 'commits:create',
        'Create 1,000 tasks with parent, status, type and two custom '
        'attributes; one commit.',
        {'tasks': WRITE_TASKS}, {'tasks': QUICK_WRITE_TASKS}, writes=True,
    ),
    Workload(
        'commit_update', 'commits:update',
        'Rename 1,000 queried tasks, change their status and a custom '
        'attribute; one commit.',
        {'tasks': WRITE_TASKS}, {'tasks': QUICK_WRITE_TASKS},
        scratch_tasks='tasks', writes=True,
    ),
    Workload(
        'commit_delete', 'commits:delete',
        'Delete 1,000 queried tasks; one commit.',
        {'tasks': WRITE_TASKS}, {'tasks': QUICK_WRITE_TASKS},
        scratch_tasks='tasks', writes=True,
    ),
    Workload(
        'encode_decode', 'encoding:encode_decode',
        'session.encode of every seeded task (one in ten changed locally) '
        'with set_only, modified_only and persisted_only, and '
        'session.decode of the result.',
        {'tasks': SEEDED}, {'tasks': SEEDED},
    ),
    Workload(
        'encode_all', 'encoding:encode_all',
        'The "all" strategy on 1,000 tasks loaded with every attribute, '
        'and decoding its output.',
        {'tasks': 1000}, {'tasks': 10},
    ),
    Workload(
        'cache_get', 'caching:get_hits',
        'session.get of cached tasks: every seeded task ten times, all '
        'hits, no request.',
        {'tasks': SEEDED, 'rounds': 10}, {'tasks': SEEDED, 'rounds': 2},
    ),
    Workload(
        'file_cache', 'caching:file_cache',
        'SerialisedCache over FileCache: write 300 merged tasks, then '
        'get them in a new session from the file.',
        {'tasks': 300}, {'tasks': 10},
    ),
)

BY_NAME = {workload.name: workload for workload in WORKLOADS}


def select(names):
    """Return the workloads called *names* (all for an empty list);
    raise ValueError naming any unknown one."""
    if not names:
        return list(WORKLOADS)
    unknown = [name for name in names if name not in BY_NAME]
    if unknown:
        raise ValueError('Unknown workload {0}; choose from {1}.'.format(
            ', '.join(repr(name) for name in unknown),
            ', '.join(BY_NAME)))
    return [BY_NAME[name] for name in names]
