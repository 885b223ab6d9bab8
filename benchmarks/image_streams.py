"""Benchmark: image subtitle streams (issue 14) — the 5-minute entry (`common.five_minute_entry`: 1080p,
7.5 Mbit/s, Mandarin speech) with its real Tibetan subtitles as a PGS stream in MKV (drawn by libass,
complex shaping, Tibetan Machine Uni, white with a black outline: `tests/test_image_streams.py`'s
writer), and the same stream as DVB in MPEG-TS and as VobSub in MP4 (converted by ffmpeg).

Per stream: cues found against the SRT's, times exact (to the millisecond; VobSub: within its 11.4 ms
tick), letter error (NFC code points, spaces removed), and the cost of reading it as a whole process
(probe + `imagestream.load_image_stream`) against `ffmpeg -i entry -f null -` (the whole decode the
burned-in reader starts from), alternating. Then `bilingual check` of the PGS entry end to end.

    .venv/bin/python benchmarks/image_streams.py [RUNS]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pysubs2
from common import CACHE, REPO, five_minute_entry, measure, report, summary
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(REPO / "tests"))
from test_image_streams import render_bitmaps, write_pgs  # noqa: E402

READ = ("import sys, json; from bilingual.media import probe; "
        "from bilingual.sources.imagestream import load_image_stream; "
        "m = probe(sys.argv[1]); t = load_image_stream(m, next(s for s in m.subtitle_streams if s.image_based)); "
        "json.dump([[c.start_s, c.end_s, c.text] for c in t.cues], open(sys.argv[2], 'w'))")
CHUNK = 10  # lines drawn at a time (two 1080p float renders of each are held)


def build() -> dict[str, Path]:
    """The PGS/MKV, DVB/TS and VobSub/MP4 entries (cached)."""
    video = five_minute_entry()
    cues = [(e.start / 1000, e.end / 1000, e.plaintext) for e in pysubs2.load(str(CACHE / "entry-5min.bo.srt"))]
    sup = CACHE / "entry-5min.bo.sup"
    if not sup.exists():
        bitmaps = []
        with tempfile.TemporaryDirectory() as folder:
            for i in range(0, len(cues), CHUNK):
                bitmaps += render_bitmaps(Path(folder), [t.replace("\n", "\\N") for *_, t in cues[i:i + CHUNK]],
                                          "bo", "white_outline")
        write_pgs(sup, [(s, e, b) for (s, e, _), b in zip(cues, bitmaps, strict=True)])
    entries = {"pgs": CACHE / "entry-5min-pgs.mkv", "dvbsub": CACHE / "entry-5min-dvb.ts",
               "dvdsub": CACHE / "entry-5min-vobsub.mp4"}
    for codec, path in entries.items():
        if not path.exists():
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(video), "-fix_sub_duration",
                            "-i", str(sup), "-map", "0:v", "-map", "0:a", "-map", "1:s", "-c:v", "copy", "-c:a",
                            "copy", "-c:s", "copy" if codec == "pgs" else codec, str(path)], check=True)
    return entries


def letter_error(truth: str, read: str) -> float:
    def norm(text: str) -> str:
        return unicodedata.normalize("NFC", text).replace(" ", "").replace("\n", "")

    return Levenshtein.distance(norm(truth), norm(read)) / max(1, len(norm(truth)))


def picture_shift(path: Path) -> float:
    """Where the picture starts in the file (the muxer moves every stream by the same amount: AAC's
    priming in MKV, 1.4 s in MPEG-TS); the subtitles' times count from the file's start."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "format=start_time:stream=start_time", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    raw = json.loads(out)
    return float(raw["streams"][0]["start_time"]) - float(raw["format"]["start_time"])


def accuracy(codec: str, read: list, truth: list[tuple[float, float, str]]) -> dict:
    """Cues read, times exact (start within 1.5 ms; the end too, VobSub's within its 11.4 ms tick) and
    letter error, each true cue matched with the read cue that starts nearest (a cue not read: 100 %)."""
    tolerance = 1024 / 90000 + 0.001 if codec == "dvdsub" else 0.0015  # ticks, then whole ms

    def nearest(start: float) -> list | None:
        best = min(read, key=lambda r: abs(r[0] - start), default=None)
        return best if best is not None and abs(best[0] - start) < 0.1 else None

    matched = [(cue, nearest(cue[0])) for cue in truth]
    return {"cues": len(truth), "cues_read": len(read),
            "times_exact": sum(1 for (s, e, _), r in matched
                               if r and abs(r[0] - s) <= 0.0015 and abs(r[1] - e) <= tolerance),
            "letter_error": round(statistics.mean(letter_error(t, r[2] if r else "") for (_, _, t), r in matched), 4)}


def stream_case(codec: str, path: Path, truth: list[tuple[float, float, str]], runs: int) -> dict:
    shift = picture_shift(path)
    truth = [(s + shift, e + shift, t) for s, e, t in truth]
    out = CACHE / f"read-{codec}.json"
    decode_cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"]
    pairs = [(measure(decode_cmd), measure([sys.executable, "-c", READ, str(path), str(out)])) for _ in range(runs)]
    return {**accuracy(codec, json.loads(out.read_text("utf-8")), truth), "picture_starts_at_s": round(shift, 3),
            "decode_s": summary([d[0] for d, _ in pairs]), "read_s": summary([r[0] for _, r in pairs]),
            "ratio_read_to_decode": round(statistics.median(r[0] / d[0] for d, r in pairs), 3),
            "peak_rss_mb": round(max(r[1] for _, r in pairs))}


def check_case(path: Path) -> dict:
    wall, rss = measure([sys.executable, "-m", "bilingual", "check", str(path), "--format", "json",
                         "-o", str(CACHE / "check-pgs.json"), "--force"])
    result = json.loads((CACHE / "check-pgs.json").read_text("utf-8"))
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(rss), "source": result["subtitles"]["source"],
            "language": result["subtitles"].get("language"), "pairing": result["pairing"].get("detected"),
            "offset_s": result["timing"].get("offset_s"), "verdict": result["verdict"],
            "codes": sorted({f["code"] for f in result["findings"] if f["severity"] in ("error", "warning")})}


def main(runs: int = 3) -> None:
    entries = build()
    truth = [(e.start / 1000, e.end / 1000, e.plaintext) for e in pysubs2.load(str(CACHE / "entry-5min.bo.srt"))]
    report({"streams": {codec: stream_case(codec, path, truth, runs) for codec, path in entries.items()},
            "check_pgs": check_case(entries["pgs"])})


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
