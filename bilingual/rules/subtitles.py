"""Rules on the subtitles as found: image-only streams, subtitles missing where the profile requires
them, the encoding of each file read, cues after the video ends, and picture bands not taken as
subtitles."""

from __future__ import annotations

from dataclasses import replace

from bilingual.errors import InputError
from bilingual.facts import Facts
from bilingual.model import Finding, Severity
from bilingual.profiles import Profile


def image_only_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`subs.image_only` for each image stream that was not read: `--ocr off`, or no OCR on this
    machine (one not read because a sidecar or text stream comes first is no finding)."""
    if facts.media is None or facts.image_streams_unread is None:
        return []
    variant, missing = facts.image_streams_unread
    found = [Finding("subs.image_only", Severity.WARNING, data={
        "stream_index": s.index, "codec": s.codec, "variant": variant,
        "reason": missing.reason if missing else variant}) for s in facts.media.subtitle_streams if s.image_based]
    return [worded_reason(f, missing) for f in found] if missing else found


def worded_reason(finding: Finding, why: InputError) -> Finding:
    """`finding` whose message says `why` in each language (its data keeps the English reason)."""
    from bilingual.report import message  # the report package imports the rules

    text = {lang: message(replace(finding, data={**finding.data, "reason": why.reason_in(lang)}), lang)
            for lang in ("zh", "en")}
    return replace(finding, text=text)


def missing_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`subs.missing` where the profile requires subtitles: an error once the picture was read too (no
    subtitles is then a fact, not a gap in what was looked at), else a warning."""
    track = facts.track
    if facts.media is None or facts.track_failed or (track is not None and track.cues):
        return []
    if not (profile.subtitles and profile.subtitles.required):
        return []
    looked = facts.found is not None and facts.found.kind == "ocr"
    return [Finding("subs.missing", Severity.ERROR if looked else Severity.WARNING,
                    data={"cite": profile.subtitles.cite, "variant": "burned_in" if looked else None})]


def encoding_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """The encoding of each subtitle file read (info)."""
    track = facts.track
    if facts.script is None or track is None or track.source != "sidecar":
        return []
    files = [(f.encoding, f.path) for f in track.sidecars] or [(track.encoding, track.path)]
    return [Finding("subs.encoding", Severity.INFO, data={"encoding": encoding, "path": path})
            for encoding, path in files]


def beyond_video_rule(facts: Facts, profile: Profile) -> list[Finding]:
    media, track = facts.media, facts.track
    if facts.script is None or track is None or media is None or not media.duration_s:
        return []
    return [Finding("subs.beyond_video", Severity.WARNING, c.start_s, c.end_s, c.index,
                    {"duration_s": round(media.duration_s, 3), "text": c.text})
            for c in track.cues if c.start_s >= media.duration_s]


def dropped_band_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.band_dropped` (info) for each band of the picture whose readings were mostly no text."""
    if facts.track is None:
        return []
    return [Finding("ocr.band_dropped", Severity.INFO, data={**band.to_dict(), "band": "–".join(map(str, band.band))})
            for band in facts.track.dropped_bands]
