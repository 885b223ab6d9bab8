"""Benchmark: burned-in subtitles (layer 4) — accuracy over fonts × styles, and speed.

Accuracy: 20-second 1080p clips over a moving test picture, six cues each (real lines: Tibetan from
OpenPecha STT subtitles, Chinese from the FunASR transcript), rendered by libass in each font and
style; cues found, first/last frame exact, character error (NFC code points, spaces removed).
Speed: a 5-minute 1080p entry with Tibetan subtitles every 3 s: reading it (scan + OCR) against
`ffmpeg -i entry.mp4 -f null -` in the same run.

    .venv/bin/python benchmarks/burned_in.py
"""

from __future__ import annotations

import statistics
import subprocess
import time
import unicodedata

import pysubs2
from rapidfuzz.distance import Levenshtein

from common import CACHE, REPO, report

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
    doc.save(str(ass))
    text = ass.read_text("utf-8")
    text = text.replace("Style: S,", "Style: S,", 1)
    # colours set in ASS form (pysubs2 writes its own): primary, outline black, back as given
    text = _set_colours(text, colour, back)
    ass.write_text(text, encoding="utf-8")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
                    "-i", BACKGROUND.format(fps=FPS, duration=duration), "-vf", f"ass={ass}:shaping=complex",
                    *CONTEST_ENCODE, "-pix_fmt", "yuv420p", str(path)], check=True)
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


def accuracy() -> dict:
    rows = []
    for language, fonts in FONTS.items():
        texts = lines(language)
        for font in fonts:
            for style in STYLES:
                path = CACHE / f"burn-{language}-{font.replace(' ', '')}-{style}.mp4"
                expected = render(language, font, style, texts, path)
                read = read_burned_in(path, probe(path))
                found = {(r.cue.first_frame, r.cue.last_frame): r.reading.text for r in read}
                exact = sum(1 for e in expected if e in found)
                matched = [(t, found[e]) for t, e in zip(texts, expected) if e in found]
                rows.append({"language": language, "font": font, "style": style, "cues": len(expected),
                             "found": len(read), "exact_boundaries": exact,
                             "cer": round(statistics.mean(cer(t, r) for t, r in matched), 4) if matched else None})
    return {"cases": rows,
            "exact_share": round(sum(r["exact_boundaries"] for r in rows) / sum(r["cues"] for r in rows), 3),
            "cer_by_language": {lang: round(statistics.mean(r["cer"] for r in rows if r["language"] == lang
                                                            and r["cer"] is not None), 4) for lang in FONTS}}


def speed() -> dict:
    path = CACHE / "burn-5min-6M.mp4"
    texts = lines("bo")
    if not path.exists():
        render("bo", "Tibetan Machine Uni", "white-outline", (texts * 17)[:99], path, duration=300, every=3.0)
    start = time.perf_counter()
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"], check=True)
    decode = time.perf_counter() - start
    start = time.perf_counter()
    read = read_burned_in(path, probe(path))
    ours = time.perf_counter() - start
    return {"decode_s": round(decode, 2), "read_s": round(ours, 2), "ratio": round(ours / decode, 2),
            "cues_read": len(read), "frames_per_s": round(300 * FPS / ours, 1), "target": "ratio ≤ 1.5"}


def main() -> None:
    report({"accuracy": accuracy(), "speed_5min_1080p": speed()})


if __name__ == "__main__":
    main()
