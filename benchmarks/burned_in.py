"""Benchmark: burned-in subtitles (layer 4) — accuracy over fonts × styles, fades, dual-language
and no subtitles; the offset of burned-in cues against real speech; speed.

Accuracy: 20-second 1080p clips over a textured moving picture at 6 Mbit/s, six cues each (real
lines: Tibetan from OpenPecha STT subtitles, Chinese from the FunASR transcript), rendered by libass
(complex shaping) in each font and style; cues found, first/last frame exact on hard cuts and within
2 frames of half opacity on fades, character error (NFC code points, spaces removed; a cue not found
counts 100 %). Offset: the FunASR recording with its cues burned in, shifted by 0, +0.5, −1 s.
Speed: a 5-minute 1080p entry with Tibetan subtitles every 3 s: reading it (a whole process: probe,
scan, OCR) against `ffmpeg -i entry.mp4 -f null -`, alternating.

    .venv/bin/python benchmarks/burned_in.py
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import unicodedata
from dataclasses import dataclass

import pysubs2
from common import CACHE, REPO, measure, report, summary
from rapidfuzz.distance import Levenshtein

from bilingual.media import probe  # noqa: E402
from bilingual.sources.burnedin.read import read_burned_in  # noqa: E402

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


@dataclass
class Track:
    """One line of subtitles burned in: its font, style, texts (one cue each, `every` seconds apart),
    height above the bottom and fade."""

    font: str
    style: str
    texts: list[str]
    marginv: int = 60
    fade_s: float = 0.0
    every: float = 3.0
    at: list[tuple[float, float]] | None = None  # the cues' own times, instead of every `every` s

    def times(self) -> list[tuple[float, float]]:
        if self.at is not None:
            return self.at
        return [(1.0 + i * self.every, 1.0 + (i + 1) * self.every - 0.4) for i in range(len(self.texts))]

    def expected(self) -> list[tuple[int, int]]:
        """First and last frame of each cue: on a fade, the frames shown at half opacity or more."""
        half = self.fade_s / 2
        return [(math.ceil(round((start + half) * FPS, 6)),
                 math.floor(round((end - half) * FPS, 6)) - (0 if half else 1))
                for start, end in self.times()]


def render(tracks: list[Track], path, duration=20, audio=None, encode=CONTEST_ENCODE) -> None:
    """Burn the tracks into a textured, moving 1080p picture with libass (complex shaping, as video
    editors shape Tibetan); skipped when the same file was rendered the same way before."""
    doc = pysubs2.SSAFile()
    doc.info.update({"PlayResX": "1920", "PlayResY": "1080"})
    for n, track in enumerate(tracks):
        colour, border, outline, back = STYLES[track.style]
        doc.styles[f"S{n}"] = pysubs2.SSAStyle(fontname=track.font, fontsize=FONT_SIZES.get(track.font, 60),
                                               borderstyle=border, outline=outline, shadow=0, alignment=2,
                                               marginv=track.marginv)
        fade = rf"{{\fad({int(track.fade_s * 1000)},{int(track.fade_s * 1000)})}}" if track.fade_s else ""
        for (start, end), text in zip(track.times(), track.texts, strict=False):
            doc.append(pysubs2.SSAEvent(start=round(start * 1000), end=round(end * 1000), text=fade + text,
                                        style=f"S{n}"))
    ass = path.with_suffix(".ass")
    # colours set in ASS form (pysubs2 writes its own): primary, outline black, back as given
    text = doc.to_string("ass")
    for n, track in enumerate(tracks):
        text = _set_colours(text, f"S{n}", STYLES[track.style][0], STYLES[track.style][3])
    audio_in = ["-i", str(audio), "-shortest", "-c:a", "aac"] if audio else []
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
               "-i", BACKGROUND.format(fps=FPS, duration=duration), *audio_in[:2], "-vf", f"ass={ass}:shaping=complex",
               *audio_in[2:], *encode, "-pix_fmt", "yuv420p", str(path)]
    key = path.with_suffix(".key")
    if path.exists() and key.exists() and key.read_text("utf-8") == text + repr(command):
        return
    ass.write_text(text, encoding="utf-8")
    subprocess.run(command, check=True)
    key.write_text(text + repr(command), encoding="utf-8")


def _set_colours(ass: str, style: str, primary: str, back: str) -> str:
    out = []
    for line in ass.splitlines():
        if line.startswith(f"Style: {style},"):
            f = line.split(",")
            f[3], f[5], f[6] = primary, "&H00000000", back
            line = ",".join(f)
        out.append(line)
    return "\n".join(out) + "\n"


def cer(truth: str, read: str) -> float:
    a = unicodedata.normalize("NFC", truth).replace(" ", "")
    b = unicodedata.normalize("NFC", read).replace(" ", "")
    return Levenshtein.distance(a, b) / max(1, len(a))


def _matching(expected: tuple[int, int], truth: str, read):
    """The cue read over the expected frames whose text is nearest the truth (None when no cue
    overlaps them): with two lines shown together, each expected line finds its own band's cue."""
    def overlap(r) -> int:
        return min(expected[1], r.cue.last_frame) - max(expected[0], r.cue.first_frame) + 1
    over = [r for r in read if overlap(r) > 0]
    return min(over, key=lambda r: (cer(truth, r.reading.text), -overlap(r)), default=None)


