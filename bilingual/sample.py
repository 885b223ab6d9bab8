"""The bundled sample entry: Mandarin speech with Tibetan subtitles, built by ffmpeg at run time.

The picture is generated (testsrc2 with moving noise, so the encoder spends a contest-like
7.5 Mbit/s and the file lands in the 100–300 MB range of seed 004); audio and subtitles are real
files kept in `samples/` with their attribution.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bilingual.errors import InputError
from bilingual.files import check_output_folder, finish_temp, temp_path_beside
from bilingual.media import decode_timeout, require_ffmpeg, run_ffmpeg, tool_input

SAMPLE_NAME = "sample-entry"
VIDEO_BITRATE = "7500k"


def samples_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_samples", here.parent / "samples"):
        if (candidate / f"{SAMPLE_NAME}.audio.flac").is_file():
            return candidate
    raise InputError("media.unreadable", wording="error/no_sample_sources")


def build_sample(out_dir: str | os.PathLike = ".sample") -> Path:
    """Build (once) and return `<out_dir>/sample-entry.mp4`, with `sample-entry.bo.srt` beside it."""
    require_ffmpeg()
    src = samples_dir()
    out = Path(out_dir)
    check_output_folder(out, "--out")
    video = out / f"{SAMPLE_NAME}.mp4"
    subs = out / f"{SAMPLE_NAME}.bo.srt"
    audio = src / f"{SAMPLE_NAME}.audio.flac"
    if not subs.exists() or subs.read_bytes() != (src / subs.name).read_bytes():
        shutil.copyfile(src / subs.name, subs)
    if video.is_file() and video.stat().st_mtime >= audio.stat().st_mtime:
        return video
    tmp = temp_path_beside(video)
    try:
        _encode(audio, tmp)
        finish_temp(tmp, video)
    finally:
        tmp.unlink(missing_ok=True)
    return video


def _encode(audio: Path, out: Path) -> None:
    """The sample's picture over `audio`, as MP4. Paths go as `file:` + absolute: with `sample --out -x`
    or `--out pipe:x` they are folders, not ffmpeg options or protocols."""
    try:
        run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25,noise=alls=12:allf=t",
                    "-i", tool_input(audio), "-map", "0:v", "-map", "1:a", "-shortest",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-b:v", VIDEO_BITRATE, "-minrate", VIDEO_BITRATE, "-maxrate", VIDEO_BITRATE, "-bufsize", "15000k",
                    "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-f", "mp4", tool_input(out)],
                   audio, decode_timeout(None))
    except InputError as exc:
        raise InputError("media.unreadable", wording="error/sample_not_built", cause=exc) from None
