"""Stage 6, rules (speech side): is the spoken language paired with an allowed subtitle language?"""

from __future__ import annotations

from typing import Any

from bilingual.findings import Finding, Severity
from bilingual.profiles import Profile

LANGUAGE_NAMES = {"zh": "Mandarin", "bo": "Tibetan", "other": "another language", "none": "no speech"}


def detected_pairing(audio_language: str, subtitle_languages: list[str]) -> tuple[str | None, str]:
    """The pairing the entry shows ("zh-audio+bo-subs", …) or None, and why.

    Dual-language subtitles satisfy the pairing whose required subtitle language they contain.
    """
    subs = set(subtitle_languages)
    if audio_language == "unknown":
        return None, "the spoken language could not be decided"
    if audio_language == "none":
        return "invalid", "no speech in the audio"
    if audio_language == "other":
        return "invalid", "the speech is neither Mandarin nor Tibetan"
    if not subs:
        return None, "no subtitle text to pair with"
    other = "bo" if audio_language == "zh" else "zh"
    if other in subs:
        return f"{audio_language}-audio+{other}-subs", f"{LANGUAGE_NAMES[audio_language]} speech with " \
                                                      f"{LANGUAGE_NAMES[other]} subtitles"
    if audio_language in subs:
        return f"{audio_language}-audio+{audio_language}-subs", \
            f"{LANGUAGE_NAMES[audio_language]} speech with subtitles in the same language"
    return "invalid", f"{LANGUAGE_NAMES[audio_language]} speech with subtitles in another language"


def pairing_verdict(audio_language: str, subtitle_languages: list[str], profile: Profile) -> tuple[dict[str, Any], list[Finding]]:
    detected, reason = detected_pairing(audio_language, subtitle_languages)
    rule = profile.pairing
    if detected is None:
        return {"status": "unknown", "reason": reason, "detected": None}, []
    if rule is None:
        return {"status": detected, "reason": reason, "detected": detected}, []
    if detected in rule.allowed:
        return {"status": detected, "reason": reason, "detected": detected}, []
    reason = f"{reason}; the contest allows {' or '.join(rule.allowed)}"
    finding = Finding("pairing.invalid", Severity(rule.severity),
                      data={"reason": reason, "detected": detected, "allowed": rule.allowed, "cite": rule.cite})
    return {"status": "invalid", "reason": reason, "detected": detected}, [finding]
