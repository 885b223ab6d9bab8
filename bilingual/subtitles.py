"""Stage 2, subtitles: one cue model, filled from sources (a sidecar file, a text stream, later OCR).

pysubs2 parses the formats; this module adds what it does not do: encoding detection, strict
time-code validation (pysubs2 folds a cue with a bad time code into the previous cue's text and
accepts end < start), and finding the sidecar of an entry.
"""

from __future__ import annotations

import codecs
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pysubs2
import regex

from bilingual.errors import InputError
from bilingual.media import MediaInfo, StreamInfo, read_subtitle_stream

SUBTITLE_EXTENSIONS = (".srt", ".ass", ".ssa", ".vtt")
FORMAT_BY_EXTENSION = {".srt": "srt", ".ass": "ass", ".ssa": "ssa", ".vtt": "vtt"}
# (BOM, codec that decodes what follows it, name reported). Longest first: a UTF-32-LE BOM begins
# with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"), (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
# SRT/VTT time code; fractions of 1–3 digits (SayMore writes `00:00:07,43` = 430 ms).
_TIME = r"(?:(\d+):)?([0-5]?\d):([0-5]\d)[,.](\d{1,3})"
_TIMING_LINE = regex.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")
_LOOKS_LIKE_TIMING = regex.compile(r"-->|^\s*\d+:\d+:\d+[,.:]\d+\s*\S{1,3}\s*\d+:\d+")
_ASS_TIME = regex.compile(r"^\d+:[0-5]\d:[0-5]\d[.:]\d{1,3}$")


@dataclass(frozen=True)
class Cue:
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


@dataclass
class SubtitleTrack:
    cues: list[Cue]
    source: str  # "sidecar" | "embedded" | "ocr"
    path: str | None = None
    stream_index: int | None = None
    encoding: str | None = None
    format: str | None = None
    language_tag: str | None = None  # from the file name (entry.bo.srt) or the stream's tag
    extra: dict = field(default_factory=dict)


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Text and encoding name of a subtitle file: BOMs first, then strict UTF-8, then charset-normalizer."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom):], codec, path), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # only files that are not UTF-8 need it

    best = charset_normalizer.from_bytes(data).best()
    if best is None or b"\x00" in data:
        raise InputError("subs.unreadable", "not a text file (no text encoding fits its bytes)", path)
    encoding = codecs.lookup(best.encoding).name
    return _decode(data, encoding, path), encoding


