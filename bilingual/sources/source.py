"""What every cue source shares: what the caller wants read (`Wanted`), where a source found the
entry's subtitles (`SubtitleSource`), and the two functions a source module has (`Source`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bilingual.media import MediaInfo, StreamInfo
from bilingual.model import SourceKind, SubtitleTrack

if TYPE_CHECKING:
    from types import ModuleType


@dataclass(frozen=True)
class OcrSettings:
    """How the picture is read for burned-in subtitles."""

    mode: str = "auto"  # "auto": when there is no text track; "on": always (beside one: compared); "off"
    band: tuple[int, int] | None = None  # source rows to read (`--band`) instead of finding the bands
    frames_dir: str | None = None  # where each cue's band image goes, as evidence (`--frames`)

    @classmethod
    def of(cls, value: OcrSettings | str) -> OcrSettings:
        return value if isinstance(value, OcrSettings) else cls(value)


@dataclass(frozen=True)
class Wanted:
    """What the caller asked for: a subtitle file (`--subs`) and how the picture may be read."""

    subs: str | os.PathLike | None = None
    ocr: OcrSettings = OcrSettings()


@dataclass(frozen=True)
class SubtitleSource:
    """Where an entry's subtitles are: sidecar files, a text stream inside the container, or the picture."""

    kind: SourceKind
    path: Path | None = None
    stream: StreamInfo | None = None
    others: tuple[str, ...] = ()  # further sidecars of the same entry (entry.zh.srt beside entry.bo.srt)
    ocr: OcrSettings = OcrSettings()

    def where(self) -> dict[str, Any]:
        if self.kind == "ocr":
            return {"path": None}
        return {"path": str(self.path)} if self.path else {"stream_index": self.embedded.index}

    @property
    def file(self) -> Path:
        if self.path is None:
            raise ValueError(f"a {self.kind} track choice has no file")
        return self.path

    @property
    def embedded(self) -> StreamInfo:
        if self.stream is None:
            raise ValueError(f"a {self.kind} track choice has no stream")
        return self.stream

    def load(self, media: MediaInfo) -> SubtitleTrack:
        """The cues, read by the source module that found them."""
        return module_of(self.kind).load(self, media)


class Source(Protocol):
    """A cue source module: `find` says whether the entry has subtitles there (cheaply: no decoding),
    `load` reads them as a track."""

    def find(self, media: MediaInfo, wanted: Wanted) -> SubtitleSource | None: ...

    def load(self, source: SubtitleSource, media: MediaInfo) -> SubtitleTrack: ...


def module_of(kind: SourceKind) -> ModuleType:
    from bilingual import sources

    return sources.BY_KIND[kind]
