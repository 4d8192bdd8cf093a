"""Running ffmpeg: reading what a media file holds, transcoding it for
browsers, and grabbing still frames.

The encoder is the ffmpeg binary shipped by the ``imageio-ffmpeg`` package
(set ``IMAGEIO_FFMPEG_EXE`` to use another one). It ships no ffprobe, so
:func:`probe` reads the stream summary ffmpeg prints for its input.
"""

import dataclasses
import logging
import math
import re
import subprocess
import threading
import typing

logger = logging.getLogger(__name__)

#: Largest picture of a web-playable movie or web image (ftrack's review
#: player is HD); larger sources are scaled down, smaller ones kept.
REVIEW_BOX = (1920, 1080)

#: Largest picture of a generated thumbnail.
THUMBNAIL_BOX = (512, 512)

#: Seconds one ffmpeg run may take before it is stopped.
DEFAULT_TIMEOUT = 600.0

_INPUT = re.compile(r"^Input #0, (?P<format>.*?), from '", re.MULTILINE)
_DURATION = re.compile(
    r'Duration: (?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)'
)
_STREAM = re.compile(
    r'^\s*Stream #0:\d+\S*: (?P<kind>Video|Audio): (?P<rest>.*)$',
    re.MULTILINE,
)
_SIZE = re.compile(r'(?<![\w])(?P<w>[1-9]\d*)x(?P<h>[1-9]\d*)(?=[\s,\[]|$)')
_RATE = re.compile(r'(?P<rate>\d+(?:\.\d+)?)(?P<k>k?) (?P<unit>fps|tbr)\b')
_NOISE = re.compile(r'^\[[^\]]*@ 0x[0-9a-f]+\]\s*')


class MediaError(Exception):
    """ffmpeg could not read or write a file (the message says why)."""


@dataclasses.dataclass
class MediaInfo:
    """What :func:`probe` found out about a file."""

    container: str
    width: int
    height: int
    frame_rate: typing.Optional[float]
    duration: typing.Optional[float]
    has_audio: bool

    @property
    def is_image(self):
        """True for still pictures (read by ffmpeg's image demuxers)."""
        return self.container == 'image2' or self.container.endswith('_pipe')

    @property
    def frame_count(self):
        """The number of frames, estimated from duration and rate."""
        if self.is_image:
            return 1
        if not self.duration or not self.frame_rate:
            return 1
        return max(1, int(round(self.duration * self.frame_rate)))


def ffmpeg_executable():
    """Return the path of the ffmpeg binary; raise MediaError when there is
    none."""
    try:
        import imageio_ffmpeg
    except ImportError:
        raise MediaError(
            'No encoder available: install the imageio-ffmpeg package.'
        ) from None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as error:
        raise MediaError('No encoder available: {0}'.format(error)) from None


def summarise_errors(text, limit=600):
    """Return ffmpeg's error output shortened to what a person needs."""
    lines = []
    for line in text.splitlines():
        line = _NOISE.sub('', line.strip())
        if line and line not in lines:
            lines.append(line)
    summary = ' '.join(lines)
    if len(summary) > limit:
        summary = '...' + summary[-limit:]
    return summary or 'ffmpeg failed without saying why.'


class Runner:
    """Runs ffmpeg commands one after another and can stop the current one
    from another thread (when the emulator shuts down)."""

    def __init__(self, timeout=DEFAULT_TIMEOUT):
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process = None
        self._cancelled = False

    def cancel(self):
        with self._lock:
            self._cancelled = True
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()

    def run(self, arguments, check=True):
        """Run ffmpeg with *arguments*; return ``(exit code, stderr)``.

        With *check*, a failure raises MediaError carrying ffmpeg's own
        message.
        """
        command = [ffmpeg_executable(), '-hide_banner', '-nostdin'] + list(
            arguments
        )
        with self._lock:
            if self._cancelled:
                raise MediaError('Encoding was cancelled.')
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        process = self._process
        try:
            _, error_output = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise MediaError(
                'ffmpeg took longer than {0:g} seconds and was stopped.'
                .format(self.timeout)
            ) from None
        finally:
            with self._lock:
                self._process = None
        text = error_output.decode('utf-8', 'replace')
        if self._cancelled:
            raise MediaError('Encoding was cancelled.')
        if check and process.returncode != 0:
            raise MediaError(summarise_errors(text))
        return process.returncode, text


