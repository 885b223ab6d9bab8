"""Burned-in subtitles, stage one: find the subtitle band(s) and time every cue to the frame, without
OCR (the groundwork of issue 6; reading the text comes next).

Every frame of the lower half is decoded once (ffmpeg, grey, downscaled). A pixel is text-like when
it is bright and lies within two pixels of a dark one — white or yellow text with an outline or a
box. Pixels that are text-like in most frames are static (a logo, a watermark, a caption that never
goes) and are dropped. Rows where text comes and goes form bands; in a band, a cue is a run of frames
whose text pixels stay put, so its first and last frame are exact on hard cuts.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

import numpy as np

from bilingual.errors import InputError
from bilingual.media import MediaInfo, require_ffmpeg

SCAN_WIDTH = 640  # a 1080p frame's lower half becomes 640 × 180
BRIGHT, DARK = 190, 70  # grey levels of text and of its outline or box
STATIC_SHARE = 0.9  # a pixel text-like in this share of frames is part of the picture, not a subtitle
ROW_MIN_PIXELS = 3  # text-like pixels that make a row "on" in a frame
BAND_ON_SHARE = (0.02, 0.98)  # rows on in between these shares of frames come and go with cues
MIN_BAND_ROWS = 4
MIN_CUE_PIXELS = 20
CHANGE_SHARE = 0.35  # text pixels that differ between two frames, as a share: a new cue
MIN_CUE_FRAMES = 3


@dataclass
class Band:
    top: int  # rows of the scanned picture (lower half, scaled)
    bottom: int
    scale: float  # source pixels per scanned pixel
    offset_y: int  # source row where the scanned picture starts

    def source_rows(self) -> tuple[int, int]:
        return self.offset_y + int(self.top * self.scale), self.offset_y + int(np.ceil(self.bottom * self.scale))


@dataclass
class BurnedCue:
    band: int
    first_frame: int
    last_frame: int
    fps: float

    @property
    def start_s(self) -> float:
        return self.first_frame / self.fps

    @property
    def end_s(self) -> float:
        return (self.last_frame + 1) / self.fps


def text_mask(frame: np.ndarray) -> np.ndarray:
    """Bright pixels within two pixels of a dark one (a separable 5 × 5 dilation of the dark pixels)."""
    dark = frame < DARK
    rows = dark.copy()
    for d in (1, 2):
        rows[d:] |= dark[:-d]
        rows[:-d] |= dark[d:]
    near = rows.copy()
    for d in (1, 2):
        near[:, d:] |= rows[:, :-d]
        near[:, :-d] |= rows[:, d:]
    return (frame > BRIGHT) & near


def scan(video: str | os.PathLike, media: MediaInfo) -> tuple[np.ndarray, float, int]:
    """Text masks of every frame's lower half, bit-packed: (frames × rows × packed columns), scale, top row."""
    require_ffmpeg()
    width, height = media.width, media.height
    if not width or not height:
        raise InputError("media.no_video", "no picture to look for burned-in subtitles in", str(video))
    top = height // 2
    scan_h = int(round((height - top) * SCAN_WIDTH / width))
    proc = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(video), "-map", "0:v:0", "-an", "-sn",
         "-vf", f"crop={width}:{height - top}:0:{top},scale={SCAN_WIDTH}:{scan_h}:flags=area,format=gray",
         "-f", "rawvideo", "pipe:1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    size = SCAN_WIDTH * scan_h
    masks = []
    while chunk := proc.stdout.read(size):
        if len(chunk) < size:
            break
        frame = np.frombuffer(chunk, dtype=np.uint8).reshape(scan_h, SCAN_WIDTH)
        masks.append(np.packbits(text_mask(frame), axis=1))
    proc.wait()
    if proc.returncode != 0 and not masks:
        raise InputError("media.unreadable", "ffmpeg could not decode the picture", str(video))
    return np.stack(masks) if masks else np.empty((0,)), width / SCAN_WIDTH, top


CHUNK_FRAMES = 500  # frames unpacked at a time: memory stays flat whatever the length


def _chunks(masks: np.ndarray):
    for i in range(0, len(masks), CHUNK_FRAMES):
        yield np.unpackbits(masks[i:i + CHUNK_FRAMES], axis=2)


