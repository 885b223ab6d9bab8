"""Helpers the test modules share (not imported across test modules)."""

from __future__ import annotations

from dataclasses import dataclass

from bilingual.model import Finding, SubtitleTrack
from bilingual.profiles import Profile
from bilingual.rules.script import script_findings
from bilingual.script import TrackScript, analyze_track


@dataclass
class Scripted:
    """A track's script analysis (its attributes read through) and the findings the script rules
    draw from it under a profile, as a check makes them."""

    script: TrackScript
    findings: list[Finding]

    def __getattr__(self, name: str):
        return getattr(self.script, name)


def scripted(track: SubtitleTrack, profile: Profile) -> Scripted:
    script = analyze_track(track, expects_tibetan=profile.accepts_tibetan_subtitles)
    return Scripted(script, script_findings(script, profile))
