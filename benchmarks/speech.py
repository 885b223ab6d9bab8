"""Benchmark: layer 2 on a 5-minute 1080p entry (Mandarin speech, Tibetan subtitles), 2 cores.

- `bilingual check` (static screen + VAD + language ID + pairing, model load included): target ≤ 10 s
- `bilingual transcribe` (full Mandarin transcript): target ≥ 15× real time
- peak memory of either: target ≤ 1.5 GB
- the full check against ffsubsync on the same entry: target ≤ 4× (issue 13)
Reference in the same run: ffsubsync syncing the same subtitles to the same video (it decodes the
audio and runs its own VAD: the nearest existing tool). ffsubsync is not a dependency of bilingual:
it is taken from PATH or installed (pip, from PyPI) into benchmarks/.cache/ffsubsync-venv once.
bilingual runs as `python -m bilingual` with the interpreter running this script (PYTHONPATH: a
worktree's code).

    .venv/bin/python benchmarks/speech.py [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys

from common import CACHE, five_minute_entry, measure, report, summary


def ffsubsync() -> str:
    found = shutil.which("ffsubsync")
    if found:
        return found
    venv = CACHE / "ffsubsync-venv"
    if not (venv / "bin/ffsubsync").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "-q", "ffsubsync"], check=True)
    return str(venv / "bin/ffsubsync")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    video = five_minute_entry()
    subs = video.with_suffix(".bo.srt")
    bilingual = [sys.executable, "-m", "bilingual"]
    commands = {
        "check": [*bilingual, "check", str(video), "--format", "json"],
        "transcribe": [*bilingual, "transcribe", str(video), "-o", str(CACHE / "transcript.srt"), "--force"],
        "ffsubsync": [ffsubsync(), str(video), "-i", str(subs), "-o", str(CACHE / "ffsubsync.srt")],
    }
    measure(commands["check"])  # joins the model once, warms the page cache
    runs = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            runs[name].append(measure(cmd))
    wall = {name: [r[0] for r in results] for name, results in runs.items()}
    report({
        "entry": {"duration_s": 300, "size_mb": round(video.stat().st_size / 1_048_576, 1)},
        "runs": args.runs,
        "wall_s": {name: summary(values) for name, values in wall.items()},
        "peak_rss_mb": {name: round(max(r[1] for r in results), 1) for name, results in runs.items()},
        "check_over_ffsubsync": round(statistics.median(
            a / b for a, b in zip(wall["check"], wall["ffsubsync"], strict=False)), 2),
        "transcribe_x_real_time": round(300 / statistics.median(wall["transcribe"]), 1),
        "check_over_ffsubsync_pairs": [round(a / b, 2) for a, b in zip(wall["check"], wall["ffsubsync"], strict=False)],
        "targets": "check ≤ 10 s and ≤ 4× ffsubsync; transcribe ≥ 15× real time; peak ≤ 1.5 GB",
    })


if __name__ == "__main__":
    main()
