"""Accessors: how a location reads and writes the data it holds.

An accessor works with *resource identifiers* (as produced by a structure)
and knows one kind of storage: a disk, the ftrack server, ...
"""
