"""What every cue source shares: what the caller wants read (`Wanted`), where a source found the
entry's subtitles (`SubtitleSource`), and the two functions a source module has (`Source`)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bilingual.errors import InputError
from bilingual.media import MediaInfo, StreamInfo
from bilingual.model import Sidecar, SkippedSidecar, SourceKind, SubtitleTrack
from bilingual.text.scripts import ScriptCounts

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


PART_LANGUAGE_SHARE = 0.5  # a file or stream is in the languages most of its cues are in


def joined(first: SubtitleTrack, others: Iterable[tuple[str, Callable[[], SubtitleTrack]]]) -> SubtitleTrack:
    """Two sidecars (entry.bo.srt and entry.zh.srt), or two subtitle streams, are one dual-language
    track: one source, one cue model. `others` are (name, read) of the further parts, in order; a part
    joins when it brings a language the parts before it lack. Its cues keep their text (so their own
    language) and their times, and are numbered on after those before (`sidecars` says which part
    holds which cue numbers; path, encoding and format of the track are the first part's). A part in
    a language already there (an older copy, a second cut) or one that cannot be read is not read in:
    it is listed in `skipped_sidecars` with the reason."""
    def languages(track: SubtitleTrack) -> set[str]:
        counts = Counter(lang for c in track.cues for lang in ScriptCounts.of(c.text).languages())
        return {lang for lang, n in counts.items() if n >= PART_LANGUAGE_SHARE * len(track.cues)}

    cues, readings, have = list(first.cues), dict(first.readings or {}), languages(first)
    parts, skipped = ([part_of(first)] if first.cues else []), []
    for name, read in others:
        try:
            track = read()
        except InputError as exc:
            skipped.append(SkippedSidecar(name, exc.reason))
            continue
        new = languages(track) - have
        if not new or not track.cues:
            skipped.append(SkippedSidecar(name, "no language the parts before it lack"))
            continue
        offset = cues[-1].index if cues else 0
        parts.append(part_of(track, offset))
        cues += [replace(c, index=offset + c.index) for c in track.cues]
        readings |= {offset + i: r for i, r in (track.readings or {}).items()}
        have |= new
    return replace(first, cues=cues, sidecars=parts if len(parts) > 1 else [],
                   readings=readings if first.readings is not None else None,
                   skipped_sidecars=[*first.skipped_sidecars, *skipped])


def part_of(track: SubtitleTrack, offset: int = 0) -> Sidecar:
    """A track as one part of a joined track, its cue numbers moved on by `offset`."""
    return Sidecar(track.path, track.encoding, track.format, track.language_tag,
                   offset + track.cues[0].index, offset + track.cues[-1].index, track.stream_index)


# Language tags (a file name's `entry.zh.srt`, a stream's ISO 639-1/2) as the language a player offers
# the subtitles in; a region or script after the tag (zh-Hans, zh_CN) names the same language. "chs"
# and "cht" are what Chinese subtitle files are often named. Other tags are not judged.
TAG_LANGUAGES = {"bo": "bo", "bod": "bo", "tib": "bo", "zh": "zh", "zho": "zh", "chi": "zh", "cmn": "zh",
                 "yue": "zh", "chs": "zh", "cht": "zh", "en": "en", "eng": "en"}


def tag_language(tag: str | None) -> str | None:
    """The language a tag names (TAG_LANGUAGES), or None for a tag not judged."""
    return TAG_LANGUAGES.get((tag or "").lower().replace("_", "-").split("-")[0])


MAX_FURTHER_STREAMS = 3  # a contest entry carries one or two; a DVD rip's dozen would cost an OCR each


def further_streams(media: MediaInfo, first: StreamInfo,
                    kind: Callable[[StreamInfo], bool]) -> list[tuple[str, StreamInfo]]:
    """The streams after `first` of its kind that may hold the other language, named as a report
    names them: tagged Tibetan, Chinese or untagged, at most MAX_FURTHER_STREAMS."""
    candidates = [s for s in media.subtitle_streams if kind(s) and s.index != first.index
                  and ((s.language or "und").lower() == "und" or tag_language(s.language) in ("bo", "zh"))]
    return [(f"stream {s.index}", s) for s in candidates[:MAX_FURTHER_STREAMS]]
