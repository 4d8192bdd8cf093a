"""Moving one resource's bytes from a source data object to a target one.

:func:`copy` is what :meth:`Location._add_data
<ftrack_api.entity.location.Location>` uses. The general case reads and
writes :data:`ftrack_api.symbol.CHUNK_SIZE` bytes at a time, so memory use
does not grow with the file. Two cases skip the intermediate copy the
server accessor would otherwise make, because its data objects buffer a
whole file in a temporary file:

* local file to the server: the upload reads the local file directly;
* server to a local file: the download is written straight to that file.

Data objects taking part in these shortcuts offer two private methods:
``_upload_from_local_file(file_object)`` (a target about to upload) and
``_download_into(file_object)`` (a source not read yet). Either may also
offer ``_report_progress_to(meter)``, returning True when it counts the
bytes it moves itself (network transfers), so they are not counted twice.
"""

import io
import logging

import ftrack_api.data
import ftrack_api.symbol

logger = logging.getLogger(__name__)


def _local_binary_file(data):
    """Return the open binary file behind *data* when it is a plain local
    file, else None."""
    if type(data) is not ftrack_api.data.File:
        return None
    wrapped = data.wrapped_file
    if not isinstance(wrapped, (io.BufferedReader, io.BufferedWriter,
                                io.BufferedRandom, io.FileIO)):
        return None
    return wrapped


def _hand_meter(meter, source_data, target_data):
    """Let a data object count its own bytes; return whether one does."""
    if meter is None or not meter.active:
        return True  # nobody listens: nothing to count
    for data in (target_data, source_data):
        hook = getattr(data, '_report_progress_to', None)
        if hook is not None and hook(meter):
            return True
    return False


def copy(source_data, target_data, meter=None, chunk_size=None):
    """Copy all of *source_data* into *target_data*, then close the target.

    *meter* (a :class:`ftrack_api._progress.Meter`) is advanced as bytes
    move. The source is left open for the caller to close; on failure the
    target is left for the caller to :func:`discard`.
    """
    if chunk_size is None:
        chunk_size = ftrack_api.symbol.CHUNK_SIZE
    counted_elsewhere = _hand_meter(meter, source_data, target_data)

    local_source = _local_binary_file(source_data)
    upload = getattr(target_data, '_upload_from_local_file', None)
    if local_source is not None and upload is not None:
        upload(local_source)
        target_data.close()
        return

    local_target = _local_binary_file(target_data)
    download = getattr(source_data, '_download_into', None)
    if local_target is not None and download is not None and \
            download(local_target):
        target_data.close()
        return

    read = source_data.read
    write = target_data.write
    while True:
        chunk = read(chunk_size)
        if not chunk:
            break
        write(chunk)
        if not counted_elsewhere:
            meter.advance(len(chunk))
    target_data.close()


def discard(target_data):
    """Close *target_data* after a failed :func:`copy` without keeping what
    was written when the data object can tell (see ``_discard``)."""
    try:
        drop = getattr(target_data, '_discard', None)
        if drop is not None:
            drop()
        elif not target_data.closed:
            target_data.close()
    except Exception:
        logger.debug('Could not close data after a failed transfer.',
                     exc_info=True)
