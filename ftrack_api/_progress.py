"""Progress of component data transfers.

A location's :meth:`~ftrack_api.entity.location.Location.add_components`
creates one :class:`Meter` per call. The meter learns which components are
to move (members of containers are announced as the transfer reaches them),
is told how many bytes went through, and passes that on:

* to the location's ``progress_callback`` (if set) as a
  :class:`TransferProgress`, at each component boundary and at least every
  :data:`CALLBACK_INTERVAL` bytes;
* to a :class:`TerminalBar` on standard error, only when that is a terminal
  and the transfer lasts long enough to be worth watching.

Nothing is reported when neither applies, so scripts and services stay
silent. A callback may cancel the transfer by raising: the exception stops
the copy (or upload) it was called from and surfaces wrapped in a
:exc:`~ftrack_api.exception.LocationError`.
"""

import logging
import os
import sys
import time

import ftrack_api.symbol

logger = logging.getLogger(__name__)

#: Bytes between two callback calls while one component's data moves.
CALLBACK_INTERVAL = 1024 * 1024

#: Environment variable: ``0`` never draws the terminal bar, ``1`` draws it
#: even when standard error is not a terminal.
BAR_VARIABLE = 'FTRACK_API_PROGRESS_BAR'

#: Seconds a transfer must have run before the terminal bar appears, so
#: that quick publishes print nothing.
BAR_DELAY = 1.0

#: Seconds between two redraws of the terminal bar.
BAR_REDRAW_INTERVAL = 0.1


class TransferProgress(object):
    """How far a transfer into a location has come.

    Given to a location's ``progress_callback``. Attributes:

    ``location``
        The location receiving the data.
    ``component``
        The component whose data is moving, or None once all is done.
    ``bytes_transferred`` / ``bytes_total``
        Bytes moved so far and expected in all. The total sums the
        ``size`` of the file components known so far and grows when a
        container's members are reached; it is 0 when no size is known.
    ``components_transferred`` / ``components_total``
        File components whose data has moved, and how many are to move.
    ``elapsed``
        Seconds since the transfer started.
    ``finished``
        True for the last report of a transfer that succeeded.
    """

    __slots__ = (
        'location', 'component', 'bytes_transferred', 'bytes_total',
        'components_transferred', 'components_total', 'elapsed', 'finished',
    )

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))

    @property
    def fraction(self):
        """Share of the bytes moved (0.0 to 1.0), or None without a total."""
        if not self.bytes_total:
            return None
        return min(1.0, self.bytes_transferred / self.bytes_total)

    @property
    def rate(self):
        """Bytes per second so far (0.0 at the very start)."""
        if not self.elapsed:
            return 0.0
        return self.bytes_transferred / self.elapsed

    def __repr__(self):
        return (
            '<TransferProgress {0}/{1} bytes, {2}/{3} components{4}>'.format(
                self.bytes_transferred, self.bytes_total,
                self.components_transferred, self.components_total,
                ', finished' if self.finished else '',
            )
        )


def _known_size(component):
    """Return the component's size without asking the server, or 0."""
    with component.session.auto_populating(False):
        size = component['size']
    if size is ftrack_api.symbol.NOT_SET or not isinstance(size, int):
        return 0
    return max(size, 0)


def _holds_data(component):
    """Whether the component's own data moves (containers have none)."""
    return 'members' not in component.keys()


