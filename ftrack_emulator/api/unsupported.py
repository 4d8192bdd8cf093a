"""Actions a real server has and this emulator does not answer yet.

They get a plain server error (which the Python client raises as
``ServerError``), not the "Invalid action" wording that would make the
client report an outdated server.
"""

from ftrack_emulator.errors import EmulatorError

#: Actions known to ftrack that the emulator does not implement (yet).
NOT_YET_SUPPORTED = (
    'get_upload_metadata', 'complete_multipart_upload', 'encode_media',
)


def not_supported(context, operation):
    raise EmulatorError(
        'The action "{0}" is not supported by this emulator yet.'.format(
            operation.get('action')
        ),
        status=501,
    )
