"""The profile's media rules: container, duration, resolution, aspect, file size; and a picture and
a sound to judge at all."""

from __future__ import annotations

from typing import Any

from bilingual.facts import Facts
from bilingual.media import MediaInfo
from bilingual.model import Finding, Severity
from bilingual.profiles import AspectRule, ContainerRule, Profile, RangeRule, ResolutionRule, Rule


def media_rule(facts: Facts, profile: Profile) -> list[Finding]:
    return media_findings(facts.media, profile) if facts.media is not None else []


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
