"""Rules on the picture beside a text track: burned-in subtitles in a script the track lacks, or at
times it has no cue (the quick look, `--ocr auto`), and the text track against the picture read cue
by cue (`--ocr on`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bilingual.facts import Facts
from bilingual.model import Cue, Finding, Severity
from bilingual.profiles import Profile
from bilingual.sources.burnedin.compare import PictureComparison
from bilingual.text.cer import character_error_rate
from bilingual.text.scripts import language_label

if TYPE_CHECKING:
    from bilingual.sources.burnedin.read import QuickLook

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
    findings = []
    for look, lang, cues in _read_in_both(facts):
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


# The look's reading of a line (one keyframe, no detection) against the text of the track's cue on
# screen at that keyframe: over the burned-in matrix's 46 cells, looked at in each cue's middle
# (2026-12-03), 169 lines read 0 in the median against their own cue and ≤ 0.5 but one (a line read
# in the wrong script, 1.0); against the cell's other lines, ≥ 0.78 every one. Over LOOK_TEXT_DIFFERS
# a line says something else than its cue.
LOOK_TEXT_DIFFERS = 0.6


def text_differs_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.text_differs` (warning) for each language of the track whose centred lines the look read
    say something else (LOOK_TEXT_DIFFERS) than the cue on screen then, on PICTURE_MIN_FRAMES keyframes
    or more and on more than half of those compared: a track for another cut or another text. One
    keyframe's reading is a look, not a reading: `--ocr on` compares every cue."""
    findings = []
    for look, lang, cues in _read_in_both(facts):
        shown = [(line, cue) for line in look.lines if line.language == lang
                 and (cue := next((c for c in cues if c.start_s <= line.time_s <= c.end_s), None)) is not None]
        compared = [(line, cue, error) for line, cue in shown if (error := _line_error(cue, line.text)) is not None]
        differ = [(line, cue, error) for line, cue, error in compared if error > LOOK_TEXT_DIFFERS]
        frames, compared_frames = {line.time_s for line, *_ in differ}, {line.time_s for line, *_ in compared}
        if len(frames) >= PICTURE_MIN_FRAMES and 2 * len(frames) > len(compared_frames):
            line, cue, error = differ[0]
            findings.append(Finding("ocr.text_differs", Severity.WARNING, line.time_s, data={
                "language": lang, "frames_differ": len(frames), "frames_compared": len(compared_frames),
                "at_s": round(line.time_s, 3), "text": line.text, "track_text": cue.text, "cue_number": cue.index,
                "cer": round(error, 3)}))
    return findings


def _read_in_both(facts: Facts) -> list[tuple[QuickLook, str, list[Cue]]]:
    """Each language the quick look read on centred lines that the track has too (one it lacks is
    `ocr.picture_differs`), with the look and the track's cues in that language."""
    look, script = facts.look, facts.script
    if look is None or script is None:
        return []
    return [(look, lang, cues) for lang in look.languages
            if (cues := [cue.cue for cue in script.cues if lang in cue.languages])]


def _line_error(cue: Cue, text: str) -> float | None:
    """The character error of `text` against the cue's text in `lang`: the whole cue or one of its
    lines (a dual-language cue holds both languages' lines)."""
    errors = [e for ref in [cue.text, *cue.text.splitlines()] if (e := character_error_rate(ref, text)) is not None]
    return min(errors) if errors else None


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
