"""Benchmark: is `timing.distinctness` a usable confidence? Generated cases on four real recordings
(the FunASR 70 s recording, the sample entry, the Mandarin and the Tibetan recitation with their
human cues): shifts −10 … +20 s, splits at the middle cue (+2.5, −1.5, +6, −4 s), tracks captioned
only to 85/70/55/40 % or from 30/50 % of the speech, two title cards before the narration. A result
is right when no drift is reported and every cue's offset is within 0.3 s of the truth (the file's
own offset plus the shift). Prints each case and, per band of distinctness, how many were right.

    .venv/bin/python benchmarks/timing_distinctness.py
"""

from __future__ import annotations

import pysubs2
from common import REPO, report

from bilingual.media import decode_audio  # noqa: E402  (common puts the repository on the path)
from bilingual.model import Cue  # noqa: E402
from bilingual.sample import samples_dir  # noqa: E402
from bilingual.speech.language import voice_activity  # noqa: E402
from bilingual.timing import analyze_timing, distinctness  # noqa: E402

BANDS = ((None, "not measurable"), (0.0, "< 1.1"), (1.1, "1.1–2.0"), (2.0, "≥ 2.0"))


def recordings() -> dict[str, tuple[str, str]]:
    corpus = REPO.parent / "shared" / "corpus"
    return {"funasr-70s": (str(corpus / "mandarin/funasr_vad_example_70s.wav"),
                           str(corpus / "mandarin/funasr_vad_example_70s.machine.srt")),
            "sample-125s": (str(samples_dir() / "sample-entry.audio.flac"), str(samples_dir() / "sample-entry.bo.srt")),
            "recitation-zh": (str(corpus / "mandarin/webuddhist_zh_prayer.mp3"),
                              str(corpus / "mandarin/webuddhist_zh_prayer.srt")),
            "recitation-bo": (str(corpus / "tibetan/webuddhist_bo_prayer.mp3"),
                              str(corpus / "tibetan/webuddhist_bo_prayer.srt"))}


def cases(base: list[tuple[float, float]]) -> list[tuple[str, list[tuple[float, float]], list[float | None]]]:
    """(label, cue times, each cue's true shift or None for a title card)."""
    n, out = len(base), []
    for shift in (-10, -5, -2, -1, -0.5, 0, 0.5, 1, 2, 5, 10, 20):
        out.append((f"shift {shift:+g}", [(s + shift, e + shift) for s, e in base], [shift] * n))
    for d in (2.5, -1.5, 6, -4):
        moved = [d if i >= n // 2 else 0.0 for i in range(n)]
        out.append((f"split {d:+g}", [(s + m, e + m) for (s, e), m in zip(base, moved, strict=False)], moved))
    for share in (0.85, 0.7, 0.55, 0.4):
        kept = [c for c in base if c[1] <= share * base[-1][1]]
        out += [(f"captioned to {share:.0%}", kept, [0.0] * len(kept))] if len(kept) >= 3 else []
    for share in (0.3, 0.5):
        kept = [c for c in base if c[0] >= share * base[-1][1]]
        out += [(f"captioned from {share:.0%}", kept, [0.0] * len(kept))] if len(kept) >= 3 else []
    for shift in (0, 2):
        shifted = [(s + shift, e + shift) for s, e in base]
        out.append((f"title cards, shift {shift:+g}", [(0.0, 1.0), (1.0, 2.0)] + shifted, [None, None] + [shift] * n))
    return out


def main() -> None:
    rows = []
    for name, (audio_path, srt) in recordings().items():
        audio = decode_audio(audio_path)
        spans, duration = voice_activity(audio), len(audio) / 16000
        base = [(e.start / 1000, e.end / 1000) for e in pysubs2.load(srt)]
        own = analyze_timing([Cue(i, s, e, "") for i, (s, e) in enumerate(base, 1)], spans, duration).offset_s
        for label, times, truth in cases(base):
            analysis = analyze_timing([Cue(i, s, e, "") for i, (s, e) in enumerate(times, 1)], spans, duration)
            error = max(abs(c.offset_s - (t + own))
                        for c, t in zip(analysis.cues, truth, strict=False) if t is not None)
            d = distinctness(analysis, spans, duration)
            rows.append({"recording": name, "case": label, "distinctness": None if d is None else round(d, 2),
                         "right": analysis.drift is None and error <= 0.3, "worst_cue_error_s": round(error, 2)})
    bands = {}
    for (low, label), (high, _) in zip(BANDS, (*BANDS[1:], (float("inf"), "")), strict=False):
        inside = [r for r in rows if (r["distinctness"] is None if low is None
                                      else r["distinctness"] is not None and low <= r["distinctness"] < high)]
        bands[label] = {"cases": len(inside), "right": sum(r["right"] for r in inside)}
    report({"cases": rows, "right_by_distinctness": bands})


if __name__ == "__main__":
    main()
