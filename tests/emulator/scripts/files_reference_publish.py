"""Publish through the server location with any ``ftrack_api``, as a
subprocess of the file tests (run under the reference client in its own
virtual environment).

Usage: ``files_reference_publish.py <server url> <user> <key> <work dir>
<movie path>``; a ``frame.png`` must sit next to the movie. Prints one
JSON object on stdout with what it observed; any failure prints
``{"error": ...}`` and exits 1.

Steps: create a project, asset and version; publish a file of random bytes
to ``ftrack.server`` with ``version.create_component``; download it back
with the accessor and through ``get_url``; add a thumbnail; encode a movie
with ``session.encode_media`` and wait for the job; put the version in a
review session and invite a reviewer; remove the published component from
the location.
"""

import hashlib
import json
import os
import sys
import time
import traceback
import uuid

import arrow
import requests

import ftrack_api
import ftrack_api.symbol

JOB_TIMEOUT = 60


def main(url, user, key, work, movie):
    session = ftrack_api.Session(
        server_url=url, api_user=user, api_key=key,
        auto_connect_event_hub=False, schema_cache_path=False,
    )
    result = {}
    schema = session.query('ProjectSchema').first()
    name = 'files_{0}'.format(uuid.uuid4().hex[:8])
    project = session.create('Project', {
        'name': name, 'full_name': name, 'project_schema': schema,
    })
    asset_type = session.query('AssetType').first()
    asset = session.create('Asset', {
        'name': 'plate', 'parent': project, 'type': asset_type,
    })
    version = session.create('AssetVersion', {'asset': asset})
    session.commit()

    payload = os.urandom(3 * 1024 * 1024 + 17)
    path = os.path.join(work, 'plate.bin')
    with open(path, 'wb') as handle:
        handle.write(payload)
    location = session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
    component = version.create_component(
        path, data={'name': 'main'}, location=location
    )
    result['component_id'] = component['id']
    availability = session.get_component_availability(component)
    result['availability'] = availability[location['id']]
    resource = location.get_resource_identifier(component)
    result['resource_identifier'] = resource

    handle = location.accessor.open(resource, 'rb')
    downloaded = handle.read()
    handle.close()
    result['accessor_identical'] = downloaded == payload
    download_url = location.get_url(component)
    response = requests.get(download_url, timeout=30)
    result['url_status'] = response.status_code
    result['url_identical'] = response.content == payload
    result['md5'] = hashlib.md5(payload).hexdigest()

    frame = os.path.join(os.path.dirname(movie), 'frame.png')
    thumbnail = version.create_thumbnail(frame)
    thumbnail_url = location.get_thumbnail_url(thumbnail, size=32)
    response = requests.get(thumbnail_url, timeout=30)
    result['thumbnail_status'] = response.status_code
    result['thumbnail_is_jpeg'] = response.content[:3] == b'\xff\xd8\xff'

    job = session.encode_media(movie, version_id=version['id'],
                               keep_original=False)
    result['job_type'] = job['type']
    deadline = time.time() + JOB_TIMEOUT
    while job['status'] in ('queued', 'running'):
        if time.time() > deadline:
            raise RuntimeError('The encoding job did not finish in time.')
        time.sleep(0.2)
        job = session.query(
            'select status, data from Job where id is "{0}"'.format(job['id'])
        ).one()
    result['job_status'] = job['status']
    result['job_data'] = json.loads(job['data'])
    reviewable = session.query(
        'select name, metadata from Component where version_id is "{0}" '
        'and name is "ftrackreview-mp4"'.format(version['id'])
    ).one()
    result['ftr_meta'] = json.loads(reviewable['metadata']['ftr_meta'])
    handle = location.accessor.open(
        location.get_resource_identifier(reviewable), 'rb'
    )
    result['reviewable_head'] = handle.read()[:12].hex()
    handle.close()

    review = review_session(session, project, version)
    result.update(review)

    location.remove_component(component)
    result['availability_after_remove'] = session.get_component_availability(
        component
    )[location['id']]
    result['url_status_after_remove'] = requests.get(
        download_url, timeout=30
    ).status_code
    session.close()
    return result


def review_session(session, project, version):
    """Put the version up for review and invite a reviewer."""
    now = arrow.utcnow()
    review = session.create('ReviewSession', {
        'name': 'Dailies', 'description': 'Encoded movie.',
        'project': project, 'start_date': now,
        'end_date': now.shift(days=7),
    })
    session.create('ReviewSessionObject', {
        'name': 'plate', 'description': 'First pass.', 'version': 'v1',
        'review_session': review, 'asset_version': version,
        'sort_order': 0,
    })
    invitee = session.create('ReviewSessionInvitee', {
        'name': 'Reviewer', 'email': 'reviewer@example.com',
        'review_session': review,
    })
    session.commit()
    session.send_review_session_invite(invitee)
    loaded = session.query(
        'select is_open, thumbnail_url, review_session_objects.asset_version'
        '.components.name, review_session_invitees.last_sent_at '
        'from ReviewSession where id is "{0}"'.format(review['id'])
    ).one()
    objects = loaded['review_session_objects']
    return {
        'review_session_id': review['id'],
        'invitee_id': invitee['id'],
        'review_is_open': loaded['is_open'],
        'review_components': sorted(
            component['name']
            for component in objects[0]['asset_version']['components']
        ),
        'invite_sent': loaded['review_session_invitees'][0][
            'last_sent_at'] is not None,
        'review_thumbnail_url': loaded['thumbnail_url'],
    }


if __name__ == '__main__':
    try:
        report = main(*sys.argv[1:6])
    except Exception as error:  # reported to the test
        sys.stdout.write(json.dumps({
            'error': '{0}: {1}'.format(type(error).__name__, error),
            'traceback': traceback.format_exc(),
        }) + '\n')
        sys.exit(1)
    sys.stdout.write(json.dumps(report) + '\n')
