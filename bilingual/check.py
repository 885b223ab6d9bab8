"""The verdict pipeline: media → subtitles → script → rules → report (speech and timing come later)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bilingual.errors import InputError
from bilingual.findings import Finding, Severity
from bilingual.media import MediaInfo, probe
from bilingual.profiles import Profile, load_profile
from bilingual.report import Report
from bilingual.rules import manual_findings, media_findings
from bilingual.script import TrackScript, analyze_track
from bilingual.subtitles import SubtitleTrack, find_subtitle_source


def check(video: str | os.PathLike, subs: str | os.PathLike | None = None,
          profile: Profile | str | os.PathLike | None = None) -> Report:
    """Check one entry against a contest profile. Input problems become findings, never exceptions
    (a bad profile is the caller's argument and raises InputError)."""
    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    report = Report(str(video), profile)
    try:
        media = probe(video)
    except InputError as exc:
        report.size_bytes = _size(video)
        report.add(input_finding(exc))
        return report
    report.media, report.size_bytes = media, media.size_bytes
    report.add(*media_findings(media, profile))
    _check_subtitles(report, media, subs, profile)
    report.add(*manual_findings(profile))
    return report


def input_finding(exc: InputError) -> Finding:
    return Finding(exc.code, Severity.ERROR, data={"reason": exc.reason, "path": exc.path})


def _check_subtitles(report: Report, media: MediaInfo, subs: Any, profile: Profile) -> None:
    report.add(*(Finding("subs.image_only", Severity.WARNING, data={"stream_index": s.index, "codec": s.codec})
                 for s in media.subtitle_streams if s.image_based))
    source = find_subtitle_source(media, subs)
    if source is None:
        if profile.subtitles and profile.subtitles.required:
            report.add(Finding("subs.missing", Severity.WARNING, data={"cite": profile.subtitles.cite}))
        return
    report.subtitles.update(source=source.kind, **source.where())
    try:
        track = source.load(media)
    except InputError as exc:
        report.add(input_finding(exc))
        return
    analysis = analyze_track(track, profile)
    report.subtitles = subtitles_section(track, analysis)
    report.details["script"] = analysis
    if track.source == "sidecar":
        report.add(Finding("subs.encoding", Severity.INFO, data={"encoding": track.encoding, "path": track.path}))
    report.add(*analysis.findings)
    report.add(*_beyond_video(track, media))


def subtitles_section(track: SubtitleTrack, analysis: TrackScript) -> dict[str, Any]:
    where = {"path": track.path} if track.path else {"stream_index": track.stream_index}
    return {"source": track.source, **where, "format": track.format, "encoding": track.encoding,
            "language_tag": track.language_tag, **analysis.to_dict(), **track.extra}


def _beyond_video(track: SubtitleTrack, media: MediaInfo) -> list[Finding]:
    if not media.duration_s:
        return []
    return [Finding("subs.beyond_video", Severity.WARNING, c.start_s, c.end_s, c.index,
                    {"duration_s": round(media.duration_s, 3), "text": c.text})
            for c in track.cues if c.start_s >= media.duration_s]


def _size(path: str | os.PathLike) -> int | None:
    p = Path(path)
    return p.stat().st_size if p.is_file() else None
