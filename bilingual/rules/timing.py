"""The profile's timing tolerances (`[timing]`) on the timing analysis: offset, blocks, drift, and
each cue against the speech under it."""

from __future__ import annotations

from bilingual.calibration import hedged
from bilingual.facts import Facts
from bilingual.model import Cue, Finding, Severity
from bilingual.profiles import Profile
from bilingual.timing import TimingAnalysis


def timing_rule(facts: Facts, profile: Profile) -> list[Finding]:
    return timing_findings(facts.timing, profile) if facts.timing is not None else []


def timing_findings(analysis: TimingAnalysis, profile: Profile) -> list[Finding]:
    t = profile.timing
    out: list[Finding] = []

    def severity(offset: float) -> Severity | None:
        size = abs(offset)
        return Severity.ERROR if size >= t.offset_error_s else Severity.WARNING if size >= t.offset_warning_s else None

    if len(analysis.segments) > 1:
        by_index = {c.cue.index: c.cue for c in analysis.cues}
        for seg in analysis.segments:
            sev = severity(seg.offset_s) or Severity.WARNING
            out.append(Finding("timing.split", sev, by_index[seg.first_cue].start_s, by_index[seg.last_cue].end_s,
                               seg.first_cue, {**seg.to_dict(), "blocks": len(analysis.segments), "cite": t.cite}))
    elif (offset_severity := severity(analysis.offset_s)) is not None:
        out.append(Finding("timing.offset", offset_severity, data={
            "offset_s": round(analysis.offset_s, 3), "confidence": round(analysis.confidence, 3),
            "direction": "late" if analysis.offset_s > 0 else "early", "cite": t.cite}))
    if analysis.drift is not None:
        out.append(Finding("timing.drift", Severity.ERROR, data={
            "ratio": round(analysis.drift, 5), "cause": drift_cause(analysis.drift)}))
    for c in analysis.cues:
        data = {"corrected_start_s": round(c.start_s, 3), "offset_s": round(c.offset_s, 3)}
        if c.speech_share < t.min_speech_share:
            out.append(Finding.at(c.cue, "timing.cue_without_speech", Severity.WARNING, **data,
                                  speech_share=round(c.speech_share, 2)))
        elif c.onset_delta_s is not None and c.onset_delta_s < -t.early_s:
            out.append(Finding.at(c.cue, "timing.cue_early", Severity.WARNING, **data,
                                  by_s=round(-c.onset_delta_s, 3), limit_s=t.early_s))
        elif c.onset_delta_s is not None and c.onset_delta_s > t.late_s:
            out.append(Finding.at(c.cue, "timing.cue_late", Severity.WARNING, **data,
                                  by_s=round(c.onset_delta_s, 3), limit_s=t.late_s))
    for s, e in analysis.uncovered_speech:
        if e - s >= t.speech_without_cue_s:
            out.append(Finding("timing.speech_without_cue", Severity.WARNING, s, e, None,
                               {"duration_s": round(e - s, 2), "limit_s": t.speech_without_cue_s}))
    # A placement below the calibrated level fails nothing: a person looks (issue 13, item 6). Nor
    # does it pass: with no problem found it is still unverified (the Tibetan recitation from 60 s,
    # split under music at 6 dB, placed as one block at 0.303 passed). Unmeasurable placements (cues
    # back to back, calibrated with the lowest bin: right on 35 % held back) ask too; entries with
    # no cues or no speech have no placement, and ask nothing.
    return hedged(out, PLACEMENT_CODES, analysis.confidence, Finding("timing.needs_look", Severity.WARNING),
                  unsure_alone=True)


PLACEMENT_CODES = ("timing.offset", "timing.split", "timing.drift")  # what the calibrated confidence is about


# The cues after the speech ends, when there are SPEECH_STOPS_CUES or more running SPEECH_STOPS_S or
# longer, say one thing: the narration stops, the subtitles go on (a sound track cut or muted in the
# edit?). A closing line or two over the end music is common; the new-user trial's narration, cut at
# 24 s of a 50-s entry, left 8 cues over 25 s, each its own `timing.cue_without_speech` and nothing
# that said what they add up to.
SPEECH_STOPS_CUES = 3
SPEECH_STOPS_S = 10.0
# Speech from the first of those cues on, outside them, that says the speech comes back: VAD blips
# under music or noise (a few tenths of a second) do not.
SPEECH_AGAIN_S = 2.0


def _speech_between(spans: list[tuple[float, float]], cues: list[Cue]) -> float:
    """Seconds of speech from the first cue's start on that no cue of `cues` covers."""
    total = 0.0
    for start, end in spans:
        start = max(start, cues[0].start_s)
        covered = sum(max(0.0, min(end, c.end_s) - max(start, c.start_s)) for c in cues)
        total += max(0.0, end - start - covered)
    return total


def speech_stops_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`timing.speech_stops` (warning): the track's last cues, SPEECH_STOPS_CUES or more over
    SPEECH_STOPS_S or longer, all have no speech under them (`timing.cue_without_speech` each), and
    less than SPEECH_AGAIN_S of speech comes after the first of them outside them."""
    analysis, speech = facts.timing, facts.speech
    if analysis is None or speech is None or not speech.spans:
        return []
    trailing = []
    for c in reversed(analysis.cues):
        if c.speech_share >= profile.timing.min_speech_share:
            break
        trailing.append(c.cue)
    trailing.reverse()
    if len(trailing) < SPEECH_STOPS_CUES or trailing[-1].end_s - trailing[0].start_s < SPEECH_STOPS_S \
            or _speech_between(speech.spans, trailing) >= SPEECH_AGAIN_S:  # speech comes back: not its end
        return []
    first, last = trailing[0], trailing[-1]
    before = [end for start, end in speech.spans if start < first.start_s]
    return [Finding("timing.speech_stops", Severity.WARNING, first.start_s, last.end_s, first.index, {
        "speech_end_s": round(max(before, default=0.0), 3), "cues": len(trailing),
        "first_cue": first.index, "last_cue": last.index, "from_s": round(first.start_s, 3),
        "to_s": round(last.end_s, 3)})]


_KNOWN_RATIOS = {25 / 23.976: "25 vs 23.976 fps", 25 / 24: "25 vs 24 fps", 30 / 29.97: "30 vs 29.97 fps",
                 29.97 / 25: "29.97 vs 25 fps"}


def drift_cause(ratio: float) -> str:
    for known, label in _KNOWN_RATIOS.items():
        for r in (known, 1 / known):
            if abs(ratio / r - 1) < 2e-4:
                return label
    return "a stretch of the subtitle time line"
