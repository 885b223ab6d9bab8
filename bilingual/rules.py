"""Stage 6, rules: the profile's rules applied to the facts — media, cue rules, timing, checklist."""

from __future__ import annotations

from typing import Any

import numpy as np
import regex

from bilingual import tibetan
from bilingual.calibration import hedged
from bilingual.findings import Finding, Severity
from bilingual.media import MediaInfo
from bilingual.profiles import AspectRule, ContainerRule, Profile, RangeRule, ResolutionRule, Rule, ValueRule
from bilingual.script import ScriptCounts
from bilingual.subtitles import Cue
from bilingual.timing import TimingAnalysis


def media_findings(media: MediaInfo, profile: Profile) -> list[Finding]:
    rules = profile.media
    checks = [
        _container(media, rules.container),
        _range("media.duration", media.duration_s, rules.duration_s),
        _resolution(media, rules.resolution),
        _aspect(media, rules.aspect),
        _range("media.filesize", media.size_bytes / rules.mb_bytes, rules.filesize_mb),
    ]
    findings = [f for f in checks if f is not None]
    if not media.has_video:
        findings.append(Finding("media.no_video", Severity.ERROR))
    if not media.audio_streams:
        findings.append(Finding("media.no_audio", Severity.ERROR))
    return findings


def _finding(code: str, rule: Rule, severity: str | None = None, **data: Any) -> Finding:
    return Finding(code, Severity(severity or rule.severity), data={**data, "cite": rule.cite})


def _container(media: MediaInfo, rule: ContainerRule | None) -> Finding | None:
    if rule is None or media.container in rule.allowed:
        return None
    return _finding("media.container", rule, container=media.container, allowed="/".join(rule.allowed))


def _range(code: str, value: float | None, rule: RangeRule | None) -> Finding | None:
    if rule is None or value is None:
        return None
    limits = f"{_num(rule.min) if rule.min is not None else ''}–{_num(rule.max) if rule.max is not None else ''}"
    data: dict[str, Any] = {"value": round(value, 2), "min": rule.min, "max": rule.max, "limits": limits}
    if rule.min is not None and value < rule.min:
        return _finding(code, rule, **data)
    if rule.max is not None and value > rule.max:
        hard = rule.hard_max
        if hard is not None and value <= hard:
            return _finding(code, rule, "warning", **data, hard_max=hard)
        return _finding(code, rule, **data, hard_max=hard)
    return None


def _resolution(media: MediaInfo, rule: ResolutionRule | None) -> Finding | None:
    if rule is None or not media.has_video:
        return None
    size = [media.width or 0, media.height or 0]  # has_video: both are known
    if rule.allowed and size not in rule.allowed:
        required = " / ".join(f"{w}×{h}" for w, h in rule.allowed)
    elif rule.min_short_side and min(size) < rule.min_short_side:
        required = f"≥{rule.min_short_side}p"
    else:
        return None
    return _finding("media.resolution", rule, width=media.width, height=media.height, required=required)


def _aspect(media: MediaInfo, rule: AspectRule | None) -> Finding | None:
    ratio = media.display_aspect_ratio
    if rule is None or ratio is None:
        return None
    for label in rule.allowed:
        w, _, h = label.partition(":")
        if abs(ratio / (float(w) / float(h)) - 1) <= rule.tolerance:
            return None
    return _finding("media.aspect", rule, aspect=media.display_aspect, ratio=round(ratio, 4),
                    allowed=" / ".join(rule.allowed))


def _num(value: float) -> str:
    return f"{value:g}"


def manual_findings(profile: Profile) -> list[Finding]:
    """The rules a machine cannot judge: the reviewer's checklist."""
    return [Finding(item.code, Severity.MANUAL, data={"cite": item.cite}, text={"zh": item.zh, "en": item.en})
            for item in profile.manual]


# ---- cue rules -------------------------------------------------------------------------------

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
        out.append(Finding(code, Severity(rule.severity), cue.start_s, cue.end_s, cue.index,
                           {"text": cue.text, "limit": rule.value, "unit": rule.unit, "cite": rule.cite, **data}))

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
    frame = 1 / (fps or 25.0)
    marks = np.array(cuts)
    out = []
    for cue in cues:
        for edge, t in (("in", cue.start_s), ("out", cue.end_s)):
            nearest = float(marks[np.argmin(np.abs(marks - t))])
            frames = abs(t - nearest) / frame
            if rule.value + 0.5 < frames <= SHOT_NEAR_FRAMES:
                out.append(Finding("cue.shot_change", Severity(rule.severity), cue.start_s, cue.end_s, cue.index,
                                   {"text": cue.text, "edge": edge, "cut_s": round(nearest, 3),
                                    "frames_off": round(frames, 1), "cite": rule.cite}))
    return out


# ---- timing against speech ------------------------------------------------------------------

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
        data = {"text": c.cue.text, "corrected_start_s": round(c.start_s, 3), "offset_s": round(c.offset_s, 3)}
        if c.speech_share < t.min_speech_share:
            out.append(Finding("timing.cue_without_speech", Severity.WARNING, c.cue.start_s, c.cue.end_s,
                               c.cue.index, {**data, "speech_share": round(c.speech_share, 2)}))
        elif c.onset_delta_s is not None and c.onset_delta_s < -t.early_s:
            out.append(Finding("timing.cue_early", Severity.WARNING, c.cue.start_s, c.cue.end_s, c.cue.index,
                               {**data, "by_s": round(-c.onset_delta_s, 3), "limit_s": t.early_s}))
        elif c.onset_delta_s is not None and c.onset_delta_s > t.late_s:
            out.append(Finding("timing.cue_late", Severity.WARNING, c.cue.start_s, c.cue.end_s, c.cue.index,
                               {**data, "by_s": round(c.onset_delta_s, 3), "limit_s": t.late_s}))
    for s, e in analysis.uncovered_speech:
        if e - s >= t.speech_without_cue_s:
            out.append(Finding("timing.speech_without_cue", Severity.WARNING, s, e, None,
                               {"duration_s": round(e - s, 2), "limit_s": t.speech_without_cue_s}))
    # A placement below the calibrated level fails nothing: a person looks (issue 13, item 6).
    return hedged(out, PLACEMENT_CODES, analysis.confidence, Finding("timing.needs_look", Severity.WARNING))


PLACEMENT_CODES = ("timing.offset", "timing.split", "timing.drift")  # what the calibrated confidence is about


_KNOWN_RATIOS = {25 / 23.976: "25 vs 23.976 fps", 25 / 24: "25 vs 24 fps", 30 / 29.97: "30 vs 29.97 fps",
                 29.97 / 25: "29.97 vs 25 fps"}


def drift_cause(ratio: float) -> str:
    for known, label in _KNOWN_RATIOS.items():
        for r in (known, 1 / known):
            if abs(ratio / r - 1) < 2e-4:
                return label
    return "a stretch of the subtitle time line"
