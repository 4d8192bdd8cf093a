"""One client's side of ``python -m bench.transfer`` (run as a script under
either client, isolated, from a directory outside the repository).

Usage: ``transfer_worker.py URL USER KEY SOURCE WORK``. Uploads SOURCE to
the server location (``server.add_component`` from the origin), then
downloads it into a disk location under WORK
(``disk.add_component`` from the server), checks the copy is
byte-identical and removes the uploaded data. With
``BENCH_TRANSFER_PART_MB`` set, our client uploads in parts of that many
MiB whatever the size. Prints one JSON object:
seconds of each timed step, the checks and the process's peak memory
above its size after importing the client. Only the public API both
clients share is used.
"""

import hashlib
import json
import os
import sys
import time
import uuid


def _status_kib(field):
    try:
        with open('/proc/self/status') as handle:
            for line in handle:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak():
    try:
        with open('/proc/self/clear_refs', 'w') as handle:
            handle.write('5')
    except OSError:
        pass


def _md5(path):
    digest = hashlib.md5()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b''):
            digest.update(block)
    return digest.hexdigest()


def main(url, user, key, source, work):
    import ftrack_api
    import ftrack_api.accessor.disk
    import ftrack_api.structure.id
    import ftrack_api.symbol

    _reset_peak()
    baseline = _status_kib('VmRSS')
    session = ftrack_api.Session(
        server_url=url, api_user=user, api_key=key, schema_cache_path=False,
    )
    origin = session.get('Location', ftrack_api.symbol.ORIGIN_LOCATION_ID)
    server = session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
    disk = session.create('Location', {
        'name': 'bench.transfer.{0}'.format(uuid.uuid4().hex[:8]),
    })
    disk.accessor = ftrack_api.accessor.disk.DiskAccessor(
        prefix=os.path.join(work, 'download')
    )
    disk.structure = ftrack_api.structure.id.IdStructure()
    session.commit()
    part_size = os.environ.get('BENCH_TRANSFER_PART_MB')
    if part_size:
        # Our client's multipart upload (the reference has none).
        server.accessor.multipart_threshold = 1
        server.accessor.multipart_part_size = int(part_size) * 1024 * 1024
    component = session.create_component(
        source, data={'name': 'bench'}, location=None
    )

    started = time.perf_counter()
    server.add_component(component, origin)
    upload = time.perf_counter() - started

    started = time.perf_counter()
    disk.add_component(component, server)
    download = time.perf_counter() - started

    copy = disk.get_filesystem_path(component)
    identical = _md5(copy) == _md5(source)
    peak = _status_kib('VmHWM')
    server.remove_component(component)
    disk.remove_component(component)
    session.close()
    return {
        'upload': upload,
        'download': download,
        'identical': identical,
        'size': os.path.getsize(source),
        'peak_kib': None if peak is None or baseline is None
        else peak - baseline,
    }


if __name__ == '__main__':
    sys.stdout.write(json.dumps(main(*sys.argv[1:6])) + '\n')
