"""What could not be analysed: every input error met is an error finding with its reason (exit 2),
and an entry longer than the analysed length says what was left out."""

from __future__ import annotations

from bilingual.errors import InputError
from bilingual.facts import Facts
from bilingual.media import MAX_ANALYSED_S
from bilingual.model import Finding, Severity
from bilingual.profiles import Profile


def problems_rule(facts: Facts, profile: Profile) -> list[Finding]:
    return [input_finding(exc) for exc in facts.problems]


def too_long_rule(facts: Facts, profile: Profile) -> list[Finding]:
    media = facts.media
    if not facts.too_long or media is None:
        return []
    finding = input_finding(InputError(
        "media.too_long", f"{media.duration_s:.0f} s; speech, timing, shot changes and burned-in subtitles "
        f"are analysed up to {MAX_ANALYSED_S:.0f} s", media.path))
    data = {**finding.data, "duration_s": round(media.duration_s or 0.0, 3), "limit_s": MAX_ANALYSED_S}
    return [Finding(finding.code, finding.severity, data=data)]


def input_finding(exc: InputError) -> Finding:
    return Finding(exc.code, Severity.ERROR, data={"reason": exc.reason, "path": exc.path})
