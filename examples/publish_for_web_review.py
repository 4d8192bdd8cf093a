"""Publish a movie for web review, from upload to invitation.

Usage::

    python examples/publish_for_web_review.py [MOVIE]

Without ``FTRACK_SERVER`` set, a local emulator is started for the run
(its files and database are temporary). Without MOVIE, a two-second test
movie is made with ffmpeg (the binary of the ``imageio-ffmpeg`` package).

The steps, each printed as it happens with where to see the result:

1. create a project, an asset and a version;
2. upload the movie to the server location as a component of the version;
3. ask the server to encode it for the browser (``encode_media``) and wait
   for the job;
4. make the encoded still frame the version's thumbnail;
5. create a review session holding the version and invite a reviewer.

Read the code alongside: it is meant to be copied from.
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

import arrow

import ftrack_api
import ftrack_api.symbol

#: Seconds to wait for the encoding job.
JOB_TIMEOUT = 300


#: API key to leave out of printed URLs (those of a real server).
_hidden_key = None


def show(text, *args):
    line = '   ' + text.format(*args)
    if _hidden_key:
        line = line.replace(_hidden_key, '<your API key>')
    print(line)


def step(title):
    print('\n== {0}'.format(title))


@contextlib.contextmanager
def server_credentials():
    """Yield the keyword arguments of :class:`ftrack_api.Session` and the
    emulator (None when ``FTRACK_SERVER`` names a server to use)."""
    if os.environ.get('FTRACK_SERVER'):
        # Session() reads FTRACK_SERVER, FTRACK_API_USER, FTRACK_API_KEY.
        yield {}, None
        return

    import ftrack_emulator

    with ftrack_emulator.Emulator() as server:
        show('started a local emulator at {0}', server.url)
        yield {
            'server_url': server.url,
            'api_user': server.api_user,
            'api_key': server.api_key,
        }, server


def make_movie(directory):
    """Write a two-second 320x240 test movie and return its path."""
    import imageio_ffmpeg

    path = os.path.join(directory, 'review_me.mov')
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), '-v', 'error', '-y', '-f', 'lavfi',
         '-i', 'testsrc=duration=2:size=320x240:rate=24', '-c:v', 'mpeg4',
         path],
        check=True, timeout=120,
    )
    return path


def create_version(session):
    step('1. A project, an asset and a version')
    name = 'web_review_{0}'.format(uuid.uuid4().hex[:8])
    project = session.create('Project', {
        'name': name, 'full_name': 'Web review example',
        'project_schema': session.query('ProjectSchema').first(),
    })
    asset = session.create('Asset', {
        'name': 'dailies', 'parent': project,
        'type': session.query('AssetType').first(),
    })
    version = session.create('AssetVersion', {
        'asset': asset, 'comment': 'Published for web review.',
    })
    session.commit()
    show('project {0} ({1})', project['name'], project['id'])
    show('version {0} of asset "dailies" ({1})', version['version'],
         version['id'])
    show('seen at: {0}', session.get_widget_url('info', entity=version))
    return project, version


def upload(session, version, movie):
    step('2. Upload the movie')
    server = session.get('Location', ftrack_api.symbol.SERVER_LOCATION_ID)
    component = version.create_component(
        movie, data={'name': 'main'}, location=server
    )
    show('component {0} ({1} bytes, {2})', component['id'],
         component['size'], component['file_type'])
    show('download: {0}', server.get_url(component))
    return server, component


def encode(session, version, component):
    step('3. Encode for the browser')
    job = version.encode_media(component)
    show('job {0} is {1}', job['id'], job['status'])
    deadline = time.time() + JOB_TIMEOUT
    while job['status'] in ('queued', 'running'):
        if time.time() > deadline:
            raise RuntimeError('The encoding job did not finish in time.')
        time.sleep(0.5)
        job = session.query(
            'select status, data from Job where id is "{0}"'.format(job['id'])
        ).one()
    show('job {0} is {1}', job['id'], job['status'])
    if job['status'] != 'done':
        raise RuntimeError('Encoding failed: {0}'.format(job['data']))
    outputs = json.loads(job['data'])['output']
    for output in outputs:
        show('output {0}: component {1}', output['format'],
             output['component_id'])
    return outputs


def set_thumbnail(session, server, version, outputs):
    step('4. Set the thumbnail')
    still = [output for output in outputs if output['format'] == 'image/jpeg']
    if not still:
        raise RuntimeError('The encoder made no still frame.')
    thumbnail = session.get('FileComponent', still[0]['component_id'])
    version['thumbnail_id'] = thumbnail['id']
    session.commit()
    show('thumbnail of the version: component {0}', thumbnail['id'])
    show('thumbnail: {0}', server.get_thumbnail_url(thumbnail, size=300))
    reviewable = [
        component for component in session.query(
            'select name from Component where version_id is "{0}"'.format(
                version['id'])
        )
        if component['name'] == 'ftrackreview-mp4'
    ]
    if reviewable:
        show('browser-playable movie: {0}', server.get_url(reviewable[0]))


def invite(session, project, version, emulator):
    step('5. A review session and an invitation')
    now = arrow.utcnow()
    review_session = session.create('ReviewSession', {
        'name': 'Dailies {0}'.format(now.format('YYYY-MM-DD')),
        'description': 'Latest versions for review.',
        'project': project,
        'start_date': now,
        'end_date': now.shift(days=7),
    })
    session.create('ReviewSessionObject', {
        'name': 'dailies', 'description': version['comment'],
        'version': 'v{0}'.format(version['version']),
        'review_session': review_session, 'asset_version': version,
        'sort_order': 0,
    })
    invitee = session.create('ReviewSessionInvitee', {
        'name': 'Reviewer', 'email': 'reviewer@example.com',
        'review_session': review_session,
    })
    session.commit()
    session.send_review_session_invite(invitee)
    show('review session {0} ({1})', review_session['name'],
         review_session['id'])
    show('invited {0} <{1}> (invitee {2})', invitee['name'],
         invitee['email'], invitee['id'])
    if emulator is None:
        show('the server emails the invitation')
        return
    for entry in emulator.outbox():
        if entry.get('recipient_id') == invitee['id']:
            show('outbox entry: {0} to {1} for review session {2}',
                 entry['kind'], entry['email'],
                 entry['payload'].get('review_session_id'))


def main(arguments):
    with tempfile.TemporaryDirectory() as directory:
        movie = arguments[0] if arguments else make_movie(directory)
        with server_credentials() as (credentials, emulator):
            session = ftrack_api.Session(
                schema_cache_path=False, **credentials
            )
            if emulator is None:
                # Download URLs carry the API key: keep a real one private.
                global _hidden_key
                _hidden_key = session.api_key
            with session:
                project, version = create_version(session)
                server, component = upload(session, version, movie)
                outputs = encode(session, version, component)
                set_thumbnail(session, server, version, outputs)
                invite(session, project, version, emulator)
    print('\nDone.')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
