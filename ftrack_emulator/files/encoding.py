"""``encode_media``: turn an uploaded file into web-reviewable media.

The action checks its arguments, commits a ``Job`` (``status`` "queued",
``type`` "api_job") with the request and answers ``{"job_id": ...}``. A
background worker then marks the job "running", reads the source from the
server location's storage and runs ffmpeg:

* a movie becomes ``ftrackreview-mp4`` (H.264/AAC MP4 for browsers);
* a still image becomes ``ftrackreview-image`` (a JPEG);
* both get a JPEG ``thumbnail``.

The outputs are new FileComponents in ``ftrack.server`` (resource
identifier = component id), attached to the version when one was given and
carrying the ``ftr_meta`` metadata ftrack's review player reads. The job
lists them in ``Job.data`` (``{"output": [{"format", "component_id"}, ...],
"source_component_id", "keep_original"}``) and as JobComponents; the
version's thumbnail is set; without ``keep_original`` the source's data is
removed from the server location. The job ends "done", or "failed" with
the encoder's message in ``Job.data["error"]``.

Every database change of a job is one transaction and the output files are
in place before the transaction that registers them, so a stop at any
moment leaves no component pointing at missing data. A job still "queued"
or "running" when the emulator starts again was cut short; it is marked
failed.
"""

import dataclasses
import json
import logging
import os
import queue
import shutil
import threading
import typing
import uuid

from ftrack_api.symbol import SERVER_LOCATION_ID

from ftrack_emulator.errors import NotFoundError, ValidationError

from . import media
from .storage import InvalidIdentifierError, check_identifier

logger = logging.getLogger(__name__)

#: Encoding jobs run at a time (ffmpeg itself uses two threads).
WORKERS = 1

#: Component names ftrack's review player looks for.
MOVIE_COMPONENT = 'ftrackreview-mp4'
IMAGE_COMPONENT = 'ftrackreview-image'
THUMBNAIL_COMPONENT = 'thumbnail'

#: Metadata key with the playback details of a reviewable component.
META_KEY = 'ftr_meta'


class JobError(Exception):
    """A job cannot go on (the message is stored on the job)."""


@dataclasses.dataclass
class EncodeRequest:
    """One accepted ``encode_media`` call."""

    job_id: str
    component_id: str
    version_id: typing.Optional[str]
    keep_original: bool
    user: dict


@dataclasses.dataclass
class Output:
    """A file made by the encoder, to become a component."""

    name: str
    file_type: str
    content_type: str
    path: str
    meta: typing.Optional[dict] = None
    component_id: typing.Optional[str] = None


def job_data(request, output=(), error=None):
    """Return the ``Job.data`` text for *request*."""
    data = {
        'output': list(output),
        'source_component_id': request.component_id,
        'keep_original': request.keep_original,
    }
    if error is not None:
        data['error'] = error
    return json.dumps(data)


def is_encode_job(job):
    """True for Job rows made by ``encode_media``."""
    try:
        data = json.loads(job.get('data') or '')
    except (TypeError, ValueError):
        return False
    return isinstance(data, dict) and 'source_component_id' in data and \
        'output' in data


def server_resource(writer, connection, component_id, batch=None):
    """Return the resource identifier of *component_id* in the server
    location, or None when it is not there."""
    rows = writer.find(connection, 'ComponentLocation', {
        'component_id': component_id, 'location_id': SERVER_LOCATION_ID,
    })
    return rows[0].get('resource_identifier') if rows else None


# The action -----------------------------------------------------------------

