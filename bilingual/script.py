"""Script analysis of a track: which script each cue is written in, which language that makes the
track, whether it is dual-language, and how Tibetan is written (Unicode, Wylie, a legacy font).
Whether that writing is allowed and clean is the rules' (`rules.script`).

Unicode-block counts decide; fastText is recorded beside them as a second opinion.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from bilingual.model import Cue, SubtitleTrack
from bilingual.text import chinese, langid, tibetan
from bilingual.text.scripts import ScriptCounts, language_label

TRACK_LANGUAGE_SHARE = 0.05  # a language present in this share of cues is one of the track's languages
LEGACY_SHARE = 0.25  # measured: legacy-font mojibake lines are ≥ 40 % Latin-1 glyphs, European text < 10 %
WYLIE_SHARE = 0.8  # measured: EWTS lines 1.0; English 0.4–0.67; pinyin 0.67


@dataclass
class CueScript:
    cue: Cue
    counts: ScriptCounts
    languages: tuple[str, ...]
    written_as: str = "unicode"  # "unicode" | "wylie" | "legacy_font"
    as_tibetan: str = ""  # what a romanised cue says in Tibetan script

    @property
    def language(self) -> str:
        return language_label(self.languages)

    def to_dict(self) -> dict[str, Any]:
        return {"cue": self.cue.index, "start_s": round(self.cue.start_s, 3), "end_s": round(self.cue.end_s, 3),
                "text": self.cue.text, "language": self.language, "languages": list(self.languages),
                "written_as": self.written_as, "shares": self.counts.shares(),
                "langid": langid.identify(self.cue.text)}


@dataclass
class TrackScript:
    cues: list[CueScript]
    counts: ScriptCounts
    languages: list[str]
    main_language: str  # the most common cue language
    chinese_variant: str | None
    langid: dict[str, Any] | None = None
    expects_tibetan: bool = True
    # Dual-language subtitles: two languages shown together — both in one cue, cues of each language
    # at the same times (two bands burned into the picture), or two sidecar files read as one track.
    dual: bool = False

    @property
    def language(self) -> str:
        return language_label(self.languages)

    @property
    def pairing_languages(self) -> list[str]:
        """The subtitle languages the pairing is judged on: both of a dual-language track, else the
        one that dominates (stray lines of another language are `script.mixed` findings, not a pairing)."""
        return self.languages[:2] if self.dual else self.languages[:1]

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "languages": self.languages, "main_language": self.main_language,
                "chinese_variant": self.chinese_variant, "shares": self.counts.shares(), "langid": self.langid,
                "cue_count": len(self.cues), "dual_language": self.dual}


def analyze_track(track: SubtitleTrack, *, expects_tibetan: bool = True, second_opinion: bool = True) -> TrackScript:
    """Scripts and languages of a track; `expects_tibetan` (the contest accepts Tibetan subtitles)
    tests Latin cues as Tibetan written wrongly; `second_opinion=False` skips fastText (the
    Unicode-block rules decide either way)."""
    cues = _romanised_only_if_the_track_is(_cue_script(cue, expects_tibetan) for cue in track.cues)
    per_language = Counter(lang for c in cues for lang in c.languages)
    spoken = [c for c in cues if c.languages]
    threshold = max(1, TRACK_LANGUAGE_SHARE * len(spoken))
    languages = [lang for lang, n in per_language.most_common() if n >= threshold]
    main = Counter(c.language for c in spoken).most_common(1)
    text = "\n".join(c.text for c in track.cues)
    result = TrackScript(
        cues=cues,
        counts=sum((c.counts for c in cues), ScriptCounts()),
        languages=languages,
        main_language=main[0][0] if main else "none",
        chinese_variant=chinese.variant(text),
        langid=langid.identify(" ".join(c.text for c in track.cues[:200])) if second_opinion else None,
        expects_tibetan=expects_tibetan,
    )
    result.dual = len(languages) >= 2 and runs_through(cues, languages[1]) and (
        result.main_language == "mixed" or len(track.sidecars) > 1
        or shown_together(cues, languages[0], languages[1]))
    return result


# Dual-language subtitles carry the second language through the track: one cue with both lines
# (100 % of cues), two bands or two sidecars of the same lines (≈ 50 %). Stray lines are a handful:
# the cases reported in issue 13 were 1 of 16 cues and 3 of 51 (6 %). 30 % lies well between; a
# track translated for less than a third of its cues is not a bilingual presentation either.
DUAL_SHARE = 0.3  # of the cues with letters, or of their time on screen


def runs_through(cues: list[CueScript], language: str) -> bool:
    """Whether `language` holds at least DUAL_SHARE of the cues, or of the cue time."""
    spoken = [c for c in cues if c.languages]
    holding = [c for c in spoken if language in c.languages]
    total_time = sum(c.cue.end_s - c.cue.start_s for c in spoken)
    time_share = sum(c.cue.end_s - c.cue.start_s for c in holding) / total_time if total_time > 0 else 0.0
    return bool(spoken) and max(len(holding) / len(spoken), time_share) >= DUAL_SHARE


TOGETHER_SHARE = 0.5  # of one language's cues shown while a cue of the other is: the two are one presentation


def shown_together(cues: list[CueScript], first: str, second: str) -> bool:
    """Whether most cues of the less frequent of two languages are on screen with a cue of the other
    (two lines burned in as two bands, two tracks): dual-language subtitles, not stray cues of a
    second language between the cues of the first."""
    a = sorted((c.cue.start_s, c.cue.end_s) for c in cues if first in c.languages and second not in c.languages)
    b = [(c.cue.start_s, c.cue.end_s) for c in cues if second in c.languages and first not in c.languages]
    if len(a) < len(b):
        a, b = sorted(b), a
    if not a or not b:
        return False
    starts = [s for s, _ in a]
    latest_end = list(accumulate((e for _, e in a), max))  # the latest end among cues starting so far
    overlapping = 0
    for start, end in b:
        i = bisect_left(starts, end)  # cues of `a` that start before this one ends
        overlapping += i > 0 and latest_end[i - 1] > start
    return overlapping >= TOGETHER_SHARE * len(b)


def _cue_script(cue: Cue, expects_tibetan: bool) -> CueScript:
    counts = ScriptCounts.of(cue.text)
    result = CueScript(cue, counts, counts.languages())
    if expects_tibetan and result.language == "other":
        # Tibetan written without Tibetan Unicode: a lost legacy font, or Wylie/EWTS romanisation.
        if tibetan.legacy_glyph_share(cue.text) >= LEGACY_SHARE:
            result.languages, result.written_as = ("bo",), "legacy_font"
        else:
            roman = tibetan.romanization(cue.text)
            if roman.tokens >= 2 and roman.share >= WYLIE_SHARE:
                result.languages, result.written_as, result.as_tibetan = ("bo",), "wylie", roman.unicode_text
    return result


ROMANISED_TRACK_SHARE = 0.5  # measured: a real English track (808 cues) has 4 cues that read as EWTS


def _romanised_only_if_the_track_is(cues: Iterable[CueScript]) -> list[CueScript]:
    """A few short Latin lines read as valid EWTS by chance ("God, no."); Wylie is believed only
    when most of the track's Latin-script cues are Wylie."""
    cues = list(cues)
    latin = [c for c in cues if c.written_as == "wylie" or c.language == "other"]
    wylie = [c for c in latin if c.written_as == "wylie"]
    if wylie and len(wylie) < ROMANISED_TRACK_SHARE * len(latin):
        for c in wylie:
            c.languages, c.written_as, c.as_tibetan = c.counts.languages(), "unicode", ""
    return cues
