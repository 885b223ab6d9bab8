"""Two readings of one entry's subtitles: its text track (a sidecar or a stream) and what is burned into
the picture (`--ocr on`). The text track stays the subtitles analysed; this says whether the picture
shows the same cues, at the same times, with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any

from bilingual.model import Cue, SubtitleTrack
from bilingual.script import TrackScript
from bilingual.text.cer import character_error_rate
from bilingual.text.scripts import ScriptCounts

MATCHED_SHARE = 0.8  # of the picture's cues (in the text track's languages) that must find their cue
START_TOLERANCE_S = 0.2  # median start difference within this: the same times (OCR is frame-exact)
CER_TOLERANCE = 0.15  # measured OCR letter error: Chinese 0 %, Tibetan 0–3.4 % by font and style (README)


@dataclass(frozen=True)
class PictureComparison:
    """The text track measured against the picture's cues (`compare_with_picture`)."""

    matched: int  # picture cues that found their text cue
    ocr_cues: int  # picture cues in a language the text track has
    text_cues: int
    start_diff_s: float | None  # median text start minus picture start over the matches
    cer: float | None  # character error of the picture's text against the matched text cues'
    disagree_on: tuple[str, ...]  # what was out of tolerance: "cues", "times", "text"

    @property
    def agrees(self) -> bool:
        return not self.disagree_on

    def data(self) -> dict[str, Any]:
        return {"matched": self.matched, "ocr_cues": self.ocr_cues, "text_cues": self.text_cues,
                "start_diff_s": None if self.start_diff_s is None else round(self.start_diff_s, 3),
                "cer": None if self.cer is None else round(self.cer, 3)}


def compare_with_picture(text: SubtitleTrack, script: TrackScript, picture: SubtitleTrack) -> PictureComparison:
    """Whether the picture shows the text track's cues, at the same times, with the same words
    (`rules.picture` makes it `ocr.agrees` or `ocr.disagrees`).

    Only the picture's cues in a language the text track has take part (a Tibetan sidecar says
    nothing about a Chinese line burned in beside it). Each is matched with the text cue that
    overlaps it in time and reads most like it (then: overlaps most), so a shifted track still
    pairs each cue with its own. Data: `matched` of `ocr_cues` picture cues found their text cue
    (`text_cues` cues in the track); `start_diff_s`, the median of text start minus picture start
    over the matches (+: the text track comes later than the picture); `cer`, the character error
    rate of the picture's text against the matched text cues' (spaces and punctuation ignored,
    `text.cer`); `disagree_on`, what was out of tolerance.
    """
    languages = set(script.languages)
    read = [c for c in picture.cues if set(ScriptCounts.of(c.text).languages()) & languages]
    pairs = [(cue, match) for cue in read if (match := _best_match(cue, text.cues)) is not None]
    # Text cues in order, each with the picture's lines matched to it from the top down (a dual cue
    # "Tibetan\nChinese" is the upper band, then the lower).
    bands = picture.readings or {}
    pairs.sort(key=lambda p: (p[1].start_s, p[1].index, bands[p[0].index].band[0] if p[0].index in bands else 0))
    matched_text = list({m.index: m for _, m in pairs}.values())
    cer = character_error_rate("".join(c.text for c in matched_text), "".join(c.text for c, _ in pairs)) \
        if pairs else None
    start_diff = median(m.start_s - c.start_s for c, m in pairs) if pairs else None
    disagree = []
    if not read or len(pairs) < MATCHED_SHARE * len(read):
        disagree.append("cues")
    if start_diff is not None and abs(start_diff) > START_TOLERANCE_S:
        disagree.append("times")
    if cer is not None and cer > CER_TOLERANCE:
        disagree.append("text")
    return PictureComparison(len(pairs), len(read), len(text.cues), start_diff, cer, tuple(disagree))


def _best_match(cue: Cue, candidates: list[Cue]) -> Cue | None:
    overlapping = [c for c in candidates if min(c.end_s, cue.end_s) > max(c.start_s, cue.start_s)]
    if not overlapping:
        return None

    def key(c: Cue) -> tuple[float, float]:
        cer = character_error_rate(c.text, cue.text)
        return (1.0 if cer is None else min(cer, 1.0)), -(min(c.end_s, cue.end_s) - max(c.start_s, cue.start_s))

    return min(overlapping, key=key)
