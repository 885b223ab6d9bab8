"""Subtitle files: the sidecars of an entry (`entry.srt`, `entry.bo.srt`, …) and `--subs`, read with
their encoding, strict time codes and line ends; several sidecars read as one dual-language track.
The SRT reader here also reads a text stream's ffmpeg conversion (`sources.embedded`).

pysubs2 parses ASS/SSA; SRT and WebVTT are read here, by their timing lines (pysubs2 1.8 splits
lines on LF only, so a CR-only file had no cue; it reads WebVTT identifiers and NOTE blocks as cue
text; it keeps the last two digits of a 100-hour time code). The same timing lines are what
`retime_text` rewrites for `fix`. This module adds encoding detection, strict time-code validation
(pysubs2 folds a cue with a bad time code into the previous cue's text and accepts end < start),
and finding the sidecar of an entry.
"""

from __future__ import annotations

import codecs
import html
import os
from functools import partial
from pathlib import Path
from typing import Any

import pysubs2
import regex

from bilingual.errors import InputError
from bilingual.media import MAX_ANALYSED_S, MediaInfo, require_file
from bilingual.model import Cue, SourceKind, SubtitleTrack
from bilingual.sources.source import SubtitleSource, Wanted, joined

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
_TIME = r"(?:(\d+):)?([0-5]?\d):([0-5]\d)([,.])(\d{1,3})"
_TIME_CODE = regex.compile(_TIME)
_TIMING_LINE = regex.compile(rf"^\s*(?P<start>{_TIME})\s*-->\s*(?P<end>{_TIME})(?:\s.*)?$")
# Hours are refused from 100 on: SRT's own limit is 99:59:59,999 and pysubs2 keeps the last two
# digits of more (123:00:05 read as 23:00:05); an entry lasts minutes.
MAX_HOURS = 99
_LINE_END = regex.compile(r"\r\n|\r|\n")
# WebVTT cue-text markup: <rt> holds a ruby reading (pinyin over Han would count as Latin
# letters), the other tags only style the text.
_VTT_RUBY_TEXT = regex.compile(r"<rt(?:[.\s][^>]*)?>.*?(?:</rt\s*>|(?=</ruby)|$)", regex.S)
_VTT_TAG = regex.compile(r"<[^>\n]*>")
_SRT_TAG = regex.compile(r"< */? *[a-zA-Z][^>]*>|\{\\[^}]*\}")  # <i>, <font …>; {\an8}
_LOOKS_LIKE_TIMING = regex.compile(r"-->|^\s*\d+:\d+:\d+[,.:]\d+\s*\S{1,3}\s*\d+:\d+")
_ASS_TIME = regex.compile(r"^\d+:[0-5]\d:[0-5]\d[.:]\d{1,3}$")


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
        raise InputError("subs.unreadable", path=path, wording="error/not_text")
    encoding = codecs.lookup(best.encoding).name
    return _decode(data, encoding, path), encoding