def probe(path, runner=None):
    """Return the :class:`MediaInfo` of the file at *path*; raise
    MediaError when ffmpeg cannot read a picture from it."""
    runner = runner or Runner()
    _, text = runner.run(['-i', path], check=False)
    return parse_probe(text)


def parse_probe(text):
    """Return the :class:`MediaInfo` described by ffmpeg's summary of its
    input (what ``ffmpeg -i <file>`` prints)."""
    found = _INPUT.search(text)
    if found is None:
        errors = [line for line in text.splitlines()
                  if 'output file' not in line]
        raise MediaError(
            'Not a readable media file: {0}'.format(
                summarise_errors('\n'.join(errors))
            )
        )
    container = found.group('format')
    duration = None
    matched = _DURATION.search(text)
    if matched is not None:
        duration = (int(matched.group('h')) * 3600
                    + int(matched.group('m')) * 60
                    + float(matched.group('s')))
    video = None
    has_audio = False
    for stream in _STREAM.finditer(text):
        if stream.group('kind') == 'Audio':
            has_audio = True
        elif video is None:
            video = stream.group('rest')
    if video is None:
        raise MediaError('The file has no video stream or picture.')
    size = _SIZE.search(video)
    if size is None:
        raise MediaError('ffmpeg reports no picture size for the video.')
    rates = {}
    for rate in _RATE.finditer(video):
        value = float(rate.group('rate')) * (1000 if rate.group('k') else 1)
        rates.setdefault(rate.group('unit'), value)
    frame_rate = rates.get('fps') or rates.get('tbr')
    return MediaInfo(
        container=container, width=int(size.group('w')),
        height=int(size.group('h')), frame_rate=frame_rate,
        duration=duration, has_audio=has_audio,
    )


def fit(width, height, box, even=False):
    """Return *width* x *height* scaled down (never up) to fit *box*,
    keeping the aspect ratio; *even* rounds both down to even numbers of
    at least 2 (what H.264 in 4:2:0 needs)."""
    scale = min(1.0, box[0] / width, box[1] / height)
    new_width = max(1, int(math.floor(width * scale + 1e-9)))
    new_height = max(1, int(math.floor(height * scale + 1e-9)))
    if even:
        new_width = max(2, new_width - new_width % 2)
        new_height = max(2, new_height - new_height % 2)
    return new_width, new_height


def transcode_movie(source, target, info, runner, box=REVIEW_BOX):
    """Write *source* as browser-playable MP4 to *target*: H.264 High in
    yuv420p with even dimensions, AAC sound when there is sound, and the
    index at the front (faststart) so playback starts before the download
    ends. Return the (width, height) written."""
    width, height = fit(info.width, info.height, box, even=True)
    arguments = [
        '-v', 'error', '-y', '-i', source, '-map', '0:v:0',
        '-vf', 'scale={0}:{1},setsar=1'.format(width, height),
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23',
        '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-threads', '2',
    ]
    if info.has_audio:
        arguments += ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '160k',
                      '-ac', '2']
    arguments += ['-movflags', '+faststart', '-f', 'mp4', target]
    runner.run(arguments)
    return width, height


def write_jpeg(source, target, info, runner, box, at=None):
    """Write one frame of *source* (at *at* seconds, else the first) as a
    JPEG fitting *box* to *target*; return the (width, height) written."""
    width, height = fit(info.width, info.height, box)
    arguments = ['-v', 'error', '-y']
    if at:
        arguments += ['-ss', '{0:.3f}'.format(at)]
    arguments += [
        '-i', source, '-map', '0:v:0', '-frames:v', '1',
        '-vf', 'scale={0}:{1},setsar=1'.format(width, height),
        '-q:v', '3', '-update', '1', '-f', 'image2', '-c:v', 'mjpeg',
        target,
    ]
    runner.run(arguments)
    return width, height


def scale_to_fit(source, target, size, runner):
    """Write the first picture of *source* as a JPEG no larger than *size*
    pixels either way (never enlarged) to *target*."""
    expression = (
        "scale='min({0},iw)':'min({0},ih)':force_original_aspect_ratio="
        "decrease,setsar=1".format(int(size))
    )
    runner.run([
        '-v', 'error', '-y', '-i', source, '-map', '0:v:0', '-frames:v', '1',
        '-vf', expression, '-q:v', '3', '-update', '1', '-f', 'image2',
        '-c:v', 'mjpeg', target,
    ])
