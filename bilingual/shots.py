"""Picture changes (hard cuts), for the rule that subtitle changes and cuts share a frame."""

from __future__ import annotations

import os
import subprocess

import regex

from bilingual.errors import InputError
from bilingual.media import require_ffmpeg

SCENE_THRESHOLD = 0.3  # ffmpeg's scene score; hard cuts score 0.5–1, motion within a shot < 0.2
_PTS = regex.compile(r"Parsed_showinfo.*?pts_time:\s*([0-9.]+)")


def detect_cuts(path: str | os.PathLike, threshold: float = SCENE_THRESHOLD) -> list[float]:
    """Times (s) of the first frame of each new shot. Decodes the whole video (downscaled for the score)."""
    require_ffmpeg()
    proc = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-v", "info", "-i", str(path), "-map", "0:v:0", "-an",
         "-vf", f"scale=160:-2,select='gt(scene,{threshold})',showinfo", "-f", "null", "-"],
        capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise InputError("media.unreadable", "ffmpeg could not decode the picture to find cuts", str(path))
    return [float(t) for t in _PTS.findall(proc.stderr)]
