"""Stage 1, media: what the file is (ffprobe through ffmpeg-python) and getting streams out of it."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import struct
import subprocess
import tempfile
from collections.abc import Generator
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from bilingual.errors import InputError

TEXT_SUBTITLE_CODECS = frozenset({"mov_text", "subrip", "srt", "ass", "ssa", "webvtt", "text"})
IMAGE_SUBTITLE_CODECS = frozenset({"hdmv_pgs_subtitle", "dvd_subtitle", "dvb_subtitle", "xsub", "dvb_teletext"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".flv", ".wmv"})

# MP4/QuickTime major brands that mean QuickTime (.mov); every other ISO-BMFF brand is MP4.
_QUICKTIME_BRANDS = frozenset({"qt"})
_FORMAT_NAMES = {"matroska,webm": "mkv", "avi": "avi", "mpegts": "ts", "mpeg": "mpg", "flv": "flv", "asf": "wmv"}


SAMPLE_RATE = 16000  # Hz: what the speech models (Silero VAD, Whisper) take, and every decode for them
DEFAULT_FPS = 25.0  # a picture's rate where the container states none (PAL: China's broadcast rate)


def frame_rate(fps: float | None) -> float:
    """A frame rate to count frames with: the stated one, else DEFAULT_FPS."""
    return fps or DEFAULT_FPS


@dataclass
class StreamInfo:
    index: int
    kind: str  # "video" | "audio" | "subtitle"
    codec: str | None
    language: str | None
    title: str | None = None
    default: bool = False
    channels: int | None = None
    sample_rate: int | None = None

    @property
    def text_based(self) -> bool:
        return self.kind == "subtitle" and self.codec in TEXT_SUBTITLE_CODECS

    @property
    def image_based(self) -> bool:
        return self.kind == "subtitle" and self.codec in IMAGE_SUBTITLE_CODECS


@dataclass
class MediaInfo:
    path: str
    container: str
    format_name: str
    duration_s: float | None
    width: int | None
    height: int | None
    display_aspect: str | None
    display_aspect_ratio: float | None
    fps: float | None
    size_bytes: int
    bit_rate: int | None
    video_codec: str | None
    audio_streams: list[StreamInfo] = field(default_factory=list)
    subtitle_streams: list[StreamInfo] = field(default_factory=list)
    # Degrees the player turns the stored picture (phones store portrait video as landscape plus
    # a rotation); width, height and the aspect above are of the picture as shown.
    rotation: int = 0
    interlaced: bool = False  # fields, not frames (1080i broadcast): ffprobe's field order tt, bb, tb or bt

    @property
    def frame_rate(self) -> float:
        return frame_rate(self.fps)

    @property
    def has_video(self) -> bool:
        return self.width is not None

    @property
    def main_audio(self) -> StreamInfo | None:
        defaults = [s for s in self.audio_streams if s.default]
        return next(iter(defaults or self.audio_streams), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("path")
        for key in ("duration_s", "fps", "display_aspect_ratio"):
            if data[key] is not None:
                data[key] = round(data[key], 3)
        return data


_NOT_REGULAR = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def require_file(path: str | os.PathLike, code: str = "media.unreadable") -> Path:
    """The checks every input path goes through before any tool touches it. Only a regular file
    passes: opening a FIFO blocks until something writes to it, and a device never ends."""
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except OSError as exc:  # a symlink loop or a name too long is not "no such file"
        raise InputError(code, path=str(p), **_missing_reason(p, exc)) from None
    if stat.S_ISDIR(mode):
        raise InputError(code, path=str(p), wording="error/is_directory")
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "a special file")
        raise InputError(code, path=str(p), wording="error/not_regular", kind=kind)
    if p.stat().st_size == 0:
        raise InputError(code, path=str(p), wording="error/empty_file")
    return p


def _missing_reason(p: Path, exc: OSError) -> dict[str, Any]:
    """The wording (and its values) of why `p` cannot be stat'ed."""
    if exc.errno == errno.ENOENT:
        return {"wording": "error/broken_link", "target": os.readlink(p)} if p.is_symlink() else \
            {"wording": "error/no_such_file"}
    known = {errno.ELOOP: "error/link_loop", errno.ENAMETOOLONG: "error/name_too_long"}.get(exc.errno or 0)
    return {"wording": known} if known else {"wording": "error/os", "detail": exc.strerror or str(exc)}


