"""The ``ftrack-emulator`` command.

``ftrack-emulator serve`` (or ``python -m ftrack_emulator serve``) runs an
emulator in the foreground until interrupted (Ctrl+C, SIGINT or SIGTERM).
When it is ready it prints exactly one line on standard output,
``ftrack emulator listening on http://HOST:PORT``; everything else (the
credentials to use, one line per request) goes to standard error through
:mod:`logging`.
"""

import argparse
import asyncio
import logging
import signal
import sys

from ftrack_emulator import __version__, config as config_module

logger = logging.getLogger('ftrack_emulator.cli')


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show defaults, except where the help text already explains a
    missing value (``None``) in words."""

    def _get_help_string(self, action):
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def build_parser():
    parser = argparse.ArgumentParser(
        prog='ftrack-emulator',
        description='A local server that speaks the ftrack protocol.',
    )
    parser.add_argument(
        '--version', action='version', version='%(prog)s ' + __version__
    )
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    serve = commands.add_parser(
        'serve', help='run the emulator until interrupted',
        description=(
            'Run an ftrack emulator until interrupted. Point clients at the '
            'URL it prints, with the API user and key below.'
        ),
        formatter_class=_HelpFormatter,
    )
    serve.add_argument(
        '--host', default=config_module.DEFAULT_HOST,
        help='address to listen on',
    )
    serve.add_argument(
        '--port', type=int, default=config_module.DEFAULT_PORT,
        help='port to listen on (0 picks a free one)',
    )
    serve.add_argument(
        '--database', default=None, metavar='URL',
        help=(
            'SQLAlchemy database URL (SQLite; other databases are untested); '
            '"sqlite://" keeps everything in memory (default: a SQLite file '
            'in the user data directory, {0})'
            .format(_default_database_path())
        ),
    )
    serve.add_argument(
        '--storage', default=None, metavar='DIR',
        help=(
            'directory for files stored in the ftrack.server location '
            '(default: {0})'.format(_default_storage())
        ),
    )
    serve.add_argument(
        '--api-user', default=config_module.DEFAULT_API_USER, metavar='NAME',
        help='user that may call the API; created if missing',
    )
    serve.add_argument(
        '--api-key', default=config_module.DEFAULT_API_KEY, metavar='KEY',
        help='API key of that user (set on every start)',
    )
    serve.add_argument(
        '--demo', action='store_true',
        help='add a small demo production to the database',
    )
    serve.add_argument(
        '--event-heartbeat-interval', type=float, metavar='SECONDS',
        default=config_module.DEFAULT_EVENT_HEARTBEAT_INTERVAL,
        help='seconds between the heartbeats sent to event hub clients',
    )
    serve.add_argument(
        '--event-heartbeat-timeout', type=float, metavar='SECONDS',
        default=config_module.DEFAULT_EVENT_HEARTBEAT_TIMEOUT,
        help='seconds of silence after which an event hub client is '
             'disconnected',
    )
    serve.add_argument(
        '--log-level', default='INFO',
        choices=('DEBUG', 'INFO', 'WARNING', 'ERROR'),
        help='level of the messages written to standard error',
    )
    return parser


def _default_database_path():
    try:
        return config_module.default_database_url()[len('sqlite:///'):]
    except Exception:  # platformdirs cannot tell (unusual platforms)
        return 'the user data directory'


def _default_storage():
    try:
        return config_module.default_storage_directory()
    except Exception:
        return 'next to the database'


def main(argv=None):
    """Run the command line; return the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command != 'serve':
        parser.print_help(sys.stderr)
        return 2
    logging.basicConfig(
        level=getattr(logging, arguments.log_level),
        format='%(asctime)s %(levelname)s %(name)s: %(message)s',
        stream=sys.stderr,
    )
    try:
        config = config_module.Config(
            host=arguments.host,
            port=arguments.port,
            database=arguments.database or config_module.default_database_url(),
            storage=arguments.storage
            or config_module.default_storage_directory(),
            api_user=arguments.api_user,
            api_key=arguments.api_key,
            demo=arguments.demo,
            event_heartbeat_interval=arguments.event_heartbeat_interval,
            event_heartbeat_timeout=arguments.event_heartbeat_timeout,
        )
    except ValueError as error:
        parser.error(str(error))
    try:
        return asyncio.run(serve(config))
    except KeyboardInterrupt:
        return 0


async def serve(config):
    """Serve *config* until SIGINT or SIGTERM; return the exit code."""
    import os

    from aiohttp import web

    from ftrack_emulator.api.backend import Backend
    from ftrack_emulator.app import create_app
    from ftrack_emulator.store.database import DatabaseMismatchError

    os.makedirs(config.storage, exist_ok=True)
    try:
        backend = Backend(config)
        backend.open()
    except DatabaseMismatchError as error:
        logger.error('%s', error)
        return 1
    runner = web.AppRunner(
        create_app(backend), access_log=None, handle_signals=False
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port)
        try:
            await site.start()
        except OSError as error:
            logger.error(
                'Cannot listen on %s:%s: %s', config.host, config.port,
                error.strerror or error,
            )
            return 1
        port = config.port
        for address in runner.addresses:
            if isinstance(address, tuple) and len(address) >= 2:
                port = address[1]
                break
        _announce(config)
        print('ftrack emulator listening on http://{0}:{1}'.format(
            config.host, port), flush=True)
        stopped = asyncio.Event()
        _install_signal_handlers(stopped)
        await stopped.wait()
        logger.info('Shutting down.')
    finally:
        await runner.cleanup()
        backend.close()
    return 0


def _without_password(url):
    """Return database *url* fit for a log line (any password masked)."""
    import sqlalchemy.engine

    try:
        return sqlalchemy.engine.make_url(url).render_as_string(
            hide_password=True
        )
    except Exception:
        return '<unparsable database URL>'


def _announce(config):
    logger.info('Database: %s', _without_password(config.database))
    logger.info('Storage: %s', config.storage)
    if config.api_key == config_module.DEFAULT_API_KEY:
        logger.info(
            'API user: %s, API key: %s (the defaults)', config.api_user,
            config.api_key,
        )
    else:
        logger.info(
            'API user: %s, API key: as given by --api-key', config.api_user
        )


def _install_signal_handlers(stopped):
    loop = asyncio.get_running_loop()
    for name in ('SIGINT', 'SIGTERM'):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            loop.add_signal_handler(number, stopped.set)
        except (NotImplementedError, RuntimeError):
            # Windows: no loop signal handlers; wake the loop instead.
            signal.signal(
                number,
                lambda *_: loop.call_soon_threadsafe(stopped.set),
            )
