"""Uploads into the server location.

A client first asks ``get_upload_metadata`` where to send a file (the
component usually does not exist yet: the Python client uploads before it
commits the FileComponent), then ``PUT`` s the bytes to the URL it got,
with the headers it got and no credentials: the URL's signed token says
which component, how many bytes and which MD5. Large files may go up in
parts (``parts`` in the request, as the JS client does), each part ``PUT``
to its own URL and answered with an ``ETag``, and are put together by
``complete_multipart_upload``.

Bytes are streamed to a temporary file and hashed on the way; only a
complete upload whose size and checksum match is moved into place. A
short, oversized, corrupt or interrupted upload leaves nothing behind.
"""

import asyncio
import base64
import binascii
import json
import logging
import os
import shutil
import time
import uuid

from aiohttp import http_exceptions, web

from ftrack_emulator.errors import NotFoundError, ValidationError

from . import access
from .storage import InvalidIdentifierError, check_identifier, \
    guess_content_type

logger = logging.getLogger(__name__)

_MANIFEST = 'manifest.json'

#: Headers a browser may read from an upload answer (the JS client reads
#: the ETag of each part).
_CORS_HEADERS = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'ETag',
}


# Validation of action arguments ---------------------------------------------

def _identifier(operation, name, what):
    try:
        return check_identifier(operation.get(name), what)
    except InvalidIdentifierError as error:
        raise ValidationError('{0} ("{1}" of {2}).'.format(
            str(error).rstrip('.'), name, operation.get('action')
        )) from None


def _whole_number(operation, name, minimum, maximum=None, optional=False):
    value = operation.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or \
            value < minimum or (maximum is not None and value > maximum):
        limits = 'at least {0}'.format(minimum) if maximum is None else \
            'between {0} and {1}'.format(minimum, maximum)
        raise ValidationError(
            '"{0}" of {1} must be a whole number {2}, got {3!r}.'.format(
                name, operation.get('action'), limits, value
            ).replace('{', '(').replace('}', ')')
        )
    return value


def decode_checksum(value, where):
    """Return *value* if it is a base64 MD5 (what ``Content-MD5`` holds);
    raise ValueError naming *where* otherwise."""
    try:
        raw = base64.b64decode(value.encode('ascii'), validate=True)
    except (binascii.Error, UnicodeEncodeError, AttributeError):
        raw = b''
    if len(raw) != 16:
        raise ValueError(
            '{0} must be the base64 encoded MD5 of the file (24 characters '
            'such as "1B2M2Y8AsgTpgAmY7PhCfg=="), got {1!r}.'.format(
                where, value
            )
        )
    return value


def _checksum(operation):
    value = operation.get('checksum')
    if value is None:
        return None
    try:
        return decode_checksum(value, '"checksum" of get_upload_metadata')
    except ValueError as error:
        raise ValidationError(str(error).replace('{', '(').replace('}', ')')) \
            from None


def _check_component_kind(context, component_id):
    """Refuse uploads to components that hold no data of their own."""
    component = context.backend.writer.fetch(
        context.connection, 'Component', (component_id,), batch=context.state
    )
    if component is not None and component.get('system_type') != 'file':
        raise ValidationError(
            'Component {0} is a {1}: only file components hold data; upload '
            'its members instead.'.format(
                component_id, component['__entity_type__']
            )
        )


# Actions --------------------------------------------------------------------

def get_upload_metadata(service, context, operation):
    """Answer where and how to upload a file (see the module doc)."""
    component_id = _identifier(operation, 'component_id', 'component id')
    file_name = operation.get('file_name')
    if not isinstance(file_name, str):
        raise ValidationError(
            '"file_name" of get_upload_metadata must be the file name as a '
            'string, e.g. "main.mov".'
        )
    file_size = _whole_number(operation, 'file_size', 0)
    checksum = _checksum(operation)
    parts = _whole_number(operation, 'parts', 1, service.max_parts,
                          optional=True)
    if parts is not None and parts > max(1, file_size):
        raise ValidationError(
            'Cannot split {0} bytes into {1} parts.'.format(file_size, parts)
        )
    _check_component_kind(context, component_id)
    content_type = guess_content_type(file_name)
    if parts is not None:
        return _start_multipart(
            service, context, component_id, file_name, file_size, parts,
            content_type,
        )
    token = service.tokens.issue(
        'upload', service.upload_url_lifetime, id=component_id,
        size=file_size, md5=checksum, type=content_type, name=file_name,
    )
    headers = {'Content-Type': content_type, 'Content-Length': str(file_size)}
    if checksum is not None:
        headers['Content-MD5'] = checksum
    return {
        'url': service.upload_url(context.base_url, component_id, token),
        'headers': headers,
        'component_id': component_id,
    }


