"""Rules on the picture beside a text track: burned-in subtitles in a script the track lacks, or at
times it has no cue (the quick look, `--ocr auto`), and the text track against the picture read cue
by cue (`--ocr on`)."""

from __future__ import annotations

from bilingual.facts import Facts
from bilingual.model import Finding, Severity
from bilingual.profiles import Profile
from bilingual.sources.burnedin.compare import PictureComparison
from bilingual.text.scripts import language_label

# Keyframes a script must be read on for the picture's subtitles to be in it: one keyframe may show a
# sign or a shop front in the scenery; subtitles are on most of the keyframes of the time they run.
PICTURE_MIN_FRAMES = 2


def picture_differs_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.picture_differs` for each script the picture's subtitles are in (`read.quick_look`) that
    the text track does not have: an error when read on centred lines of PICTURE_MIN_FRAMES keyframes
    or more, else a warning (variant `aside` when read only off the centre)."""
    look, script = facts.look, facts.script
    if look is None or script is None:
        return []
    track = list(script.languages)
    track_language = language_label(track) if track else "none"
    centred = [_differs(lang, track_language, look.frames, (look.seen[lang], look.first[lang].time_s,
                                                             look.first[lang].text),
                        Severity.ERROR if look.seen[lang] >= PICTURE_MIN_FRAMES else Severity.WARNING)
               for lang in look.languages if lang not in track]
    # lines off the centre only (lower-thirds, labels): perhaps not subtitles, a person looks
    aside = [_differs(lang, track_language, look.frames, seen, Severity.WARNING, "aside")
             for lang, seen in sorted(look.aside.items()) if lang not in track]
    return centred + aside


def _differs(lang: str, track_language: str, keyframes: int, seen: tuple[int, float, str], severity: Severity,
             variant: str | None = None) -> Finding:
    frames, first_s, text = seen
    return Finding("ocr.picture_differs", severity, first_s, data={
        "language": lang, "track_language": track_language, "frames_with_text": frames, "keyframes": keyframes,
        "at_s": round(first_s, 3), "text": text, **({"variant": variant} if variant else {})})


# A centred line the look read at a keyframe is in the track when a cue of its language runs within
# TRACK_GAP_S of that time. A track late or early by less is timing's to say (`timing.offset`, an
# error from 0.5 s), not cues the track lacks.
TRACK_GAP_S = 2.0


def track_lacks_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.track_lacks` for each language of the track that the quick look read on centred lines at
    keyframes where no cue of the track in that language runs (TRACK_GAP_S): the picture has subtitles
    the track lacks (a track that stops early, a stretch left out). An error on PICTURE_MIN_FRAMES
    keyframes or more, else a warning."""
    look, script = facts.look, facts.script
    if look is None or script is None:
        return []
    findings = []
    for lang in look.languages:
        cues = [cue.cue for cue in script.cues if lang in cue.languages]
        if not cues:
            continue  # a script the track lacks altogether: `ocr.picture_differs`
        lacking = [line for line in look.lines if line.language == lang and not any(
            cue.start_s - TRACK_GAP_S <= line.time_s <= cue.end_s + TRACK_GAP_S for cue in cues)]
        keyframes = sorted({line.time_s for line in lacking})
        if keyframes:
            findings.append(Finding(
                "ocr.track_lacks", Severity.ERROR if len(keyframes) >= PICTURE_MIN_FRAMES else Severity.WARNING,
                lacking[0].time_s, data={
                    "language": lang, "frames_without_cue": len(keyframes), "keyframes": look.frames,
                    "at_s": round(lacking[0].time_s, 3), "text": lacking[0].text,
                    "times_s": [round(t, 3) for t in keyframes],
                    "track_from_s": round(min(cue.start_s for cue in cues), 3),
                    "track_to_s": round(max(cue.end_s for cue in cues), 3)}))
    return findings


def fixed_line_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.fixed_line` (info) for a line in a script the track lacks that the quick look read on
    keyframes in a row spanning `read.FIXED_MIN_SECONDS`: a caption or logo held on screen, not subtitles."""
    look, script = facts.look, facts.script
    if look is None or script is None:
        return []
    return [Finding("ocr.fixed_line", Severity.INFO, data={"language": lang, "text": text, "frames_with_text": frames,
                                                            "keyframes": look.frames})
            for lang, (text, frames) in sorted(look.fixed.items()) if lang not in script.languages]


def picture_agrees_rule(facts: Facts, profile: Profile) -> list[Finding]:
    return [compared_finding(facts.picture)] if facts.picture is not None else []


def compared_finding(comparison: PictureComparison) -> Finding:
    """`ocr.agrees` (info) or `ocr.disagrees` (warning), with what was compared."""
    data = comparison.data()
    disagree = list(comparison.disagree_on)
    if not comparison.ocr_cues:
        return Finding("ocr.disagrees", Severity.WARNING,
                       data={**data, "disagree_on": disagree, "variant": "nothing_burned_in"})
    if disagree:
        return Finding("ocr.disagrees", Severity.WARNING, data={**data, "disagree_on": disagree})
    return Finding("ocr.agrees", Severity.INFO, data=data)
