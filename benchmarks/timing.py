"""Benchmark: timing verification (layer 3) — accuracy on real speech and speed — beside ffsubsync.

Accuracy: two recordings with cues whose times are known (the FunASR 70 s recording with its VAD
cues; the sample entry's six Mandarin recordings with their cues), the cues shifted by −10 … +10 s,
split (a block moved) and stretched (frame-rate ratios). `bilingual timing` and `ffsubsync` run on
each; the error is the detected offset minus the shift (the unshifted file counts as correct).
Speed: the 5-minute 1080p entry, `bilingual timing` (probe, subtitles, audio, VAD, timing; no
language ID) against `ffsubsync` syncing the same subtitles, alternating.

    .venv/bin/python benchmarks/timing.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import time

import pysubs2
from common import CACHE, REPO, five_minute_entry, measure, report, summary
from speech import ffsubsync

SHIFTS = (-10.0, -5.0, -2.0, -0.5, -0.2, 0.0, 0.2, 0.5, 2.0, 5.0, 10.0)
SPLITS = (2.5, -1.5)
STRETCHES = (25 / 23.976, 23.976 / 25)


def recordings() -> list[tuple[str, str, str]]:
    from bilingual.sample import samples_dir

    corpus = REPO.parent / "shared" / "corpus"
    return [("funasr-70s", str(corpus / "mandarin/funasr_vad_example_70s.wav"),
             str(corpus / "mandarin/funasr_vad_example_70s.machine.srt")),
            ("sample-125s", str(samples_dir() / "sample-entry.audio.flac"), str(samples_dir() / "sample-entry.bo.srt"))]


def video_for(name: str, audio: str) -> str:
    path = CACHE / f"timing-{name}.mp4"
    if not path.exists():
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
                        "-i", audio, "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(path)],
                       check=True)
    return str(path)


def variant(srt: str, path: str, shift: float = 0.0, ratio: float = 1.0, split_at: int | None = None,
            split_shift: float = 0.0) -> str:
    subs = pysubs2.load(srt)
    for i, e in enumerate(subs, 1):
        d = split_shift if split_at and i >= split_at else shift
        e.start, e.end = round(e.start * ratio + d * 1000), round(e.end * ratio + d * 1000)
    subs.save(path)
    return path


def ours(video: str, subs: str) -> tuple[dict, float]:
    start = time.perf_counter()
    out = subprocess.run([str(REPO / ".venv/bin/bilingual"), "timing", video, "--subs", subs, "--format", "json"],
                         capture_output=True, text=True).stdout
    return json.loads(out)["timing"], time.perf_counter() - start


def theirs(video: str, subs: str) -> tuple[float, float, float]:
    """ffsubsync's offset (as "cues late by"), its frame-rate scale factor, and wall time."""
    start = time.perf_counter()
    log = subprocess.run([ffsubsync(), video, "-i", subs, "-o", str(CACHE / "ffs-out.srt")],
                         capture_output=True, text=True).stderr
    wall = time.perf_counter() - start
    offset = float(re.search(r"offset seconds: ([-0-9.]+)", log).group(1))
    scale = float(re.search(r"framerate scale factor: ([-0-9.]+)", log).group(1))
    return -offset, scale, wall


def accuracy() -> dict:
    rows = []
    for name, audio, srt in recordings():
        video = video_for(name, audio)
        n = len(pysubs2.load(srt))
        cases = [(f"shift {s:+g}", dict(shift=s), s) for s in SHIFTS]
        cases += [(f"split {d:+g} from cue {n // 2}", dict(split_at=n // 2, split_shift=d), None) for d in SPLITS]
        cases += [(f"stretch {r:.5f}", dict(ratio=r, shift=0.3), 0.3) for r in STRETCHES]
        for label, kwargs, truth in cases:
            subs = variant(srt, str(CACHE / f"case-{name}.srt"), **kwargs)
            timing, wall = ours(video, subs)
            their_offset, their_scale, their_wall = theirs(video, subs)
            row = {"recording": name, "case": label, "ours_offset_s": timing["offset_s"], "ours_drift": timing["drift"],
                   "ours_blocks": [(s["first_cue"], s["offset_s"]) for s in timing["segments"]],
                   "ffsubsync_offset_s": round(their_offset, 3), "ffsubsync_scale": their_scale,
                   "ours_wall_s": round(wall, 2), "ffsubsync_wall_s": round(their_wall, 2)}
            if truth is not None:
                row["ours_error_ms"] = round(abs(timing["offset_s"] - truth) * 1000)
                row["ffsubsync_error_ms"] = round(abs(their_offset - truth) * 1000)
            rows.append(row)
    shifted = [r for r in rows if r["case"].startswith("shift")]
    return {
        "cases": rows,
        "shift_error_ms": {
            "ours": {"median": statistics.median(r["ours_error_ms"] for r in shifted),
                     "max": max(r["ours_error_ms"] for r in shifted)},
            "ffsubsync": {"median": statistics.median(r["ffsubsync_error_ms"] for r in shifted),
                          "max": max(r["ffsubsync_error_ms"] for r in shifted)},
        },
        "timing_errors_on_correct_cues": [r["ours_blocks"] for r in rows if r["case"] == "shift +0"],
    }


def speed(runs: int) -> dict:
    video = five_minute_entry()
    subs = str(video.with_suffix(".bo.srt"))
    a_cmd = [str(REPO / ".venv/bin/bilingual"), "timing", str(video), "--subs", subs, "--format", "json"]
    b_cmd = [ffsubsync(), str(video), "-i", subs, "-o", str(CACHE / "ffs-5min.srt")]
    measure(a_cmd), measure(b_cmd)
    pairs = [(measure(a_cmd), measure(b_cmd)) for _ in range(runs)]
    return {"bilingual_timing_s": summary([a[0] for a, _ in pairs]), "ffsubsync_s": summary([b[0] for _, b in pairs]),
            "ratio_median_of_pairs": round(statistics.median(a[0] / b[0] for a, b in pairs), 2),
            "peak_rss_mb": {"bilingual": round(max(a[1] for a, _ in pairs)),
                            "ffsubsync": round(max(b[1] for _, b in pairs))},
            "target": "ratio ≤ 1.0"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args()
    result = {"speed_5min_1080p": speed(args.runs)}
    if not args.skip_accuracy:
        result["accuracy"] = accuracy()
    report(result)


if __name__ == "__main__":
    main()
