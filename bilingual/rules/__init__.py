"""Contest rules: the only place where facts and a profile become findings.

Every rule is a function `(facts, profile) -> list[Finding]` (`Rule`): it reads the facts of one
entry (`bilingual.facts.Facts`, filled by the analysis), the limits and clauses of the contest
(`bilingual.profiles.Profile`), and returns its findings — none where its facts are missing (a
stage that did not run) or the profile has no such rule. `RULES` is the order they run in; the
report sorts findings by severity, code and cue, so the order only keeps ties stable.

Adding a rule:
1. write the function in the module of its area here (`cues.py`, `timing.py`, …; a new area is a
   new module), reading only `facts` and `profile`; a finding about one cue is
   `Finding.at(cue, code, severity, **data)`, with the measured value, the limit and `cite`;
2. put it into `RULES`;
3. give its code zh and en wording in `bilingual/messages.toml` and a row in the README's
   findings table (tests/test_docs.py checks both); limits that vary by contest go into the profile
   (`profiles.py` and `profiles/*.toml`), measured thresholds into a constant that cites the
   measurement;
4. test it on facts built in the test (see tests/test_cue_rules.py) and on a generated entry.
"""

from __future__ import annotations

from collections.abc import Callable

from bilingual.facts import Facts
from bilingual.model import Finding
from bilingual.profiles import Profile
from bilingual.rules import checklist, cues, inputs, media, picture, script, speech, subtitles, timing

Rule = Callable[[Facts, Profile], list[Finding]]

RULES: tuple[Rule, ...] = (
    inputs.problems_rule,
    media.media_rule,
    inputs.too_long_rule,
    subtitles.image_only_rule,
    subtitles.dropped_band_rule,
    subtitles.partial_line_rule,
    subtitles.unread_cue_rule,
    subtitles.held_line_rule,
    subtitles.missing_rule,
    subtitles.empty_sidecar_rule,
    subtitles.encoding_rule,
    subtitles.language_tag_rule,
    script.script_rule,
    subtitles.beyond_video_rule,
    picture.picture_agrees_rule,
    picture.picture_differs_rule,
    picture.track_lacks_rule,
    picture.text_differs_rule,
    picture.fixed_line_rule,
    speech.language_rule,
    speech.quiet_speech_rule,
    speech.pairing_rule,
    timing.timing_rule,
    timing.speech_stops_rule,
    speech.content_rule,
    cues.cue_rules,
    cues.shot_change_rule,
    speech.no_speech_analysed_rule,
    checklist.checklist_rule,
)


def judge(facts: Facts, profile: Profile) -> list[Finding]:
    """Every rule's findings on one entry's facts, in `RULES` order."""
    return [finding for rule in RULES for finding in rule(facts, profile)]
