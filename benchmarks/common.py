"""Shared by the benchmarks: the 5-minute entry, and timing a whole process with its peak memory."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache"
sys.path.insert(0, str(REPO))

from bilingual.sample import samples_dir  # noqa: E402

# Runs one command (argv[2:]) and writes its wall time and the peak RSS of its process tree's largest
# member to argv[1]; the exit status is the command's. A command is started by this small Python
# because Linux keeps a process's high-water RSS across exec and a child starts with its parent's:
# started by a larger process, it would be measured at that process's size.
MEASURE = ("import resource, subprocess, sys, time\n"
           "t = time.perf_counter()\n"
           "code = subprocess.run(sys.argv[2:]).returncode\n"
           "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
           "open(sys.argv[1], 'w').write(f'{time.perf_counter() - t} {peak}')\n"
           "sys.exit(code if code >= 0 else 128 - code)")


def five_minute_entry() -> Path:
    """300 s, 1920×1080, 25 fps, 7.5 Mbit/s H.264 + AAC: the sample's audio (Mandarin) looped,
    its Tibetan subtitles beside it."""
    CACHE.mkdir(parents=True, exist_ok=True)
    video = CACHE / "entry-5min.mp4"
    if not video.exists():
        audio = samples_dir() / "sample-entry.audio.flac"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
             "-i", "testsrc2=size=1920x1080:rate=25:duration=300,noise=alls=12:allf=t",
             "-stream_loop", "-1", "-i", str(audio), "-map", "0:v", "-map", "1:a", "-t", "300",
             "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-b:v", "7500k",
             "-maxrate", "7500k", "-bufsize", "15000k", "-c:a", "aac", "-movflags", "+faststart", str(video)],
            check=True)
    subs = CACHE / "entry-5min.bo.srt"
    if not subs.exists():
        import pysubs2

        one = pysubs2.load(str(samples_dir() / "sample-entry.bo.srt"))
        looped = pysubs2.SSAFile()
        for k in range(3):  # the audio loops every 125 s
            for e in one:
                looped.append(pysubs2.SSAEvent(start=e.start + k * 125000, end=e.end + k * 125000, text=e.text))
        looped.events = [e for e in looped if e.end <= 300000]
        looped.save(str(subs))
    return video


def measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one run of `cmd` as a whole process. A command that could not
    do its job (exit 2 or more: bilingual's input and internal errors) stops the benchmark: timing a
    refusal would report a fast run that did nothing (transcribe refusing an existing output did)."""
    with tempfile.NamedTemporaryFile("r") as figures:
        done = subprocess.run([sys.executable, "-c", MEASURE, figures.name, *cmd], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        if done.returncode >= 2:
            raise SystemExit(f"benchmark: {cmd[0]} … exited {done.returncode}: {done.stderr.strip()[-400:]}")
        wall, rss = figures.read().split()
    return float(wall), float(rss)


def summary(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3), "max": round(max(values), 3)}


def report(result: dict) -> None:
    print(json.dumps(result, indent=2, ensure_ascii=False))