def encode_media(service, context, operation):
    """Queue the encoding of a component already in the server location."""
    backend = context.backend
    writer = backend.writer
    connection = context.connection
    try:
        component_id = check_identifier(operation.get('component_id'),
                                        'component id')
    except InvalidIdentifierError as error:
        raise ValidationError('{0} ("component_id" of encode_media).'.format(
            str(error).rstrip('.'))) from None
    version_id = operation.get('version_id')
    if version_id is not None:
        if not isinstance(version_id, str) or writer.fetch(
                connection, 'AssetVersion', (version_id,),
                batch=context.state) is None:
            raise NotFoundError(
                'Cannot attach encoded media to AssetVersion {0!r}: it does '
                'not exist.'.format(version_id)
            )
    keep_original = operation.get('keep_original', True)
    if not isinstance(keep_original, bool):
        raise ValidationError(
            '"keep_original" of encode_media must be true or false, got '
            '{0!r}.'.format(keep_original)
        )
    component = writer.fetch(connection, 'Component', (component_id,),
                             batch=context.state)
    if component is None:
        raise NotFoundError(
            'Cannot encode component {0}: it does not exist (commit it '
            'first).'.format(component_id)
        )
    if component.get('system_type') != 'file':
        raise ValidationError(
            'Cannot encode component {0}: it is a {1}; only file components '
            'can be encoded.'.format(component_id,
                                     component['__entity_type__'])
        )
    resource = server_resource(writer, connection, component_id)
    if resource is None:
        raise ValidationError(
            'Cannot encode component {0}: it is not in the ftrack.server '
            'location. Add it there first.'.format(component_id)
        )
    try:
        present = service.storage.exists(resource)
    except InvalidIdentifierError:
        present = False
    if not present:
        raise ValidationError(
            'Cannot encode component {0}: the server location has no data '
            'for it.'.format(component_id)
        )
    request = EncodeRequest(
        job_id=str(uuid.uuid4()), component_id=component_id,
        version_id=version_id, keep_original=keep_original,
        user=dict(context.user),
    )
    writer.create(connection, context.state, 'Job', {
        'id': request.job_id,
        'type': 'api_job',
        'status': 'queued',
        'user_id': context.user['id'],
        'data': job_data(request),
        'created_at': context.now,
    })
    # The worker's first database step queues behind this request on the
    # database thread, so it sees the job once committed (or not at all).
    service.jobs.submit(request)
    return {'job_id': request.job_id}


# The workers ----------------------------------------------------------------

