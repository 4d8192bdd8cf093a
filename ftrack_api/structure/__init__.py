"""Structures: how a location lays out the data of the components it holds.

A structure turns a component into a *resource identifier* (usually a
relative path) that the location's accessor then reads and writes.
"""