def score(tracks: list[Track], path, tolerance: int = 0) -> dict:
    """Cues found, edges within `tolerance` frames, character error (a cue not found counts 100 %)."""
    read = read_burned_in(path, probe(path))
    expected = [(e, t) for track in tracks for e, t in zip(track.expected(), track.texts, strict=False)]
    matches = [(e, t, _matching(e, t, read)) for e, t in expected]
    edges = sum((abs(m.cue.first_frame - e[0]) <= tolerance) + (abs(m.cue.last_frame - e[1]) <= tolerance)
                for e, _, m in matches if m is not None)
    return {"cues": len(expected), "read": len(read), "found": sum(m is not None for *_, m in matches),
            "edges_ok": edges, "edges": 2 * len(expected),
            "cer": round(statistics.mean(cer(t, m.reading.text if m else "") for _, t, m in matches), 4)
            if expected else None}


def accuracy() -> dict:
    rows = []
    for language, fonts in FONTS.items():  # hard cuts: every font in every style
        for font in fonts:
            for style in STYLES:
                tracks = [Track(font, style, lines(language))]
                path = CACHE / f"burn-{language}-{font.replace(' ', '')}-{style}.mp4"
                render(tracks, path)
                rows.append({"case": "hard cuts", "language": language, "font": font, "style": style,
                             **score(tracks, path)})
    for language, fonts in FONTS.items():  # fades of 0.3 s in and out: edges at half opacity ± 2 frames
        tracks = [Track(fonts[0], "white-outline", lines(language), fade_s=0.3)]
        path = CACHE / f"burn-{language}-fades.mp4"
        render(tracks, path)
        rows.append({"case": "fades", "language": language, "font": fonts[0], "style": "white-outline",
                     **score(tracks, path, tolerance=2)})
    tracks = [Track(FONTS["bo"][0], "white-outline", lines("bo"), marginv=150),  # dual: Tibetan above
              Track(FONTS["zh"][0], "white-outline", lines("zh"))]
    render(tracks, CACHE / "burn-dual.mp4")
    rows.append({"case": "dual", "language": "bo+zh", "font": "both first", "style": "white-outline",
                 **score(tracks, CACHE / "burn-dual.mp4")})
    render([], CACHE / "burn-none.mp4")
    rows.append({"case": "no subtitles", "language": "-", **score([], CACHE / "burn-none.mp4")})
    hard = [r for r in rows if r["case"] in ("hard cuts", "dual")]
    with_cues = [r for r in rows if r["cues"]]
    return {"cases": rows,
            "found_share": round(sum(r["found"] for r in with_cues) / sum(r["cues"] for r in with_cues), 3),
            "invented_on_no_subtitles": rows[-1]["read"],
            "hard_cut_edges_exact_share": round(sum(r["edges_ok"] for r in hard) / sum(r["edges"] for r in hard), 3),
            "fade_edges_within_2_frames": [(r["language"], r["edges_ok"], r["edges"]) for r in rows
                                           if r["case"] == "fades"],
            "cer_by_language": {lang: round(statistics.mean(r["cer"] for r in rows
                                                            if r["case"] == "hard cuts" and r["language"] == lang), 4)
                                for lang in FONTS}}


