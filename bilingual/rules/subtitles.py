"""Rules on the subtitles as found: image-only streams, subtitles missing where the profile requires
them, the encoding of each file read, a language tag that names another language than the file
holds, cues after the video ends, picture bands not taken as
subtitles (or placed like subtitles that could not be read), cues read from only a part of their
line, and cues seen but not read."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from bilingual.errors import InputError
from bilingual.facts import Facts
from bilingual.model import DroppedBand, Finding, Severity
from bilingual.profiles import Profile
from bilingual.rules.picture import PICTURE_MIN_FRAMES
from bilingual.sources.source import PART_LANGUAGE_SHARE, part_of, tag_language


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
    subtitles is then a fact, not a gap in what was looked at), else a warning — and a warning when
    the picture holds a band placed like subtitles that could not be read (`ocr.unreadable_band`)."""
    track = facts.track
    if facts.media is None or facts.track_failed or (track is not None and track.cues):
        return []
    if not (profile.subtitles and profile.subtitles.required):
        return []
    looked = facts.found is not None and facts.found.kind == "ocr"
    elsewhere = [t for t in track.unscanned_text if t.frames_with_text >= PICTURE_MIN_FRAMES] if track else []
    if elsewhere:  # perhaps subtitles in the middle of the picture, where they are not read
        seen = elsewhere[0]
        return [Finding("subs.missing", Severity.WARNING, seen.at_s, data={
            "cite": profile.subtitles.cite, "variant": "middle", "needs_look": True, **seen.to_dict(),
            "band": f"{seen.rows[0]}:{seen.rows[1]}"})]
    if track is not None and track.unreadable_bands:
        return [Finding("subs.missing", Severity.WARNING, data={"cite": profile.subtitles.cite,
                                                                "variant": "unreadable", "needs_look": True})]
    latin = [band for band in track.dropped_bands if band.latin_subtitles] if track is not None else []
    if latin:  # subtitles, in another language: no Tibetan or Chinese ones
        return [Finding("subs.missing", Severity.ERROR, latin[0].first_s, data={
            "cite": profile.subtitles.cite, "variant": "latin", "text": latin[0].latin})]
    return [Finding("subs.missing", Severity.ERROR if looked else Severity.WARNING,
                    data={"cite": profile.subtitles.cite, "variant": "burned_in" if looked else None})]


def empty_sidecar_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`subs.empty_sidecar` (warning) for each sidecar that holds nothing: passed over, the
    subtitles were looked for in the entry itself."""
    return [Finding("subs.empty_sidecar", Severity.WARNING, data={"path": path}) for path in facts.empty_sidecars]


def encoding_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """The encoding of each subtitle file read (info)."""
    track = facts.track
    if facts.script is None or track is None or track.source != "sidecar":
        return []
    files = [(f.encoding, f.path) for f in track.sidecars] or [(track.encoding, track.path)]
    return [Finding("subs.encoding", Severity.INFO, data={"encoding": encoding, "path": path})
            for encoding, path in files]


# English is Latin script, which a cue's script calls "other" (`text.scripts`).
WRITTEN_AS = {"en": "other"}


def language_tag_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`subs.language_tag` (warning) for each subtitle file or stream whose language tag names a
    language (`source.tag_language`) that fewer than PART_LANGUAGE_SHARE of its cues with letters are
    in (`entry.zh.srt` holding Tibetan), unless it is one file or stream of a dual-language track: a
    player or a platform offers it under that tag. The checks go by what the cues hold."""
    track, script = facts.track, facts.script
    if track is None or script is None or not script.cues or track.source == "ocr":
        return []
    parts = track.sidecars or [part_of(track)]
    findings = []
    for part in parts:
        tagged = tag_language(part.language_tag)
        cues = [cue for cue in script.cues if part.first_cue <= cue.cue.index <= part.last_cue and cue.languages]
        if tagged is None or not cues or (not track.sidecars and script.dual and tagged in script.pairing_languages):
            continue  # one file or stream holding both languages is tagged right with either
        written = WRITTEN_AS.get(tagged, tagged)
        if sum(written in cue.languages for cue in cues) >= PART_LANGUAGE_SHARE * len(cues):
            continue
        language, count = Counter(cue.languages[0] for cue in cues).most_common(1)[0]
        if language == written:  # the most common language, if not most cues'
            continue
        where = {"path": part.path} if part.stream_index is None else {"stream_index": part.stream_index,
                                                                     "variant": "stream"}
        findings.append(Finding("subs.language_tag", Severity.WARNING, data={
            **where, "tag": part.language_tag, "tag_language": tagged, "language": language,
            "cues_in_language": count, "cues": len(cues)}))
    return findings