def _decode(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError("subs.unreadable", f"bytes at {exc.start} are not valid {encoding}", path) from None


def load_subtitle_file(path: str | os.PathLike, *, source: str = "sidecar") -> SubtitleTrack:
    p = Path(path)
    if not p.is_file():
        raise InputError("subs.unreadable", "no such subtitle file" if not p.exists() else "not a file", str(p))
    text, encoding = decode_text(p.read_bytes(), str(p))
    fmt = FORMAT_BY_EXTENSION.get(p.suffix.lower())
    cues, fmt = parse_subtitles(text, fmt, str(p))
    return SubtitleTrack(cues=cues, source=source, path=str(p), encoding=encoding, format=fmt,
                         language_tag=_language_tag(p))


def parse_subtitles(text: str, fmt: str | None, where: str) -> tuple[list[Cue], str]:
    """Validated cues of a subtitle text; raises `subs.unreadable` with the line at fault."""
    if not text.strip():
        raise InputError("subs.unreadable", "subtitle file is empty", where)
    fmt = fmt or _sniff_format(text)
    _validate_time_codes(text, fmt, where)
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except Exception as exc:  # pysubs2 raises several unrelated types for malformed input
        raise InputError("subs.unreadable", f"cannot parse as {fmt or 'a subtitle format'}: {exc}", where) from None
    events = [e for e in subs.events if not e.is_comment]
    cues = [Cue(i, e.start / 1000, e.end / 1000, e.plaintext.strip()) for i, e in enumerate(events, 1)]
    backwards = next((c for c in cues if c.end_s < c.start_s), None)
    if backwards:
        raise InputError("subs.unreadable",
                         f"invalid time codes: cue {backwards.index} ends ({backwards.end_s:.3f} s) "
                         f"before it starts ({backwards.start_s:.3f} s)", where)
    cues = [c for c in cues if c.text]
    if not cues:
        raise InputError("subs.unreadable", "no subtitle cues in the file", where)
    return cues, fmt


def _sniff_format(text: str) -> str | None:
    head = text.lstrip()[:200]
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("[Script Info]"):
        return "ass"
    if "-->" in text:
        return "srt"
    return None


def _validate_time_codes(text: str, fmt: str | None, where: str) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        if fmt in ("ass", "ssa"):
            if line.startswith("Dialogue:"):
                fields = line.split(",", 3)
                bad = [f for f in fields[1:3] if not _ASS_TIME.match(f.strip())] if len(fields) > 3 else [line]
                if bad:
                    raise InputError("subs.unreadable", f"invalid time code at line {number}: {line.strip()[:80]}", where)
        elif _LOOKS_LIKE_TIMING.search(line) and not _TIMING_LINE.match(line):
            raise InputError("subs.unreadable", f"invalid time code at line {number}: {line.strip()[:80]}", where)


def _language_tag(p: Path) -> str | None:
    """`entry.bo.srt` → "bo"; `entry.srt` → None."""
    parts = p.name.split(".")
    return parts[-2].lower() if len(parts) > 2 and 1 < len(parts[-2]) <= 8 else None


def find_sidecars(video: str | os.PathLike) -> list[Path]:
    """Sidecar subtitle files of an entry by the same-stem rule: `entry.srt`, `entry.bo.srt`, …

    Exact-stem files come first (srt, ass, ssa, vtt), then language-tagged ones in name order.
    """
    v = Path(video)
    try:
        siblings = [p for p in v.parent.iterdir() if p.is_file() and p.suffix.lower() in SUBTITLE_EXTENSIONS]
    except OSError:
        return []
    exact = [p for p in siblings if p.stem == v.stem]
    tagged = [p for p in siblings if p.stem != v.stem and p.name.startswith(v.stem + ".")
              and _language_tag(p) is not None and p.name.count(".") == v.stem.count(".") + 2]
    order = {ext: i for i, ext in enumerate(SUBTITLE_EXTENSIONS)}
    return sorted(exact, key=lambda p: order[p.suffix.lower()]) + sorted(tagged, key=lambda p: p.name)


def load_stream(media: MediaInfo, stream: StreamInfo) -> SubtitleTrack:
    """A text subtitle stream inside the container, through ffmpeg's SRT conversion."""
    data = read_subtitle_stream(media.path, stream.index)
    where = f"{media.path} (stream {stream.index})"
    cues, _ = parse_subtitles(data.decode("utf-8", "replace"), "srt", where)
    return SubtitleTrack(cues=cues, source="embedded", stream_index=stream.index, encoding="utf-8",
                         format=stream.codec, language_tag=stream.language)



@dataclass(frozen=True)
class OcrSettings:
    """How the picture is read for burned-in subtitles."""

    mode: str = "auto"  # "auto": when there is no text track; "on": always (beside one: compared); "off"
    band: tuple[int, int] | None = None  # source rows to read (`--band`) instead of finding the bands
    frames_dir: str | None = None  # where each cue's band image goes, as evidence (`--frames`)

    @classmethod
    def of(cls, value: "OcrSettings | str") -> "OcrSettings":
        return value if isinstance(value, OcrSettings) else cls(value)


@dataclass(frozen=True)
class SubtitleSource:
    """Where an entry's subtitles are: sidecar files, a text stream inside the container, or the picture."""

    kind: str  # "sidecar" | "embedded" | "ocr"
    path: Path | None = None
    stream: StreamInfo | None = None
    others: tuple[str, ...] = ()  # further sidecars of the same entry (entry.zh.srt beside entry.bo.srt)
    ocr: OcrSettings = OcrSettings()

    def where(self) -> dict:
        if self.kind == "ocr":
            return {"path": None}
        return {"path": str(self.path)} if self.path else {"stream_index": self.stream.index}

    def load(self, media: MediaInfo) -> SubtitleTrack:
        if self.kind == "ocr":
            return load_burned_in(media, self.ocr)
        if self.path is not None:
            track = load_subtitle_file(self.path)
        else:
            track = load_stream(media, self.stream)
        if self.others:
            track = with_other_sidecars(track, self.others)
        return track


def with_other_sidecars(first: SubtitleTrack, others: tuple[str, ...] | list[str]) -> SubtitleTrack:
    """Two sidecars (entry.bo.srt and entry.zh.srt) are one dual-language track: one source, one cue
    model. A further sidecar joins when it brings a language the files before it lack; its cues keep
    their text (so their own language) and their times, and are numbered on after the first file's
    (`extra["sidecars"]` says which file holds which cue numbers; path, encoding and format of the
    track are the first file's). A further file in a language already there (an older copy) or one
    that cannot be read is not read in: it is listed in `extra["other_sidecars"]` with the reason.
    """
    from bilingual.script import ScriptCounts  # script.py builds on this module

    def languages(track: SubtitleTrack) -> set[str]:
        counts = Counter(lang for c in track.cues for lang in ScriptCounts.of(c.text).languages())
        return {lang for lang, n in counts.items() if n >= SIDECAR_LANGUAGE_SHARE * len(track.cues)}

    def entry(track: SubtitleTrack, offset: int) -> dict:
        return {"path": track.path, "encoding": track.encoding, "format": track.format,
                "language_tag": track.language_tag, "first_cue": offset + track.cues[0].index,
                "last_cue": offset + track.cues[-1].index}

    cues, have = list(first.cues), languages(first)
    sidecars, skipped = [entry(first, 0)], []
    for path in others:
        try:
            track = load_subtitle_file(path)
        except InputError as exc:
            skipped.append({"path": str(path), "reason": exc.reason})
            continue
        new = languages(track) - have
        if not new:
            skipped.append({"path": str(path), "reason": "no language the sidecars before it lack"})
            continue
        offset = cues[-1].index
        sidecars.append(entry(track, offset))
        cues += [replace(c, index=offset + c.index) for c in track.cues]
        have |= new
    extra = dict(first.extra)
    if len(sidecars) > 1:
        extra["sidecars"] = sidecars
    if skipped:
        extra["other_sidecars"] = skipped
    return replace(first, cues=cues, extra=extra)


SIDECAR_LANGUAGE_SHARE = 0.5  # a sidecar is in the languages most of its cues are in


def find_subtitle_source(media: MediaInfo, subs: str | os.PathLike | None = None,
                         ocr: OcrSettings | str = "off") -> SubtitleSource | None:
    """The contract's order: `--subs`, a same-stem sidecar (further ones ride along), the first text
    subtitle stream, then — with `ocr` "auto" or "on" — subtitles burned into the picture. With "on"
    and a text track, the text track is still the source; the caller reads the picture beside it to
    compare the two (`bilingual.compare`)."""
    ocr = OcrSettings.of(ocr)
    burned_in = SubtitleSource("ocr", ocr=ocr) if media.has_video else None
    if subs is not None:
        return SubtitleSource("sidecar", path=Path(subs))
    sidecars = find_sidecars(media.path)
    if sidecars:
        return SubtitleSource("sidecar", path=sidecars[0], others=tuple(str(p) for p in sidecars[1:]))
    stream = next((s for s in media.subtitle_streams if s.text_based), None)
    if stream:
        return SubtitleSource("embedded", stream=stream)
    return burned_in if ocr.mode in ("auto", "on") else None


def load_burned_in(media: MediaInfo, settings: OcrSettings = OcrSettings()) -> SubtitleTrack:
    """Cues read from the picture: frame-exact times, text from OCR, and where each was read (with
    `settings.frames_dir`, also the path of the band image written there)."""
    from bilingual.ocr import read_burned_in, write_evidence

    dropped: list[dict] = []
    read = read_burned_in(media.path, media, settings.band, dropped)
    images = write_evidence(read, settings.frames_dir) if settings.frames_dir else [None] * len(read)
    cues = [Cue(i, r.cue.start_s, r.cue.end_s, r.reading.text) for i, r in enumerate(read, 1)]
    where = {i: {"frame_s": round(r.frame_s, 3), "band": list(r.band.source_rows()),
                 "confidence": round(r.reading.confidence, 3), "engine": r.reading.engine,
                 "first_frame": r.cue.first_frame, "last_frame": r.cue.last_frame,
                 **({"image": image} if image else {})}
             for i, (r, image) in enumerate(zip(read, images), 1)}
    return SubtitleTrack(cues=cues, source="ocr", format="burned-in",
                         extra={"ocr": where, **({"ocr_dropped_bands": dropped} if dropped else {})})
