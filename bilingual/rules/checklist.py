"""The reviewer's checklist: the profile's rules a machine cannot judge (`manual.*`)."""

from __future__ import annotations

from bilingual.facts import Facts
from bilingual.model import Finding, Severity
from bilingual.profiles import Profile


def checklist_rule(facts: Facts, profile: Profile) -> list[Finding]:
    """The checklist, once the entry could be opened at all."""
    return manual_findings(profile) if facts.media is not None else []


def manual_findings(profile: Profile) -> list[Finding]:
    """The rules a machine cannot judge: the reviewer's checklist."""
    return [Finding(item.code, Severity.MANUAL, data={"cite": item.cite}, text={"zh": item.zh, "en": item.en})
            for item in profile.manual]
