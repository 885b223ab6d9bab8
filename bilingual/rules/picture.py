"""Rules on the picture beside a text track: burned-in subtitles in a script the track lacks (the
quick look, `--ocr auto`), and the text track against the picture read cue by cue (`--ocr on`)."""

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
    the text track does not have: an error when read on PICTURE_MIN_FRAMES keyframes or more, else a
    warning."""
    look, script = facts.look, facts.script
    if look is None or script is None:
        return []
    track = list(script.languages)
    track_language = language_label(track) if track else "none"
    return [Finding("ocr.picture_differs",
                    Severity.ERROR if look.seen[lang] >= PICTURE_MIN_FRAMES else Severity.WARNING, look.first_s[lang],
                    data={"language": lang, "track_language": track_language, "frames_with_text": look.seen[lang],
                          "keyframes": look.frames, "at_s": round(look.first_s[lang], 3), "text": look.text[lang]})
            for lang in look.languages if lang not in track]


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