def _start_multipart(service, context, component_id, file_name, file_size,
                     parts, content_type):
    prune_multipart_uploads(service)
    upload_id = uuid.uuid4().hex
    expires = time.time() + service.upload_url_lifetime
    manifest = {
        'component_id': component_id, 'file_name': file_name,
        'file_size': file_size, 'parts': parts,
        'content_type': content_type, 'expires': expires,
    }
    directory = service.storage.upload_directory(upload_id)
    os.makedirs(directory)
    _write_json(service, os.path.join(directory, _MANIFEST), manifest)
    urls = []
    for number in range(1, parts + 1):
        token = service.tokens.issue(
            'upload-part', service.upload_url_lifetime, id=component_id,
            upload=upload_id, part=number,
        )
        urls.append({
            'signed_url': service.upload_url(
                context.base_url, component_id, token, upload_id=upload_id,
                part_number=number,
            ),
            'part_number': number,
        })
    return {'component_id': component_id, 'upload_id': upload_id,
            'urls': urls}


def complete_multipart_upload(service, context, operation):
    """Put the parts of a multipart upload together, in the order given,
    after checking each part's ETag and the total size."""
    upload_id = _identifier(operation, 'upload_id', 'upload id')
    component_id = _identifier(operation, 'component_id', 'component id')
    manifest = read_manifest(service, upload_id)
    if manifest is None:
        raise NotFoundError(
            'No multipart upload {0} is in progress (it was completed, has '
            'expired or never started).'.format(upload_id)
        )
    if manifest['component_id'] != component_id:
        raise ValidationError(
            'Multipart upload {0} is for component {1}, not {2}.'.format(
                upload_id, manifest['component_id'], component_id
            )
        )
    listed = _listed_parts(operation, manifest['parts'])
    directory = service.storage.upload_directory(upload_id)
    paths = []
    total = 0
    for number, e_tag in listed:
        info = _read_json(os.path.join(directory, _part_name(number, '.json')))
        if info is None:
            raise ValidationError(
                'Part {0} of multipart upload {1} was never uploaded.'.format(
                    number, upload_id
                )
            )
        if info['md5'] != e_tag:
            raise ValidationError(
                'The ETag given for part {0} ({1}) does not match the part '
                'received ({2}).'.format(number, e_tag, info['md5'])
            )
        paths.append(os.path.join(directory, _part_name(number)))
        total += info['size']
    if total != manifest['file_size']:
        raise ValidationError(
            'The parts hold {0} bytes but the upload was started for {1} '
            'bytes.'.format(total, manifest['file_size'])
        )
    pending = service.storage.new_file()
    try:
        for path in paths:
            with open(path, 'rb') as handle:
                for block in iter(lambda: handle.read(1024 * 1024), b''):
                    pending.write(block)
        pending.commit(component_id, manifest['file_name'],
                       manifest['content_type'])
    finally:
        pending.discard()
    shutil.rmtree(directory, ignore_errors=True)
    logger.info('Assembled %d parts into component %s.', len(paths),
                component_id)
    return {
        'action': 'complete_multipart_upload',
        'component_id': component_id,
        'url': service.read_url(context.base_url, component_id),
    }


def _listed_parts(operation, declared):
    parts = operation.get('parts')
    if not isinstance(parts, list) or not parts:
        raise ValidationError(
            '"parts" of complete_multipart_upload must list the uploaded '
            'parts as [("part_number": 1, "e_tag": "..."), ...].'
        )
    listed = []
    previous = 0
    for part in parts:
        number = part.get('part_number') if isinstance(part, dict) else None
        e_tag = part.get('e_tag') if isinstance(part, dict) else None
        if isinstance(number, bool) or not isinstance(number, int) or \
                not isinstance(e_tag, str):
            raise ValidationError(
                'Each part must have an integer "part_number" and a string '
                '"e_tag", got {0!r}.'.format(part).replace(
                    '{', '(').replace('}', ')')
            )
        if not 1 <= number <= declared:
            raise ValidationError(
                'Part number {0} is outside 1 to {1}.'.format(number, declared)
            )
        if number <= previous:
            raise ValidationError(
                'Parts must be listed in ascending order without repeats '
                '(part {0} after part {1}).'.format(number, previous)
            )
        previous = number
        listed.append((number, e_tag.strip().strip('"').lower()))
    return listed


# Multipart bookkeeping on disk ---------------------------------------------

def _part_name(number, suffix=''):
    return 'part-{0:05d}{1}'.format(number, suffix)


def _write_json(service, path, data):
    temporary = service.storage.temporary_path('.json')
    with open(temporary, 'w', encoding='utf-8') as handle:
        json.dump(data, handle)
    os.replace(temporary, path)


