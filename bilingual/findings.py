"""Findings are data: produced by checks, rendered by reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):  # noqa: UP042 -- StrEnum would change str(severity) to "error"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    MANUAL = "manual"

    @property
    def rank(self) -> int:
        return ["error", "warning", "manual", "info"].index(self.value)


# Findings that mean the entry could not be analysed at all: exit code 2 (report contract).
FATAL_CODES = frozenset({"media.unreadable", "media.too_long", "media.no_video", "media.no_audio", "subs.unreadable",
                         "model.missing", "model.corrupt", "ocr.missing"})


@dataclass
class Finding:
    code: str
    severity: Severity
    start_s: float | None = None
    end_s: float | None = None
    cue: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # A literal message (zh, en) for findings whose text comes from data files (manual items);
    # everything else is rendered from the message catalogue by code.
    text: dict[str, str] | None = None

    @property
    def fatal(self) -> bool:
        return self.code in FATAL_CODES

    def to_dict(self, message: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "start_s": _round(self.start_s),
            "end_s": _round(self.end_s),
            "cue": self.cue,
            "message": message,
            "data": self.data,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
