"""Events: the messages, the expression language that selects them and the
subscribers that receive them.

The hub that carries events to and from the server lives in
:mod:`ftrack_api.event.hub`; the modules here need no server.
"""