def _read_json(path):
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def read_manifest(service, upload_id):
    """Return the manifest of an unexpired multipart upload, or None."""
    manifest = _read_json(os.path.join(
        service.storage.upload_directory(upload_id), _MANIFEST
    ))
    if manifest is None or manifest.get('expires', 0) <= time.time():
        return None
    return manifest


def prune_multipart_uploads(service):
    """Remove the parts of multipart uploads that were never completed
    before their URLs expired."""
    root = os.path.join(service.storage.root, 'uploads')
    for name in os.listdir(root):
        try:
            manifest_present = read_manifest(service, name) is not None
        except InvalidIdentifierError:
            manifest_present = False
        if not manifest_present:
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


# The PUT endpoint ----------------------------------------------------------

async def receive_upload(request):
    """``PUT /component/upload/<component id>?token=...`` (a whole file)
    or ``...&upload_id=...&part_number=N`` (one part)."""
    from . import service_of

    service = service_of(request.app)
    parameters = access.query_parameters(request)
    component_id = request.match_info['component_id']
    try:
        try:
            check_identifier(component_id, 'component id')
        except InvalidIdentifierError as error:
            raise access.bad_request(str(error)) from None
        if 'upload_id' in parameters or 'part_number' in parameters:
            response = await _receive_part(
                service, request, parameters, component_id
            )
        else:
            response = await _receive_file(
                service, request, parameters, component_id
            )
    except access.FileRequestError as error:
        logger.info('Upload to %s refused: %s', component_id, error.content)
        response = access.error_response(error)
    response.headers.update(_CORS_HEADERS)
    return response


async def upload_preflight(request):
    """``OPTIONS`` for browsers about to ``PUT`` a part."""
    return web.Response(headers=dict(
        _CORS_HEADERS,
        **{'Access-Control-Allow-Methods': 'PUT, OPTIONS',
           'Access-Control-Allow-Headers': 'Content-Type, Content-MD5',
           'Access-Control-Max-Age': '3600'}
    ))


def _grant(service, parameters, purpose, component_id):
    from .tokens import TokenError

    try:
        grant = service.tokens.verify(parameters.get('token'), purpose)
    except TokenError as error:
        raise access.forbidden(
            'Upload refused: {0} Ask get_upload_metadata for a new URL.'
            .format(error)
        ) from None
    if grant['id'] != component_id:
        raise access.forbidden(
            'Upload refused: the URL was issued for another component.'
        )
    return grant


def _declared_checksum(request, expected):
    """Return the MD5 the body must have: the ``Content-MD5`` header, which
    must agree with *expected* (the checksum the URL was issued for)."""
    header = request.headers.get('Content-MD5')
    if header is not None:
        try:
            decode_checksum(header.strip(), 'The Content-MD5 header')
        except ValueError as error:
            raise access.bad_request(str(error), 'InvalidDigest') from None
        header = header.strip()
        if expected is not None and header != expected:
            raise access.bad_request(
                'The Content-MD5 header ({0}) differs from the checksum the '
                'upload URL was issued for ({1}).'.format(header, expected),
                'InvalidDigest',
            )
        return header
    return expected


async def _receive_file(service, request, parameters, component_id):
    grant = _grant(service, parameters, 'upload', component_id)
    expected_size = grant['size']
    if request.content_length is not None and \
            request.content_length != expected_size:
        raise access.bad_request(
            'The request sends {0} bytes but the upload URL was issued for '
            '{1} bytes.'.format(request.content_length, expected_size),
            'EntityTooLarge' if request.content_length > expected_size
            else 'IncompleteBody',
        )
    checksum = _declared_checksum(request, grant.get('md5'))
    pending = await receive_body(service, request, expected_size,
                                 component_id)
    try:
        _verify(pending, expected_size, checksum)
        await service.run_io(
            pending.commit, component_id, grant.get('name'), grant.get('type')
        )
    finally:
        await service.run_io(pending.discard)
    md5 = _hex(pending.digest())
    logger.info('Received %d bytes for component %s.', pending.size,
                component_id)
    return web.json_response(
        {'component_id': component_id, 'size': pending.size, 'md5': md5},
        headers={'ETag': '"{0}"'.format(md5)},
    )