class Meter(object):
    """Counts what one transfer moved and reports it (see the module doc).

    *callback* receives :class:`TransferProgress` reports; *bar* (a
    :class:`TerminalBar` or None) draws them.
    """

    def __init__(
        self, location, callback=None, bar=None, clock=time.monotonic
    ):
        self.location = location
        self.callback = callback
        self.bar = bar
        self._clock = clock
        self._started = clock()
        self._component = None
        self._bytes = 0
        self._bytes_total = 0
        self._components = 0
        self._components_total = 0
        self._unreported = 0

    @property
    def active(self):
        """Whether anybody listens; callers may skip counting otherwise."""
        return self.callback is not None or self.bar is not None

    def expect(self, components):
        """Add *components* to what is to be transferred."""
        for component in components:
            if _holds_data(component):
                self._components_total += 1
                self._bytes_total += _known_size(component)

    def start(self, component):
        """Note that *component*'s data starts to move."""
        self._component = component
        self._report()

    def advance(self, byte_count):
        """Count *byte_count* more bytes of the current component."""
        self._bytes += byte_count
        if self._bytes > self._bytes_total and self._bytes_total:
            # A size that was wrong or unknown: let the total follow.
            self._bytes_total = self._bytes
        self._unreported += byte_count
        if self._unreported >= CALLBACK_INTERVAL:
            self._report()
        elif self.bar is not None:
            self.bar.update(self._snapshot(False))

    def complete(self, component):
        """Note that *component*'s data has all moved."""
        self._components += 1
        self._report()

    def finish(self):
        """Report the end of a successful transfer."""
        self._component = None
        self._report(finished=True)

    def close(self):
        """Release the terminal line (after success or failure)."""
        if self.bar is not None:
            self.bar.close()

    def _snapshot(self, finished):
        return TransferProgress(
            location=self.location,
            component=self._component,
            bytes_transferred=self._bytes,
            bytes_total=self._bytes_total,
            components_transferred=self._components,
            components_total=self._components_total,
            elapsed=self._clock() - self._started,
            finished=finished,
        )

    def _report(self, finished=False):
        self._unreported = 0
        progress = self._snapshot(finished)
        if self.bar is not None:
            self.bar.update(progress, force=finished)
        if self.callback is not None:
            self.callback(progress)


class TerminalBar(object):
    """A one-line progress bar redrawn in place on *stream*."""

    WIDTH = 30

    def __init__(self, stream, delay=None, clock=time.monotonic):
        self.stream = stream
        self.delay = BAR_DELAY if delay is None else delay
        self._clock = clock
        self._last_draw = None
        self._drawn = False

    def update(self, progress, force=False):
        """Redraw for *progress*, at most every
        :data:`BAR_REDRAW_INTERVAL` seconds and only after the delay."""
        if not self._drawn and (
            progress.elapsed < self.delay or not progress.bytes_transferred
        ):
            # Quick transfers, and those moving no data (unmanaged
            # locations only record where data is), draw nothing.
            return
        now = self._clock()
        if not force and self._last_draw is not None and \
                now - self._last_draw < BAR_REDRAW_INTERVAL:
            return
        self._last_draw = now
        self._drawn = True
        try:
            self.stream.write('\r' + format_line(progress, self.WIDTH))
            self.stream.flush()
        except (OSError, ValueError):
            # A closed or broken terminal must not break the transfer.
            self._drawn = False

    def close(self):
        """End the line if anything was drawn."""
        if self._drawn:
            try:
                self.stream.write('\n')
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._drawn = False


def _megabytes(byte_count):
    return byte_count / (1024.0 * 1024.0)


def _location_label(location):
    """Return the location's name if known, without asking the server."""
    try:
        with location.session.auto_populating(False):
            name = location['name']
    except (AttributeError, KeyError):
        name = ftrack_api.symbol.NOT_SET
    if name is ftrack_api.symbol.NOT_SET or not name:
        return 'transfer'
    return name


def format_line(progress, width=TerminalBar.WIDTH):
    """Return the bar's text for *progress* (no line ending)."""
    fraction = progress.fraction
    if fraction is None:
        bar = '?' * width
        percent = '  ?%'
    else:
        filled = int(round(fraction * width))
        bar = '#' * filled + '.' * (width - filled)
        percent = '{0:3d}%'.format(int(fraction * 100))
    template = '{0} [{1}] {2} {3:.1f}/{4:.1f} MB {5:.1f} MB/s {6}/{7} files'
    return template.format(
        _location_label(progress.location), bar, percent,
        _megabytes(progress.bytes_transferred),
        _megabytes(progress.bytes_total),
        _megabytes(progress.rate),
        progress.components_transferred, progress.components_total,
    )


def _bar_wanted(stream):
    setting = os.environ.get(BAR_VARIABLE, '').strip()
    if setting == '0':
        return False
    if setting == '1':
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def meter_for(location):
    """Return a :class:`Meter` for a transfer into *location*.

    The callback is the location's ``progress_callback``; the bar is drawn
    on standard error when it is a terminal (see :data:`BAR_VARIABLE`).
    """
    callback = getattr(location, 'progress_callback', None)
    stream = sys.stderr
    bar = TerminalBar(stream) if stream is not None and _bar_wanted(stream) \
        else None
    return Meter(location, callback=callback, bar=bar)
