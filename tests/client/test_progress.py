"""Transfer progress: the callback a location calls while data is added to
it, and the terminal bar (drawn only on a terminal)."""

import io
import os

import pytest

import ftrack_api.accessor.disk
import ftrack_api.structure.id
import ftrack_api.symbol
import ftrack_api._progress as progress_module

from session_helpers import disk_location, write

SYMBOL = ftrack_api.symbol
MIB = 1024 * 1024


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self):
        return True


# With real transfers --------------------------------------------------------

def test_a_server_upload_reports_its_bytes(session, tmp_path):
    payload = os.urandom(3 * MIB + 5)
    component = session.create_component(
        write(tmp_path / 'a.bin', payload), location=None)
    server = session.get('Location', SYMBOL.SERVER_LOCATION_ID)
    reports = []
    server.progress_callback = reports.append
    server.add_component(
        component, session.get('Location', SYMBOL.ORIGIN_LOCATION_ID))

    assert reports[0].component is component
    assert reports[0].bytes_transferred == 0
    assert reports[0].bytes_total == len(payload)
    assert reports[0].components_total == 1
    assert reports[0].location is server
    last = reports[-1]
    assert last.finished is True
    assert last.component is None
    assert last.bytes_transferred == len(payload)
    assert last.components_transferred == 1
    assert last.fraction == 1.0
    # Reported as the upload goes, about every CALLBACK_INTERVAL bytes.
    middle = [report.bytes_transferred for report in reports[1:-2]]
    assert len(middle) >= 2
    assert middle == sorted(middle)
    assert all(not report.finished for report in reports[:-1])


def test_a_sequence_download_counts_each_member(session, tmp_path):
    for frame in (1, 2, 3):
        write(tmp_path / 'src' / 'f.{0:04d}.exr'.format(frame),
              b'x' * (1000 * frame))
    server = session.get('Location', SYMBOL.SERVER_LOCATION_ID)
    sequence = session.create_component(
        str(tmp_path / 'src' / 'f.%04d.exr [1-3]'), location=server)
    disk = disk_location(session, tmp_path / 'disk')
    reports = []
    disk.progress_callback = reports.append
    disk.add_component(sequence, server)

    last = reports[-1]
    assert last.finished
    assert (last.components_transferred, last.components_total) == (3, 3)
    assert last.bytes_transferred == last.bytes_total == 6000
    assert [
        (report.component and report.component['name'],
         report.bytes_transferred, report.components_transferred)
        for report in reports
    ] == [
        ('0001', 0, 0), ('0001', 1000, 1),
        ('0002', 1000, 1), ('0002', 3000, 2),
        ('0003', 3000, 2), ('0003', 6000, 3),
        (None, 6000, 3),
    ]
    # One final report only, from the outermost call.
    assert sum(report.finished for report in reports) == 1


def test_nothing_is_reported_without_listeners(session, tmp_path,
                                               monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr('sys.stderr', stream)
    disk = disk_location(session, tmp_path / 'disk')
    session.create_component(write(tmp_path / 'a.bin', b'a' * MIB * 2),
                             location=disk)
    assert stream.getvalue() == ''


def test_the_bar_is_drawn_on_a_terminal(session, tmp_path, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr('sys.stderr', terminal)
    monkeypatch.setattr(progress_module, 'BAR_DELAY', 0.0)
    disk = disk_location(session, tmp_path / 'disk')
    disk['name'] = 'studio-disk'
    session.commit()
    session.create_component(write(tmp_path / 'a.bin', b'a' * MIB * 2),
                             location=disk)
    text = terminal.getvalue()
    assert text.startswith('\rstudio-disk [')
    last = text.rsplit('\r', 1)[-1]
    assert last.startswith('studio-disk [' + '#' * 30 + '] 100% 2.0/2.0 MB ')
    assert last.endswith(' MB/s 1/1 files\n')


def test_the_environment_can_silence_the_bar(session, tmp_path,
                                             monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr('sys.stderr', terminal)
    monkeypatch.setenv(progress_module.BAR_VARIABLE, '0')
    monkeypatch.setattr(progress_module, 'BAR_DELAY', 0.0)
    disk = disk_location(session, tmp_path / 'disk')
    session.create_component(write(tmp_path / 'a.bin', b'a' * MIB),
                             location=disk)
    assert terminal.getvalue() == ''


# The pieces -----------------------------------------------------------------

class Clock(object):
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Named(dict):
    """Stands in for a location or component in the meter's reports."""

    def __init__(self, **values):
        super().__init__(values)
        self.session = self

    def auto_populating(self, value):
        import contextlib
        return contextlib.nullcontext()


def test_meter_reports_at_boundaries_and_intervals():
    clock = Clock()
    reports = []
    location = Named(name='target')
    meter = progress_module.Meter(location, callback=reports.append,
                                  clock=clock)
    component = Named(size=3 * MIB)
    meter.expect([component, Named(size=5, members=[])])
    meter.start(component)
    for _ in range(12):
        clock.now += 0.5
        meter.advance(MIB // 4)
    meter.complete(component)
    meter.finish()
    transferred = [report.bytes_transferred for report in reports]
    assert transferred == [0, MIB, 2 * MIB, 3 * MIB, 3 * MIB, 3 * MIB]
    assert reports[0].components_total == 1
    assert reports[-1].finished and reports[-1].component is None
    assert reports[-1].elapsed == 6.0
    assert reports[-1].rate == pytest.approx(3 * MIB / 6.0)


def test_meter_totals_follow_wrong_sizes():
    meter = progress_module.Meter(Named(name='t'))
    assert not meter.active
    meter.expect([Named(size=ftrack_api.symbol.NOT_SET)])
    meter.advance(10)
    snapshot = meter._snapshot(False)
    assert snapshot.bytes_total == 0 and snapshot.fraction is None
    meter.expect([Named(size=4)])
    meter.advance(10)
    assert meter._snapshot(False).bytes_total == 20


def test_bar_waits_throttles_and_ends_its_line():
    clock = Clock()
    stream = Terminal()
    bar = progress_module.TerminalBar(stream, delay=1.0, clock=clock)
    report = progress_module.TransferProgress(
        location=Named(name='loc'), bytes_transferred=MIB,
        bytes_total=4 * MIB, components_transferred=0, components_total=2,
        elapsed=0.5, finished=False,
    )
    bar.update(report)
    assert stream.getvalue() == ''
    report.elapsed = 2.0
    bar.update(report)
    bar.update(report)
    assert stream.getvalue().count('\r') == 1
    assert stream.getvalue() == (
        '\rloc [########......................]  25% 1.0/4.0 MB 0.5 MB/s '
        '0/2 files'
    )
    clock.now += 1
    bar.update(report)
    assert stream.getvalue().count('\r') == 2
    bar.close()
    assert stream.getvalue().endswith('\n')
    bar.close()
    assert stream.getvalue().count('\n') == 1


def test_unknown_totals_are_drawn_as_such():
    report = progress_module.TransferProgress(
        location=Named(), bytes_transferred=0, bytes_total=0,
        components_transferred=0, components_total=0, elapsed=0.0,
        finished=False,
    )
    assert progress_module.format_line(report, width=4) == (
        'transfer [????]   ?% 0.0/0.0 MB 0.0 MB/s 0/0 files'
    )
    assert repr(report) == '<TransferProgress 0/0 bytes, 0/0 components>'
