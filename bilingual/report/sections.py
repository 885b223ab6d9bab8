"""The report's sections in the shape of the contract (`subtitles`, `audio`, `pairing`, `timing`,
`cues`), built from an entry's facts: what each stage found, or what the contract says when it did
not run."""

from __future__ import annotations

from typing import Any

from bilingual.facts import Facts
from bilingual.profiles import Profile


def subtitles_section(facts: Facts) -> dict[str, Any]:
    track, script = facts.track, facts.script
    if track is not None and script is not None:
        streamed = track.source in ("embedded", "image_stream")
        where = {"stream_index": track.stream_index} if streamed else {"path": track.path}
        section = {"source": track.source, **where, "format": track.format, "encoding": track.encoding,
                   "language_tag": track.language_tag, **script.to_dict(),
                   **track.extra_dict()}  # sidecars; where each cue was read: frame time, band rows, confidence
        if facts.look is not None:
            look = facts.look
            section["picture"] = {"looked": True, "keyframes": look.frames, "languages": look.languages,
                                  "keyframes_with_text": look.seen, "seconds": round(look.seconds, 3),
                                  "fixed_lines": {lang: {"text": text, "keyframes": frames}
                                                  for lang, (text, frames) in look.fixed.items()},
                                  "off_centre": {lang: {"keyframes": frames, "at_s": round(at_s, 3), "text": text}
                                                 for lang, (frames, at_s, text) in look.aside.items()}}
        elif facts.look_unavailable is not None:
            section["picture"] = {"looked": False, "reason": facts.look_unavailable}
        return section
    section = {"source": "none", "encoding": None, "language": "none", "chinese_variant": None,
               "cue_count": 0, "languages": []}
    if facts.found is not None:
        section.update(source=facts.found.kind, **facts.found.where())
        if not facts.track_failed:  # found, read, and no cue in it
            section["source"] = "none"
    return section


def audio_section(facts: Facts) -> dict[str, Any]:
    """The audio section, with the VAD's speech stretches (10 ms) when speech was analysed."""
    if facts.speech is None:
        return {"language": "unknown", "confidence": None, "speech_s": None, "evidence": []}
    return facts.speech.audio_section()


def speech_segments(facts: Facts) -> list[list[float]] | None:
    return None if facts.speech is None else [[round(s, 2), round(e, 2)] for s, e in facts.speech.spans]


def pairing_section(facts: Facts, profile: Profile) -> dict[str, Any]:
    """The pairing as detected and judged against the profile's pairings; its `reason` (English) is
    the report's wording of `reason_code`."""
    if facts.pairing is not None:
        return facts.pairing.section(profile.pairing.allowed if profile.pairing else None)
    code = "not_analysed" if facts.speech is not None and not facts.language_analysed else "unanalysed"
    return {"status": "unknown", "reason": _english_reason(code), "reason_code": code}


def _english_reason(code: str) -> str:
    from bilingual.report import catalogue_text  # the package imports this module

    return catalogue_text(f"pairing.reason/{code}", "en") or code


def timing_section(facts: Facts) -> dict[str, Any]:
    section: dict[str, Any] = {"offset_s": None, "drift": None, "segments": [], "confidence": None}
    if facts.timed_cues is not None:
        section.update(cues_language=facts.timed_language, cue_count=len(facts.timed_cues))
    if facts.timing is not None:
        section.update(facts.timing.section())
    return section


def cues_section(facts: Facts) -> list[dict[str, Any]]:
    """Every cue as read, its language, and (when timed) where the correction puts it."""
    timed = {t.cue.index: t for t in facts.timing.cues} if facts.timing is not None else {}
    cues = []
    for c in facts.script.cues if facts.script is not None else []:
        cue = {"cue": c.cue.index, "start_s": round(c.cue.start_s, 3), "end_s": round(c.cue.end_s, 3),
               "text": c.cue.text, "language": c.language}
        if c.cue.index in timed:
            t = timed[c.cue.index]
            cue.update(corrected=[round(t.start_s, 3), round(t.end_s, 3)], speech_share=round(t.speech_share, 2))
        cues.append(cue)
    return cues
