"""The parts of the file side that need no server: storage layout and
identifiers, signed tokens, reading ffmpeg's summaries, picture sizes."""

import os

import pytest

from ftrack_emulator.files import media
from ftrack_emulator.files.storage import (
    InvalidIdentifierError, Storage, check_identifier, guess_content_type,
)
from ftrack_emulator.files.tokens import TokenError, TokenSigner


# Identifiers and the storage -------------------------------------------------

@pytest.mark.parametrize('value', [
    'a', '3a372bde-05bc-11e4-8908-20c9d081909b', 'A_b-9', 'x' * 128,
])
def test_identifiers_that_may_name_data(value):
    assert check_identifier(value) == value


@pytest.mark.parametrize('value', [
    None, '', 5, '.', '..', '../x', 'a/b', 'a\\b', '-a', '_a', 'a.b',
    'x' * 129, 'a\x00', 'é', ' a', 'a\n',
])
def test_identifiers_that_may_not(value):
    with pytest.raises(InvalidIdentifierError):
        check_identifier(value)


def test_data_is_sharded_under_the_root(tmp_path):
    storage = Storage(str(tmp_path / 'store'))
    path = storage.data_path('abcdef')
    assert path == os.path.join(storage.root, 'components', 'ab', 'abcdef')


def test_adopt_stat_and_remove(tmp_path):
    storage = Storage(str(tmp_path / 'store'))
    pending = storage.new_file()
    pending.write(b'hello ')
    pending.write(b'world')
    stored = pending.commit('c1', 'greeting.txt')
    pending.discard()  # harmless after a commit
    assert stored.size == 11
    assert stored.content_type == 'text/plain'
    assert stored.file_name == 'greeting.txt'
    assert stored.md5 == '5eb63bbbe01eeed093cb22bb8f5acdc3'
    with open(stored.path, 'rb') as handle:
        assert handle.read() == b'hello world'
    assert os.listdir(storage.temporary_directory) == []
    assert storage.remove('c1') is True
    assert storage.stat('c1') is None
    assert storage.remove('c1') is False


def test_discarded_files_leave_nothing(tmp_path):
    storage = Storage(str(tmp_path / 'store'))
    pending = storage.new_file()
    pending.write(b'half')
    pending.discard()
    assert os.listdir(storage.temporary_directory) == []
    assert storage.stat('never') is None


def test_new_data_drops_derived_files(tmp_path):
    storage = Storage(str(tmp_path / 'store'))
    storage.new_file().commit('c1')
    storage.new_file().commit('c1-2')
    first = storage.cache_path('thumbnails', 'c1', '32.jpg')
    other = storage.cache_path('thumbnails', 'c1-2', '32.jpg')
    for path in (first, other):
        os.makedirs(os.path.dirname(path))
        open(path, 'wb').close()
    storage.new_file().commit('c1')
    assert not os.path.exists(first)
    assert os.path.exists(other), 'a neighbour with a longer id was hit'


def test_leftovers_are_cleared(tmp_path):
    storage = Storage(str(tmp_path / 'store'))
    storage.new_file().write(b'abandoned')
    os.makedirs(os.path.join(storage.temporary_directory, 'work-x', 'y'))
    storage.clear_temporary()
    assert os.listdir(storage.temporary_directory) == []


def test_links_leading_out_are_refused(tmp_path):
    outside = tmp_path / 'outside'
    outside.mkdir()
    storage = Storage(str(tmp_path / 'store'))
    os.symlink(str(outside), os.path.join(storage.root, 'components', 'ev'))
    with pytest.raises(InvalidIdentifierError, match='outside the storage'):
        storage.data_path('evil')


def test_a_linked_root_is_fine(tmp_path):
    real = tmp_path / 'real'
    real.mkdir()
    os.symlink(str(real), str(tmp_path / 'link'))
    storage = Storage(str(tmp_path / 'link'))
    storage.new_file().commit('c1')
    assert storage.stat('c1').size == 0


