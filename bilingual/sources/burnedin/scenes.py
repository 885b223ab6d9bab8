"""Scene cuts, and the picture that holds still between two of them.

A subtitle holds still across a scene cut; a still shot's own bright-beside-dark edges (a slide, a
test card, a static background) hold still too, but only from one cut to the next. Over the matrix's
`cuts` background (a cut every 1.2 s between testsrc2, a mandelbrot zoom, SMPTE HD bars and RGB bars)
such edges made the whole lower half one band, started cues at the cut into the bars instead of at
their text and ended them at the cut out of it (Chinese 3 of 8 edges exact, Tibetan 1 of 8 and a cue
lost). Found here: the cuts (from a small thumbnail of every scanned frame) and, per scene, the
pixels text-like in nearly all of its frames that the frames just outside it do not show. Those
parts of them taller than any line of text are taken out of the masks; the rest (which a subtitle
shown exactly from one cut to the next would also be) only stops counting as text that went when a
cue's text is compared across frames (`bands._replaced`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

THUMB_WIDTH = 40  # of a scanned frame (640 wide): a cell of 16 × 16 pixels, 16 of them averaged
# A cut: the thumbnail's mean grey change from the frame before is at least CUT_DIFF and CUT_RISE times
# (the median change over the 6 frames either side, + 1). Measured: the matrix's cuts 54–98, between
# them ≤ 2.1; its grain ≤ 2.9, drifting gradients (grain 20) ≤ 13.2. Real footage (PySceneDetect's test
# videos: a film excerpt, 24 and 25 fps, one VFR; a 720p clip) the same cuts as `shots.detect_cuts`
# (ffmpeg's scene score, a second decode) at 29.8–85.8, between them ≤ 7.8; its fades clip none (≤ 11).
# That detector serves the cue rules; this one rides on the scan, for free.
CUT_DIFF = 20.0
CUT_RISE = 5.0
CUT_AROUND = 6
SCENE_MIN_FRAMES = 8  # a shorter scene (a flash) is not looked at
SCENE_SAMPLES = 16  # frames of a scene sampled, evenly, for what holds still in it
SCENE_STEADY = 0.9  # share of them a picture pixel is text-like in
EDGE_FRAMES = 3  # frames just before and after a scene: a pixel on in most of them goes on across the cut
# A part of the steady picture taller than this (scanned rows; the scan is 640 wide, so 1080p
# source rows ÷ 3) is no line of text: a 60-px Chinese line is 20 rows, Tibetan with its vowels and
# stacks 17–25, a two-line cue two parts. The SMPTE bars' edges: 60–90 rows.
PICTURE_ROWS = 48


def thumbnail(frame: np.ndarray) -> np.ndarray:
    """Every 4th pixel of every 4th row, averaged 4 × 4: 15 µs a 640 × 270 scanned frame (averaging
    all of them, `cv2.INTER_AREA` at 16.9 : 1, 530 µs — more than the frame's two masks)."""
    import cv2  # opencv comes with rapidocr

    sub = frame[:max(16, frame.shape[0] // 16 * 16):4, ::4]
    return cv2.resize(sub, (THUMB_WIDTH, max(1, sub.shape[0] // 4)), interpolation=cv2.INTER_AREA)


def cuts(thumbs: np.ndarray) -> list[int]:
    """Scanned frames that start a new shot: a jump of the whole picture, not a pan or a zoom
    (those change it as much from one frame to the next for many frames)."""
    if len(thumbs) < 2:
        return []
    change = np.abs(np.diff(thumbs.astype(np.int16), axis=0)).mean(axis=(1, 2))  # change[k]: frame k + 1
    padded = np.pad(change, CUT_AROUND, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * CUT_AROUND + 1)
    around = np.nanmedian(np.delete(windows, CUT_AROUND, axis=1), axis=1) if len(change) > 1 else np.zeros(1)
    return [int(k) + 1 for k in np.flatnonzero((change >= CUT_DIFF) & (change >= CUT_RISE * (around + 1)))]


@dataclass
class Scenes:
    """The scan's shots: `starts` (scanned frame indices, 0 first) and, per shot, its steady picture
    left in the masks (packed like them; None: none found)."""

    starts: list[int] = field(default_factory=lambda: [0])
    picture: list[np.ndarray | None] = field(default_factory=lambda: [None])

    def shot(self, t: int) -> int:
        """The index of scanned frame t's shot."""
        return bisect.bisect_right(self.starts, t) - 1

    def picture_bits(self, shot: int, band: tuple[int, int], width: int) -> np.ndarray | None:
        """The shot's steady picture in the band's rows (0/1), or None."""
        packed = self.picture[shot]
        return None if packed is None else np.unpackbits(packed[band[0]:band[1]], axis=1)[:, :width]


def find_scenes(masks: np.ndarray, thumbs: np.ndarray, width: int) -> Scenes:
    """The shots between cuts and their steady picture; its parts taller than PICTURE_ROWS are taken
    out of `masks` (packed text masks of the scanned frames, changed in place)."""
    import cv2

    starts = [0, *cuts(thumbs)]
    scenes = Scenes(starts, [None] * len(starts))
    if len(starts) == 1:
        return scenes  # one shot: what holds still throughout is `bands.find_bands`'s static picture
    ends = [*starts[1:], len(masks)]
    for i, (first, end) in enumerate(zip(starts, ends, strict=True)):
        if end - first < SCENE_MIN_FRAMES:
            continue
        steady = _share(masks, np.linspace(first, end - 1, SCENE_SAMPLES).round().astype(int), width) >= SCENE_STEADY
        if first > 0:
            steady &= _share(masks, np.arange(max(0, first - EDGE_FRAMES), first), width) < 0.5
        if end < len(masks):
            steady &= _share(masks, np.arange(end, min(len(masks), end + EDGE_FRAMES)), width) < 0.5
        if not steady.any():
            continue
        _, labels, stats, _ = cv2.connectedComponentsWithStats(steady.astype(np.uint8), connectivity=8)
        tall = np.isin(labels, np.flatnonzero(stats[1:, cv2.CC_STAT_HEIGHT] > PICTURE_ROWS) + 1)
        if tall.any():
            masks[first:end] &= np.packbits(~tall, axis=1)
        rest = steady & ~tall
        scenes.picture[i] = np.packbits(rest, axis=1) if rest.any() else None
    return scenes


def _share(masks: np.ndarray, frames: np.ndarray, width: int) -> np.ndarray:
    """Per pixel, the share of `frames` in which it is text-like."""
    return np.unpackbits(masks[np.unique(frames)], axis=2)[:, :, :width].mean(axis=0)