def _decode(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError("subs.unreadable", path=path, wording="error/bad_bytes", offset=exc.start,
                         encoding=encoding) from None


def load_subtitle_file(path: str | os.PathLike, *, source: SourceKind = "sidecar",
                       duration_s: float | None = None) -> SubtitleTrack:
    """A subtitle file as a track; `duration_s`, the video's, bounds how many cues it may hold."""
    p = Path(path)
    require_file(p, "subs.unreadable")  # a FIFO, a device or a name too long is refused before it is opened
    text, encoding = decode_text(read_bounded(p), str(p))
    # Counting time-code arrows and dialogue lines costs milliseconds; parsing, 1.2 s a megabyte.
    require_plausible_count(text.count("-->") + text.count("Dialogue:"), duration_s, str(p))
    fmt = FORMAT_BY_EXTENSION.get(p.suffix.lower())
    cues, fmt = parse_subtitles(text, fmt, str(p))
    return SubtitleTrack(cues=cues, source=source, path=str(p), encoding=encoding, format=fmt,
                         language_tag=_language_tag(p))


# What a subtitle track of an analysable entry can hold. A cue every quarter second (a third of the
# shortest cue a profile allows, 0.833 s) for an hour (media.MAX_ANALYSED_S) is 14,400 cues; two-line Tibetan cues
# (≈ 500 bytes) make that 7.2 MB. Measured (benchmarks/faults.py): parsing costs 1.2 s a megabyte,
# the checks ≈ 0.4 ms and 14 KB a cue (60,000 cues: 25 s, 860 MB), so these bounds keep a check
# within seconds and the memory cap; a 50 MB file (398 s, 6 GB before) is refused unread.
MAX_SUBTITLE_BYTES = 10 << 20
MAX_CUES_PER_S = 4.0
MIN_CUES_ALLOWED = 100  # a short clip may still carry a few cues past its end


def read_bounded(p: Path) -> bytes:
    """The bytes of a subtitle file, never more than MAX_SUBTITLE_BYTES + 1 read."""
    with p.open("rb") as fh:
        return require_bounded(fh.read(MAX_SUBTITLE_BYTES + 1), str(p))


def require_bounded(data: bytes, where: str) -> bytes:
    if len(data) > MAX_SUBTITLE_BYTES:
        raise InputError("subs.unreadable", path=where, wording="error/subs_too_large", mb=MAX_SUBTITLE_BYTES >> 20)
    return data


def require_plausible_count(cues: int, duration_s: float | None, where: str) -> None:
    """More than MAX_CUES_PER_S cues a second of the video (of the longest analysed, without one) is
    `subs.unreadable`: every later stage costs time by the cue, and no subtitle track holds that many."""
    allowed = max(MIN_CUES_ALLOWED, MAX_CUES_PER_S * (duration_s or MAX_ANALYSED_S))
    if cues > allowed:
        raise InputError("subs.unreadable", path=where,
                         wording="error/too_many_cues" + ("" if duration_s else "/longest"), cues=cues,
                         allowed=f"{allowed:.0f}", per_s=f"{MAX_CUES_PER_S:.0f}",
                         seconds=f"{duration_s or 0:.0f}")


def parse_subtitles(text: str, fmt: str | None, where: str) -> tuple[list[Cue], str]:
    """Validated cues of a subtitle text; raises `subs.unreadable` with the line at fault."""
    text = unify_line_ends(text)
    if not text.strip():
        raise InputError("subs.unreadable", path=where, wording="error/subs_empty")
    fmt = fmt or _sniff_format(text)
    _validate_time_codes(text, fmt, where)
    cues, fmt = (read_cues(text, fmt), fmt) if fmt in ("srt", "vtt") else _pysubs2_cues(text, fmt, where)
    backwards = next((c for c in cues if c.end_s < c.start_s), None)
    if backwards:
        raise InputError("subs.unreadable", path=where, wording="error/cue_backwards", cue=backwards.index,
                         end_s=f"{backwards.end_s:.3f}", start_s=f"{backwards.start_s:.3f}")
    cues = [c for c in cues if c.text]
    if not cues:
        raise InputError("subs.unreadable", path=where, wording="error/no_cues")
    return cues, fmt


def unify_line_ends(text: str) -> str:
    """CRLF and lone CR (old Mac editors) as LF, the only line end the parsers split on."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pysubs2_cues(text: str, fmt: str | None, where: str) -> tuple[list[Cue], str]:
    """The cues pysubs2 reads, and the format it read them as (its guess where `fmt` is None)."""
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except Exception as exc:  # pysubs2 raises several unrelated types for malformed input
        raise InputError("subs.unreadable", path=where, wording="error/unparsable" + ("" if fmt else "/any"),
                         format=fmt, detail=exc) from None
    events = [e for e in subs.events if not e.is_comment]
    cues = [Cue(i, e.start / 1000, e.end / 1000, e.plaintext.strip()) for i, e in enumerate(events, 1)]
    return cues, subs.format or fmt or "srt"


def read_cues(text: str, fmt: str) -> list[Cue]:
    """Every cue of a validated SRT or WebVTT text (LF line ends), empty ones too, numbered in file
    order — one per timing line, the lines `retime_text` rewrites. A cue's text runs to the next
    timing line in SRT (less the next cue's number, as pysubs2 reads it), to the end of its block in
    WebVTT, so the header, a cue identifier (the line before its timing line) and NOTE, STYLE and
    REGION blocks are not cue text; markup is dropped."""
    cues: list[tuple[int, int, list[str]]] = []
    payload: list[str] | None = None  # the current cue's text lines; None outside a cue
    for line in text.split("\n"):
        timing = _TIMING_LINE.match(line)
        if timing:
            start, end = (_milliseconds(timing.group(side)) for side in ("start", "end"))
            cues.append((start, end, payload := []))
        elif fmt == "vtt" and not line.strip():
            payload = None
        elif payload is not None:
            payload.append(line)
    if fmt == "srt":
        for _, _, lines in cues:
            if len(lines) > 1 and _is_number(lines[-1]):
                lines.pop()
    clean = _vtt_text if fmt == "vtt" else _srt_text
    return [Cue(i, start / 1000, end / 1000, clean("\n".join(lines)).strip())
            for i, (start, end, lines) in enumerate(cues, 1)]


def _is_number(line: str) -> bool:
    return line.strip().isascii() and line.strip().isdigit()


def _time_code_parts(code: str) -> tuple[Any, ...]:
    """Hours, minutes, seconds, separator and fraction of a time code the validation passed."""
    match = _TIME_CODE.fullmatch(code)
    if match is None:
        raise ValueError(f"not a time code: {code!r}")
    return match.groups()


def _milliseconds(code: str) -> int:
    hours, minutes, seconds, _, fraction = _time_code_parts(code)
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 \
        + int(fraction) * 10 ** (3 - len(fraction))


def _srt_text(text: str) -> str:
    return _SRT_TAG.sub("", text)


def _vtt_text(text: str) -> str:
    """WebVTT cue text as it reads: no tags (<v Speaker>, <c.class>, <i>, timestamps), no ruby
    readings, character references (&amp;) decoded."""
    return html.unescape(_VTT_TAG.sub("", _VTT_RUBY_TEXT.sub("", text)))


def retime_text(text: str, times_ms: list[tuple[int, int]]) -> str:
    """An SRT or WebVTT text with the time codes of its timing lines — in the order of `read_cues` —
    set to `times_ms`; every other character (numbers, identifiers, NOTE/STYLE/REGION blocks, cue
    settings, markup, line ends) is kept. A time code keeps its own form (hours or not, `,` or `.`)."""
    parts = _LINE_END.split(text)  # the lines read_cues reads, whatever their ends
    ends = _LINE_END.findall(text)
    timing_lines = [(i, m) for i, m in enumerate(map(_TIMING_LINE.match, parts)) if m]
    if len(timing_lines) != len(times_ms):
        raise ValueError(f"{len(times_ms)} cue times for {len(timing_lines)} timing lines")
    for (i, timing), (start, end) in zip(timing_lines, times_ms, strict=False):
        line = parts[i]
        parts[i] = (line[:timing.start("start")] + _time_code(start, timing.group("start"))
                    + line[timing.end("start"):timing.start("end")] + _time_code(end, timing.group("end"))
                    + line[timing.end("end"):])
    return "".join(part + end for part, end in zip(parts, [*ends, ""], strict=False))


def _time_code(ms: int, like: str) -> str:
    """`ms` written in the form of the time code `like` (hours kept or added when needed)."""
    hours, _, _, separator, _ = _time_code_parts(like)
    h, rest = divmod(max(0, ms), 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    hour = f"{h:0{max(2, len(hours or ''))}d}:" if hours is not None or h else ""
    return f"{hour}{m:02d}:{s:02d}{separator}{ms:03d}"


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
    for number, line in enumerate(text.split("\n"), 1):
        if fmt in ("ass", "ssa"):
            if line.startswith("Dialogue:"):
                fields = line.split(",", 3)
                bad = [f for f in fields[1:3] if not _ASS_TIME.match(f.strip())] if len(fields) > 3 else [line]
                if bad:
                    raise InputError("subs.unreadable", path=where, wording="error/bad_time_code", line=number,
                                     text=line.strip()[:80])
                _check_hours(fields[1:3], number, where)
        elif _LOOKS_LIKE_TIMING.search(line):
            timing = _TIMING_LINE.match(line)
            if not timing:
                raise InputError("subs.unreadable", path=where, wording="error/bad_time_code", line=number,
                                 text=line.strip()[:80])
            _check_hours([timing.group("start"), timing.group("end")], number, where)


def _check_hours(codes: list[str], number: int, where: str) -> None:
    for code in codes:
        hours = code.strip().split(":")
        if len(hours) == 3 and int(hours[0]) > MAX_HOURS:
            raise InputError("subs.unreadable", path=where, wording="error/hours", line=number, text=code.strip())


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


def with_other_sidecars(first: SubtitleTrack, others: tuple[str, ...] | list[str]) -> SubtitleTrack:
    """The first sidecar's track with the entry's further sidecars joined (`source.joined`)."""
    return joined(first, ((str(path), partial(load_subtitle_file, path)) for path in others))


# A sidecar this small holding only white space (or a byte-order mark) holds no subtitles.
EMPTY_SIDECAR_BYTES = 1024


def empty_sidecars(video: str | os.PathLike) -> list[Path]:
    """The entry's sidecars that hold nothing: read as if absent (`find`), so that the picture is
    read; an empty `entry.bo.srt` beside an entry with subtitles burned in made it "cannot analyse"."""
    return [p for p in find_sidecars(video) if _holds_nothing(p)]


def _holds_nothing(path: Path) -> bool:
    return path.stat().st_size < EMPTY_SIDECAR_BYTES and not path.read_bytes().strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff")


def find(media: MediaInfo, wanted: Wanted) -> SubtitleSource | None:
    """`--subs`, else the entry's same-stem sidecars that hold something (further ones ride along)."""
    if wanted.subs is not None:
        return SubtitleSource("sidecar", path=Path(wanted.subs))
    sidecars = [p for p in find_sidecars(media.path) if not _holds_nothing(p)]
    if sidecars:
        return SubtitleSource("sidecar", path=sidecars[0], others=tuple(str(p) for p in sidecars[1:]))
    return None


def load(source: SubtitleSource, media: MediaInfo) -> SubtitleTrack:
    track = load_subtitle_file(source.file, duration_s=media.duration_s)
    return with_other_sidecars(track, source.others) if source.others else track
