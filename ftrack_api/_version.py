"""The version of the ftrack Python API this package implements."""

__version__ = '3.1.0'
