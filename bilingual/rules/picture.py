"""Rules on the picture beside a text track: burned-in subtitles in a script the track lacks, or at
times it has no cue (the quick look, `--ocr auto`), and the text track against the picture read cue
by cue (`--ocr on`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bilingual.facts import Facts
from bilingual.model import Cue, Finding, Severity
from bilingual.profiles import Profile
from bilingual.sources.burnedin.compare import PictureComparison
from bilingual.text.cer import stretch_error_rate
from bilingual.text.scripts import language_label

if TYPE_CHECKING:
    from bilingual.sources.burnedin.read import LookedLine, QuickLook

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
# Subtitles the track lacks are said over speech; text over no speech may be a title or the credits
# the notice asks for (004: 片头或片尾署名), so a keyframe counts for the error only with speech
# within SPEECH_NEAR_S of it (a subtitle stays up through a pause of its sentence).
SPEECH_NEAR_S = 1.5


def track_lacks_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.track_lacks` for each language of the track that the quick look read on centred lines at
    keyframes where no cue of the track in that language runs (TRACK_GAP_S): the picture has subtitles
    the track lacks (a track that stops early, a stretch left out). An error on PICTURE_MIN_FRAMES
    such keyframes with speech near (SPEECH_NEAR_S) or more, else a warning (variant `no_speech` when
    none has: a title, the credits?)."""
    spans = facts.speech.spans if facts.speech is not None else []
    findings = []
    for look, lang, cues in _read_in_both(facts):
        lacking = [line for line in look.lines if line.language == lang and not any(
            cue.start_s - TRACK_GAP_S <= line.time_s <= cue.end_s + TRACK_GAP_S for cue in cues)]
        keyframes = sorted({line.time_s for line in lacking})
        if not keyframes:
            continue
        heard = [t for t in keyframes if any(s - SPEECH_NEAR_S <= t <= e + SPEECH_NEAR_S for s, e in spans)]
        first = next(line for line in lacking if line.time_s == (heard or keyframes)[0])
        findings.append(Finding(
            "ocr.track_lacks", Severity.ERROR if len(heard) >= PICTURE_MIN_FRAMES else Severity.WARNING,
            first.time_s, data={
                "language": lang, "frames_without_cue": len(keyframes), "with_speech": len(heard),
                "keyframes": look.frames, "at_s": round(first.time_s, 3), "text": first.text,
                "times_s": [round(t, 3) for t in keyframes],
                "track_from_s": round(min(cue.start_s for cue in cues), 3),
                "track_to_s": round(max(cue.end_s for cue in cues), 3), **({} if heard else {"variant": "no_speech"})}))
    return findings


# The look's reading of a line (one keyframe, no detection) against the track's cues on screen at
# that keyframe, as a part of one (`text.cer.stretch_error_rate`: a row of a wrapped cue): over the
# burned-in matrix's 46 cells, looked at in each cue's middle (2026-12-03), 169 lines read ≤ 0.17
# against their own cue but one (read in the wrong script, 1.0), and ≥ 0.69 against every other line
# of their cell. Over LOOK_TEXT_DIFFERS a line says something else than the track shows then. A cue
# is on screen within ON_SCREEN_S of its times (a keyframe on the boundary of two cues: either).
LOOK_TEXT_DIFFERS = 0.5
ON_SCREEN_S = 0.1


def text_differs_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """`ocr.text_differs` (warning) for each language of the track whose centred lines the look read
    say something else (LOOK_TEXT_DIFFERS) than every cue on screen then, on PICTURE_MIN_FRAMES
    keyframes or more and on more than half of those compared: a track for another cut or another
    text. One keyframe's reading is a look, not a reading: `--ocr on` compares every cue."""
    findings = []
    for look, lang, cues in _read_in_both(facts):
        compared = [(line, *best) for line in look.lines if line.language == lang
                    and (best := _closest_cue(line, cues)) is not None]
        differ = [(line, cue, error) for line, cue, error in compared if error > LOOK_TEXT_DIFFERS]
        frames, compared_frames = {line.time_s for line, *_ in differ}, {line.time_s for line, *_ in compared}
        if len(frames) >= PICTURE_MIN_FRAMES and 2 * len(frames) > len(compared_frames):
            line, cue, error = differ[0]
            findings.append(Finding("ocr.text_differs", Severity.WARNING, line.time_s, data={
                "language": lang, "frames_differ": len(frames), "frames_compared": len(compared_frames),
                "at_s": round(line.time_s, 3), "text": line.text, "track_text": cue.text, "cue_number": cue.index,
                "cer": round(min(error, 1.0), 3)}))  # an edit distance past the length: all of it wrong
    return findings


def _read_in_both(facts: Facts) -> list[tuple[QuickLook, str, list[Cue]]]:
    """Each language the quick look read on centred lines that the track is in too (one it is not in
    is `ocr.picture_differs`), with the look and the track's cues in that language."""
    look, script = facts.look, facts.script
    if look is None or script is None:
        return []
    return [(look, lang, cues) for lang in look.languages if lang in script.languages
            and (cues := [cue.cue for cue in script.cues if lang in cue.languages])]


def _closest_cue(line: LookedLine, cues: list[Cue]) -> tuple[Cue, float] | None:
    """Of the cues on screen at the line's keyframe (ON_SCREEN_S), the one whose text the line is
    closest to, as a part of it or of one of its lines (a dual-language cue holds both languages'),
    with that error."""
    errors = [(error, cue) for cue in cues if cue.start_s - ON_SCREEN_S <= line.time_s <= cue.end_s + ON_SCREEN_S
              for ref in [cue.text, *cue.text.splitlines()]
              if (error := stretch_error_rate(ref, line.text)) is not None]
    if not errors:
        return None
    error, cue = min(errors, key=lambda pair: pair[0])
    return cue, error


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
