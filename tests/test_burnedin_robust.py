"""Burned-in subtitles on pictures entries really have (issue 14): variable frame rate, busy grainy
animation, dark text on light boxes; and the picture checked beside a text track (issue 13, item 3)."""

import json
import subprocess

import pysubs2

from conftest import ffmpeg, run_cli

HEADER = """[Script Info]
ScriptType: v4.00+
PlayResX: 1920
PlayResY: 1080

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Zh,Noto Sans CJK SC,64,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,60,1
Style: Bo,Tibetan Machine Uni,60,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,60,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


def write_ass(path, events, header=HEADER):
    path.write_text(header + "".join(f"Dialogue: 0,{s},{e},{style},,0,0,0,,{text}\n" for s, e, style, text in events),
                    encoding="utf-8")
    return path


def frame_times(video) -> list[float]:
    """Every frame's presentation time as ffprobe decodes it: the oracle for cue edges."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time",
                          "-of", "csv=p=0", str(video)], capture_output=True, text=True, check=True).stdout
    return [float(line.strip(",")) for line in out.split() if line.strip(",")]


def shown(times: list[float], at: float) -> float:
    """The first frame shown at or after `at` (libass draws a cue on frames in [start, end))."""
    return next(t for t in times if t >= at - 1e-6)


def test_variable_frame_rate_cues_are_timed_by_presentation_time(tmp_path):
    # 30 fps, then every other frame (15 fps) from 2 s, every third (10 fps) from 5 s: burned in first,
    # so the subtitles keep their times and only the frames that show them thin out.
    events = [("0:00:01.00", "0:00:03.00", "Zh", "水是生命之源"), ("0:00:03.50", "0:00:05.50", "Zh", "我们要节约每一滴水"),
              ("0:00:06.00", "0:00:07.70", "Zh", "河流把水带到大海")]
    ass = write_ass(tmp_path / "vfr.ass", events)
    video = tmp_path / "entry" / "entry.mp4"
    video.parent.mkdir()
    keep = r"not(between(t\,2\,5)*mod(n\,2))*not(between(t\,5\,8)*mod(n\,3))"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=8",
           "-vf", f"ass={ass}:shaping=complex,select='{keep}'", "-fps_mode", "vfr",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(video))
    times = frame_times(video)
    assert len(times) < 8 * 30 * 0.7  # it is variable: far fewer frames than 30 fps would have
    proc = run_cli("extract", video, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    read = pysubs2.load(str(tmp_path / "out" / "burned-in.zh.srt"))
    want = [(shown(times, s), shown(times, e)) for s, e in [(1.0, 3.0), (3.5, 5.5), (6.0, 7.7)]]
    assert [(e.start, e.end) for e in read] == [(round(s * 1000), round(e * 1000)) for s, e in want]
    assert [e.plaintext for e in read] == [t for *_, t in events]