class EncodeJobs:
    """The queue of accepted encodings and the threads working on it."""

    def __init__(self, service, workers=WORKERS,
                 timeout=media.DEFAULT_TIMEOUT):
        self.service = service
        self.backend = service.backend
        self.workers = workers
        self.timeout = timeout
        self._queue = queue.Queue()
        self._threads = []
        self._runners = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # Lifecycle ------------------------------------------------------------

    def submit(self, request):
        self._queue.put(request)

    def start(self):
        if self._threads:
            return
        self._stopping.clear()
        for number in range(self.workers):
            thread = threading.Thread(
                target=self._work, name='ftrack-emulator-encoder-{0}'.format(
                    number + 1), daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout=30.0):
        """Stop the workers; the running job and those still waiting are
        marked failed."""
        self._stopping.set()
        with self._lock:
            runners = list(self._runners)
        for runner in runners:
            runner.cancel()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        while True:
            try:
                request = self._queue.get_nowait()
            except queue.Empty:
                break
            if request is not None:
                self._record_failure(
                    request, 'The emulator stopped before the job started.'
                )

    def recover(self):
        """Fail the encoding jobs an earlier run left unfinished (runs on
        the database thread)."""
        backend = self.backend
        writer = backend.writer
        failed = 0
        with backend.database.begin() as connection:
            batch = backend.writer_batch(None)
            for status, message in (
                    ('queued', 'The job had not started when the emulator '
                               'stopped; it was found unfinished at the '
                               'next start.'),
                    ('running', 'The job was still running when the '
                                'emulator stopped; it was found unfinished '
                                'at the next start.')):
                for job in writer.find(connection, 'Job', {'status': status}):
                    if not is_encode_job(job):
                        continue
                    data = json.loads(job['data'])
                    data.update(output=[], error=message)
                    writer.update(connection, batch, 'Job', [job['id']], {
                        'status': 'failed', 'finished_at': batch.now,
                        'data': json.dumps(data),
                    })
                    failed += 1
        if failed:
            logger.warning('Marked %d interrupted encoding job(s) failed.',
                           failed)

    # Work -----------------------------------------------------------------

    def _work(self):
        while True:
            request = self._queue.get()
            if request is None:
                return
            if self._stopping.is_set():
                self._record_failure(
                    request, 'The emulator stopped before the job started.'
                )
                continue
            try:
                self.run(request)
            except Exception:
                logger.exception('Encoding job %s crashed.', request.job_id)

    def run(self, request):
        """Carry out one encoding job from start to end."""
        storage = self.service.storage
        runner = media.Runner(timeout=self.timeout)
        with self._lock:
            self._runners.add(runner)
        work = storage.new_work_directory('encode-')
        placed = []
        try:
            resource = self.backend.call(self._claim, request)
            if resource is None:
                return
            source = storage.stat(resource)
            if source is None:
                raise JobError('The source data disappeared before encoding.')
            outputs = self._encode(source.path, work, runner)
            for output in outputs:
                output.component_id = str(uuid.uuid4())
                storage.adopt(
                    output.path, output.component_id,
                    file_name=output.name + output.file_type,
                    content_type=output.content_type,
                )
                placed.append(output.component_id)
            if not self.backend.call(self._finish, request, outputs):
                for component_id in placed:
                    storage.remove(component_id)
                return
            if not request.keep_original:
                storage.remove(resource)
            logger.info('Encoding job %s done.', request.job_id)
        except Exception as error:
            for component_id in placed:
                storage.remove(component_id)
            message = self._describe(error, work)
            logger.info('Encoding job %s failed: %s', request.job_id, message)
            self._record_failure(request, message)
        finally:
            with self._lock:
                self._runners.discard(runner)
            shutil.rmtree(work, ignore_errors=True)

    def _describe(self, error, work):
        if self._stopping.is_set():
            return 'The emulator stopped while the job was running.'
        if isinstance(error, (media.MediaError, JobError)):
            message = str(error)
        else:
            logger.exception('Unexpected failure in an encoding job.')
            message = 'Internal emulator error: {0}: {1}'.format(
                type(error).__name__, error
            )
        return message.replace(self.service.storage.root, '<storage>')

    def _encode(self, source, work, runner):
        info = media.probe(source, runner)
        thumbnail = os.path.join(work, 'thumbnail.jpg')
        if info.is_image:
            web = os.path.join(work, 'review.jpg')
            width, height = media.write_jpeg(source, web, info, runner,
                                             media.REVIEW_BOX)
            media.write_jpeg(source, thumbnail, info, runner,
                             media.THUMBNAIL_BOX)
            review = Output(IMAGE_COMPONENT, '.jpg', 'image/jpeg', web, {
                'format': 'image', 'width': width, 'height': height,
            })
        else:
            movie = os.path.join(work, 'review.mp4')
            width, height = media.transcode_movie(source, movie, info, runner)
            self._movie_thumbnail(source, thumbnail, info, runner)
            review = Output(MOVIE_COMPONENT, '.mp4', 'video/mp4', movie, {
                'frameIn': 0,
                'frameOut': info.frame_count,
                'frameRate': _number(info.frame_rate or 25.0),
                'width': width,
                'height': height,
                'format': 'video',
            })
        return [review, Output(THUMBNAIL_COMPONENT, '.jpg', 'image/jpeg',
                               thumbnail)]

    @staticmethod
    def _movie_thumbnail(source, target, info, runner):
        """A frame from the middle of the movie, else its first frame."""
        if info.duration and info.duration > 0.1:
            try:
                media.write_jpeg(source, target, info, runner,
                                 media.THUMBNAIL_BOX, at=info.duration / 2)
                if os.path.getsize(target) > 0:
                    return
            except (media.MediaError, OSError):
                pass
        media.write_jpeg(source, target, info, runner, media.THUMBNAIL_BOX)

    # Database steps (on the database thread) -------------------------------

    def _notify(self, changes, user):
        if not changes:
            return
        for listener in list(self.backend.commit_listeners):
            try:
                listener(changes, user)
            except Exception:
                logger.exception('Commit listener %r failed.', listener)

    def _claim(self, request):
        """Mark the job running and return where its source is stored, or
        None when the job is gone or no longer queued."""
        backend = self.backend
        writer = backend.writer
        with backend.database.begin() as connection:
            batch = backend.writer_batch(request.user['id'])
            job = writer.fetch(connection, 'Job', (request.job_id,), batch)
            if job is None or job.get('status') != 'queued':
                return None
            resource = server_resource(writer, connection,
                                       request.component_id)
            if resource is None:
                raise JobError(
                    'Component {0} left the ftrack.server location before '
                    'encoding started.'.format(request.component_id)
                )
            writer.update(connection, batch, 'Job', [request.job_id],
                          {'status': 'running'})
        self._notify(batch.changes, request.user)
        return resource

    def _finish(self, request, outputs):
        """Register *outputs* and mark the job done, in one transaction;
        return False when the job vanished meanwhile."""
        backend = self.backend
        writer = backend.writer
        with backend.database.begin() as connection:
            batch = backend.writer_batch(request.user['id'])
            job = writer.fetch(connection, 'Job', (request.job_id,), batch)
            if job is None or job.get('status') != 'running':
                return False
            if request.version_id is not None and writer.fetch(
                    connection, 'AssetVersion', (request.version_id,),
                    batch) is None:
                raise JobError(
                    'AssetVersion {0} was deleted while encoding.'.format(
                        request.version_id
                    )
                )
            listed = []
            for output in outputs:
                self._register(connection, batch, request, output)
                listed.append({'format': output.content_type,
                               'component_id': output.component_id})
            thumbnail = outputs[-1]
            if request.version_id is not None:
                writer.update(connection, batch, 'AssetVersion',
                              [request.version_id],
                              {'thumbnail_id': thumbnail.component_id})
            if not request.keep_original:
                for row in writer.find(connection, 'ComponentLocation', {
                        'component_id': request.component_id,
                        'location_id': SERVER_LOCATION_ID}):
                    writer.delete(connection, batch, 'ComponentLocation',
                                  [row['id']])
            writer.update(connection, batch, 'Job', [request.job_id], {
                'status': 'done', 'finished_at': batch.now,
                'data': job_data(request, listed),
            })
        self._notify(batch.changes, request.user)
        return True

    def _register(self, connection, batch, request, output):
        writer = self.backend.writer
        component = {
            'id': output.component_id, 'name': output.name,
            'file_type': output.file_type,
            'size': os.path.getsize(
                self.service.storage.data_path(output.component_id)
            ),
        }
        if request.version_id is not None:
            component['version_id'] = request.version_id
        writer.create(connection, batch, 'FileComponent', component)
        writer.create(connection, batch, 'ComponentLocation', {
            'component_id': output.component_id,
            'location_id': SERVER_LOCATION_ID,
            'resource_identifier': output.component_id,
        })
        if output.meta is not None:
            writer.create(connection, batch, 'Metadata', {
                'parent_id': output.component_id,
                'parent_type': 'FileComponent',
                'key': META_KEY,
                'value': json.dumps(output.meta),
            })
        writer.create(connection, batch, 'JobComponent', {
            'job_id': request.job_id, 'component_id': output.component_id,
        })

    def _record_failure(self, request, message):
        try:
            self.backend.call(self._fail, request, message)
        except Exception:
            logger.exception('Could not record the failure of job %s.',
                             request.job_id)

    def _fail(self, request, message):
        backend = self.backend
        writer = backend.writer
        with backend.database.begin() as connection:
            batch = backend.writer_batch(request.user['id'])
            job = writer.fetch(connection, 'Job', (request.job_id,), batch)
            if job is None or job.get('status') in ('done', 'failed'):
                return
            writer.update(connection, batch, 'Job', [request.job_id], {
                'status': 'failed', 'finished_at': batch.now,
                'data': job_data(request, error=message),
            })
        self._notify(batch.changes, request.user)


def _number(value):
    """Whole numbers as integers (``25`` rather than ``25.0``)."""
    value = round(float(value), 3)
    return int(value) if value.is_integer() else value