def beyond_video_rule(facts: Facts, profile: Profile) -> list[Finding]:
    media, track = facts.media, facts.track
    if facts.script is None or track is None or media is None or not media.duration_s:
        return []
    return [Finding("subs.beyond_video", Severity.WARNING, c.start_s, c.end_s, c.index,
                    {"duration_s": round(media.duration_s, 3), "text": c.text})
            for c in track.cues if c.start_s >= media.duration_s]


def dropped_band_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """For each band of the picture whose readings were mostly no text: `ocr.latin_band` (info) when
    its cues are placed and timed like subtitles and read in Latin script, `ocr.unreadable_band`
    (warning: a person looks) when they are placed so otherwise, else `ocr.band_dropped` (info)."""
    return [_dropped_band(band) for band in facts.track.dropped_bands] if facts.track is not None else []


def _dropped_band(band: DroppedBand) -> Finding:
    data = {**band.to_dict(), "band": "–".join(map(str, band.band))}
    if band.latin_subtitles:
        return Finding("ocr.latin_band", Severity.INFO, band.first_s, band.last_s, data=data)
    if band.subtitle_like:
        return Finding("ocr.unreadable_band", Severity.WARNING, band.first_s, band.last_s, data=data)
    return Finding("ocr.band_dropped", Severity.INFO, data=data)


def partial_line_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.partial_line` (warning), at the first such cue: the cues whose text read from the picture
    spans only a part of their line there (`burnedin.read.PARTIAL_COVER`): their text is incomplete."""
    from bilingual.sources.burnedin.read import PARTIAL_COVER

    track = facts.track
    readings = (track.readings or {}) if track is not None else {}
    partial = {i: r.cover for i, r in readings.items() if r.cover is not None and r.cover < PARTIAL_COVER}
    if track is None or not partial:
        return []
    first = min(partial)
    cue = next(c for c in track.cues if c.index == first)
    return [Finding("ocr.partial_line", Severity.WARNING, cue.start_s, cue.end_s, data={
        "cues": sorted(partial), "count": len(partial), "of": len(readings), "first_cue": first,
        "cover": f"{partial[first]:.0%}", "at_s": round(readings[first].frame_s, 2)})]


def held_line_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.held_line` (info) for each line the picture holds on screen far longer than a subtitle
    (`burnedin.read.held_lines`: a logo, a caption): it is left out of the cues checked."""
    held = facts.track.held_lines if facts.track is not None else []
    return [Finding("ocr.held_line", Severity.INFO, line.shown[0][0], line.shown[-1][1], data={
        **line.to_dict(), "band": "–".join(map(str, line.band)), "seconds": round(line.seconds, 1),
        "showings": len(line.shown), "at_s": round(line.shown[0][0], 2), "to_s": round(line.shown[-1][1], 2)})
        for line in held]


def unread_cue_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.unread_cue` (warning): cues found in a subtitle band of the picture that read as no text:
    they are not among the cues checked, and speech under them may be reported uncaptioned."""
    missed = facts.track.unread_cues if facts.track is not None else []
    if not missed:
        return []
    return [Finding("ocr.unread_cue", Severity.WARNING, missed[0].start_s, missed[0].end_s, data={
        "count": len(missed), "times": [[round(c.start_s, 2), round(c.end_s, 2)] for c in missed],
        "at_s": round(missed[0].start_s, 2), "to_s": round(missed[0].end_s, 2)})]
