"""Benchmark: the static screen (`bilingual check`, layer 1) of a 5-minute 1080p entry.

Reference measured in the same run: `ffprobe` of the same file (the floor: any checker must probe).
Runs alternate (A B A B …) so a noisy shared machine hits both alike; medians and the median of the
per-pair ratios are reported.

    .venv/bin/python benchmarks/static_screen.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache"
sys.path.insert(0, str(REPO))

from bilingual.sample import samples_dir  # noqa: E402


def five_minute_entry() -> Path:
    """300 s, 1920×1080, 25 fps, 7.5 Mbit/s H.264 + AAC, the sample's audio looped, subtitles beside it."""
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
        subs = (samples_dir() / "sample-entry.bo.srt").read_text("utf-8")
        (CACHE / "entry-5min.bo.srt").write_text(subs, encoding="utf-8")
    return video


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    video = five_minute_entry()
    check = [str(REPO / ".venv/bin/bilingual"), "check", str(video), "--format", "json"]
    probe = ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(video)]
    timed(check), timed(probe)  # warm the page cache and imports
    pairs = [(timed(check), timed(probe)) for _ in range(args.runs)]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    result = {
        "entry": {"duration_s": 300, "size_mb": round(video.stat().st_size / 1_048_576, 1), "resolution": "1920x1080"},
        "runs": args.runs,
        "check_s": {"min": round(min(a), 3), "median": round(statistics.median(a), 3), "max": round(max(a), 3)},
        "ffprobe_s": {"min": round(min(b), 3), "median": round(statistics.median(b), 3), "max": round(max(b), 3)},
        "ratio_check_over_ffprobe_median": round(statistics.median(x / y for x, y in pairs), 2),
        "peak_rss_mb_any_child": round(peak_mb, 1),
        "target": "check < 2 s on 2 cores",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
