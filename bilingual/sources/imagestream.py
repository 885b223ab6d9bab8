"""Image subtitle streams (PGS, VobSub, DVB): every subtitle the stream shows, read by the OCR that reads
burned-in subtitles (`ocr.read_lines`), into the same cue model (`SubtitleTrack(source="image_stream")`).

Times are the decoder's own: ffprobe decodes the stream and gives each subtitle's presentation time
and display times (a PGS clear, a VobSub duration, a DVB page time-out), on the clock every other
stage uses (the file's start is 0, as ffmpeg decodes it). The pictures are ffmpeg's too: the stream
is drawn (`sub2video`, palette, position and transparency as a player shows them) over a canvas of
one colour, only on the frame in the middle of each subtitle — one picture per subtitle, not a
decode of every frame. Each picture becomes the burned-in reader's kind of picture (bright text on
a dark outline, `canonical`) whatever the authoring tool drew: white text with a black outline,
dark text with a light or coloured outline, text on a box, text with no outline at all.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from functools import partial

import numpy as np
import regex

from bilingual.errors import InputError
from bilingual.media import (
    MediaInfo,
    StreamInfo,
    Watchdog,
    decode_timeout,
    ffmpeg_command,
    require_ffmpeg,
    run_tool,
    timed_out,
    tool_input,
)
from bilingual.model import Cue, CueReading, ImageStreamSummary, SubtitleTrack
from bilingual.sources.burnedin.read import require_tesseract
from bilingual.sources.source import SubtitleSource, Wanted, further_streams, joined

# The canvas the stream is drawn on: a colour no subtitle style uses, so that every pixel that is not
# exactly it was drawn by the subtitle (its anti-aliased edges too).
CANVAS_RGB = (255, 0, 255)
CANVAS_TOLERANCE = 12  # per channel: the overlay's rounding
PICK_RATE = 100  # canvas frames a second to pick each subtitle's middle frame from (10 ms steps)
DVB_DEFAULT_SIZE = (720, 576)  # a DVB stream without a display definition is drawn at this size (EN 300 743)
NO_END = 4294967295  # end_display_time of a subtitle that lasts until the next one (PGS)
MERGE_GAP_S = 0.05  # consecutive subtitles with the same text this close are one cue (PGS palette updates)
LATIN_SHARE = 0.5  # of a line's letters, Latin: a line in a script other than Tibetan or Chinese
_LATIN = regex.compile(r"\p{Script=Latin}")


@dataclass
class ImageEvent:
    """One subtitle of the stream: when it shows (s, from the file's start) and what was read in it."""

    start_s: float
    end_s: float
    lines: list[str] | None = None
    confidence: float = 0.0
    engines: tuple[str, ...] = ()
    image: np.ndarray | None = None  # the picture as read (canonical), evidence for `--frames`
    rows: tuple[int, int] = (0, 0)  # canvas rows holding its text


def ocr_unavailable() -> InputError | None:
    """Why the streams cannot be read here (Tesseract or its Tibetan model missing), or None."""
    try:
        require_tesseract()
    except InputError as exc:
        return exc
    return None


def unread_reason(media: MediaInfo, mode: str) -> tuple[str, InputError | None] | None:
    """Why the entry's image streams are not read — ("disabled", None) under `--ocr off`, ("no_ocr",
    the error) without Tesseract or its Tibetan model — or None (none there, or they can be read)."""
    if not any(s.image_based for s in media.subtitle_streams):
        return None
    if mode == "off":
        return "disabled", None
    missing = ocr_unavailable()
    return None if missing is None else ("no_ocr", missing)


def find(media: MediaInfo, wanted: Wanted) -> SubtitleSource | None:
    """The first image subtitle stream, with `--ocr auto` or `on`, when OCR can read it here."""
    if wanted.ocr.mode not in ("auto", "on"):
        return None
    image = next((s for s in media.subtitle_streams if s.image_based), None)
    return SubtitleSource("image_stream", stream=image, ocr=wanted.ocr) if image and ocr_unavailable() is None \
        else None


def load(source: SubtitleSource, media: MediaInfo) -> SubtitleTrack:
    """The first image stream's cues, with those of further image streams that bring a language it
    lacks (a Tibetan and a Chinese PGS stream are one dual-language track)."""
    first, frames = source.embedded, source.ocr.frames_dir
    others = further_streams(media, first, lambda s: s.image_based)
    return joined(load_image_stream(media, first, frames),
                  ((name, partial(load_image_stream, media, s, frames)) for name, s in others))


def load_image_stream(media: MediaInfo, stream: StreamInfo, frames_dir: str | None = None) -> SubtitleTrack:
    """The stream's subtitles as a track: one cue per subtitle shown (consecutive ones with the same
    text joined), its lines read top to bottom; `readings` says, per cue, when it was read, the
    canvas rows, the OCR confidence and engine (and, with `frames_dir`, the image read)."""
    require_tesseract()
    events, size, zero = subtitle_events(media, stream)
    _read_events(media, stream, events, size, zero)
    read = _merge(e for e in events if e.lines)
    images = _write_evidence(read, frames_dir) if frames_dir else [None] * len(read)
    cues = [Cue(i, e.start_s, e.end_s, "\n".join(e.lines or [])) for i, e in enumerate(read, 1)]
    readings = {i: CueReading((e.start_s + e.end_s) / 2, e.rows, e.confidence, "+".join(e.engines), image=image)
                for i, (e, image) in enumerate(zip(read, images, strict=True), 1)}
    return SubtitleTrack(cues=cues, source="image_stream", stream_index=stream.index, format=stream.codec,
                         language_tag=stream.language, readings=readings,
                         image_stream=ImageStreamSummary(stream.codec or "", size, len(events)))


def subtitle_events(media: MediaInfo, stream: StreamInfo) -> tuple[list[ImageEvent], tuple[int, int], float]:
    """Every subtitle that shows something, with its times as the decoder gives them (from the file's
    start), the size of the canvas the stream is drawn for, and the file's start on the stream's own
    clock. A subtitle ends at its own end, or when the next one (a clear, or new text) takes its
    place, or with the file."""
    from bilingual.sources.files import require_plausible_count

    require_ffmpeg()
    args = ["ffprobe", "-v", "error", "-select_streams", str(stream.index), "-show_frames",
            "-show_entries", "subtitle=pts,start_display_time,end_display_time,num_rects"
            ":stream=width,height:format=start_time", "-of", "json", tool_input(media.path)]
    out, _ = run_tool(args, media.path, decode_timeout(media.duration_s))
    raw = json.loads(out.decode("utf-8", "replace"))
    zero = float(raw.get("format", {}).get("start_time") or 0.0)
    shown = []
    for s in raw.get("frames", []):
        if "pts" not in s or s["pts"] is None:
            continue
        at = int(s["pts"]) / 1e6 - zero  # AV_TIME_BASE
        start = at + int(s.get("start_display_time", 0)) / 1000
        end_ms = int(s.get("end_display_time", NO_END))
        shown.append((start, None if end_ms >= NO_END else at + end_ms / 1000, int(s.get("num_rects", 0))))
    shown.sort(key=lambda x: x[0])
    events = []
    for i, (start, end, rects) in enumerate(shown):
        following = shown[i + 1][0] if i + 1 < len(shown) else (media.duration_s or start + 5.0)
        end = following if end is None else min(end, following)
        if rects and end > max(start, 0.0):  # shown before the file starts: only from 0
            events.append(ImageEvent(max(start, 0.0), end))
    require_plausible_count(len(events), media.duration_s, f"{media.path} (stream {stream.index})")
    return events, _canvas_size(media, stream, raw.get("streams", [{}])[0]), zero


def _canvas_size(media: MediaInfo, stream: StreamInfo, raw: dict) -> tuple[int, int]:
    """The size the stream's subtitles are placed in: its own (PGS, VobSub), else the picture's
    (DVB without a display definition: the standard's 720 × 576 at least)."""
    if raw.get("width") and raw.get("height"):
        return int(raw["width"]), int(raw["height"])
    width, height = media.width or 0, media.height or 0
    if stream.codec == "dvb_subtitle" and width < DVB_DEFAULT_SIZE[0]:
        return DVB_DEFAULT_SIZE
    return (width, height) if width and height else DVB_DEFAULT_SIZE


def _pick_frames(events: list[ImageEvent], zero: float) -> tuple[float, list[int]]:
    """The canvas's start on the stream's clock (a second before the first subtitle) and, at PICK_RATE
    from it, the canvas frame in the middle of each subtitle."""
    start = zero + events[0].start_s - 1.0
    return start, [int(round(((e.start_s + e.end_s) / 2 + zero - start) * PICK_RATE)) for e in events]


def _read_events(media: MediaInfo, stream: StreamInfo, events: list[ImageEvent], size: tuple[int, int],
                 zero: float) -> None:
    """Draw each subtitle (one ffmpeg run for all), make it canonical, cut it into lines and read them.
    Only the rows around each subtitle's text are kept (a 1080p canvas is 6 MB a subtitle)."""
    if not events:
        return
    start, picks = _pick_frames(events, zero)
    views: list[tuple[int, np.ndarray]] = []  # (event, line view), top to bottom
    for n, picture in _pictures(media, stream, sorted(set(picks)), size, start):
        image, (top, bottom) = canonical(picture)
        if image is None:
            continue
        kept = np.pad(image, ((LINE_PAD, LINE_PAD), (0, 0), (0, 0)))  # the canvas above and below: dark
        lines = [kept[a - LINE_PAD:b + LINE_PAD] for a, b in text_rows(kept)]
        for k in (k for k, pick in enumerate(picks) if pick == n):
            events[k].image, events[k].rows = kept, (max(0, top - LINE_PAD), min(size[1], bottom + LINE_PAD))
            views += [(k, view) for view in lines]
    _read_lines(events, views)


LINE_PAD = 8  # rows of canvas kept above and below a line's text
MARK_SHARE = 0.5  # a run of rows under this share of the tallest run's height is part of a line (a
# Tibetan vowel sign above the head line, a subjoined letter below it), not a line of its own


def text_rows(image: np.ndarray) -> list[tuple[int, int]]:
    """[top, bottom) rows of each line of text on the canonical picture: runs of rows that hold drawn
    pixels, a short run (a vowel sign a few rows above its letters) joined to its nearest neighbour.
    Two lines are runs of about equal height; the drawn pixels are the subtitle's alone, so no scan
    of the picture's texture is needed to find them."""
    on = np.append(image[:, :, 0].max(axis=1) > 0, False)
    runs: list[list[int]] = []
    start = None
    for row, lit in enumerate(on):
        if lit and start is None:
            start = row
        elif not lit and start is not None:
            runs.append([start, row])
            start = None
    tallest = max((b - a for a, b in runs), default=0)
    while len(runs) > 1 and (short := min(range(len(runs)), key=lambda i: runs[i][1] - runs[i][0])) is not None \
            and runs[short][1] - runs[short][0] < MARK_SHARE * tallest:
        gaps = [(runs[short][0] - runs[short - 1][1], short - 1) if short > 0 else (None, None),
                (runs[short + 1][0] - runs[short][1], short + 1) if short + 1 < len(runs) else (None, None)]
        _, into = min((g for g in gaps if g[0] is not None), key=lambda g: g[0])
        runs[into] = [min(runs[into][0], runs[short][0]), max(runs[into][1], runs[short][1])]
        del runs[short]
    return [(a, b) for a, b in runs]


def _read_lines(events: list[ImageEvent], views: list[tuple[int, np.ndarray]]) -> None:
    """Each line as a burned-in line is read (Chinese by RapidOCR, Tibetan by Tesseract); a line that
    is neither but reads confidently as Latin letters is kept as it reads (an English or a Wylie
    subtitle must be reported as what it is, not dropped)."""
    from bilingual.sources.burnedin.read import read_lines

    position: dict[int, int] = {}
    bands = []
    for k, _ in views:  # a line's position in its subtitle plays the burned-in band's part
        bands.append(position.get(k, 0))
        position[k] = bands[-1] + 1
    readings = read_lines([view for _, view in views], bands)
    unread = [i for i, reading in enumerate(readings) if not reading.text]
    again = read_lines([smoothed(views[i][1]) for i in unread], [bands[i] for i in unread]) if unread else []
    for i, reading in zip(unread, again, strict=True):
        readings[i] = reading if reading.text else _read_latin(views[i][1])
    for (k, _), reading in zip(views, readings, strict=True):
        if reading.text:
            event = events[k]
            event.lines = [*(event.lines or []), reading.text]
            event.confidence = min(event.confidence or 1.0, reading.confidence)
            event.engines = tuple(dict.fromkeys([*event.engines, reading.engine]))


# A bitmap of few colours has hard, stair-stepped edges (VobSub keeps four colours): Tesseract reads such
# a Tibetan line less surely than an anti-aliased one. A line read as nothing is read again slightly
# smoothed (σ 0.7 px, then brightened 1.6×: the blur leaves a thin stroke ≈ 0.6 of its level, under the
# reader's "bright"). Measured on three VobSub lines of Tibetan Machine Uni, yellow on blue: Tesseract
# confidence 0.80 / 0.91 / 0.46 sharp, 0.88 / 0.85 / 0.74 smoothed.
SMOOTH_SIGMA, SMOOTH_GAIN = 0.7, 1.6


def smoothed(view: np.ndarray) -> np.ndarray:
    import cv2

    soft = cv2.GaussianBlur(view, (0, 0), SMOOTH_SIGMA).astype(np.float32)
    return np.clip(soft * SMOOTH_GAIN, 0, 255).astype(np.uint8)


def _read_latin(view: np.ndarray):
    from bilingual.sources.burnedin.read import (
        CHINESE_MIN_SCORE,
        Reading,
        line_box,
        normalize,
        read_chinese,
        text_pixels,
    )

    reading = read_chinese(view, line_box(text_pixels(view)))
    letters = [c for c in reading.text if c.isalpha()]
    if letters and reading.confidence >= CHINESE_MIN_SCORE \
            and len(_LATIN.findall(reading.text)) >= LATIN_SHARE * len(letters):
        return Reading(normalize(reading.text, "other"), "other", reading.confidence, reading.engine)
    return Reading("", "none", 0.0, "")


def select_expression(picks: list[int]) -> str:
    """An ffmpeg expression true on the canvas frames `picks` (ascending) and no other: a balanced tree
    of comparisons, so that each frame costs log₂ of the subtitles to test, not one test each."""
    if len(picks) == 1:
        return f"eq(n\\,{picks[0]})"
    middle = len(picks) // 2
    return f"if(lt(n\\,{picks[middle]})\\,{select_expression(picks[:middle])}\\,{select_expression(picks[middle:])})"


def _pictures(media: MediaInfo, stream: StreamInfo, picks: list[int], size: tuple[int, int], start: float):
    """(frame, RGB canvas picture with the stream drawn on it) at each canvas frame of `picks`
    (ascending; the canvas begins at `start` on the stream's clock), as ffmpeg makes them; one run: a
    tiny canvas, only the picked frames scaled up and drawn on (the rest never are).

    The other streams are discarded and the stream's own timestamps kept (`-copyts`): ffmpeg otherwise
    redraws the current subtitle on every packet of the other streams (its `sub2video` heartbeat),
    and where a muxer placed subtitle packets later than the picture's (MPEG-TS from ffmpeg's DVB
    encoder), those redraws carried the subtitle before into the next one's time: on a 5-minute DVB
    entry 42 cues came out of 62, each with the next one's text. The graph goes in a file: a long
    entry's expression would pass the kernel's 128 KB limit on one argument."""
    import tempfile

    width, height = size
    colour = "0x{:02X}{:02X}{:02X}".format(*CANVAS_RGB)
    graph = (f"color=c={colour}:s=16x16:r={PICK_RATE}:d={picks[-1] / PICK_RATE + 1:.3f},format=rgb24,"
             f"setpts=PTS+{start:.6f}/TB,select='{select_expression(picks)}',"
             f"scale={width}:{height}:flags=neighbor[canvas];"
             f"[canvas][0:{stream.index}]overlay=eof_action=repeat:format=rgb,format=rgb24[out]")
    others = [option for kind in ("v", "a", "d", "t") for option in (f"-discard:{kind}", "all")]
    others += [option for s in media.subtitle_streams if s.index != stream.index
               for option in (f"-discard:{s.index}", "all")]
    with tempfile.NamedTemporaryFile("w", prefix="bilingual-graph-", suffix=".txt") as script:
        script.write(graph)
        script.flush()
        command = ffmpeg_command("-copyts", *others, "-canvas_size", f"{width}x{height}", "-i", tool_input(media.path),
                                 "-filter_complex_script", script.name, "-map", "[out]", "-fps_mode", "passthrough",
                                 "-f", "rawvideo", "pipe:1")
        yield from _drawn(media, stream, command, picks, size)


def _drawn(media: MediaInfo, stream: StreamInfo, command: list[str], picks: list[int], size: tuple[int, int]):
    width, height = size
    timeout_s = decode_timeout(media.duration_s)
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    frame_bytes = width * height * 3
    drawn = 0
    with Watchdog(proc, timeout_s) as watchdog:
        assert proc.stdout is not None  # stdout=PIPE
        try:
            for n in picks:
                chunk = proc.stdout.read(frame_bytes)
                if len(chunk) < frame_bytes:
                    break
                drawn += 1
                yield n, np.frombuffer(chunk, np.uint8).reshape(height, width, 3)
        finally:
            proc.kill()
            _, stderr = proc.communicate()
    if watchdog.fired:
        raise timed_out("ffmpeg", timeout_s, media.path)
    if drawn < len(picks):
        raise InputError("media.unreadable", path=media.path, wording="error/stream_not_drawn", drawn=drawn,
                         total=len(picks), stream=stream.index, detail=stderr.decode(errors="replace").strip()[-120:])


def canonical(picture: np.ndarray) -> tuple[np.ndarray | None, tuple[int, int]]:
    """The rows of the canvas that hold the subtitle, drawn as the burned-in reader reads text: its
    fill bright (255), its outline or box and the canvas dark (0); and which rows they are (None:
    nothing drawn). Only those rows are worked on: the whole canvas cost 160 ms a subtitle at 1080p.

    Which of the drawn pixels are the fill: split by brightness (Otsu), the class that touches the
    canvas more is the outline (it surrounds the fill) or, with no outline, the anti-aliased edge;
    the other is the fill. Dark fill is inverted, so dark text on a light or coloured outline reads as
    light text does. The grey levels are stretched so that the outline's typical level is 0 and the
    fill's 255: a coloured outline (red: luma 76) is dark to the reader as black is."""
    import cv2

    colour = np.array(CANVAS_RGB)
    canvas = cv2.inRange(picture, np.clip(colour - CANVAS_TOLERANCE, 0, 255).astype(np.uint8),
                         np.clip(colour + CANVAS_TOLERANCE, 0, 255).astype(np.uint8))
    rows = np.flatnonzero(canvas.min(axis=1) == 0)
    if not len(rows):
        return None, (0, 0)
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    drawn = canvas[top:bottom] == 0
    if drawn.sum() < 30:
        return None, (0, 0)
    luma = cv2.cvtColor(np.ascontiguousarray(picture[top:bottom]), cv2.COLOR_RGB2GRAY)
    threshold, _ = cv2.threshold(luma[drawn].reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = drawn & (luma > threshold)
    dark = drawn & ~bright
    if not bright.any() or not dark.any():  # one colour, no edge or outline: all of it is the text
        flat = np.where(drawn, 255, 0).astype(np.uint8)
        return np.repeat(flat[:, :, None], 3, axis=2), (top, bottom)
    edge = cv2.dilate((~drawn).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    touching = [(edge & part).sum() / max(1, part.sum()) for part in (bright, dark)]
    dark_fill = touching[0] > touching[1]  # the bright pixels surround the dark ones: dark text
    value = 255 - luma if dark_fill else luma
    fill, outline = (dark, bright) if dark_fill else (bright, dark)
    low, high = float(np.median(value[outline])), float(np.median(value[fill]))
    stretched = np.clip((value.astype(np.float32) - low) * 255 / max(1.0, high - low), 0, 255).astype(np.uint8)
    stretched[~drawn] = 0
    return np.repeat(stretched[:, :, None], 3, axis=2), (top, bottom)


def _merge(events) -> list[ImageEvent]:
    """Consecutive subtitles with the same text that follow each other are one cue."""
    merged: list[ImageEvent] = []
    for e in events:
        if merged and merged[-1].lines == e.lines and e.start_s - merged[-1].end_s <= MERGE_GAP_S:
            merged[-1].end_s = e.end_s
            continue
        merged.append(e)
    return merged


def _write_evidence(read: list[ImageEvent], folder: str) -> list[str | None]:
    """Each cue's picture as it was read, named as burned-in evidence is (`ocr.write_evidence`)."""
    from bilingual.sources.burnedin.bands import Band, BurnedCue
    from bilingual.sources.burnedin.read import OcrCue, Reading, png_bytes, write_evidence

    shown = [e for e in read if e.image is not None]
    cues = [OcrCue(BurnedCue(0, -1, -1, e.start_s, e.end_s), Band(*e.rows, 1.0, 0), (e.start_s + e.end_s) / 2,
                   Reading("\n".join(e.lines or []), "", e.confidence, ""), png_bytes(e.image))
            for e in shown if e.image is not None]
    paths = iter(write_evidence(cues, folder))
    return [next(paths, None) if e.image is not None else None for e in read]
