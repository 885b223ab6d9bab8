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
    exc = InputError("media.too_long", path=media.path, wording="error/analysed_up_to",
                     seconds=f"{media.duration_s:.0f}", limit=f"{MAX_ANALYSED_S:.0f}")
    return [input_finding(exc, duration_s=round(media.duration_s or 0.0, 3), limit_s=MAX_ANALYSED_S)]


def input_finding(exc: InputError, **data: object) -> Finding:
    """`reason` in the data is English (the JSON contract); the message is in each language where
    the reason has a wording."""
    from bilingual.report import say  # the report package imports the rules

    text = {lang: say(exc.code, lang, reason=exc.reason_in(lang)) for lang in ("zh", "en")} if exc.wording else None
    return Finding(exc.code, Severity.ERROR, data={"reason": exc.reason, "path": exc.path, **data}, text=text)
