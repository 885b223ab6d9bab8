"""Rules on the speech: speech where the profile has a pairing rule, a spoken language decided (or a
reviewer asked to listen), the pairing of spoken and subtitle language the profile allows, the
pairing rule left unchecked, and — in Mandarin categories — cues that say what is spoken."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bilingual.calibration import hedged
from bilingual.facts import Facts
from bilingual.model import Finding, Severity
from bilingual.pairing import Pairing, detect_pairing
from bilingual.profiles import Profile
from bilingual.speech.language import SpeechAnalysis

MISMATCH_CER = 0.6  # Whisper base misreads 10–30 % of Mandarin characters; beyond 60 % the texts differ


def language_rule(facts: Facts, profile: Profile) -> list[Finding]:
    analysis = facts.speech
    if analysis is None:
        return []
    if analysis.language == "none":
        return [Finding("audio.no_speech", Severity.ERROR if profile.pairing else Severity.WARNING,
                        data={"speech_s": round(analysis.speech_s, 2)})]
    if not facts.language_analysed:
        return unchecked_pairing(profile, "no_language")
    if analysis.language == "unknown":
        return [Finding("audio.needs_listen", Severity.WARNING, data={"reason": undecided_reason(analysis)})]
    return [Finding("audio.language", Severity.INFO, data={
        "language": analysis.language, "confidence": analysis.audio_section()["confidence"]})]


# The speech's RMS level under which a judge may not hear it: the corpus's 12 recordings lie at
# −12.7 to −39.0 dBFS (AISHELL's raw read speech the quietest), the bundled sample at −28.9. A new
# user's narration turned down 35 dB, at −64.0, was still heard as Mandarin, and nothing said so.
QUIET_SPEECH_DBFS = -45.0


def quiet_speech_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`audio.quiet` (warning): speech found, at an RMS level under QUIET_SPEECH_DBFS."""
    analysis = facts.speech
    if analysis is None or analysis.language == "none" or analysis.level_dbfs is None \
            or analysis.level_dbfs >= QUIET_SPEECH_DBFS:
        return []
    return [Finding("audio.quiet", Severity.WARNING, data={
        "level_dbfs": round(analysis.level_dbfs, 1), "limit_dbfs": QUIET_SPEECH_DBFS,
        "speech_s": round(analysis.speech_s, 2)})]


def pairing_rule(facts: Facts, profile: Profile) -> list[Finding]:
    if facts.pairing is None:
        return []
    findings = pairing_findings(facts.pairing, profile)
    if facts.track is not None and facts.track.unreadable_bands:
        # subtitles the picture may hold were not read (`ocr.unreadable_band`): they may be the
        # language the pairing lacks, so it fails nothing; a person looks
        findings = [replace(f, severity=Severity.WARNING, data={**f.data, "needs_look": True})
                    if f.severity is Severity.ERROR else f for f in findings]
    if facts.speech is None:
        return findings
    # Speech decided below the calibrated level fails no pairing: a person listens (issue 13, item 6).
    return hedged(findings, ("pairing.invalid",), facts.speech.confidence,
                  Finding("pairing.needs_look", Severity.WARNING, data={"language": facts.speech.language}))


def pairing_findings(pairing: Pairing, profile: Profile) -> list[Finding]:
    """`pairing.invalid` where the detected pairing is not one the profile allows."""
    rule = profile.pairing
    if pairing.detected is None or rule is None or pairing.detected in rule.allowed:
        return []
    return [Finding("pairing.invalid", Severity(rule.severity), data={
        "reason_code": pairing.reason_code, "detected": pairing.detected, "allowed": rule.allowed, "cite": rule.cite})]


def pairing_verdict(audio_language: str, subtitle_languages: list[str],
                    profile: Profile) -> tuple[dict[str, Any], list[Finding]]:
    """The pairing section of the report and its findings, for a spoken and the subtitle languages."""
    allowed = profile.pairing.allowed if profile.pairing else None
    pairing = detect_pairing(audio_language, subtitle_languages, allowed or ())
    return pairing.section(allowed), pairing_findings(pairing, profile)


def no_speech_analysed_rule(facts: Facts, profile: Profile) -> list[Finding]:
    return [] if facts.speech_analysed or facts.media is None else unchecked_pairing(profile, "no_speech")


def unchecked_pairing(profile: Profile, why: str) -> list[Finding]:
    """A warning where the profile's pairing rule was not checked: such a report is never a pass."""
    rule = profile.pairing
    if rule is None:
        return []
    return [Finding("pairing.unchecked", Severity.WARNING,
                    data={"variant": why, "allowed": rule.allowed, "cite": rule.cite})]


def undecided_reason(analysis: SpeechAnalysis) -> str:
    """The windows' verdicts in short ("zh 12 s, unknown 20 s"), for the request to listen."""
    seconds: dict[str, float] = {}
    for w in analysis.windows:
        seconds[w.verdict] = seconds.get(w.verdict, 0.0) + w.speech_s
    return ", ".join(f"{lang} {s:.0f} s" for lang, s in sorted(seconds.items(), key=lambda kv: -kv[1]))


def content_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """Cues whose Chinese text disagrees with the Mandarin said under them (`content.mismatch`)."""
    return [Finding.at(s.cue, "content.mismatch", Severity.WARNING, speech=s.said, cer=round(s.cer, 2))
            for s in facts.said_under or [] if s.cer is not None and s.cer > MISMATCH_CER]