@pytest.mark.parametrize('name, expected', [
    ('movie.mp4', 'video/mp4'), ('a.JPG', 'image/jpeg'),
    ('x.json', 'application/json'), ('noext', 'application/octet-stream'),
    ('', 'application/octet-stream'),
])
def test_content_types_come_from_the_file_name(name, expected):
    assert guess_content_type(name) == expected


# Tokens ----------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_tokens_carry_their_grant_until_they_expire():
    clock = Clock()
    signer = TokenSigner(clock=clock)
    token = signer.issue('upload', 10, id='c1', size=3)
    grant = signer.verify(token, 'upload')
    assert (grant['id'], grant['size']) == ('c1', 3)
    clock.now += 10
    with pytest.raises(TokenError) as raised:
        signer.verify(token, 'upload')
    assert raised.value.expired


def test_tokens_are_bound_to_purpose_and_signer():
    signer = TokenSigner()
    token = signer.issue('read', 60, id='c1')
    with pytest.raises(TokenError, match='not upload'):
        signer.verify(token, 'upload')
    with pytest.raises(TokenError, match='not issued by this server'):
        TokenSigner().verify(token, 'read')


@pytest.mark.parametrize('token', [None, '', 'abc', 'a.b.c', '!!.??'])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(TokenError):
        TokenSigner().verify(token, 'read')


# ffmpeg's summaries ----------------------------------------------------------

MOVIE = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'src.mov':
  Duration: 00:00:02.50, start: 0.000000, bitrate: 165 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), \
yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 18 kb/s, 23.98 fps, \
23.98 tbr, 12800 tbn (default)
  Stream #0:1[0x2]: Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz
At least one output file must be specified
"""

STILL = """Input #0, png_pipe, from 'a.png':
  Duration: N/A, bitrate: N/A
  Stream #0:0: Video: png, rgb24(pc), 67x33 [SAR 1:1 DAR 67:33], 25 tbr
"""


def test_a_movie_summary_is_read():
    info = media.parse_probe(MOVIE)
    assert (info.width, info.height) == (1920, 1080)
    assert info.frame_rate == 23.98
    assert info.duration == 2.5
    assert info.has_audio and not info.is_image
    assert info.frame_count == 60


def test_a_still_summary_is_read():
    info = media.parse_probe(STILL)
    assert (info.width, info.height, info.duration) == (67, 33, None)
    assert info.is_image and info.frame_count == 1


def test_unreadable_input_is_a_media_error():
    with pytest.raises(media.MediaError, match='Invalid data'):
        media.parse_probe(
            "[in#0 @ 0x55] moov atom not found\n"
            "Error opening input file x.mov.\n"
            "Error opening input files: Invalid data found when processing "
            "input\n")
    with pytest.raises(media.MediaError, match='no video stream'):
        media.parse_probe("Input #0, wav, from 'a.wav':\n"
                          "  Stream #0:0: Audio: pcm_s16le, 44100 Hz\n")


@pytest.mark.parametrize('size, box, even, expected', [
    ((64, 64), (1920, 1080), True, (64, 64)),
    ((33, 17), (1920, 1080), True, (32, 16)),
    ((3840, 2160), (1920, 1080), True, (1920, 1080)),
    ((4000, 1000), (1920, 1080), True, (1920, 480)),
    ((1, 1), (1920, 1080), True, (2, 2)),
    ((1000, 3000), (512, 512), False, (170, 512)),
])
def test_pictures_fit_their_box(size, box, even, expected):
    assert media.fit(size[0], size[1], box, even=even) == expected


def test_the_encoder_is_there():
    assert os.path.isfile(media.ffmpeg_executable())


def test_a_cancelled_runner_runs_nothing_more():
    runner = media.Runner()
    runner.cancel()
    with pytest.raises(media.MediaError, match='cancelled'):
        runner.run(['-version'])