def find_bands(masks: np.ndarray) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Row ranges where text comes and goes, and the static-pixel mask that was removed."""
    on_counts = sum(chunk.sum(axis=0, dtype=np.int32) for chunk in _chunks(masks))
    static = on_counts >= STATIC_SHARE * len(masks)
    rows_on = np.concatenate([(chunk & ~static).sum(axis=2) >= ROW_MIN_PIXELS for chunk in _chunks(masks)])
    share = rows_on.mean(axis=0)
    candidate = (share >= BAND_ON_SHARE[0]) & (share <= BAND_ON_SHARE[1])
    bands, start = [], None
    for row, on in enumerate(np.append(candidate, False)):
        if on and start is None:
            start = row
        elif not on and start is not None:
            if row - start >= MIN_BAND_ROWS:
                bands.append((start, row))
            start = None
    return _merge_close(bands), static


def _merge_close(bands: list[tuple[int, int]], gap: int = 5) -> list[tuple[int, int]]:
    """Rows a few pixels apart are one line: Tibetan stacks leave a gap under the head line."""
    merged: list[tuple[int, int]] = []
    for top, bottom in bands:
        if merged and top - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], bottom)
        else:
            merged.append((top, bottom))
    return merged


def segment(masks: np.ndarray, band: tuple[int, int], static: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) frame of each cue shown in a band."""
    bits = np.unpackbits(masks[:, band[0]:band[1]], axis=2) & ~static[band[0]:band[1]]
    counts = bits.sum(axis=(1, 2))
    # Text shows as a count far above the noise floor the moving picture leaves in the band; the
    # floor is read off the quietest frames, since subtitles may be on screen most of the time.
    floor, high = np.percentile(counts, 2), np.percentile(counts, 95)
    if high < max(2 * MIN_CUE_PIXELS, 2 * floor):
        return []
    # A quarter of the way up: sparse scripts (Tibetan) leave fewer pixels in the band than dense ones.
    threshold = floor + max(MIN_CUE_PIXELS, (high - floor) / 4)
    cues: list[tuple[int, int]] = []
    start = None
    previous = None
    for t, frame in enumerate(bits):
        count = int(counts[t])
        present = count >= threshold
        changed = previous is not None and present and start is not None and _replaced(previous, frame)
        if start is not None and (not present or changed):
            cues.append((start, t - 1))
            start = None
        if present and start is None:
            start = t
        previous = frame
    if start is not None:
        cues.append((start, len(bits) - 1))
    return [(a, b) for a, b in _rejoin(cues, bits) if b - a + 1 >= MIN_CUE_FRAMES]


def _rejoin(cues: list[tuple[int, int]], bits: np.ndarray, max_gap: int = 2) -> list[tuple[int, int]]:
    """Pieces of one cue cut apart by a flicker of the picture behind it: neighbours at most
    `max_gap` frames apart whose text is the same (Jaccard ≥ 0.5 on their middle frames)."""
    joined: list[tuple[int, int]] = []
    for first, last in cues:
        if joined and first - joined[-1][1] <= max_gap + 1:
            a = bits[(joined[-1][0] + joined[-1][1]) // 2].astype(bool)
            b = bits[(first + last) // 2].astype(bool)
            if (a & b).sum() >= 0.5 * max(1, (a | b).sum()):
                joined[-1] = (joined[-1][0], last)
                continue
        joined.append((first, last))
    return joined


BLOCK_COLUMNS = 16  # a glyph or two at the scan width
BLOCK_MIN_LOST = 25  # pixels a block must lose to count, above the flicker of moving picture
BLOCK_MIN_TEXT = 60


def _replaced(previous: np.ndarray, frame: np.ndarray) -> bool:
    """A new cue replaced the text: most of the previous text pixels are gone overall, or in some
    glyph-wide block (consecutive cues may differ in one word). Moving picture behind the band adds
    and removes a few pixels either way."""
    lost = previous & ~frame
    if lost.sum() > CHANGE_SHARE * previous.sum():
        return True
    width = previous.shape[1] // BLOCK_COLUMNS * BLOCK_COLUMNS
    had = previous[:, :width].reshape(previous.shape[0], -1, BLOCK_COLUMNS).sum(axis=(0, 2))
    gone = lost[:, :width].reshape(lost.shape[0], -1, BLOCK_COLUMNS).sum(axis=(0, 2))
    # Only blocks that held text count: moving picture leaves a few pixels in a block, text many.
    return bool(np.any((had >= BLOCK_MIN_TEXT) & (gone >= BLOCK_MIN_LOST) & (gone > 0.8 * had)))


def burned_in_cues(video: str | os.PathLike, media: MediaInfo) -> tuple[list[Band], list[BurnedCue]]:
    masks, scale, top = scan(video, media)
    if len(masks) == 0:
        return [], []
    rows, static = find_bands(masks)
    fps = media.fps or 25.0
    bands: list[Band] = []
    cues: list[BurnedCue] = []
    for band in rows:  # a band where no cue holds still for three frames is moving picture, not subtitles
        runs = segment(masks, band, static)
        if runs:
            cues += [BurnedCue(len(bands), first, last, fps) for first, last in runs]
            bands.append(Band(band[0], band[1], scale, top))
    return bands, sorted(cues, key=lambda c: (c.first_frame, c.band))
