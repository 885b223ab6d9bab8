"""The data model every stage shares: cues and subtitle tracks (what the sources read), findings
(what the rules conclude), and the names of the languages, sources and pairings they speak of.

Findings are data: produced by the rules (`bilingual.rules`), worded by the report
(`messages.toml`), never changed once made. The exceptions the library raises are `InputError`
(input it cannot analyse, exit 2) and `FixRefused` (`bilingual.errors`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from bilingual.errors import FixRefused, InputError

__all__ = ["Cue", "SubtitleTrack", "Sidecar", "SkippedSidecar", "CueReading", "DroppedBand", "UnscannedText", "Finding",
           "Severity", "FATAL_CODES", "InputError", "FixRefused", "Language", "SourceKind", "PairingStatus",
           "exit_code", "findings_exit_code", "verdict_of"]

# A language as the analysis names it: Tibetan, Chinese, another one, none (no letters, no speech),
# two at once (a dual-language cue or track) or not decided (speech a reviewer must listen to).
Language = Literal["bo", "zh", "other", "none", "mixed", "unknown"]
# Where a track's cues came from: a subtitle file, a text stream in the container, the picture.
SourceKind = Literal["sidecar", "embedded", "image_stream", "ocr"]
# The pairing of spoken and subtitle language: one of the contest's pairings ("zh-audio+bo-subs",
# "bo-audio+zh-subs", "zh-audio+zh-subs", …), "invalid", or "unknown" (undecided speech, no text).
PairingStatus = str


@dataclass(frozen=True)
class Cue:
    """One subtitle shown on screen: 1-based position in its source, times in seconds, plain text
    (lines separated by "\\n", markup removed)."""

    index: int  # 1-based position in its source
    start_s: float
    end_s: float
    text: str  # plain text, lines separated by "\n"

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Sidecar:
    """One part of a track read from several sidecars (entry.bo.srt + entry.zh.srt) or subtitle
    streams (a Tibetan and a Chinese one), and the cue numbers it holds."""

    path: str | None
    encoding: str | None
    format: str | None
    language_tag: str | None
    first_cue: int
    last_cue: int
    stream_index: int | None = None  # a stream of the container, not a file

    def to_dict(self) -> dict[str, Any]:
        where = {"path": self.path} if self.stream_index is None else {"stream_index": self.stream_index}
        return {**where, "encoding": self.encoding, "format": self.format,
                "language_tag": self.language_tag, "first_cue": self.first_cue, "last_cue": self.last_cue}


@dataclass(frozen=True)
class SkippedSidecar:
    """A further sidecar of the entry that was not read in, and why."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class CueReading:
    """Where a cue burned into the picture was read: the frame, the band's source rows, the OCR
    confidence and engine, its first and last frame, and (with `--frames`) the band image."""

    frame_s: float
    band: tuple[int, int]
    confidence: float
    engine: str
    first_frame: int | None = None  # None for an image subtitle stream: no frames of the video are read
    last_frame: int | None = None
    image: str | None = None
    cover: float | None = None  # share of the line's width in the picture that the text read spans

    def to_dict(self) -> dict[str, Any]:
        return {"frame_s": round(self.frame_s, 3), "band": list(self.band), "confidence": round(self.confidence, 3),
                "engine": self.engine, "first_frame": self.first_frame, "last_frame": self.last_frame,
                **({"image": self.image} if self.image else {}),
                **({"cover": round(self.cover, 3)} if self.cover is not None else {})}


@dataclass(frozen=True)
class ImageStreamSummary:
    """An image subtitle stream as read: its codec, the canvas its subtitles are drawn on, and how
    many subtitles it shows."""

    codec: str
    canvas: tuple[int, int]
    subtitles: int

    def to_dict(self) -> dict[str, Any]:
        return {"codec": self.codec, "canvas": list(self.canvas), "subtitles": self.subtitles}


@dataclass(frozen=True)
class DroppedBand:
    """A band of text in the picture that mostly read as no confident Tibetan or Chinese, not taken as
    subtitles: its source rows, the cues found in it and those read, when the first and last are
    shown, whether they are placed and timed like subtitles (`subtitle_like`: subtitles OCR could
    not read, a person looks) or not (scenery, a logo, captions), and a line of them read in Latin
    script (`latin`: subtitles in another language, when they are placed so)."""

    band: tuple[int, int]
    cues_found: int
    cues_read: int
    subtitle_like: bool = False
    first_s: float | None = None
    last_s: float | None = None
    latin: str | None = None

    @property
    def latin_subtitles(self) -> bool:
        """Placed like subtitles and read in Latin script: subtitles, in another language."""
        return self.subtitle_like and self.latin is not None

    def to_dict(self) -> dict[str, Any]:
        return {"band": list(self.band), "cues_found": self.cues_found, "cues_read": self.cues_read,
                "subtitle_like": self.subtitle_like, "first_s": self.first_s, "last_s": self.last_s,
                **({"latin": self.latin} if self.latin is not None else {})}


@dataclass(frozen=True)
class UnscannedText:
    """Text a quick look read, on centred lines, in rows of the picture the subtitle scan does not
    read (its middle), looked at when the scan found no subtitles: in which language, on how many
    of the keyframes looked at, and the first such line, its time and its source rows."""

    rows: tuple[int, int]
    keyframes: int
    language: str
    frames_with_text: int
    at_s: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"rows": list(self.rows), "keyframes": self.keyframes, "language": self.language,
                "frames_with_text": self.frames_with_text, "at_s": round(self.at_s, 3), "text": self.text}


