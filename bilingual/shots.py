"""Picture changes (hard cuts), for the rule that subtitle changes and cuts share a frame."""

from __future__ import annotations

import os

import regex

from bilingual.media import decode_timeout, ffmpeg_command, run_tool, tool_input

SCENE_THRESHOLD = 0.3  # ffmpeg's scene score; hard cuts score 0.5–1, motion within a shot < 0.2
_PTS = regex.compile(r"Parsed_showinfo.*?pts_time:\s*([0-9.]+)")


def detect_cuts(path: str | os.PathLike, duration_s: float | None = None,
                threshold: float = SCENE_THRESHOLD) -> list[float]:
    """Times (s) of the first frame of each new shot. Decodes the whole video (downscaled for the
    score), within `media.decode_timeout(duration_s)`."""
    args = ffmpeg_command("-i", tool_input(path), "-map", "0:v:0", "-an",
                          "-vf", f"scale=160:-2,select='gt(scene,{threshold})',showinfo", "-f", "null", "-",
                          loglevel="info")
    _, stderr = run_tool(args, path, decode_timeout(duration_s))
    return [float(t) for t in _PTS.findall(stderr.decode("utf-8", "replace"))]
