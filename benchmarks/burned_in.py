"""Benchmark: burned-in subtitles (layer 4) — accuracy over fonts × styles, and speed.

Accuracy: 20-second 1080p clips over a moving test picture, six cues each (real lines: Tibetan from
OpenPecha STT subtitles, Chinese from the FunASR transcript), rendered by libass in each font and
style; cues found, first/last frame exact, character error (NFC code points, spaces removed).
Speed: a 5-minute 1080p entry with Tibetan subtitles every 3 s: reading it (scan + OCR) against
`ffmpeg -i entry.mp4 -f null -` in the same run.

    .venv/bin/python benchmarks/burned_in.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import unicodedata

import pysubs2
from rapidfuzz.distance import Levenshtein

from common import CACHE, REPO, measure, report, summary

from bilingual.media import probe  # noqa: E402
from bilingual.ocr import read_burned_in  # noqa: E402

FONTS = {"bo": ["Tibetan Machine Uni", "Noto Serif Tibetan"], "zh": ["Noto Sans CJK SC", "Noto Serif CJK SC"]}
STYLES = {  # PrimaryColour, BorderStyle, Outline, BackColour
    "white-outline": ("&H00FFFFFF", 1, 3, "&H00000000"),
    "yellow-outline": ("&H0000FFFF", 1, 3, "&H00000000"),
    "box": ("&H00FFFFFF", 3, 6, "&H60000000"),
}
FPS = 25
# ASS font sizes giving letters of about the same height (Noto Serif Tibetan's line box is tall:
# at 56 its letters are half the height of Tibetan Machine Uni's).
FONT_SIZES = {"Tibetan Machine Uni": 56, "Noto Serif Tibetan": 84}


def lines(language: str) -> list[str]:
    corpus = REPO.parent / "shared" / "corpus"
    if language == "bo":
        texts = [e.plaintext for e in pysubs2.load(str(corpus / "subtitles/tibetan/STT_AB00173.derived.srt"))]
        return [t for t in texts if 15 <= len(t) <= 35][:6]
    texts = [e.plaintext for e in pysubs2.load(str(corpus / "mandarin/funasr_vad_example_70s.machine.srt"))]
    return [t[:14] for t in texts if len(t) >= 8][:6]


# A textured, moving picture: the test pattern with fresh grain every frame.
BACKGROUND = "testsrc2=size=1920x1080:rate={fps}:duration={duration},noise=alls=12:allf=t+u"
# The contest's kind of file: H.264 at 6 Mbit/s (5–8 allowed), deblocking and B-frames on.
CONTEST_ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-b:v", "6M", "-maxrate", "8M", "-bufsize", "12M"]


def render(language: str, font: str, style: str, texts: list[str], path, duration=20, every=3.0) -> list[tuple[int, int]]:
    colour, border, outline, back = STYLES[style]
    size = FONT_SIZES.get(font, 60)
    doc = pysubs2.SSAFile()
    doc.info.update({"PlayResX": "1920", "PlayResY": "1080"})
    doc.styles["S"] = pysubs2.SSAStyle(fontname=font, fontsize=size, primarycolor=pysubs2.Color(0, 0, 0),
                                        borderstyle=border, outline=outline, shadow=0, alignment=2, marginv=60)
    expected = []
    for i, text in enumerate(texts):
        start, end = 1.0 + i * every, 1.0 + i * every + every - 0.4
        doc.append(pysubs2.SSAEvent(start=int(start * 1000), end=int(end * 1000), text=text, style="S"))
        expected.append((round(start * FPS), round(end * FPS) - 1))
    ass = path.with_suffix(".ass")
    # colours set in ASS form (pysubs2 writes its own): primary, outline black, back as given
    text = _set_colours(doc.to_string("ass"), colour, back)
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
               "-i", BACKGROUND.format(fps=FPS, duration=duration), "-vf", f"ass={ass}:shaping=complex",
               *CONTEST_ENCODE, "-pix_fmt", "yuv420p", str(path)]
    key = path.with_suffix(".key")
    if path.exists() and key.exists() and key.read_text("utf-8") == text + repr(command):
        return expected  # rendered before, the same way
    ass.write_text(text, encoding="utf-8")
    subprocess.run(command, check=True)
    key.write_text(text + repr(command), encoding="utf-8")
    return expected


def _set_colours(ass: str, primary: str, back: str) -> str:
    out = []
    for line in ass.splitlines():
        if line.startswith("Style: S,"):
            f = line.split(",")
            f[3], f[5], f[6] = primary, "&H00000000", back
            line = ",".join(f)
        out.append(line)
    return "\n".join(out) + "\n"


def cer(truth: str, read: str) -> float:
    a = unicodedata.normalize("NFC", truth).replace(" ", "")
    b = unicodedata.normalize("NFC", read).replace(" ", "")
    return Levenshtein.distance(a, b) / max(1, len(a))


def _overlapping(expected: tuple[int, int], read) -> str:
    """The text read for the cue overlapping the expected frames most ("" when none: counts as all wrong)."""
    def overlap(r) -> int:
        return min(expected[1], r.cue.last_frame) - max(expected[0], r.cue.first_frame) + 1
    best = max(read, key=overlap, default=None)
    return best.reading.text if best is not None and overlap(best) > 0 else ""


def accuracy() -> dict:
    rows = []
    for language, fonts in FONTS.items():
        texts = lines(language)
        for font in fonts:
            for style in STYLES:
                path = CACHE / f"burn-{language}-{font.replace(' ', '')}-{style}.mp4"
                expected = render(language, font, style, texts, path)
                read = read_burned_in(path, probe(path))
                exact = sum(1 for e in expected if any((r.cue.first_frame, r.cue.last_frame) == e for r in read))
                texts_read = [_overlapping(e, read) for e in expected]
                rows.append({"language": language, "font": font, "style": style, "cues": len(expected),
                             "found": len(read), "exact_boundaries": exact,
                             "cer": round(statistics.mean(cer(t, r) for t, r in zip(texts, texts_read)), 4)})
    return {"cases": rows,
            "exact_share": round(sum(r["exact_boundaries"] for r in rows) / sum(r["cues"] for r in rows), 3),
            "cer_by_language": {lang: round(statistics.mean(r["cer"] for r in rows if r["language"] == lang), 4)
                                for lang in FONTS}}


READ = ("import sys, json; from bilingual.media import probe; from bilingual.ocr import read_burned_in; "
        "read = read_burned_in(sys.argv[1], probe(sys.argv[1])); "
        "json.dump([[r.cue.first_frame, r.cue.last_frame, r.reading.text] for r in read], open(sys.argv[2], 'w'))")


def speed(runs: int = 3) -> dict:
    """Reading the 5-minute entry (a whole process: probe, scan, OCR) against ffmpeg decoding it,
    alternating, `runs` pairs; ratio = median of the pairs' ratios."""
    path = CACHE / "burn-5min-6M.mp4"
    texts = (lines("bo") * 17)[:99]
    expected = render("bo", "Tibetan Machine Uni", "white-outline", texts, path, duration=300, every=3.0)
    decode_cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"]
    read_cmd = [sys.executable, "-c", READ, str(path), str(CACHE / "read-5min.json")]
    pairs = [(measure(decode_cmd), measure(read_cmd)) for _ in range(runs)]
    read = json.loads((CACHE / "read-5min.json").read_text("utf-8"))
    found = {(first, last): text for first, last, text in read}
    ours = [r[0] for _, r in pairs]
    return {"decode_s": summary([d[0] for d, _ in pairs]), "read_s": summary(ours),
            "ratio_median_of_pairs": round(statistics.median(r[0] / d[0] for d, r in pairs), 2),
            "frames_per_s": round(300 * FPS / statistics.median(ours), 1),
            "peak_rss_mb": round(max(r[1] for _, r in pairs)),
            "cues": len(expected), "cues_read": len(read), "exact_boundaries": sum(e in found for e in expected),
            "cer": round(statistics.mean(cer(t, found.get(e, "")) for t, e in zip(texts, expected)), 4),
            "target": "ratio ≤ 1.5 (aim 1.2), peak ≤ 1.5 GB"}


def main() -> None:
    report({"accuracy": accuracy(), "speed_5min_1080p": speed()})


if __name__ == "__main__":
    main()