@dataclass(frozen=True)
class HeldLine:
    """A line of the picture found as a cue on screen far longer than a subtitle stays (a logo, a
    caption): its language and text as read, its source rows, and when each showing of it is on
    screen. It is not among the track's cues."""

    language: str
    text: str
    band: tuple[int, int]
    shown: list[tuple[float, float]]

    @property
    def seconds(self) -> float:
        return sum(end - start for start, end in self.shown)

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "text": self.text, "band": list(self.band),
                "shown": [[round(start, 3), round(end, 3)] for start, end in self.shown]}


@dataclass(frozen=True)
class UnreadCue:
    """A cue found in a subtitle band of the picture, timed to the frame, that read as no confident
    text: it is not among the track's cues, and its text is not checked."""

    start_s: float
    end_s: float
    band: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "band": list(self.band)}


@dataclass
class SubtitleTrack:
    """An entry's subtitles as one list of cues, whatever the source, with where they came from.

    `sidecars`: the parts of a track read from several sidecars or subtitle streams (empty for one);
    `skipped_sidecars`: further sidecars or streams not read in; `readings`: per cue index, where a burned-in
    cue was read; `dropped_bands`: bands of the picture not taken as subtitles; `unread_cues`: cues
    of a subtitle band that read as no text; `held_lines`: lines held on screen, left out of the cues;
    `unscanned_text`: text seen where subtitles are not read, when none were found."""

    cues: list[Cue]
    source: SourceKind
    path: str | None = None
    stream_index: int | None = None
    encoding: str | None = None
    format: str | None = None
    language_tag: str | None = None  # from the file name (entry.bo.srt) or the stream's tag
    sidecars: list[Sidecar] = field(default_factory=list)
    skipped_sidecars: list[SkippedSidecar] = field(default_factory=list)
    readings: dict[int, CueReading] | None = None
    dropped_bands: list[DroppedBand] = field(default_factory=list)
    unread_cues: list[UnreadCue] = field(default_factory=list)
    held_lines: list[HeldLine] = field(default_factory=list)
    unscanned_text: list[UnscannedText] = field(default_factory=list)
    image_stream: ImageStreamSummary | None = None

    @property
    def unreadable_bands(self) -> list[DroppedBand]:
        """The dropped bands whose cues are placed and timed like subtitles and did not read as Latin
        script: perhaps Tibetan or Chinese subtitles OCR could not read."""
        return [band for band in self.dropped_bands if band.subtitle_like and not band.latin_subtitles]

    def extra_dict(self) -> dict[str, Any]:
        """The report's view of the typed extras, in the contract's keys (`ocr`, `ocr_dropped_bands`,
        `sidecars`, `other_sidecars`)."""
        out: dict[str, Any] = {}
        if self.readings is not None:
            out["ocr"] = [{"cue": index, **r.to_dict()} for index, r in self.readings.items()]
        if self.image_stream is not None:
            out["image_stream"] = self.image_stream.to_dict()
        if self.dropped_bands:
            out["ocr_dropped_bands"] = [b.to_dict() for b in self.dropped_bands]
        if self.unread_cues:
            out["ocr_unread_cues"] = [c.to_dict() for c in self.unread_cues]
        if self.held_lines:
            out["ocr_held_lines"] = [line.to_dict() for line in self.held_lines]
        if self.unscanned_text:
            out["ocr_unscanned_text"] = [t.to_dict() for t in self.unscanned_text]
        parts = "sidecars" if self.source == "sidecar" else "streams"  # what the parts are
        if len(self.sidecars) > 1:
            out[parts] = [s.to_dict() for s in self.sidecars]
        if self.skipped_sidecars:
            out[f"other_{parts}"] = [s.to_dict() for s in self.skipped_sidecars]
        return out


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
                         "model.missing", "model.corrupt", "ocr.missing", "ocr.timeout"})


def exit_code(*, unanalysable: bool, failed: bool) -> int:
    """The exit-code policy of every command (README, "Exit codes"): 2 when the input could not be
    analysed, else 1 when it fails (an error finding; for `audit`, an entry that fails), else 0."""
    return 2 if unanalysable else 1 if failed else 0


def findings_exit_code(findings: Iterable[Finding]) -> int:
    findings = list(findings)
    return exit_code(unanalysable=any(f.fatal for f in findings),
                     failed=any(f.severity is Severity.ERROR for f in findings))


def verdict_of(findings: Iterable[Finding]) -> str:
    """fail with an error finding, warn with a warning, else pass: the report contract's three values
    (`shared/report-contract.md`). An entry that could not be analysed is `fail` there too; its
    `exit_code` 2 and its fatal finding say why (the terminal report, `audit` and the HTML page call
    it "cannot analyse" / `error`)."""
    severities = {f.severity for f in findings}
    return "fail" if Severity.ERROR in severities else "warn" if Severity.WARNING in severities else "pass"


@dataclass(frozen=True)
class Finding:
    """One conclusion about the entry: a code (worded in messages.toml), a severity, where (times in
    seconds, cue number) and `data` (the measured value, the limit, the notice's clause)."""

    code: str
    severity: Severity
    start_s: float | None = None
    end_s: float | None = None
    cue: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # A literal message (zh, en) for findings whose text comes from data files (manual items);
    # everything else is rendered from the message catalogue by code.
    text: dict[str, str] | None = None

    @classmethod
    def at(cls, cue: Cue, code: str, severity: Severity, **data: Any) -> Finding:
        """A finding about one cue: its times, its number, and its text first in `data`."""
        return cls(code, severity, cue.start_s, cue.end_s, cue.index, {"text": cue.text, **data})

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