def _starts_like_isobmff(p: Path) -> bool:
    """The first box of an MP4/QuickTime file: a size, then `ftyp` (or a QuickTime top-level box)."""
    try:
        with p.open("rb") as fh:
            return fh.read(8)[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")
    except OSError:
        return False


def tool_input(path: str | os.PathLike) -> str:
    """A path as ffmpeg and ffprobe must be given it: `file:` and the absolute path, so that a name
    such as `-x.mp4`, `pipe:0.mp4` or `data:,x.mp4` is never read as an option or a protocol."""
    return "file:" + os.path.abspath(path)


# Timeouts of the ffmpeg tools, so that no child can hang a check. ffprobe reads headers only.
PROBE_TIMEOUT_S = 30.0
# A decode may take this many seconds per second of media. Measured on this project's 2-core
# machines: a 1080p H.264 decode with the burned-in scan's filters runs at 0.1× real time (5 min in
# 22–30 s), the audio alone at < 0.01×; 2.0 leaves 20× for a loaded machine or a larger picture.
DECODE_S_PER_MEDIA_S = 2.0
MIN_DECODE_TIMEOUT_S = 60.0
# The longest media whose speech and picture are analysed: 4× the longest contest limit in the
# bundled profiles (900 s). The speech stage holds the audio (16 kHz float32: 230 MB an hour), so
# this bounds its memory; a longer file gets the static screen and `media.too_long`.
MAX_ANALYSED_S = 3600.0


def require_analysable_length(info: MediaInfo, doing: str) -> None:
    """Refuse media past MAX_ANALYSED_S before `doing` it decodes the whole of it."""
    if info.duration_s is not None and info.duration_s > MAX_ANALYSED_S:
        raise InputError("media.too_long", path=info.path, wording=f"error/too_long_to_{doing}",
                         seconds=f"{info.duration_s:.0f}", limit=f"{MAX_ANALYSED_S:.0f}")


def decode_timeout(duration_s: float | None) -> float:
    """Seconds a decode of `duration_s` of media may take (unknown: the longest analysed)."""
    return max(MIN_DECODE_TIMEOUT_S, DECODE_S_PER_MEDIA_S * (duration_s or MAX_ANALYSED_S))


def ffmpeg_command(*args: str, loglevel: str = "error") -> list[str]:
    """The one ffmpeg command line prefix: no stdin (it would wait for a key), overwrite outputs."""
    require_ffmpeg()
    return ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-v", loglevel, "-y", *args]


def timed_out(tool: str, timeout_s: float, path: str | os.PathLike) -> InputError:
    return InputError("media.unreadable", path=str(path), wording="error/timed_out", tool=tool,
                      seconds=f"{timeout_s:.0f}")


def require_ffmpeg() -> None:
    for tool in ("ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            raise InputError("media.unreadable", wording="error/no_ffmpeg", tool=tool)


def probe(path: str | os.PathLike) -> MediaInfo:
    """Container, duration, picture and every audio/subtitle stream of a media file."""
    p = require_file(path)
    require_ffmpeg()
    try:
        raw = _ffprobe(p)
    except ffmpeg.Error as exc:
        if _starts_like_isobmff(p):  # an MP4 whose index (moov) was at the end, cut off: say truncated
            _require_complete_isobmff(p)
        raise InputError("media.unreadable", path=str(p), wording="error/not_media",
                         detail=_last_line(exc.stderr)) from None
    info = _media_info(p, raw)
    if info.container in ("mp4", "mov"):
        _require_complete_isobmff(p)
    return info


def _ffprobe(p: Path) -> dict[str, Any]:
    """ffprobe's JSON, as `ffmpeg.probe` gives it, within PROBE_TIMEOUT_S (ffmpeg.Error on failure)."""
    args = ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", tool_input(p)]
    try:
        proc = subprocess.run(args, capture_output=True, stdin=subprocess.DEVNULL, timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise timed_out("ffprobe", PROBE_TIMEOUT_S, p) from None
    if proc.returncode != 0:
        raise ffmpeg.Error("ffprobe", proc.stdout, proc.stderr)
    return json.loads(proc.stdout.decode("utf-8", "replace"))


def _media_info(p: Path, raw: dict[str, Any]) -> MediaInfo:
    fmt = raw.get("format", {})
    streams = raw.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not s.get("disposition", {}).get("attached_pic")), None)
    width = video.get("width") if video else None
    height = video.get("height") if video else None
    aspect = _display_aspect(video) if video else None
    rotation = _rotation(video) if video else 0
    if rotation in (90, 270):  # shown on its side: 1280×720 stored is 720×1280 on screen
        width, height = height, width
        aspect = 1 / aspect if aspect else aspect
    return MediaInfo(
        path=str(p),
        container=_container(fmt, p),
        format_name=fmt.get("format_name", ""),
        duration_s=_float(fmt.get("duration")) or (_float(video.get("duration")) if video else None),
        width=width,
        height=height,
        display_aspect=_aspect_label(aspect),
        display_aspect_ratio=float(aspect) if aspect else None,
        fps=_rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate")) if video else None,
        size_bytes=p.stat().st_size,
        bit_rate=int(fmt["bit_rate"]) if str(fmt.get("bit_rate", "")).isdigit() else None,
        video_codec=video.get("codec_name") if video else None,
        audio_streams=[_stream(s) for s in streams if s.get("codec_type") == "audio"],
        subtitle_streams=[_stream(s) for s in streams if s.get("codec_type") == "subtitle"],
        rotation=rotation,
        interlaced=video is not None and video.get("field_order") in ("tt", "bb", "tb", "bt"),
    )


def _stream(s: dict[str, Any]) -> StreamInfo:
    tags = s.get("tags", {})
    language = tags.get("language")
    return StreamInfo(
        index=int(s["index"]),
        kind=s["codec_type"],
        codec=s.get("codec_name"),
        language=None if language in (None, "und") else language,
        title=tags.get("title") or tags.get("handler_name"),
        default=bool(s.get("disposition", {}).get("default")),
        channels=s.get("channels"),
        sample_rate=int(s["sample_rate"]) if s.get("sample_rate") else None,
    )


def _container(fmt: dict[str, Any], p: Path) -> str:
    name = fmt.get("format_name", "")
    if name.startswith("mov,mp4"):
        brand = fmt.get("tags", {}).get("major_brand", "").strip().lower()
        if brand in _QUICKTIME_BRANDS or (not brand and p.suffix.lower() == ".mov"):
            return "mov"
        return "mp4"
    return _FORMAT_NAMES.get(name, name.split(",")[0] or "unknown")


def _display_aspect(video: dict[str, Any]) -> Fraction | None:
    """Width × sample aspect ÷ height, exact: 1920×1080 at SAR 4:3 is 64:27, as ffprobe says."""
    width, height = video.get("width"), video.get("height")
    if not width or not height:
        return None
    return Fraction(width, height) * (_fraction(video.get("sample_aspect_ratio")) or 1)


def _rotation(video: dict[str, Any]) -> int:
    """The display rotation in degrees (0, 90, 180, 270) as ffprobe reports it: the display
    matrix's side data, or the older `rotate` tag."""
    angles = [d["rotation"] for d in video.get("side_data_list", []) if "rotation" in d]
    angle = _float(angles[0] if angles else video.get("tags", {}).get("rotate")) or 0.0
    return int(round(angle / 90)) * 90 % 360


# An exact ratio with a denominator up to this is named as it is (1920×1080 at SAR 4:3 is 64:27, as
# ffprobe says; it was named 45:19); others by the nearest ratio of small numbers within 0.01: an odd
# size such as 1366×768 (683:384) is "16:9", DCI 4K (256:135) "36:19".
EXACT_ASPECT_DENOMINATOR = 40


def _aspect_label(ratio: Fraction | None) -> str | None:
    if ratio is None:
        return None
    frac = ratio if ratio.denominator <= EXACT_ASPECT_DENOMINATOR else ratio.limit_denominator(20)
    if abs(float(frac) - float(ratio)) >= 0.01:
        return f"{float(ratio):.3f}:1"
    return f"{frac.numerator}:{frac.denominator}"


def _rate(value: str | None) -> float | None:
    rate = _fraction(value)
    return float(rate) if rate else None


def _fraction(value: str | None) -> Fraction | None:
    """ffprobe's "num/den" or "num:den" (a frame rate, a sample aspect) exactly; None when it is
    absent, zero or not a number."""
    if not value or value in ("0/0", "0:1", "N/A"):
        return None
    num, _, den = value.replace(":", "/").partition("/")
    try:
        return Fraction(num) / Fraction(den or 1) or None
    except (ValueError, ZeroDivisionError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _last_line(stderr: bytes | None) -> str:
    """The tool's last line, without the `file:` that `tool_input` put before the path."""
    lines = [ln.strip() for ln in (stderr or b"").decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].replace("file:/", "/") if lines else "ffprobe failed"


def _require_complete_isobmff(p: Path) -> None:
    """An MP4 cut short (a broken upload or copy) often still probes when its index comes first.

    Walking the top-level boxes costs a few seeks: a box that runs past the end of the file
    means the file was truncated.
    """
    size = p.stat().st_size
    with p.open("rb") as fh:
        offset = 0
        while offset < size:
            fh.seek(offset)
            header = fh.read(16)
            if len(header) < 8:
                raise InputError("media.unreadable", path=str(p), wording="error/mp4_header_cut", offset=offset)
            box_size, box_type = struct.unpack(">I4s", header[:8])
            if box_size == 1 and len(header) >= 16:
                box_size = struct.unpack(">Q", header[8:16])[0]
            elif box_size == 0:  # box extends to end of file
                return
            if box_size < 8:
                raise InputError("media.unreadable", path=str(p), wording="error/mp4_box_corrupt", size=box_size,
                                 offset=offset)
            if offset + box_size > size:
                name = box_type.decode("latin-1")
                raise InputError("media.unreadable", path=str(p), wording="error/mp4_box_cut", box=name,
                                 needs=offset + box_size, size=size)
            offset += box_size


def extract_audio(path: str | os.PathLike, out_wav: Path, stream_index: int | None = None,
                  sample_rate: int = SAMPLE_RATE, duration_s: float | None = None) -> Path:
    """Decode one audio stream to mono 16-bit WAV at `sample_rate` (16 kHz: what speech models take)."""
    stream = f"0:{stream_index}" if stream_index is not None else "0:a:0"
    run_ffmpeg(["-i", tool_input(path), "-map", stream, "-vn", "-ac", "1", "-ar", str(sample_rate),
                "-c:a", "pcm_s16le", "-f", "wav", tool_input(out_wav)], path, decode_timeout(duration_s))
    return out_wav


def read_subtitle_stream(path: str | os.PathLike, stream_index: int, duration_s: float | None = None) -> bytes:
    """A text subtitle stream converted by ffmpeg to SRT bytes (UTF-8)."""
    return run_ffmpeg(["-i", tool_input(path), "-map", f"0:{stream_index}", "-c:s", "srt", "-f", "srt", "pipe:1"],
                      path, decode_timeout(duration_s))


def run_ffmpeg(args: list[str], path: str | os.PathLike, timeout_s: float = MIN_DECODE_TIMEOUT_S,
               loglevel: str = "error") -> bytes:
    """ffmpeg's stdout for `args` (input options first, inputs as `tool_input`); a failure is
    `media.unreadable` with its last line, and so is a run past `timeout_s` (ffmpeg is killed)."""
    stdout, _ = run_tool(ffmpeg_command(*args, loglevel=loglevel), path, timeout_s)
    return stdout


def run_tool(args: list[str], path: str | os.PathLike, timeout_s: float) -> tuple[bytes, bytes]:
    """stdout and stderr of a media tool; killed past `timeout_s` (subprocess.run kills the child on
    a timeout or any other exception, Ctrl-C included)."""
    try:
        proc = subprocess.run(args, capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise timed_out(args[0], timeout_s, path) from None
    if proc.returncode != 0:
        raise InputError("media.unreadable", path=str(path), wording="error/tool_failed", tool=args[0],
                         detail=_last_line(proc.stderr))
    return proc.stdout, proc.stderr


def decode_audio(path: str | os.PathLike, stream_index: int | None = None, sample_rate: int = SAMPLE_RATE, *,
                 limit_s: float | None = None):
    """One audio stream as mono float32 samples in [-1, 1] at `sample_rate` (numpy array); `limit_s`:
    the first seconds only."""
    import numpy as np

    return np.concatenate([np.zeros(0, np.float32), *stream_audio(path, stream_index, sample_rate, limit_s=limit_s)])


def stream_audio(path: str | os.PathLike, stream_index: int | None = None, sample_rate: int = SAMPLE_RATE,
                 chunk_samples: int = 1 << 19, *, limit_s: float | None = None,
                 duration_s: float | None = None) -> Generator[Any, None, None]:
    """The samples of `decode_audio` in chunks of `chunk_samples` as ffmpeg produces them, so that
    work on the first chunks overlaps the decoding of the rest. `limit_s`: decode no further.
    ffmpeg is killed past `decode_timeout(duration_s)` and when the caller stops reading."""
    import numpy as np

    stream = f"0:{stream_index}" if stream_index is not None else "0:a:0"
    limit = ["-t", f"{limit_s:.3f}"] if limit_s is not None else []
    args = ffmpeg_command("-i", tool_input(path), "-map", stream, "-vn", "-ac", "1", "-ar", str(sample_rate),
                          *limit, "-f", "f32le", "pipe:1")
    timeout_s = decode_timeout(duration_s or limit_s)
    with tempfile.TemporaryFile() as errors, \
            subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors) as proc, \
            Watchdog(proc, timeout_s) as watchdog:  # stderr to a file: it never blocks ffmpeg
        read_all = False
        assert proc.stdout is not None  # stdout=PIPE
        try:
            while chunk := proc.stdout.read(4 * chunk_samples):
                yield np.frombuffer(chunk, dtype=np.float32)
            read_all = True
        finally:
            if not read_all:  # the caller stopped reading, or failed: ffmpeg would wait on the pipe
                proc.kill()
        if watchdog.fired:
            raise timed_out("ffmpeg", timeout_s, path)
        if proc.wait() != 0:
            errors.seek(0)
            raise InputError("media.unreadable", path=str(path), wording="error/tool_failed", tool="ffmpeg",
                             detail=_last_line(errors.read()))


class Watchdog:
    """Kill a streaming child that runs past `timeout_s` (its reader then sees the end of its output)."""

    def __init__(self, proc: subprocess.Popen, timeout_s: float):
        import threading

        self.fired = False
        self._timer = threading.Timer(timeout_s, self._kill, (proc,))
        self._timer.daemon = True

    def _kill(self, proc: subprocess.Popen) -> None:
        self.fired = proc.poll() is None
        proc.kill()

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