async def _receive_part(service, request, parameters, component_id):
    grant = _grant(service, parameters, 'upload-part', component_id)
    upload_id = grant['upload']
    if parameters.get('upload_id') != upload_id or \
            parameters.get('part_number') != str(grant['part']):
        raise access.forbidden(
            'Upload refused: upload_id and part_number do not match the '
            'signed URL.'
        )
    manifest = await service.run_io(read_manifest, service, upload_id)
    if manifest is None:
        raise access.not_found(
            'Multipart upload {0} is no longer in progress (completed or '
            'expired).'.format(upload_id)
        )
    limit = manifest['file_size']
    if request.content_length is not None and request.content_length > limit:
        raise access.bad_request(
            'Part {0} sends {1} bytes, more than the whole upload ({2} '
            'bytes).'.format(grant['part'], request.content_length, limit),
            'EntityTooLarge',
        )
    checksum = _declared_checksum(request, None)
    pending = await receive_body(service, request, limit, component_id)
    try:
        _verify(pending, request.content_length, checksum)
        md5 = _hex(pending.digest())
        await service.run_io(
            _store_part, service, pending, upload_id, grant['part'], md5
        )
    finally:
        await service.run_io(pending.discard)
    return web.json_response(
        {'component_id': component_id, 'upload_id': upload_id,
         'part_number': grant['part'], 'size': pending.size},
        headers={'ETag': '"{0}"'.format(md5)},
    )


def _store_part(service, pending, upload_id, number, md5):
    directory = service.storage.upload_directory(upload_id)
    try:
        # The data first: a part counts once its description exists.
        pending.move_to(os.path.join(directory, _part_name(number)))
    except FileNotFoundError:
        raise access.not_found(
            'Multipart upload {0} ended while part {1} arrived.'.format(
                upload_id, number)
        ) from None
    _write_json(service, os.path.join(directory, _part_name(number, '.json')),
                {'md5': md5, 'size': pending.size})


def _hex(digest):
    return binascii.hexlify(digest).decode('ascii')


def _verify(pending, expected_size, checksum):
    if expected_size is not None and pending.size != expected_size:
        raise access.bad_request(
            'The upload ended after {0} of {1} bytes; nothing was stored.'
            .format(pending.size, expected_size), 'IncompleteBody',
        )
    if checksum is not None:
        received = base64.b64encode(pending.digest()).decode('ascii')
        if received != checksum:
            raise access.bad_request(
                'The data received does not match its checksum (Content-MD5 '
                '{0}, received data {1}); nothing was stored.'.format(
                    checksum, received
                ), 'BadDigest',
            )


async def receive_body(service, request, limit, component_id):
    """Stream the request body into a new temporary file and return it
    (a :class:`~ftrack_emulator.files.storage.PendingFile`); raise
    FileRequestError and keep nothing when it is larger than *limit* or
    the client goes away."""
    pending = await service.run_io(service.storage.new_file)
    # One block is written (on a file thread) while the next arrives; at
    # most one write is in flight, so blocks land in order.
    writing = None
    try:
        received = 0
        blocks = []
        gathered = 0
        while True:
            chunk = await request.content.readany()
            if not chunk:
                break
            received += len(chunk)
            if received > limit:
                raise access.bad_request(
                    'The request sends more than the {0} bytes the upload '
                    'URL was issued for.'.format(limit), 'EntityTooLarge',
                )
            blocks.append(chunk)
            gathered += len(chunk)
            if gathered >= _block_size():
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(
                    service.run_io(_write_blocks, pending, blocks)
                )
                blocks = []
                gathered = 0
        if writing is not None:
            await writing
            writing = None
        if blocks:
            await service.run_io(_write_blocks, pending, blocks)
    except access.FileRequestError:
        await _discard(service, pending, writing)
        raise
    except (ConnectionError, EOFError, OSError,
            http_exceptions.HttpProcessingError) as error:
        await _discard(service, pending, writing)
        logger.info('Upload to %s interrupted (%s); nothing was stored.',
                    component_id, error)
        raise access.bad_request(
            'The upload was interrupted before all data arrived; nothing was '
            'stored.', 'IncompleteBody',
        ) from None
    except BaseException:
        await _discard(service, pending, writing)
        raise
    await service.run_io(pending.close)
    return pending


def _write_blocks(pending, blocks):
    """Append *blocks* to *pending* (on a file thread); a disk failure
    becomes an error for the client rather than an interruption."""
    try:
        for block in blocks:
            pending.write(block)
    except OSError as error:
        raise access.FileRequestError(
            'The emulator could not store the upload: {0}.'.format(
                error.strerror or error),
            exception='StorageError', status=507,
        ) from None


async def _discard(service, pending, writing):
    """Drop *pending* once the write in flight (if any) has ended."""
    try:
        if writing is not None:
            await asyncio.wait([writing])
            if not writing.cancelled():
                writing.exception()  # retrieved: already reported
        await service.run_io(pending.discard)
    except BaseException:
        pending.discard()


def _block_size():
    from .service import WRITE_BLOCK_SIZE

    return WRITE_BLOCK_SIZE
