"""What a parity scenario observes, written as a transcript.

This module runs inside the client under test, the reference one or ours,
so it may only use what both share: the public ``ftrack_api`` API and
``requests``. A scenario is a plain script::

    import recorder

    def main(scenario):
        session = scenario.connect()
        scenario.step('a task by name', lambda: session.query(
            'Task where name is "animation"').first())
        scenario.error('no such type', lambda: session.query('Nope').all())

    if __name__ == '__main__':
        recorder.run(main)

Each step calls a function and writes one JSON line: the step's name, what
the function returned (or the exception it raised, class and message) and
the body of every API request sent meanwhile, captured below ``requests``
so that neither client needs to expose anything. Values are described
structurally (:func:`describe`): entities by their ``str()``, collections
as lists, dates as ISO text, exceptions as class path and message.

Ids made up with :func:`uuid.uuid4` are repeatable (see ``_ids``).

Steps declare whether they expect to fail (:meth:`Scenario.error`) or not
(:meth:`Scenario.step`); an outcome other than the declared one is marked
``unexpected`` so that a scenario broken for both clients alike is still
noticed.
"""

import argparse
import datetime
import json
import random
import sys
import traceback
import uuid

import requests

import ftrack_api
import ftrack_api.collection
import ftrack_api.entity.base
import ftrack_api.operation
import ftrack_api.symbol

try:
    import arrow
except ImportError:  # pragma: no cover - both clients depend on arrow
    arrow = None


#: Where uuid4 values come from: reseeded at every step, so that the ids
#: a client makes up for new entities are the same in both clients' runs.
#: The emulator returns related rows in key order, so random ids would put
#: new entities at random places in collections.
_ids = random.Random(0)


def _repeatable_uuid4():
    return uuid.UUID(int=_ids.getrandbits(128), version=4)


uuid.uuid4 = _repeatable_uuid4


class _RequestLog(object):
    """Keeps the requests every ``requests.Session`` sends in this process.

    Patching ``requests.Session.send`` sees the wire traffic of either
    client without touching their internals.
    """

    def __init__(self):
        self.entries = []
        #: Whether requests are recorded with their headers.
        self.headers = False
        original = requests.Session.send
        log = self

        def send(http_session, request, **kwargs):
            described = _describe_request(request)
            if log.headers:
                described = {'body': described,
                             'headers': _describe_headers(request)}
            log.entries.append(described)
            return original(http_session, request, **kwargs)

        requests.Session.send = send

    def take(self):
        """Return the requests logged since the last call."""
        entries, self.entries = self.entries, []
        return entries


def _describe_request(request):
    path = requests.utils.urlparse(request.url).path
    body = request.body
    if isinstance(body, bytes):
        try:
            body = body.decode('utf-8')
        except UnicodeDecodeError:
            body = '<{0} bytes>'.format(len(body))
    if path.endswith('/api') and body:
        try:
            return json.loads(body)
        except ValueError:
            pass
    return {'method': request.method, 'path': path}


