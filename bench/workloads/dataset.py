"""The shape of the benchmark data, shared by the seeder and the workloads.

Everything here is derived from a task's index, so that a workload can
check every row it gets back against what was seeded, and a broken client
cannot look fast by returning the wrong data. Standard library only: the
workloads import it under the reference client's interpreter too.
"""

#: The project holding the seeded tasks (read-only for the workloads).
PROJECT = 'bench'
#: The project the write workloads create, update and delete in; the runner
#: empties it after every write workload so the seeded counts stay exact.
SCRATCH_PROJECT = 'bench_scratch'
#: The one shot of the scratch project that scratch tasks hang under.
SCRATCH_SHOT = 'scratch_shot'
#: Name prefix of scratch tasks.
SCRATCH_PREFIX = 'scratch_'

TASKS_PER_SHOT = 100
USERS = 20

#: Statuses cycled over the tasks (all in the emulator's task workflow).
TASK_STATUSES = (
    'Not started', 'Ready', 'In progress', 'Pending review', 'Approved',
    'On hold', 'Omitted',
)
#: Task types cycled over the tasks.
TASK_TYPES = ('Animation', 'Lighting', 'Compositing', 'Modeling', 'Layout')

#: Custom attribute configurations on tasks: key, type name, default.
CUSTOM_ATTRIBUTES = (
    ('bench_text', 'text', ''),
    ('bench_number', 'number', 0),
    ('bench_flag', 'boolean', False),
)


def task_name(index):
    return 'task_{0:06d}'.format(index)


def task_index(name):
    """Return the index encoded in a seeded task's *name*."""
    if not name.startswith('task_'):
        raise ValueError('Not a seeded task name: {0!r}'.format(name))
    return int(name[5:])


def shot_count(tasks):
    return -(-tasks // TASKS_PER_SHOT)


def shot_name(index):
    return 'shot_{0:04d}'.format(index)


def task_shot(index):
    """Return the index of the shot task *index* hangs under."""
    return index // TASKS_PER_SHOT


def task_status(index):
    return TASK_STATUSES[index % len(TASK_STATUSES)]


def task_type(index):
    return TASK_TYPES[index % len(TASK_TYPES)]


def task_bid(index):
    return float(index % 97)


def user_name(index):
    return 'bench.user{0:02d}'.format(index)


def task_assignee(index):
    """Return the index of the user assigned to task *index*."""
    return index % USERS


def check_task(name, status_name, parent_name, assignments):
    """Return a description of what is wrong with a seeded task's values as
    a query returned them, or None when they match the seed."""
    index = task_index(name)
    expected = (task_status(index), shot_name(task_shot(index)), 1)
    found = (status_name, parent_name, assignments)
    if found != expected:
        return '{0}: expected status, parent, assignments {1}, got {2}'.format(
            name, expected, found)
    return None
