"""The report: one object holding an entry's facts, its findings and the verdict, in the shape of
the contract (`Report.to_dict`; its sections: `sections.py`), and the wording of everything said to a
reader (`say`, `message`, from messages.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bilingual import __version__
from bilingual.facts import Facts
from bilingual.media import MediaInfo
from bilingual.model import Finding, Severity, findings_exit_code, verdict_of
from bilingual.profiles import Profile
from bilingual.report import sections

SCHEMA = "bilingual.report/1"
LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict[str, str]]:
    return tomllib.loads((Path(__file__).resolve().parent.parent / "messages.toml").read_text("utf-8"))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def catalogue_text(key: str, lang: str = "zh") -> str | None:
    """A fixed wording from messages.toml (e.g. "pairing.reason/zh_bo") in `lang`."""
    return _catalogue().get(key, {}).get(lang)


def say(key: str, lang: str = "zh", /, **values: Any) -> str:
    """An interface wording from messages.toml (a progress line, what `fix` changed) filled with
    `values`; English where the language has none, the key where neither has."""
    template = catalogue_text(key, lang) or catalogue_text(key, "en") or key
    return template.format_map(_Blank(values))


# Data keys whose values are codes ("bo", "syllables", "zh-audio+bo-subs"): a message shows them in
# words (`term.<kind>/<code>` in messages.toml). "language" is spoken for audio.*, written otherwise.
_TERM_KEYS = {"counted": "unit", "language": "language", "track_language": "script", "languages": "script",
              "tag_language": "script",
              "detected": "pairing"}


def worded(code: str, key: str, value: Any, lang: str) -> Any:
    """A coded data value (or list of them) in words, where messages.toml has them; else as it is."""
    if key == "cite" and isinstance(value, str):  # a citation the profile writes in English
        return catalogue_text(f"cite/{value}", lang) or value
    kind = _TERM_KEYS.get(key)
    if key == "allowed":
        kind = "pairing" if code.startswith("pairing.") else "script" if code.startswith("script.") else None
    if kind == "language":
        kind = "speech" if code.startswith("audio.") else "script"
    if kind is None:
        return value
    word = lambda v: catalogue_text(f"term.{kind}/{v}", lang) or v if isinstance(v, str) else v  # noqa: E731
    return [word(v) for v in value] if isinstance(value, list) else word(value)


def message(finding: Finding, lang: str = "zh") -> str:
    if finding.text:
        return finding.text.get(lang) or next(iter(finding.text.values()))
    catalogue = _catalogue()
    variant = finding.data.get("variant")  # a finding may pick a more specific wording
    entry = catalogue.get(f"{finding.code}/{variant}") if variant else None
    template = (entry or catalogue.get(finding.code, {})).get(lang)
    if template is None:
        return finding.code
    values = {k: worded(finding.code, k, v, lang) for k, v in finding.data.items()}
    values = {k: ("/".join(map(str, v)) if isinstance(v, list) and all(isinstance(x, str) for x in v) else v)
              for k, v in values.items()}
    if "reason_code" in values:  # a coded reason, worded in the message's language
        values["reason"] = catalogue_text(f"pairing.reason/{values['reason_code']}", lang) or values["reason_code"]
    return template.format_map(_Blank(values))


@dataclass
class Report:
    """One entry's verdict and its evidence: the facts the analysis found, the findings the rules drew
    from them under `profile`, and the contract's JSON of both (`to_dict`)."""

    input_path: str
    profile: Profile
    size_bytes: int | None = None
    findings: list[Finding] = field(default_factory=list)
    facts: Facts = None  # type: ignore[assignment]  # set from input_path when not given

    def __post_init__(self) -> None:
        if self.facts is None:
            self.facts = Facts(self.input_path)

    @classmethod
    def from_facts(cls, facts: Facts, profile: Profile, findings: list[Finding], size_bytes: int | None) -> Report:
        return cls(facts.video, profile, size_bytes, list(findings), facts)

    @property
    def media(self) -> MediaInfo | None:
        return self.facts.media

    @property
    def subtitles(self) -> dict[str, Any]:
        return sections.subtitles_section(self.facts)

    @property
    def audio(self) -> dict[str, Any]:
        return sections.audio_section(self.facts)

    @property
    def pairing(self) -> dict[str, Any]:
        return sections.pairing_section(self.facts, self.profile)

    @property
    def timing(self) -> dict[str, Any]:
        return sections.timing_section(self.facts)

    def add(self, *findings: Finding) -> None:
        self.findings.extend(findings)

    @property
    def fatal(self) -> bool:
        return any(f.fatal for f in self.findings)

    @property
    def verdict(self) -> str:
        return verdict_of(self.findings)

    @property
    def exit_code(self) -> int:
        """0 no error finding, 1 at least one error, 2 the input could not be analysed."""
        return findings_exit_code(self.findings)

    def sorted_findings(self) -> list[Finding]:
        # Manual items keep the order of the profile (sort is stable); the rest group by code and cue.
        return sorted(self.findings, key=lambda f: (f.severity.rank, "" if f.severity is Severity.MANUAL else f.code,
                                                    f.cue or 0))

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "tool": {"name": "bilingual", "version": __version__},
            "input": {"path": self.input_path, "size_bytes": self.size_bytes},
            "profile": self.profile.name,
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "media": self.media.to_dict() if self.media else None,
            "subtitles": self.subtitles,
            "audio": self._audio_section(),
            "pairing": self._pairing_section(),
            "timing": self._timing_section(),
            "findings": [f.to_dict(message(f, lang)) for f in self.sorted_findings()],
            "cues": sections.cues_section(self.facts),
        }

    def _audio_section(self) -> dict[str, Any]:
        """The audio section, with the VAD's speech stretches (10 ms) when speech was analysed."""
        segments = sections.speech_segments(self.facts)
        return self.audio if segments is None else {**self.audio, "speech_segments": segments}

    def _pairing_section(self) -> dict[str, Any]:
        """The pairing, with its reason in English beside the reason's code (the contract's `reason`)."""
        pairing = self.pairing
        code = pairing.get("reason_code")
        if code is None:
            return pairing
        rest = {k: v for k, v in pairing.items() if k not in ("status", "reason")}
        return {"status": pairing["status"], "reason": catalogue_text(f"pairing.reason/{code}", "en") or code, **rest}

    def _timing_section(self) -> dict[str, Any]:
        cuts = self.facts.cuts
        return self.timing if cuts is None else {**self.timing, "shot_changes": [round(t, 3) for t in cuts]}
