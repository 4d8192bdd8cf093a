"""Transformers that rewrite resource identifiers on their way to and from
the server.
"""
