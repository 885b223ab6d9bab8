"""Benchmark: the static screen (`bilingual check --no-speech`, layer 1) of a 5-minute 1080p entry.

Reference measured in the same run: `ffprobe` of the same file (the floor: any checker must probe).
Runs alternate (A B A B …) so a noisy shared machine hits both alike.

    .venv/bin/python benchmarks/static_screen.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics

from common import REPO, five_minute_entry, measure, report, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    video = five_minute_entry()
    check = [str(REPO / ".venv/bin/bilingual"), "check", str(video), "--format", "json", "--no-speech"]
    probe = ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(video)]
    measure(check), measure(probe)  # warm the page cache
    pairs = [(measure(check), measure(probe)) for _ in range(args.runs)]
    report({
        "entry": {"duration_s": 300, "size_mb": round(video.stat().st_size / 1_048_576, 1), "resolution": "1920x1080"},
        "runs": args.runs,
        "check_static_s": summary([a[0] for a, _ in pairs]),
        "ffprobe_s": summary([b[0] for _, b in pairs]),
        "ratio_check_over_ffprobe": round(statistics.median(a[0] / b[0] for a, b in pairs), 2),
        "check_peak_rss_mb": round(max(a[1] for a, _ in pairs), 1),
        "target": "check < 2 s on 2 cores",
    })


if __name__ == "__main__":
    main()
