"""Calibrated confidence (issue 13, item 6): raw scores mapped to the share of a held-back set of
cases on which a result of that score was right. The tables are data (`calibration.toml`), written
by `benchmarks/verdicts.py calibrate`; what the figures mean and how they were measured is in the
README ("Calibrated confidence").

- timing: the raw score is `timing.distinctness` (each block's normalised fit at its offset over its
  best fit more than 1 s away; the smallest); a placement whose distinctness cannot be measured
  (cues back to back) scores 0. Bins by lower edge, monotone (pool-adjacent-violators) on the fit
  cases;
- language: each `speech.judge_window` rule's precision on held-back windows.

Below `LEVEL` a timing or pairing problem is a warning asking for a human look, never an error,
and `fix` moves no cue.
"""

from __future__ import annotations

import bisect
import hashlib
import tomllib
from dataclasses import replace
from functools import cache
from importlib.resources import files
from typing import Any

from bilingual.model import Finding, Severity


@cache
def table() -> dict[str, Any]:
    return tomllib.loads(files("bilingual").joinpath("calibration.toml").read_text("utf-8"))


@cache
def table_digest() -> str:
    """The SHA-256 of the tables: a batch report made with other tables is made again."""
    return hashlib.sha256(files("bilingual").joinpath("calibration.toml").read_bytes()).hexdigest()


def level() -> float:
    """The documented level: a result below it is not sure enough to fail an entry on."""
    return float(table()["level"])


def sure(confidence: float | None) -> bool:
    return confidence is not None and confidence >= level()


def timing_confidence(distinctness: float | None) -> float:
    """The calibrated confidence of a timing placement of this raw distinctness."""
    timing = table()["timing"]
    raw = 0.0 if distinctness is None else distinctness
    k = bisect.bisect_right(timing["edges"], raw) - 1
    return float(timing["confidence"][max(k, 0)])


def rule_confidence() -> dict[str, float]:
    """Each language rule's calibrated confidence (its held-back precision)."""
    return {rule: float(v) for rule, v in table()["language"]["confidence"].items()}


def hedged(findings: list[Finding], problems: tuple[str, ...], confidence: float | None, ask: Finding,
           *, unsure_alone: bool = False) -> list[Finding]:
    """`findings` as they stand when `confidence` is sure; below the level, the errors and warnings
    among the `problems` codes become warnings (`data.needs_look`) and the warning `ask` is added,
    asking a person to look (with the confidence, the level and the codes it doubts). With
    `unsure_alone`, `ask` is added below the level even when none of the `problems` was found
    (variant `unsure`, no codes): finding nothing on an unsure result verifies nothing."""
    def doubted(f: Finding) -> bool:
        return f.code in problems and f.severity in (Severity.ERROR, Severity.WARNING)

    codes = sorted({f.code for f in findings if doubted(f)})
    if sure(confidence) or not (codes or unsure_alone):
        return findings
    if not codes:
        return [*findings, asking(replace(ask, data={**ask.data, "variant": "unsure"}), confidence, [])]
    looked = [replace(f, severity=Severity.WARNING, data={**f.data, "needs_look": True}) if doubted(f) else f
              for f in findings]
    return [*looked, asking(ask, confidence, codes)]


def asking(ask: Finding, confidence: float | None, codes: list[str]) -> Finding:
    """The warning `ask` with what it doubts: the confidence, the level and the problem codes it
    turned into warnings (none: nothing was found, but the result is not sure either)."""
    data = {**ask.data, "confidence": None if confidence is None else round(confidence, 3), "level": level(),
            "codes": codes}
    return replace(ask, data=data)
