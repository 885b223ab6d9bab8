"""The profile's subtitle-script rules on the script analysis: the subtitle language allowed,
simplified Chinese, clean Unicode Tibetan, no stray cues of another language. Text read from the
picture carries where it was read, and an error never rests on OCR below `OCR_SURE`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bilingual.facts import Facts
from bilingual.model import CueReading, Finding, Severity
from bilingual.profiles import Profile
from bilingual.script import CueScript, TrackScript
from bilingual.text import chinese, tibetan

OCR_SURE = 0.9  # below this OCR confidence, a finding about the text itself is a warning at most


def script_rule(facts: Facts, profile: Profile) -> list[Finding]:
    if facts.script is None or facts.track is None:
        return []
    return with_ocr_evidence(script_findings(facts.script, profile), facts.track.readings)


def with_ocr_evidence(findings: list[Finding], readings: dict[int, CueReading] | None) -> list[Finding]:
    """Findings on text read from the picture, each with where its cue was read, never an error on
    text the OCR was unsure of."""
    if not readings:
        return findings
    return [f if f.cue not in readings else _read_at(f, readings[f.cue]) for f in findings]


def _read_at(finding: Finding, reading: CueReading) -> Finding:
    unsure = finding.severity is Severity.ERROR and round(reading.confidence, 3) < OCR_SURE
    return replace(finding, data={**finding.data, "ocr": reading.to_dict()},
                   severity=Severity.WARNING if unsure else finding.severity)


def script_findings(track: TrackScript, profile: Profile) -> list[Finding]:
    rules = profile.subtitles
    findings: list[Finding] = []
    if rules and track.languages and not set(track.languages) & set(rules.languages):
        findings.append(Finding("script.wrong_language", Severity.ERROR, data={
            "language": track.language, "languages": track.languages, "allowed": rules.languages,
            "cite": rules.cite}))
    if track.dual:
        findings.append(Finding("script.mixed", Severity.INFO, data={"languages": track.languages,
                                                                     "dual_language": True, "variant": "dual"}))
    for c in track.cues:
        findings.extend(_cue_findings(c, track, profile))
    return findings


def _cue_findings(c: CueScript, track: TrackScript, profile: Profile) -> list[Finding]:
    def finding(code: str, severity: Severity, **data: Any) -> Finding:
        return Finding.at(c.cue, code, severity, **data)

    out = []
    dual_cue = track.dual and set(c.languages) <= set(track.languages[:2])  # a line of a dual-language pair
    if track.main_language not in ("mixed", "none") and c.language not in (track.main_language, "none") \
            and not dual_cue:
        out.append(finding("script.mixed", Severity.WARNING, language=c.language, track_language=track.main_language))
    if profile.subtitles and profile.subtitles.chinese_variant == "simplified":
        traditional = list(dict.fromkeys(chinese.traditional_chars(c.cue.text)))
        if traditional:
            out.append(finding("script.traditional_chinese", Severity.ERROR,
                               characters=[{"char": ch, "simplified": chinese.to_simplified(ch)} for ch in traditional],
                               pairs="、".join(f"{ch}→{chinese.to_simplified(ch)}" for ch in traditional)))
    pua = list(dict.fromkeys(tibetan.private_use_chars(c.cue.text)))
    if pua:
        out.append(finding("tibetan.private_use", Severity.ERROR, codepoints=[tibetan.codepoint(ch) for ch in pua],
                           count=len(pua)))
    discouraged = list(dict.fromkeys(tibetan.discouraged_chars(c.cue.text)))
    if discouraged:
        out.append(finding("tibetan.discouraged_chars", Severity.WARNING,
                           characters=[{"char": tibetan.describe(ch), "use": " ".join(
                               tibetan.codepoint(d) for d in tibetan.DISCOURAGED[ch])} for ch in discouraged],
                           codepoints=", ".join(tibetan.codepoint(ch) for ch in discouraged)))
    if c.written_as == "wylie":
        out.append(finding("tibetan.romanized", Severity.ERROR, as_tibetan=c.as_tibetan))
    elif c.written_as == "legacy_font":
        out.append(finding("tibetan.legacy_font", Severity.ERROR,
                           legacy_share=round(tibetan.legacy_glyph_share(c.cue.text), 2)))
    if "bo" in c.languages and c.written_as == "unicode":
        invalid = list(dict.fromkeys(tibetan.invalid_syllables(c.cue.text)))
        if invalid:
            out.append(finding("tibetan.invalid_syllable", Severity.WARNING, syllables=invalid,
                               listed="、".join(invalid)))
    return out