def _describe_headers(request):
    """Return the headers of *request* by lower-case name, the API key
    masked."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    if 'ftrack-api-key' in headers:
        headers['ftrack-api-key'] = '<api key>'
    return headers


def describe(value, depth=0):
    """Return *value* as JSON-compatible data that shows what a script
    could observe of it, without fetching anything from the server."""
    if depth > 12:
        return '<too deep>'
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {'float': repr(value)}
    if isinstance(value, bytes):
        return {'bytes': value.hex()}
    if isinstance(value, ftrack_api.symbol.Symbol):
        return {'symbol': str(value)}
    if isinstance(value, ftrack_api.entity.base.Entity):
        return {'entity': str(value)}
    if isinstance(value, ftrack_api.collection.MappedCollectionProxy):
        # Iteration order over keys is not specified by the reference.
        return {
            'mapped': type(value).__name__,
            'items': {
                str(key): describe(value[key], depth + 1)
                for key in sorted(value.keys(), key=str)
            },
        }
    if isinstance(value, ftrack_api.collection.Collection):
        return {
            'collection': [describe(item, depth + 1) for item in value],
            'mutable': value.mutable,
        }
    if isinstance(value, ftrack_api.operation.Operation):
        return describe_operation(value, depth)
    if arrow is not None and isinstance(value, arrow.Arrow):
        return {'arrow': value.isoformat()}
    if isinstance(value, (datetime.datetime, datetime.date)):
        return {type(value).__name__: value.isoformat()}
    if isinstance(value, dict):
        return {str(key): describe(item, depth + 1)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [describe(item, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        return {'set': sorted(
            (describe(item, depth + 1) for item in value),
            key=lambda item: json.dumps(item, sort_keys=True))}
    if isinstance(value, BaseException):
        return describe_error(value)
    return {'object': type(value).__name__, 'repr': repr(value)}


def attribute_state(entity, names=None):
    """Return the local and remote values of *entity*'s attributes that
    have either (or of *names*), read through the public attribute API so
    that nothing is fetched."""
    state = {}
    for attribute in sorted(entity.attributes, key=lambda item: item.name):
        if names is not None and attribute.name not in names:
            continue
        local = attribute.get_local_value(entity)
        remote = attribute.get_remote_value(entity)
        if local is ftrack_api.symbol.NOT_SET and \
                remote is ftrack_api.symbol.NOT_SET and names is None:
            continue
        values = {}
        if local is not ftrack_api.symbol.NOT_SET:
            values['local'] = describe(local)
        if remote is not ftrack_api.symbol.NOT_SET:
            values['remote'] = describe(remote)
        state[attribute.name] = values
    return state


def describe_operation(operation, depth=0):
    """Return the public attributes of a recorded operation."""
    described = {'operation': type(operation).__name__}
    for name in ('entity_type', 'entity_key', 'entity_data',
                 'attribute_name', 'old_value', 'new_value'):
        if hasattr(operation, name):
            described[name] = describe(getattr(operation, name), depth + 1)
    return described


def describe_error(error):
    """Return the class path and message of *error*."""
    error_class = type(error)
    try:
        message = str(error)
    except Exception as failure:
        message = {'str() raised': '{0}.{1}'.format(
            type(failure).__module__, type(failure).__name__)}
    return {
        'class': '{0}.{1}'.format(error_class.__module__,
                                  error_class.__qualname__),
        'message': message,
    }


class Scenario(object):
    """A running scenario: the server to use and the transcript file."""

    def __init__(self, server_url, api_user, api_key, output, workdir):
        self.server_url = server_url
        self.api_user = api_user
        self.api_key = api_key
        self.workdir = workdir
        self._output = open(output, 'w', encoding='utf-8')
        self._requests = _RequestLog()
        self._count = 0

    @classmethod
    def from_command_line(cls, arguments=None):
        """Build a scenario from ``SERVER_URL API_USER API_KEY OUTPUT
        WORKDIR`` on the command line."""
        parser = argparse.ArgumentParser()
        for name in ('server_url', 'api_user', 'api_key', 'output',
                     'workdir'):
            parser.add_argument(name)
        options = parser.parse_args(arguments)
        return cls(options.server_url, options.api_user, options.api_key,
                   options.output, options.workdir)

    def connect(self, **options):
        """Return a session on the scenario's server."""
        options.setdefault('server_url', self.server_url)
        options.setdefault('api_user', self.api_user)
        options.setdefault('api_key', self.api_key)
        options.setdefault('schema_cache_path', False)
        return ftrack_api.Session(**options)

    def step(self, name, function, *arguments, **options):
        """Run *function* and record what it returns; it should not
        raise.

        With ``headers=True`` the requests sent are recorded with their
        headers.
        """
        return self._run(name, function, arguments, expect_error=False,
                         headers=options.get('headers', False))

    def error(self, name, function, *arguments, **options):
        """Run *function* and record the exception it raises; not raising
        is unexpected.

        With ``message=False`` only the exception's class is recorded (for
        messages written by third-party libraries whose versions differ
        between the two clients' environments).
        """
        return self._run(name, function, arguments, expect_error=True,
                         message=options.get('message', True))

    def observe(self, name, function, *arguments):
        """Run *function* and record whatever happens, raising or not."""
        return self._run(name, function, arguments, expect_error=None)

    def note(self, name, value):
        """Record *value* as it is (no function call, no request)."""
        self._write({'step': name, 'value': describe(value)})

    def _run(self, name, function, arguments, expect_error, message=True,
             headers=False):
        self._requests.take()
        self._requests.headers = headers
        _ids.seed('{0} {1}'.format(self._count + 1, name))
        entry = {'step': name}
        result = None
        try:
            result = function(*arguments)
        except Exception as error:
            entry['raised'] = describe_error(error)
            if not message:
                del entry['raised']['message']
            if expect_error is False:
                entry['unexpected'] = traceback.format_exc()
        else:
            entry['value'] = describe(result)
            if expect_error is True:
                entry['unexpected'] = 'no exception was raised'
        requests_sent = self._requests.take()
        self._requests.headers = False
        if requests_sent:
            entry['requests'] = requests_sent
        self._write(entry)
        return result

    def _write(self, entry):
        self._count += 1
        entry['number'] = self._count
        self._output.write(json.dumps(entry, sort_keys=True) + '\n')
        self._output.flush()

    def finish(self):
        """Close the transcript with an end marker (a scenario that dies
        half-way has none)."""
        self._write({'step': 'end of scenario'})
        self._output.close()


def fixed_id(number):
    """Return the id numbered *number*: a valid UUID that both clients'
    runs give to an entity a scenario creates with an explicit id."""
    return '00000000-0000-4000-8000-{0:012d}'.format(number)


def run(main):
    """Run the scenario function *main* with the :class:`Scenario` the
    command line describes, then close its transcript; a crash is reported
    as by :func:`main_guard` and leaves the transcript without its end."""
    def scenario_run():
        scenario = Scenario.from_command_line()
        main(scenario)
        scenario.finish()
    main_guard(scenario_run)


def main_guard(function):
    """Run the scenario *function*, reporting a crash on stderr with a
    non-zero exit code."""
    try:
        function()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
