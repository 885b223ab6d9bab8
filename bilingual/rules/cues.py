"""The profile's cue rules: gaps, overlaps, duration, lines, line length, reading speed, and cue
edges on the shot changes (values from the profile's `[cues]`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import regex

from bilingual.facts import Facts
from bilingual.media import frame_rate
from bilingual.model import Cue, Finding, Severity
from bilingual.profiles import Profile, ValueRule
from bilingual.text import tibetan
from bilingual.text.scripts import ScriptCounts


def cue_rules(facts: Facts, profile: Profile) -> list[Finding]:
    """The cue rules on the cues timing looks at (`pairing.timing_cues`)."""
    return cue_findings(facts.timed_cues, profile, facts.fps) if facts.timed_cues is not None else []


def shot_change_rule(facts: Facts, profile: Profile) -> list[Finding]:
    if facts.timed_cues is None or facts.cuts is None:
        return []
    return shot_change_findings(facts.timed_cues, facts.cuts, profile, facts.fps)


_COUNTED = regex.compile(r"[\p{Han}\p{L}\p{N}]")
SHOT_NEAR_FRAMES = 12  # a cue edge this close to a cut, but not on it, was meant to be on it


def line_units(line: str) -> tuple[str, int]:
    """("zh", characters) or ("bo", syllables) for one subtitle line, by its main script."""
    counts = ScriptCounts.of(line)
    if counts.tibetan > counts.han:
        return "bo", len(tibetan.syllables(line))
    return "zh", len(_COUNTED.findall(line))


def cue_findings(cues: list[Cue], profile: Profile, fps: float | None) -> list[Finding]:
    """The profile's cue rules: gaps, overlaps, duration, lines, line length, reading speed."""
    r = profile.cues
    out: list[Finding] = []

    def flag(code: str, rule: ValueRule, cue: Cue, **data: Any) -> None:
        out.append(Finding.at(cue, code, Severity(rule.severity), limit=rule.value, unit=rule.unit, cite=rule.cite,
                              **data))

    ordered = sorted(cues, key=lambda c: (c.start_s, c.end_s))
    for prev, cue in zip(ordered, ordered[1:], strict=False):
        gap = cue.start_s - prev.end_s
        if gap < -0.001 and (prev.start_s, prev.end_s) != (cue.start_s, cue.end_s):
            out.append(Finding("cue.overlap", Severity.WARNING, cue.start_s, prev.end_s, cue.index,
                               {"text": cue.text, "previous_cue": prev.index, "overlap_s": round(-gap, 3)}))
        elif r.min_gap_s and 0.001 < gap < r.min_gap_s.seconds(fps) - 0.0005:
            flag("cue.gap", r.min_gap_s, cue, gap_s=round(gap, 3), previous_cue=prev.index,
                 limit_s=round(r.min_gap_s.seconds(fps), 3))
    for cue in cues:
        duration = cue.duration_s
        if r.min_duration_s and duration < r.min_duration_s.value:
            flag("cue.too_short", r.min_duration_s, cue, duration_s=round(duration, 3))
        if r.max_duration_s and duration > r.max_duration_s.value:
            flag("cue.too_long", r.max_duration_s, cue, duration_s=round(duration, 3))
        if r.max_lines and len(cue.lines) > r.max_lines.value:
            flag("cue.lines", r.max_lines, cue, lines=len(cue.lines))
        units: dict[str, int] = {"zh": 0, "bo": 0}
        for line in cue.lines:
            kind, n = line_units(line)
            units[kind] += n
            rule = r.max_line_chars_zh if kind == "zh" else r.max_line_syllables_bo
            if rule and n > rule.value:
                flag("cue.line_length", rule, cue, line=line, length=n,
                     counted="characters" if kind == "zh" else "syllables")
        for kind, rule in (("zh", r.max_chars_per_s_zh), ("bo", r.max_syllables_per_s_bo)):
            if rule and units[kind] and duration > 0 and units[kind] / duration > rule.value:
                flag("cue.reading_speed", rule, cue, rate=round(units[kind] / duration, 1),
                     counted="characters" if kind == "zh" else "syllables")
    return out


def shot_change_findings(cues: list[Cue], cuts: list[float], profile: Profile, fps: float | None) -> list[Finding]:
    """Cue in/out points a few frames off a nearby cut: the cut and the subtitle change should share a frame."""
    rule = profile.cues.shot_change_frames
    if rule is None or not cuts:
        return []
    frame = 1 / frame_rate(fps)
    marks = np.array(cuts)
    out = []
    for cue in cues:
        for edge, t in (("in", cue.start_s), ("out", cue.end_s)):
            nearest = float(marks[np.argmin(np.abs(marks - t))])
            frames = abs(t - nearest) / frame
            if rule.value + 0.5 < frames <= SHOT_NEAR_FRAMES:
                out.append(Finding.at(cue, "cue.shot_change", Severity(rule.severity), edge=edge,
                                      cut_s=round(nearest, 3), frames_off=round(frames, 1), cite=rule.cite))
    return out
