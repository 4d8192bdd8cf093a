"""The workloads, run by ``worker.py`` in a fresh process per client.

These modules import only the standard library, ``requests`` and the
client under test, and use only the public API both clients share: the
same code runs under the reference interpreter. They import each other
relatively, so they work both as ``bench.workloads`` (the runner) and as
``workloads`` (the worker, which puts ``bench/`` on ``sys.path``).
"""
