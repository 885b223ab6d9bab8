"""The pairing of spoken and subtitle language an entry shows (the contest rule that judges it is
`rules.speech`), and, for dual-language subtitles, which language's cues timing and the cue rules
look at."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bilingual.model import Cue, SubtitleTrack
    from bilingual.script import TrackScript



def detected_pairing(audio_language: str, subtitle_languages: list[str],
                     allowed: Sequence[str] = ()) -> tuple[str | None, str]:
    """The pairing the entry shows ("zh-audio+bo-subs", …) or None, and why: a reason code, worded
    in both languages by `messages.toml` ("pairing.reason/<code>"; the report words it).

    Dual-language subtitles satisfy the pairing whose required subtitle language they contain: with
    Tibetan and Chinese lines, Mandarin speech is "zh-audio+bo-subs" — or "zh-audio+zh-subs" where
    only that one is `allowed` (a Mandarin-only category).
    """
    subs = set(subtitle_languages)
    if audio_language == "unknown":
        return None, "undecided"
    if audio_language in ("none", "other"):
        return "invalid", f"{audio_language}_speech"
    if not subs:
        return None, "no_subtitle_text"
    other = "bo" if audio_language == "zh" else "zh"
    candidates = [lang for lang in (other, audio_language) if lang in subs]
    if not candidates:
        return "invalid", f"{audio_language}_other_subs"
    chosen = next((lang for lang in candidates if f"{audio_language}-audio+{lang}-subs" in allowed), candidates[0])
    dual = "_dual" if len(candidates) > 1 else ""
    return f"{audio_language}-audio+{chosen}-subs", f"{audio_language}_{chosen}{dual}"


@dataclass(frozen=True)
class Pairing:
    """The pairing detected ("zh-audio+bo-subs", "invalid", or None when it cannot be told) and why
    (a reason code, worded as "pairing.reason/<code>" in messages.toml)."""

    detected: str | None
    reason_code: str

    def status(self, allowed: Sequence[str] | None) -> str:
        """The report's pairing status: the detected pairing, "invalid" where `allowed` (the
        profile's pairings, None: no pairing rule) does not hold it, "unknown" where none was detected."""
        if self.detected is None:
            return "unknown"
        return self.detected if allowed is None or self.detected in allowed else "invalid"

    def section(self, allowed: Sequence[str] | None) -> dict[str, str | None]:
        return {"status": self.status(allowed), "reason_code": self.reason_code, "detected": self.detected}


def detect_pairing(audio_language: str, subtitle_languages: list[str],
                   allowed: Sequence[str] = ()) -> Pairing:
    return Pairing(*detected_pairing(audio_language, subtitle_languages, allowed))


def required_subtitle_language(pairing: str | None) -> str | None:
    """"zh-audio+bo-subs" → "bo"; None for "invalid" or an unknown pairing."""
    if not pairing or not pairing.endswith("-subs") or "-audio+" not in pairing:
        return None
    return pairing.split("+", 1)[1].removesuffix("-subs")


def timing_cues(track: SubtitleTrack, script: TrackScript, detected: str | None) -> tuple[list[Cue], str]:
    """The cues that timing and the cue rules run on, in time order, and their language.

    Dual-language subtitles (`script.dual`) are two presentations of the same words; timed together,
    the two languages' cues would overlap each other and blur the timing. Only the cues holding the
    required subtitle language of the detected pairing are used — Tibetan for Mandarin speech,
    Chinese for Tibetan speech — or, where the pairing is unknown or names no subtitle language,
    those of the language with more cues (ties: the track's first language). A cue that holds both
    languages (one cue, two lines) counts for both. Any other track is used whole; its language is
    the track's ("bo", "zh", "mixed", …).
    """
    ordered = sorted(track.cues, key=lambda c: (c.start_s, c.end_s, c.index))
    if not script.dual:
        return ordered, script.language
    languages = {c.cue.index: c.languages for c in script.cues}
    counts = Counter(lang for c in script.cues for lang in c.languages)
    wanted = required_subtitle_language(detected)
    if wanted is None or not counts.get(wanted):
        wanted = max(script.languages[:2], key=lambda lang: counts[lang])
    return [c for c in ordered if wanted in languages.get(c.index, ())], wanted
