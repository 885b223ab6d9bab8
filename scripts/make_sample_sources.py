"""Rebuild samples/ (the sample entry's audio and Tibetan subtitles) from the shared corpus.

Run once by a maintainer: `python scripts/make_sample_sources.py ../shared/corpus`. The outputs are
committed; `bilingual sample` builds the MP4 from them at run time.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pysubs2

LEAD_IN_S = 3.0
GAP_S = 1.0
DURATION_S = 125.0
# (file, licence) in the order they are heard.
PIECES = [
    ("mandarin/funasr_vad_example_70s.wav", "MIT"),
    ("mandarin/funasr_long_25s.wav", "MIT"),
    ("mandarin/funasr_asr_example.wav", "MIT"),
    ("mandarin/aishell1_BAC009S0724W0121.wav", "Apache-2.0"),
    ("mandarin/BAC009S0764W0121.wav", "Apache-2.0"),
    ("mandarin/BAC009S0764W0122.wav", "Apache-2.0"),
]


def duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def speech_spans(path: Path) -> list[tuple[float, float]]:
    """Speech stretches by ffmpeg's silencedetect (−35 dB, 0.35 s)."""
    log = subprocess.run(["ffmpeg", "-nostdin", "-i", str(path), "-af", "silencedetect=n=-35dB:d=0.35",
                          "-f", "null", "-"], capture_output=True, text=True).stderr
    starts = [float(x) for x in re.findall(r"silence_start: ([\d.]+)", log)]
    ends = [float(x) for x in re.findall(r"silence_end: ([\d.]+)", log)]
    total = duration(path)
    spans, cursor = [], 0.0
    for s, e in zip(starts, ends + [total], strict=False):
        if s - cursor > 0.3:
            spans.append((cursor, s))
        cursor = e
    if total - cursor > 0.3:
        spans.append((cursor, total))
    return spans


def merge_close(spans: list[tuple[float, float]], gap: float = 0.6, shortest: float = 1.0) -> list[tuple[float, float]]:
    """Subtitle-sized stretches: pauses shorter than `gap` do not end a cue; blips are dropped."""
    merged: list[tuple[float, float]] = []
    for s, e in spans:
        if merged and s - merged[-1][1] < gap:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return [(s, e) for s, e in merged if e - s >= shortest]


def split_long(spans: list[tuple[float, float]], longest: float = 6.0) -> list[tuple[float, float]]:
    out = []
    for s, e in spans:
        n = max(1, int((e - s) // longest) + 1)
        step = (e - s) / n
        out.extend((s + i * step, s + (i + 1) * step) for i in range(n))
    return out


def main(corpus: Path) -> None:
    samples = Path(__file__).resolve().parent.parent / "samples"
    lines = [e.plaintext.strip() for e in pysubs2.load(str(corpus / "subtitles/tibetan/STT_AB00172.derived.srt"))]
    lines = [ln for ln in lines if 12 <= len(ln) <= 40]
    inputs, filters, cues, t = [], [], [], LEAD_IN_S
    for i, (name, _) in enumerate(PIECES):
        path = corpus / name
        inputs += ["-i", str(path)]
        filters.append(f"[{i}:a]aresample=16000,aformat=channel_layouts=mono,adelay={int(t * 1000)}[a{i}]")
        for s, e in split_long(merge_close(speech_spans(path))):
            cues.append((t + s, t + e))
        t += duration(path) + GAP_S
    mix = "".join(f"[a{i}]" for i in range(len(PIECES)))
    filters.append(f"{mix}amix=inputs={len(PIECES)}:normalize=0,apad=whole_dur={DURATION_S}[out]")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *inputs, "-filter_complex", ";".join(filters),
                    "-map", "[out]", "-t", str(DURATION_S), "-c:a", "flac", str(samples / "sample-entry.audio.flac")],
                   check=True)
    subs = pysubs2.SSAFile()
    for (s, e), text in zip(cues, lines, strict=False):
        subs.append(pysubs2.SSAEvent(start=round(s * 1000), end=round(e * 1000), text=text))
    subs.save(str(samples / "sample-entry.bo.srt"))
    print(f"{len(cues)} cues, audio {DURATION_S} s")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus"))