def offset_against_speech() -> dict:
    """The FunASR recording with its own cues burned in (Chinese, one line), shifted by known amounts:
    the global offset `bilingual timing` finds from the picture against the speech."""
    corpus = REPO.parent / "shared" / "corpus"
    audio = corpus / "mandarin/funasr_vad_example_70s.wav"
    cues = pysubs2.load(str(corpus / "mandarin/funasr_vad_example_70s.machine.srt"))
    rows = []
    for shift in (0.0, 0.5, -1.0):
        doc = [(e.start / 1000 + shift, e.end / 1000 + shift, e.plaintext[:16]) for e in cues]
        track = Track(FONTS["zh"][0], "white-outline", [t for *_, t in doc], at=[(s, e) for s, e, _ in doc])
        path = CACHE / f"burn-offset-{shift:+g}.mp4"
        render([track], path, duration=71, audio=audio,
               encode=["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "6M"])
        out = subprocess.run([str(REPO / ".venv/bin/bilingual"), "timing", str(path), "--format", "json"],
                             capture_output=True, text=True).stdout
        found = json.loads(out)["timing"]["offset_s"]
        rows.append({"shift_s": shift, "offset_s": found, "error_ms": round(abs(found - shift) * 1000)})
    return {"cases": rows, "worst_error_ms": max(r["error_ms"] for r in rows), "target": "within 100 ms"}


READ = ("import sys, json; from bilingual.media import probe; "
        "from bilingual.sources.burnedin.read import engine_calls, read_burned_in; "
        "read = read_burned_in(sys.argv[1], probe(sys.argv[1])); "
        "json.dump({'cues': [[r.cue.first_frame, r.cue.last_frame, r.reading.text] for r in read], "
        "'calls': engine_calls}, open(sys.argv[2], 'w'))")


def speed(runs: int = 3) -> dict:
    """Reading the 5-minute entry (a whole process: probe, scan, OCR) against ffmpeg decoding it,
    alternating, `runs` pairs; ratio = median of the pairs' ratios."""
    path = CACHE / "burn-5min-6M.mp4"
    track = Track("Tibetan Machine Uni", "white-outline", (lines("bo") * 17)[:99])
    render([track], path, duration=300)
    texts, expected = track.texts, track.expected()
    decode_cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"]
    read_cmd = [sys.executable, "-c", READ, str(path), str(CACHE / "read-5min.json")]
    pairs = [(measure(decode_cmd), measure(read_cmd)) for _ in range(runs)]
    result = json.loads((CACHE / "read-5min.json").read_text("utf-8"))
    read, calls = result["cues"], result["calls"]
    found = {(first, last): text for first, last, text in read}
    ours = [r[0] for _, r in pairs]
    return {"decode_s": summary([d[0] for d, _ in pairs]), "read_s": summary(ours),
            "ratio_median_of_pairs": round(statistics.median(r[0] / d[0] for d, r in pairs), 2),
            "frames_per_s": round(300 * FPS / statistics.median(ours), 1),
            "peak_rss_mb": round(max(r[1] for _, r in pairs)),
            "ocr_calls_per_cue": {engine: round(n / max(1, len(read)), 2) for engine, n in calls.items()},
            "cues": len(expected), "cues_read": len(read), "exact_boundaries": sum(e in found for e in expected),
            "cer": round(statistics.mean(cer(t, found.get(e, "")) for t, e in zip(texts, expected, strict=False)), 4),
            "target": "ratio ≤ 1.5 (aim 1.2), peak ≤ 1.5 GB"}


def main() -> None:
    report({"accuracy": accuracy(), "offset_against_speech": offset_against_speech(),
            "speed_5min_1080p": speed()})


if __name__ == "__main__":
    main()
