"""Burned-in subtitles, stage two: read each cue once, on one clear frame.

Chinese: RapidOCR (PP-OCR models inside the wheel), recognition on the line's box. Tibetan: Debian's
Tesseract `bod` on the text pixels alone (bright components touching the dark outline), drawn black
on white, cropped and padded, read a few ways and re-ranked by the syllable lexicon. The script is
decided from both engines' output and confidence, never from the position of the line. Dark text on
a light box is read inverted, so that one path reads both polarities (`read_burned_in`).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import regex

from bilingual.errors import InputError
from bilingual.media import MediaInfo, run_ffmpeg, tool_input
from bilingual.sources.burnedin.bands import (
    BLOCK_COLUMNS,
    SCAN_WIDTH,
    Band,
    BandBits,
    BurnedCue,
    Scan,
    burned_in_cues,
    column_runs,
    deinterlaced,
    keyframes,
    picture_size,
    sample_rgb,
    text_lines,
    to_square_pixels,
)
from bilingual.text import tibetan

HAN_SHARE = 0.5  # of the characters RapidOCR read
CHINESE_MIN_SCORE = 0.75
TIBETAN_SHARE = 0.5
TIBETAN_MIN_VALID = 0.5  # of the syllables read: below it, Tesseract made Tibetan out of something else
# Tesseract's own confidence (mean over the letters): subtitle lines in Tibetan Machine Uni over a
# mandelbrot zoom with grain read 0.89–0.93, over a game of life 0.79; what it made of a Latin word
# and a logo ("QuickTime", sample_MKV_delayed.mkv) 0.41–0.61, of texture 0.17–0.61.
TIBETAN_MIN_ENGINE = 0.7
# Tibetan letters a line read holds at least: the corpus's shortest Tibetan cue has 2 (ཟ་(ར)།), of
# 1,456. Over lavfi `cellauto` a band of texture whose one cue was the whole clip read "པ" at 0.74.
TIBETAN_MIN_LETTERS = 2
PAD = 24
_HAN = regex.compile(r"\p{Han}")
_TIBETAN = regex.compile(r"[\u0F40-\u0FBC]")
_TSHEG_SPACE = regex.compile(r"\s*\u0F0B\s*")
_SHAD_SPACE = regex.compile(r"\s*(\u0F0D+)\s*")


@dataclass
class Reading:
    text: str
    language: str  # "zh" | "bo" | "none"
    confidence: float
    engine: str
    engine_score: float | None = None  # the engine's own confidence, 0–1 (Tesseract: mean over letters)
    columns: tuple[int, int] | None = None  # the image columns the text read spans (None: found by detection)
    latin: str | None = None  # a line that read as no Tibetan or Chinese but as Latin script (`is_latin`)


# How many times each engine read a line in this process (the benchmark reports calls per cue).
engine_calls: Counter[str] = Counter()


# RapidOCR's detector by default scales an image up until its shorter side is 736 px: a line's view
# (108–184 rows at 1080p) went through detection at 4–7× its size, 0.44 s a call, 2.4 s of a 10-s
# read of the 60-s Tibetan-over-fractal cell. At the view's own size (its longer side at most 2000
# px, as RapidOCR's own limit): 0.037 s, and the same text on the 14 lines of the 60-s cells that
# went to detection (the 2 Chinese lines read alike, the 12 texture lines as nothing or Latin junk).
DETECT_AT_SIZE = {"det_limit_type": "max", "det_limit_side_len": 2000}


@lru_cache(maxsize=1)
def _rapidocr() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(**DETECT_AT_SIZE)


def frame_rows(video: str | os.PathLike, media: MediaInfo, time_s: float, top: int, bottom: int) -> np.ndarray:
    """One frame's rows [top, bottom) as RGB and as shown (`deinterlaced`, `to_square_pixels`), by an
    accurate seek."""
    height, width = bottom - top, picture_size(media, video)[0]
    whole, square = deinterlaced(media), to_square_pixels(media)
    raw = run_ffmpeg(["-ss", f"{time_s:.3f}", "-i", tool_input(video), "-frames:v", "1",
                      "-vf", f"{whole}format=rgb24,{square}crop={width}:{height}:0:{top}", "-f", "rawvideo",
                      "-pix_fmt", "rgb24", "pipe:1"], video)
    if len(raw) < width * height * 3:
        raise InputError("media.unreadable", path=str(video), wording="error/frame_unreadable", time_s=f"{time_s:.2f}")
    return np.frombuffer(raw[: width * height * 3], dtype=np.uint8).reshape(height, width, 3)


def read_chinese(image: np.ndarray, line: tuple[slice, slice] | None) -> Reading:
    """Recognition alone on the line's box (≈ 20 ms); detection + recognition (≈ 0.06 s) only when
    the box is unknown."""
    if line is not None:
        ys, xs = line
        pad = 8
        crop = image[max(0, ys.start - pad):ys.stop + pad, max(0, xs.start - pad):xs.stop + pad]
        engine_calls["rapidocr"] += 1
        result, _ = _rapidocr()(crop, use_det=False, use_cls=False, use_rec=True)
        if not result:
            return Reading("", "none", 0.0, "rapidocr")
        text, score = result[0]
        return Reading(text, "zh", float(score), "rapidocr")
    engine_calls["rapidocr"] += 1
    result, _ = _rapidocr()(image)
    if not result:
        return Reading("", "none", 0.0, "rapidocr")
    parts = sorted(result, key=lambda r: min(p[0] for p in r[0]))  # left to right
    text = "".join(r[1] for r in parts)
    return Reading(text, "zh", float(np.mean([float(r[2]) for r in parts])), "rapidocr")


def text_pixels(image: np.ndarray, dark_luma: bool = False, shadow: bool = True) -> np.ndarray:
    """Bright pixels whose connected component lies mostly within two pixels of the dark outline or
    box, or (with `shadow`) casts a dark shadow (`shadowed`): the text, without the bright parts of
    the picture behind it. Dark is dark in every channel; with `dark_luma`, dark in luma (a dark red
    outline, a dark blue box: `line_mask`) or BOX_CONTRAST below the bright pixel (a translucent box)."""
    import cv2

    luma = _luma(image)  # white and yellow text are both bright
    bright = (luma > 190).astype(np.uint8)
    value = channel_max(image)
    dark = luma < COLOURED_DARK if dark_luma else value < OUTLINE_DARK
    near_dark = cv2.dilate(dark.astype(np.uint8), _SQUARE5).astype(bool)
    if dark_luma:
        near_dark |= cv2.subtract(value, cv2.erode(value, _SQUARE5)) >= BOX_CONTRAST  # a translucent box
    outlined = _outlined(image, bright, near_dark)
    return with_shadow(image, outlined) if shadow else outlined


_SQUARE5 = np.ones((5, 5), np.uint8)  # two pixels around
# A truly translucent black box (alpha &H80) halves the picture behind it: over testsrc2's yellow it is
# (128, 128, 0), dark neither in every channel (< OUTLINE_DARK) nor in luma (< COLOURED_DARK), and
# 水是生命之源 read 命之源. Inside such a box nothing but the text is brighter than half white, so where the
# first rule finds no line (`line_mask`), a bright pixel is near its box too where the darkest pixel
# within two pixels is BOX_CONTRAST below it in its brightest channel (measured: the text of white Noto
# Sans CJK at 60 in that box stands 126–160 above it, 5–95 %; anti-aliased edges 91–129). In the
# brightest channel, a saturated picture (blue, red: 255) is never "below" white; NEUTRAL, 128 grey,
# is (127 below white), so a bright speck of picture at the edge of the columns read may pass here (a
# lighter NEUTRAL, 160, made RapidOCR read 看 for 有 over the game of life). Not in the first rule:
# shadow-only text (a shadow's grey edge 110 below the glyph) then kept enough of its glyphs that the
# shadow rule no longer doubled them, and 水是生命之源 read 命之源 again; nor in the which-way-up test
# (`_inverted_is_filled`), where white on a dark blue box (160 in blue) read 河 as 可.
BOX_CONTRAST = 110


# The shadow rule adds to a line only when it more than doubles its text: to shadow-only Chinese lines
# (87–730 pixels by the outline rule) it added 1,705–2,360 (3.2–26×); to outlined lines (white, yellow,
# on a box; Tibetan at the top and bottom) nothing, once of the line's colour only — before that, a
# wedge of picture 4.8× a Tibetan line's text, read as a stray letter (པ རྒྱུད་སྦྱངས་ནས་). Below
# double, what it adds is more likely picture beside a line than the line.
SHADOW_GAIN = 1.0


def with_shadow(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`mask` and the text that casts a shadow (`shadowed`), where that is mostly what the line is;
    else `mask` itself (`_line_mask` tells the two apart by identity)."""
    cast = shadowed(image, mask)
    return mask | cast if (cast & ~mask).sum() > SHADOW_GAIN * mask.sum() else mask


def _outlined(image: np.ndarray, bright: np.ndarray, near_dark: np.ndarray) -> np.ndarray:
    """The bright components lying mostly on `near_dark` (within two pixels of the outline or box),
    of the line's colour."""
    import cv2  # opencv comes with rapidocr

    count, labels = cv2.connectedComponents(bright, connectivity=8)
    sizes = np.bincount(labels.ravel(), minlength=count)
    touching = np.bincount(labels.ravel(), weights=near_dark.ravel(), minlength=count)
    keep = touching >= 0.5 * np.maximum(sizes, 1)
    keep[0] = False
    _keep_line_colour(image, labels, sizes, keep)
    return keep[labels]


# Shadow-only text (no outline, a drop shadow down and right: ASS Outline 0, Shadow 2–4 at 1080p) touches
# dark on two sides of each stroke only: white Noto Sans CJK at 60 with a 4-px shadow had 22–40 % of its
# pixels near dark, under the outline rule's half, and read 命之源 for 水是生命之源; Tibetan read as nothing.
# A component is text too when the pixels its own shape casts SHADOW_OFFSETS down-right (less its own
# bright pixels and a pixel of anti-aliased edge) are dark: SHADOW_SHARE of them, at least SHADOW_MIN_CAST.
SHADOW_OFFSETS = range(2, 13)  # pixels: Shadow 2–4 at PlayResY 1080, and 3 at libass's default 288 (11 px)
# Share of the cast on dark: glyphs of that line 0.55–0.85 at 4 px (the shadow's own anti-aliased
# edge), 0.8 kept every glyph of the 4 lines and 0.7 let a yellow bar beside blue in (22,000 pixels).
SHADOW_SHARE = 0.8
SHADOW_MIN_CAST = 20  # pixels cast: fewer, specks of grain pass by chance
# A stroke casts a shadow about as large as itself (glyphs 0.43–0.85 of their size at 4 px), a block of
# picture only along its edge (a bar of testsrc2: 0.05); any value 0.15–0.35 read the 4 lines alike.
SHADOW_THIN = 0.25


def shadowed(image: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """Bright pixels of components that cast a dark shadow (`_casting_shadow`). Without an outline, a
    glyph over a bright picture (white over testsrc2's yellow bar) is one component with it: the bright
    pixels are split again by the colour of the text found so far (`seed` and the first look,
    `COLOUR_SPREAD`), and looked at again. The shadow is judged dark in luma: the 4:2:0 chroma of a
    blue picture beside it tints its edge (every channel < 60 held 55–79 % of the cast pixels of a
    glyph over blue, luma < 60 nearly all)."""
    import cv2

    luma = _luma(image)
    bright, dark = (luma > 190).astype(np.uint8), luma < OUTLINE_DARK
    count, labels = cv2.connectedComponents(bright, connectivity=8)
    first = _casting_shadow(bright, dark, labels)[labels]
    seed = seed if seed.sum() >= SHADOW_MIN_CAST else first  # the outlined text's colour, else the first look's
    if seed.sum() < SHADOW_MIN_CAST:
        return first
    colour = np.median(image[seed], axis=0)
    off = np.abs(image.astype(np.int16) - np.round(colour).astype(np.int16)).max(axis=2)  # int16: 4K bands
    same = (bright.astype(bool) & (off <= COLOUR_SPREAD)).astype(np.uint8)
    count, labels = cv2.connectedComponents(same, connectivity=8)
    # Of the line's colour only: a yellow wedge of testsrc2 above its dark red stripe casts a "shadow"
    # too, and joined a white outlined Tibetan line as a stray letter.
    return (first | _casting_shadow(same, dark, labels)[labels]) & same.astype(bool)


def _casting_shadow(bright: np.ndarray, dark: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per component: whether its cast shadow is dark, at the one offset that keeps the most pixels."""
    import cv2

    count = int(labels.max()) + 1
    sizes = np.bincount(labels.ravel(), minlength=count)
    clear = ~cv2.dilate(bright, np.ones((3, 3), np.uint8)).astype(bool)  # neither it nor its grey edge
    best, best_pixels = np.zeros(count, bool), 0
    for d in SHADOW_OFFSETS:
        if d >= min(labels.shape):
            break
        owner = labels[:-d, :-d]  # the component whose pixel casts onto [d:, d:]
        cast = clear[d:, d:] & (owner > 0)
        total = np.bincount(owner[cast], minlength=count)
        on_dark = np.bincount(owner[cast & dark[d:, d:]], minlength=count)
        keep = (total >= SHADOW_MIN_CAST) & (total >= SHADOW_THIN * sizes) & (on_dark >= SHADOW_SHARE * total)
        keep[0] = False
        if (pixels := int(sizes[keep].sum())) > best_pixels:
            best, best_pixels = keep, pixels
    return best


OUTLINE_DARK = 60  # every channel below it: the outline or box around the text
COLOURED_DARK = 70  # luma below it: a coloured outline or box (the scan's `burnedin.DARK`)


def line_mask(image: np.ndarray, shadow: bool = True) -> np.ndarray:
    """The text pixels of a line: by an outline dark in every channel, or, where that finds no line,
    by one dark in luma or a translucent box (`BOX_CONTRAST`); with `shadow`, and the text that casts
    a shadow (`with_shadow`). A dark red outline or a dark blue box is not dark in every channel, and
    the line was then read by full detection (≈ 6 s a line on this machine, loaded: 18× a decode on a
    9.6-s clip); dark in luma first, a saturated picture would pass for outline."""
    return _line_mask(image, shadow)[0]


def _line_mask(image: np.ndarray, shadow: bool) -> tuple[np.ndarray, bool]:
    """`line_mask`, and whether the outline rule found the line and the shadow rule added nothing."""
    mask = text_pixels(image, shadow=False)
    if line_box(mask) is None:
        return box_line_mask(image, shadow), False
    if not shadow:
        return mask, False
    shaded = with_shadow(image, mask)
    return shaded, shaded is mask  # `with_shadow` gives `mask` itself when it adds nothing


# The shadow rule costs ≈ 23 ms a 1080p line (2.4 s of the 46-s read of the 5-minute benchmark entry,
# 99 lines). A band whose first SHADOW_TRIAL_LINES lines the outline rule found and the shadow rule
# added nothing to is drawn with an outline or a box: its further lines skip it.
SHADOW_TRIAL_LINES = 3


def _line_masks(images: list[np.ndarray], bands: list[int]) -> list[np.ndarray]:
    """`line_mask` of each line, the shadow rule left out in outlined bands (SHADOW_TRIAL_LINES)."""
    outlined: Counter[int] = Counter()
    masks = []
    for image, band in zip(images, bands, strict=True):
        mask, outlined_only = _line_mask(image, shadow=outlined[band] < SHADOW_TRIAL_LINES)
        outlined[band] += outlined_only
        masks.append(mask)
    return masks


def box_line_mask(image: np.ndarray, shadow: bool = True) -> np.ndarray:
    """The text pixels of a line by an outline or box dark in luma, or a translucent box (`line_mask`'s
    second rule)."""
    return text_pixels(image, dark_luma=True, shadow=shadow)


# A 38 %-transparent black box over testsrc2 is dark in every channel over its blue and not over its
# yellow ((128, 128, 0)): the first rule found a line's strokes over the blue only (Tibetan: 180–330
# pixels, read as nothing or as part of the line, བསླབ ངའི་ཚའ ལོ། for བཟུང་ནས་ཇི་ལྟར་བསླབ་པའི་ཚུལ་ལོ།;
# Chinese: the characters at the line's ends lost, 8.5 % error). By the box rule 3.2–3.8× the pixels,
# and the 4 Tibetan lines read exactly, the Chinese ones with one character wrong in 57. Outlined
# lines give the two rules about the same pixels. Tried on a band's first BOX_TRIAL_LINES lines.
BOX_GAIN = 2.0
BOX_TRIAL_LINES = 3
# Over a busy texture the box rule takes the picture for text: over lavfi `cellauto` (rule 110, grain)
# it covered 50–57 % of three Tibetan lines' views (13–52× the outline rule's pixels, which read the
# lines right), the band was called boxed, and all its 10 lines read as nothing. Text covers far less
# of its view: the densest line tried, Noto Sans CJK Black 墨糖醋馕, fills 0.67 of its own box, and a
# view is the line's columns and about three times its rows (`read_rows`), so ≈ 0.22–0.34.
BOX_PICTURE_FILL = 0.4


def _box_rule_in_boxed_bands(images: list[np.ndarray], masks: list[np.ndarray], bands: list[int]) -> None:
    """Where the box rule (`box_line_mask`) finds more than BOX_GAIN times `line_mask`'s text pixels
    in one of a band's first lines, every line of that band is masked by it: a translucent box over
    picture that is dark in every channel in places only."""
    tried: Counter[int] = Counter()
    boxed_bands: set[int] = set()
    trials: dict[int, np.ndarray] = {}  # line → its box-rule mask, kept for the band if it is boxed
    for i, band in enumerate(bands):
        if tried[band] < BOX_TRIAL_LINES and band not in boxed_bands:
            tried[band] += 1
            trials[i] = box_line_mask(images[i])
            if BOX_GAIN * masks[i].sum() < trials[i].sum() <= BOX_PICTURE_FILL * trials[i].size:
                boxed_bands.add(band)
    for i, band in enumerate(bands):
        if band in boxed_bands:
            masks[i] = trials[i] if i in trials else box_line_mask(images[i])


# A line is drawn in one colour: a kept component whose mean colour is this far (any channel) from
# the line's (the median over its kept pixels) is picture. Bits of a static yellow bar between the
# outlined letters of a thin font (Monlam Uni OuChan2 at 39 over testsrc2) joined a Tibetan line as
# blots: 3 of 6 lines read as nothing, 0.505 letter error; dropped, 0.025. Grain moves a component's
# mean by a few levels, anti-aliased edges (bright pixels only) by 20–30.
COLOUR_SPREAD = 70


def _keep_line_colour(image: np.ndarray, labels: np.ndarray, sizes: np.ndarray, keep: np.ndarray) -> None:
    """Unset in `keep` the components whose mean colour is not the line's (`COLOUR_SPREAD`)."""
    kept = np.flatnonzero(keep)
    if len(kept) < 2:
        return
    flat = labels.ravel()
    colour = np.stack([np.bincount(flat, weights=image[..., c].ravel(), minlength=len(sizes))[kept]
                       for c in range(3)], axis=1) / sizes[kept, None]
    line = np.array([np.median(np.repeat(colour[:, c], sizes[kept])) for c in range(3)])
    keep[kept] = np.abs(colour - line).max(axis=1) <= COLOUR_SPREAD


def _luma(image: np.ndarray) -> np.ndarray:
    """Grey levels of an RGB image."""
    return image @ np.array([0.299, 0.587, 0.114])


def line_box(mask: np.ndarray) -> tuple[slice, slice] | None:
    if mask.sum() < 30:
        return None
    ys, xs = np.nonzero(mask)
    return slice(int(ys.min()), int(ys.max()) + 1), slice(int(xs.min()), int(xs.max()) + 1)


def isolate_text(image: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray | None:
    """The text alone, dark on white with its anti-aliased edges kept, cropped and padded (None if
    there is none). Keeping the grey edges halved Tesseract's letter error against a 0/1 mask."""
    import cv2

    mask = text_pixels(image) if mask is None else mask
    box = line_box(mask)
    if box is None:
        return None
    near_text = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    luma = _luma(image)
    ink = 255 - np.clip((luma - 60) * 255 / 140, 0, 255)  # outline grey 60 → white, text 200 → black
    crop = np.where(near_text, ink, 255)[box].astype(np.uint8)
    page = np.full((crop.shape[0] + 2 * PAD, crop.shape[1] + 2 * PAD), 255, dtype=np.uint8)
    page[PAD:-PAD, PAD:-PAD] = crop
    return page


# Ways to read a Tibetan line (page scale, page segmentation mode); the reading whose syllables are
# valid Tibetan wins (the offline notes' lexicon re-ranking). Measured on 18 libass lines in Tibetan
# Machine Uni, 56 px, three styles (libass's simple shaping then, which misplaces some vowels): psm 7
# on the grey page 4.8 % letter error at scale 2, 5.2 % at 1, 5.3 % at 1.5; psm 13 19.9–21.2 %; on a
# 0/1 mask psm 7 9.4–13.4 %. With complex shaping, two fonts: 1.8 % (README, burned-in benchmark).
TIBETAN_READINGS = ((2.0, "7"), (1.0, "7"), (1.5, "7"))
_NOT_TIBETAN_LETTER = regex.compile(r"[^\u0F40-\u0F6C\u0F71-\u0F87\u0F8D-\u0FBC\u0F0B-\u0F14\s]")


def require_tesseract() -> None:
    """Tesseract and its Tibetan model, checked before any picture is read (on a cluster: on each
    node before its first entry), so that a missing `bod` is one line and not a failure per line."""
    if shutil.which("tesseract") is None:
        raise InputError("ocr.missing", wording="error/no_tesseract")
    if "bod" not in tesseract_languages():
        raise InputError("ocr.missing", wording="error/no_tesseract_bod")


@functools.cache
def tesseract_languages() -> frozenset[str]:
    """The models `tesseract --list-langs` lists (it reads $TESSDATA_PREFIX, like every run)."""
    try:
        proc = subprocess.run(["tesseract", "--list-langs"], capture_output=True, stdin=subprocess.DEVNULL,
                              timeout=TESSERACT_MIN_TIMEOUT_S)
    except subprocess.TimeoutExpired:  # a loaded machine, not a missing model: said so, and not cached
        raise _timed_out(TESSERACT_MIN_TIMEOUT_S) from None
    except OSError:
        return frozenset()
    return frozenset(proc.stdout.decode("utf-8", "replace").splitlines()[1:])  # after "List of available …"


def read_tibetan(image: np.ndarray) -> Reading:
    return read_tibetan_lines([image])[0]


def read_tibetan_lines(images: list[np.ndarray], masks: list[np.ndarray] | None = None) -> list[Reading]:
    """Tesseract `bod` on each line's isolated text. The readings are made in rounds, each round one
    batch of Tesseract runs (the model loads once a batch); a line leaves the rounds as soon as a
    reading has every syllable valid, nothing stray and Tesseract's confidence. Between readings
    equally valid, the more confident wins: the same right line read 0.58 at scale 2 and 0.91 at 1."""
    require_tesseract()
    import cv2

    given: list[np.ndarray | None] = list(masks) if masks else [None] * len(images)
    pages = {i: page for i, (image, mask) in enumerate(zip(images, given, strict=True))
             if (page := isolate_text(image, mask)) is not None}
    best: list[tuple[float, str, float, float] | None] = [None] * len(images)
    pending = list(pages)
    for scale, psm in TIBETAN_READINGS:
        if not pending:
            break
        scaled = [cv2.resize(pages[i], None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
                  if scale != 1.0 else pages[i] for i in pending]
        still = []
        for i, (text, engine_score) in zip(pending, tesseract_pages(scaled, psm), strict=False):
            found = tibetan.syllables(text)
            valid = len(found) - len(tibetan.invalid_syllables(text))
            score = valid - 2 * len(_NOT_TIBETAN_LETTER.findall(text))
            prior = best[i]
            if prior is None or _rank(score, engine_score) > _rank(prior[0], prior[3]):
                best[i] = (score, text, valid / len(found) if found else 0.0, engine_score)
            if not (found and valid == len(found) and score == valid and engine_score >= TIBETAN_MIN_ENGINE):
                still.append(i)  # another reading may beat this one
        pending = still
    return [Reading(b[1], "bo", b[2], "tesseract-bod", b[3]) if b else Reading("", "none", 0.0, "tesseract-bod")
            for b in best]


def _rank(score: float, engine_score: float) -> tuple[bool, float, float]:
    """How a Tibetan reading ranks: a confident one first (Tesseract's confidence ≥ TIBETAN_MIN_ENGINE,
    which `_is_tibetan` demands), then the more valid, then the more confident. Validity first lost
    right lines: Monlam Uni OuChan2 read 0.84 with one invalid syllable at scale 2 and all valid at
    0.44 at scale 1, which was kept, and then refused as unsure."""
    return engine_score >= TIBETAN_MIN_ENGINE, score, engine_score


def tesseract_pages(pages: list[np.ndarray], psm: str) -> list[tuple[str, float]]:
    """One text line of each page, with Tesseract's confidence in it (0–1). The pages go to two
    Tesseract processes (one per core, each told to use one thread: its OpenMP threads fight each
    other on two cores, 4× slower) as a list of image files, so the model loads once per process."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    if not pages:
        return []
    with tempfile.TemporaryDirectory(prefix="bilingual-ocr-") as folder:
        names = []
        for i, page in enumerate(pages):
            name = os.path.join(folder, f"{i}.pgm")
            with open(name, "wb") as f:
                f.write(f"P5\n{page.shape[1]} {page.shape[0]}\n255\n".encode() + page.tobytes())
            names.append(name)
        half = (len(names) + 1) // 2
        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = pool.map(lambda part: _tesseract_list(folder, part, psm), [names[:half], names[half:]])
            return [text for part in parts for text in part]


# All OCR of 99 lines took ≈ 2 s (benchmarks/burned_in.py): 5 s a line is over 100× that, and the
# fixed part covers the model load on a loaded machine.
TESSERACT_MIN_TIMEOUT_S = 30.0
TESSERACT_S_PER_LINE = 5.0


def _tesseract_list(folder: str, names: list[str], psm: str) -> list[tuple[str, float]]:
    if not names:
        return []
    engine_calls["tesseract"] += len(names)
    listing = os.path.join(folder, f"list-{os.path.basename(names[0])}.txt")
    with open(listing, "w", encoding="utf-8") as f:
        f.write("\n".join(names) + "\n")
    proc = _tesseract(listing, psm, TESSERACT_MIN_TIMEOUT_S + TESSERACT_S_PER_LINE * len(names))
    if proc.returncode == 0:
        return _tsv_lines(proc.stdout.decode("utf-8", "replace"), len(names))
    # One page it cannot take fails the whole list (seen once on a textured picture, its stderr only
    # the pages' names): the pages are read one by one, and only those that fail alone are left unread
    # — unless Tesseract fails a blank page too: then it is broken, and that is said.
    alone = [_tesseract(name, psm, TESSERACT_MIN_TIMEOUT_S + TESSERACT_S_PER_LINE) for name in names]
    if all(each.returncode != 0 for each in alone) and not _reads_a_blank_page(folder, psm):
        raise InputError("ocr.missing", wording="error/tool_failed", tool="tesseract bod",
                         detail=proc.stderr.decode(errors="replace")[-120:].strip())
    return [_tsv_lines(each.stdout.decode("utf-8", "replace"), 1)[0] if each.returncode == 0 else ("", 0.0)
            for each in alone]


def _reads_a_blank_page(folder: str, psm: str) -> bool:
    blank = os.path.join(folder, "blank.pgm")
    with open(blank, "wb") as f:
        f.write(b"P5\n64 32\n255\n" + bytes([255]) * (64 * 32))
    return _tesseract(blank, psm, TESSERACT_MIN_TIMEOUT_S).returncode == 0


def _tesseract(pages: str, psm: str, timeout_s: float) -> subprocess.CompletedProcess:
    """Tesseract `bod` on an image or a listing of images, one thread, TSV out."""
    try:
        return subprocess.run(["tesseract", pages, "stdout", "-l", "bod", "--psm", psm, "tsv"], capture_output=True,
                              stdin=subprocess.DEVNULL, env={**os.environ, "OMP_THREAD_LIMIT": "1"}, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise _timed_out(timeout_s) from None


def _timed_out(timeout_s: float) -> InputError:
    """Tesseract installed but not answering in time (under load: a new user's machine running other
    checks beside it): its own code, so that it is not read as a missing install."""
    return InputError("ocr.timeout", wording="error/timed_out", tool="tesseract bod", seconds=f"{timeout_s:.0f}")


def _tsv_lines(tsv: str, pages: int) -> list[tuple[str, float]]:
    """Each page's words joined by spaces, and their confidence averaged over their letters: TSV rows
    of level 5 are words (page_num counts the listed images from 1; conf 0–100)."""
    words: list[list[tuple[str, float]]] = [[] for _ in range(pages)]
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) == 12 and f[0] == "5" and f[11].strip() and 1 <= int(f[1]) <= pages:
            words[int(f[1]) - 1].append((f[11].strip(), float(f[10])))
    out = []
    for page in words:
        letters = sum(len(w) for w, _ in page)
        out.append((" ".join(w for w, _ in page), sum(len(w) * c for w, c in page) / letters / 100 if letters else 0.0))
    return out


def normalize(text: str, language: str) -> str:
    text = unicodedata.normalize("NFC", text).strip()
    if language == "bo":
        text = _SHAD_SPACE.sub(lambda m: m.group(1) + " ", _TSHEG_SPACE.sub("\u0F0B", text)).strip()
    return text


def _is_chinese(reading: Reading) -> bool:
    text = reading.text
    return bool(text) and len(_HAN.findall(text)) >= HAN_SHARE * len(text) and reading.confidence >= CHINESE_MIN_SCORE


# A line RapidOCR reads as words in Latin script, confidently: subtitles in another language (English
# burned in, a new-user trial: 0.986–0.998 on 4 of 4 lines, whole sentences). Tibetan it cannot read
# (Sambhota Tsugring and Yigchung, Tibetan over `gradients` and `life`) came back as junk at ≤ 0.61
# ("lnt", "BLeCainq", "585258").
LATIN_SHARE = 0.8  # of the characters, spaces aside: ASCII letters
LATIN_MIN_SCORE = 0.9
LATIN_MIN_WORDS = 2  # of two letters or more
_LATIN_WORD = regex.compile(r"[A-Za-z]{2,}")


def is_latin(reading: Reading) -> bool:
    text = reading.text.replace(" ", "")
    return (bool(text) and sum(c.isascii() and c.isalpha() for c in text) >= LATIN_SHARE * len(text)
            and reading.confidence >= LATIN_MIN_SCORE and len(_LATIN_WORD.findall(reading.text)) >= LATIN_MIN_WORDS)


def _is_tibetan(reading: Reading, min_engine: float = TIBETAN_MIN_ENGINE) -> bool:
    letters = len(_TIBETAN.findall(reading.text))
    return (letters >= TIBETAN_MIN_LETTERS and letters >= TIBETAN_SHARE * len(reading.text.replace(" ", ""))
            and reading.confidence >= TIBETAN_MIN_VALID
            and (reading.engine_score is None or reading.engine_score >= min_engine))


# A line of a band where BAND_SURE_LINES others read as confident Tibetan counts with every syllable
# valid at Tesseract confidence ≥ BAND_MIN_ENGINE: the band's cues are one line's (the scan found
# them), and the band has shown it is Tibetan. A right line in Tibetan Machine Uni at 50 in a
# letterbox bar read 0.34–0.53 at every scale; texture, in no such band, 0.17–0.61.
BAND_SURE_LINES = 2
BAND_MIN_ENGINE = 0.3


def read_line(image: np.ndarray) -> Reading:
    return read_lines([image], [0])[0]


BAND_SCRIPT_AFTER = 3  # lines of a band read as Tibetan before its further lines skip the Chinese try


def read_lines(images: list[np.ndarray], bands: list[int], detect: bool = True, boxed: bool = True) -> list[Reading]:
    """Chinese when RapidOCR reads mostly Han characters confidently; else Tibetan if Tesseract reads
    mostly Tibetan letters; else (with `detect`) Chinese by full detection (a line whose box was not
    clean); else nothing. Once a band's first lines all read as Tibetan, its further lines go to Tesseract first
    (a Chinese line among them still falls through to RapidOCR). With `boxed`, a band's lines may be masked
    by the box rule (`_box_rule_in_boxed_bands`); not on inverted views (`_read_dark_text`): over the
    gradients at 720p it took a 12 %-transparent light box's inverted picture for text, and the 4 dark
    Chinese lines read as nothing."""
    readings: list[Reading | None] = [None] * len(images)
    masks = _line_masks(images, bands)
    if boxed:
        _box_rule_in_boxed_bands(images, masks, bands)
    boxes = [line_box(mask) for mask in masks]
    not_chinese: Counter[int] = Counter()
    chinese_bands: set[int] = set()
    some_han: set[int] = set()  # lines whose box read at least one Han character, unsure
    detected: set[int] = set()  # lines read (or tried) by full detection, on no box
    latin: dict[int, str] = {}  # lines RapidOCR read as Latin script (`is_latin`)
    for i, (image, band) in enumerate(zip(images, bands, strict=False)):
        if band not in chinese_bands and not_chinese[band] >= BAND_SCRIPT_AFTER:
            some_han.add(i)  # not tried: the full detection below stays open to it
            continue
        if boxes[i] is None and not detect:
            continue  # no clean text to recognise on, and no detection (read_chinese without a box)
        zh = read_chinese(image, boxes[i])
        if _is_chinese(zh):
            readings[i] = Reading(normalize(zh.text, "zh"), "zh", zh.confidence, zh.engine)
            chinese_bands.add(band)
        else:
            not_chinese[band] += 1
            if _HAN.search(zh.text):
                some_han.add(i)
            if is_latin(zh):
                latin[i] = zh.text
    rest = [i for i, r in enumerate(readings) if r is None]
    tibetan = dict(zip(rest, read_tibetan_lines([images[i] for i in rest], [masks[i] for i in rest]), strict=True))
    tried: Counter[int] = Counter()  # full detections by band, and those that found Chinese
    found_zh: Counter[int] = Counter()
    sure = Counter(bands[i] for i, bo in tibetan.items() if _is_tibetan(bo))
    for i, bo in tibetan.items():
        if _is_tibetan(bo):
            readings[i] = Reading(normalize(bo.text, "bo"), "bo", bo.confidence, bo.engine, bo.engine_score)
            continue
        if sure[bands[i]] >= BAND_SURE_LINES and bo.confidence == 1.0 and _is_tibetan(bo, BAND_MIN_ENGINE):
            # its confidence is Tesseract's: a finding on its text is a warning at most (`pipeline.OCR_SURE`)
            readings[i] = Reading(normalize(bo.text, "bo"), "bo", bo.engine_score or 0.0, bo.engine, bo.engine_score)
            continue
        # Detection (≈ 0.04 s at the view's size, `DETECT_AT_SIZE`) only for a line that may be Chinese in a box
        # not clean: one RapidOCR read no Han in at all (a Latin word, texture) is not; nor, once
        # DETECT_TRIAL_LINES of its band found none, the band's further lines.
        given_up = tried[bands[i]] >= DETECT_TRIAL_LINES and not found_zh[bands[i]]
        zh = (read_chinese(images[i], None) if detect and boxes[i] is not None and i in some_han and not given_up
              else Reading("", "none", 0.0, ""))
        tried[bands[i]] += zh.engine != ""
        found_zh[bands[i]] += _is_chinese(zh)
        readings[i] = (Reading(normalize(zh.text, "zh"), "zh", zh.confidence, zh.engine) if _is_chinese(zh)
                       else Reading("", "none", 0.0, "", latin=zh.text if is_latin(zh) else latin.get(i)))
        detected.add(i)
    return [_spanning(r, None if i in detected else boxes[i]) if r is not None
            else Reading("", "none", 0.0, "", latin=latin.get(i)) for i, r in enumerate(readings)]


# Full detections of a band's lines that find no Chinese before its further lines are not tried:
# Tibetan over `gradients` at 60 s (29 cues, none read) made 37 detections, 30 of its 46 s of reading
# (20.8× its decode); no line of the burned-in matrix read Chinese by detection after its band's
# first three had not.
DETECT_TRIAL_LINES = 3


# Two lines of one cue in one band (when every cue has two, their rows come and go together) were read
# as one line: Tibetan as nothing, Chinese as a mix of both (我水是命每一滴水 for 水是生命之源 over
# 我们要节约每一滴水, confidence 0.82). In a cue's view the two lines' text rows are 25–30 empty rows
# apart at 1080p (Tibetan Machine Uni 56, Noto Sans CJK SC 60, libass's line spacing); inside one line
# at most 2 are empty (under a vowel sign). Each line also holds at least LINE_SHARE of the text.
LINE_SPACING = 0.01  # of the picture's height: empty rows between two lines of one cue, at least
LINE_SHARE = 0.2


def read_by_lines(images: list[np.ndarray], bands: list[int], height: int) -> list[Reading]:
    """`read_lines`, each image that holds two lines of text (`two_lines`) read line by line, its
    lines joined top first (nothing, when either reads as nothing or they differ in language)."""
    pieces: list[np.ndarray] = []
    owners: list[int] = []
    for i, image in enumerate(images):
        split = two_lines(image, height)
        parts = [image] if split is None else [image[:split], image[split:]]
        pieces += parts
        owners += [i] * len(parts)
    lines: list[list[Reading]] = [[] for _ in images]
    for reading, owner in zip(read_lines(pieces, [bands[i] for i in owners]), owners, strict=True):
        lines[owner].append(reading)
    return [_joined_lines(each) for each in lines]


def two_lines(image: np.ndarray, height: int) -> int | None:
    """The row between the two lines of text `image` holds (LINE_SPACING, LINE_SHARE), or None (its
    text rows as the reading isolates them: the scan's rule at full size takes grain for text)."""
    rows = text_pixels(image, shadow=False).sum(axis=1)
    on = np.flatnonzero(rows)
    if len(on) < 2:
        return None
    gap = int(np.argmax(np.diff(on)))
    split = int(on[gap] + on[gap + 1] + 1) // 2
    above, total = int(rows[:split].sum()), int(rows.sum())
    if on[gap + 1] - on[gap] - 1 < LINE_SPACING * height or min(above, total - above) < LINE_SHARE * total:
        return None
    return split


def _joined_lines(lines: list[Reading]) -> Reading:
    if len(lines) == 1:
        return lines[0]
    if not all(line.text for line in lines) or len({line.language for line in lines}) > 1:
        return Reading("", "none", 0.0, lines[0].engine)  # one line's text alone is not the cue's
    spans = [line.columns for line in lines]
    scores = [line.engine_score for line in lines if line.engine_score is not None]
    return Reading("\n".join(line.text for line in lines), lines[0].language, min(line.confidence for line in lines),
                   lines[0].engine, min(scores) if scores else None,
                   (min(c[0] for c in spans if c), max(c[1] for c in spans if c)) if all(spans) else None)


def _spanning(reading: Reading, box: tuple[slice, slice] | None) -> Reading:
    """`reading` with the columns of the line box it was read on."""
    return replace(reading, columns=(box[1].start, box[1].stop)) if box is not None and reading.text else reading


@dataclass
class OcrCue:
    cue: BurnedCue
    band: Band
    frame_s: float
    reading: Reading
    evidence: bytes | None  # the band on its clearest frame, as PNG: for `--frames` (`read_burned_in`)
    cover: float | None = None  # share of the line's width in the picture that the text read spans

    @property
    def seconds(self) -> float:
        """How long the cue is on screen."""
        return self.cue.end_s - self.cue.start_s


def read_burned_in(video: str | os.PathLike, media: MediaInfo, region: tuple[int, int] | None = None,
                   dropped: list[dict] | None = None, unread: list[OcrCue] | None = None,
                   evidence: bool = False, held: list[list[OcrCue]] | None = None) -> list[OcrCue]:
    """Every burned-in cue, timed to the frame, read once on its clearest frame. A band most of whose
    cues read as no text is not taken as subtitles: none of its cues is kept, and the band is listed
    in `dropped` (`_dropped`: its rows, cues found and read, and whether they are placed like
    subtitles that could not be read, or are picture). The cues of the other bands that read as no text
    are left out and listed in `unread`, and lines held on screen (`held_lines`: a logo, a caption)
    are left out and listed in `held`. With `evidence`, each cue keeps its band's clearest frame as
    PNG (`write_evidence`); without, none is kept (the 5-minute 4K entry's 99 held 378 MB as RGB)."""
    bands, cues, found = burned_in_cues(video, media, region)
    found.keep_for_reading(cues)
    height = picture_size(media, video)[1]
    rows = [read_rows(bands, i, height) for i in range(len(bands))]
    lines = LineColumns.of(bands, cues, found)

    def view(cue: BurnedCue, dark_text: bool = False) -> tuple[float, np.ndarray, np.ndarray]:
        return cue_view(video, media, lines, rows[cue.band], cue, dark_text)

    # each clearest frame let go once seen (or kept as PNG)
    views = [(frame_s, png_bytes(image) if evidence else None, read) for frame_s, image, read in map(view, cues)]
    readings = read_by_lines([read for *_, read in views], [cue.band for cue in cues], height)
    _read_dark_text(readings, cues, [read for *_, read in views], lambda cue: view(cue, dark_text=True)[2])
    # one cue cut in two reads the same (or no) text twice: joined before a half is read again alone
    items = [OcrCue(cue, bands[cue.band], frame_s, reading, image)
             for cue, (frame_s, image, _), reading in zip(cues, views, readings, strict=True)]
    view_of = {id(item): view for item, (*_, view) in zip(items, views, strict=True)}
    read = _join_repeats(items, found)
    _cover_lines(read, [view_of[id(item)] for item in read], lines)
    found_in = Counter(item.cue.band for item in read)
    read_in = Counter(item.cue.band for item in read if item.reading.text)
    phrases_in = Counter(item.cue.band for item in read if is_phrase(item.reading))
    junk = {b for b in found_in if (read_in[b] < BAND_READ_SHARE * found_in[b] or not phrases_in[b])
            and not bands[b].given}
    if dropped is not None:
        dropped += [_dropped(bands[b], [item for item in read if item.cue.band == b], lines) for b in sorted(junk)]
    if unread is not None:
        unread += [item for item in read if not item.reading.text and item.cue.band not in junk]
    kept = [item for item in read if item.reading.text and item.cue.band not in junk]
    logos = held_lines(kept)
    if held is not None:
        held += logos
    left_out = {id(item) for line in logos for item in line}
    return _join_repeats([item for item in kept if id(item) not in left_out], found)


def held_lines(items: list[OcrCue]) -> list[list[OcrCue]]:
    """The lines held on screen, not subtitles: a cue shown FIXED_MIN_SECONDS or more, with every
    other showing of its text in its band (a channel name the scan lost at scene cuts came back as
    cues of 17.6, 19.2 and 4.5 s; the three were Chinese cues beside 13 Tibetan ones, and the track
    was called dual-language). Each line's showings in time order, the longest line first."""
    lines: list[list[OcrCue]] = []
    taken: set[int] = set()
    for seed in sorted(items, key=lambda item: item.seconds, reverse=True):
        if seed.seconds < FIXED_MIN_SECONDS:
            break
        if id(seed) in taken:
            continue
        same = [item for item in items if id(item) not in taken and item.cue.band == seed.cue.band
                and item.reading.language == seed.reading.language
                and _same_line(seed.reading.text, item.reading.text)]
        taken.update(map(id, same))
        lines.append(sorted(same, key=lambda item: item.cue.first_frame))
    return lines


LATIN_MIN_LINES = 2  # of a dropped band's lines read as Latin script (`is_latin`) for the band to be so


def _dropped(band: Band, items: list[OcrCue], lines: LineColumns) -> dict[str, Any]:
    """What `read_burned_in` lists of a dropped band: its rows, cues found and read, whether they are
    placed like subtitles (`placed_like_subtitles`), when the first and last are shown, and a line
    read in Latin script when LATIN_MIN_LINES of them were."""
    latin = [item.reading.latin for item in items if item.reading.latin]
    return {"band": list(band.source_rows()), "cues_found": len(items),
            "cues_read": sum(is_phrase(item.reading) for item in items),
            "subtitle_like": placed_like_subtitles(items, lines),
            "latin": latin[0] if len(latin) >= LATIN_MIN_LINES else None,
            "first_s": round(min(item.cue.start_s for item in items), 3),
            "last_s": round(max(item.cue.end_s for item in items), 3)}


# A reading that spans less than PARTIAL_COVER of the columns of its line (`LineColumns`) is a part of
# the line: shadow-only Tibetan over testsrc2 read its strokes over the blue only, confidently
# (སླབ་པའི་ཚུལ་ལོ། of བཟུང་ནས་ཇི་ལྟར་བསླབ་པའི་ཚུལ་ལོ།, Tesseract 0.92), spanning 0.46–0.57 of them;
# the other 180 lines read in the burned-in matrix's 46 cells (every picture, font, style, position,
# size and frame rate) span 0.89–1.0. Such a line, and one that read as nothing on a mask that spans
# as little, is read again as Tibetan inked by colour (`colour_page`); a line still partial has a
# confidence of at most its cover, so a finding on its text is a warning.
PARTIAL_COVER = 0.75
ColourPage = tuple[OcrCue, tuple[np.ndarray, np.ndarray]]  # a cue, and its line's page and mask by colour


def _cover_lines(read: list[OcrCue], views: list[np.ndarray], lines: LineColumns) -> None:
    """Each cue's cover (`PARTIAL_COVER`); partial lines read again by colour, a band's further ones
    only once one of its first COLOUR_TRIAL_LINES read whole that way; those still partial made unsure."""
    for item in read:
        item.cover = lines.cover(item.reading.columns, item.cue)
    chinese = {item.cue.band for item in read if item.reading.language == "zh"}
    waiting: dict[int, list[tuple[OcrCue, np.ndarray]]] = {}  # band → its lines that may be partial
    for item, view in zip(read, views, strict=True):
        if _may_be_partial(item) and item.cue.band not in chinese:
            waiting.setdefault(item.cue.band, []).append((item, view))
    trials = [page for band_lines in waiting.values() for page in _colour_pages(band_lines, lines, COLOUR_TRIAL_LINES)]
    whole_bands = {item.cue.band for item in _read_by_colour(trials, lines)}
    tried = {id(item) for item, _ in trials}
    _read_by_colour([page for band in whole_bands for page in _colour_pages(
        [(item, view) for item, view in waiting[band] if id(item) not in tried], lines)], lines)
    for item in read:
        if item.cover is not None and item.cover < PARTIAL_COVER:
            item.reading = replace(item.reading, confidence=min(item.reading.confidence, item.cover))


# Lines of a band read again by colour before its others are: where none of them reads whole that way,
# the others are not tried (a line costs up to 3 more Tesseract reads: the shadow-only cell 8 → 14 for
# 4 lines, 4.5 → 6.9× its decode). The matrix's texture cells whose lines read as nothing (gradients,
# game of life, Tsugring, Yigchung) make as many Tesseract reads as before: their masks span the line.
COLOUR_TRIAL_LINES = 2


def _may_be_partial(item: OcrCue) -> bool:
    """A Tibetan line read in part, or a line read as nothing (a Chinese line is said to be partial
    only; a line whose columns are unknown is not judged)."""
    if not item.reading.text:
        return True
    return item.reading.language == "bo" and item.cover is not None and item.cover < PARTIAL_COVER


def _colour_pages(views: list[tuple[OcrCue, np.ndarray]], lines: LineColumns,
                  most: int | None = None) -> list[ColourPage]:
    """The colour pages (`colour_page`) of the cues' `views`, up to `most`: of a line read in part, or
    read as nothing on a mask that spans a part of it."""
    pages: list[ColourPage] = []
    for item, view in views:
        if most is not None and len(pages) >= most:
            break
        mask = line_mask(view)
        box = line_box(mask)
        cover = lines.cover((box[1].start, box[1].stop) if box is not None else None, item.cue)
        partial = bool(item.reading.text) or cover is not None and cover < PARTIAL_COVER
        if partial and (page := colour_page(view, mask)) is not None:
            pages.append((item, page))
    return pages


def _read_by_colour(pages: list[ColourPage], lines: LineColumns) -> list[OcrCue]:
    """Read `pages` as Tibetan; a reading that is confident, every syllable valid with nothing stray,
    spans the line and has more letters replaces the cue's. Returns the cues so read. Nothing stray:
    over real footage (PySceneDetect's testvideo.mp4) a right line whose held columns took in still
    picture beside it (cover 0.63–0.8) read "༤ -- རྒྱུད་སྦྱངས་ནས་" by colour, and replaced the right one."""
    if not pages:
        return []
    again = read_tibetan_lines([image for _, (image, _) in pages], [mask for _, (_, mask) in pages])
    whole = []
    for (item, (_, mask)), bo in zip(pages, again, strict=True):
        spanning = _spanning(bo, line_box(mask))
        cover = lines.cover(spanning.columns, item.cue)
        clean = bo.confidence == 1.0 and not _NOT_TIBETAN_LETTER.search(bo.text)  # every syllable valid
        if _is_tibetan(bo) and clean and cover is not None and cover >= PARTIAL_COVER \
                and len(bo.text.replace(" ", "")) > len(item.reading.text.replace(" ", "")):
            # the picture is in its pages' ink: Tesseract's confidence, not the syllables', is the cue's
            item.reading = replace(spanning, text=normalize(bo.text, "bo"), confidence=bo.engine_score or 0.0)
            item.cover = cover
            whole.append(item)
    return whole


# The frames in the middle of a gap between a band's cues (at most QUIET_FRAMES, from at least 3): no
# line there, nor a fading one, so what holds still in them is picture. Over real footage
# (PySceneDetect's testvideo.mp4, gaps of 10 frames) one picture column held still beside three lines
# through cues and gaps alike; joined to the line's held columns, it set a whole line's cover at 0.57.
QUIET_FRAMES = 9
# Scan columns without held pixels between two letters of a line (12 px at 1080p): still picture further
# from the line's letters than this is not part of it. A 4-px dot 75 px right of a line, still in the
# gaps, was read into it ("རྒྱུད་སྦྱངས་ནས་.", confidence 1.0).
LETTER_GAP_COLUMNS = 4


@dataclass
class LineColumns:
    """Where each cue's line is, in scan columns: where its pixels hold still (`held_columns`), less
    what holds still in the quiet frames (QUIET_FRAMES) either side of it, which is picture."""

    found: Scan
    bands: list[Band]
    still_before: dict[tuple[int, int], np.ndarray]  # (band, a cue's first frame) → columns still before it
    still_after: dict[tuple[int, int], np.ndarray]  # (band, a cue's last frame) → columns still after it
    found_lines: dict[tuple[int, int, int], np.ndarray | None] = field(default_factory=dict)  # `line`'s, by cue

    @classmethod
    def of(cls, bands: list[Band], cues: list[BurnedCue], found: Scan) -> LineColumns:
        before: dict[tuple[int, int], np.ndarray] = {}
        after: dict[tuple[int, int], np.ndarray] = {}
        last_scanned = (len(found.masks) - 1) * found.stride
        for band in {cue.band for cue in cues}:
            edges = sorted((cue.first_frame, cue.last_frame) for cue in cues if cue.band == band)
            gaps = zip([-1, *(last for _, last in edges)], [*(first for first, _ in edges), last_scanned + 1],
                       strict=True)
            still = [_still_columns(found, bands[band], gap_start, gap_end) for gap_start, gap_end in gaps]
            for k, (first, last) in enumerate(edges):
                before[band, first], after[band, last] = still[k], still[k + 1]
        return cls(found, bands, before, after)

    def line(self, cue: BurnedCue) -> np.ndarray | None:
        """The columns of the cue's line: of its held columns, the runs of them (apart by more than
        LETTER_GAP_COLUMNS) with a column that is not still picture; None when fewer than two."""
        key = (cue.band, cue.first_frame, cue.last_frame)
        if key not in self.found_lines:
            self.found_lines[key] = self._line(cue)
        return self.found_lines[key]

    def _line(self, cue: BurnedCue) -> np.ndarray | None:
        held = held_columns(self.found, self.bands[cue.band], cue)
        if held is None:
            return None
        empty = np.zeros(0, np.int64)
        picture = np.union1d(self.still_before.get((cue.band, cue.first_frame), empty),
                             self.still_after.get((cue.band, cue.last_frame), empty))
        runs = [run for run in column_runs(held, LETTER_GAP_COLUMNS) if not np.isin(run, picture).all()]
        if self.found.textured:
            runs = _without_lone_columns(runs)
        line = np.concatenate(runs) if runs else held  # all of it still: a line over a still shot
        return line if len(line) >= 2 else None

    def extent(self, cue: BurnedCue) -> tuple[int, int] | None:
        """[first, last) scan columns of the cue's line (`line`)."""
        line = self.line(cue)
        return None if line is None else (int(line[0]), int(line[-1]) + 1)

    def view_columns(self, cue: BurnedCue) -> tuple[int, int] | None:
        """[first, last) source columns the cue's line is read in (`cue_view`): its `extent`, with a
        margin of COLUMN_MARGIN of the width either side. None when too few columns hold still (a
        short cue): it is read across the whole width."""
        extent = self.extent(cue)
        if extent is None:
            return None
        scale = self.found.scale
        return (max(0, int((extent[0] - COLUMN_MARGIN * SCAN_WIDTH) * scale)),
                int(np.ceil((extent[1] + COLUMN_MARGIN * SCAN_WIDTH) * scale)))

    def cover(self, spans: tuple[int, int] | None, cue: BurnedCue) -> float | None:
        """The share of the line's columns that `spans` (columns of the cue's view, `view_columns`)
        spans: of the runs of them (`bands.column_runs`) that `spans` overlaps, so that picture
        holding still beside the line (a logo, a still shot) does not count as line."""
        columns = self.line(cue)
        if columns is None or spans is None:
            return None
        scale, left = self.found.scale, (self.view_columns(cue) or (0, 0))[0]
        spans = (spans[0] + left, spans[1] + left)
        first, last = spans[0] / scale, spans[1] / scale
        touched = [run for run in column_runs(columns) if run[0] < last and run[-1] + 1 > first]
        if not touched:
            return None
        held = float(touched[-1][-1] + 1 - touched[0][0]) * scale
        return min(1.0, (spans[1] - spans[0]) / max(1.0, held))


# A texture scanned on its steady pixels (`bands.steady_pixels`) keeps some still vertical strokes of its
# own: rule 110's stand 1 scan column wide, 80–280 columns from the line (5 Tibetan cues of one seed:
# 2–3 such beside each), and the line's extent took them in — no band kept one centre, and legible
# subtitles the OCR could not read were "picture", not "subtitles a person should look at".
LONE_COLUMN_GAP = BLOCK_COLUMNS


def _without_lone_columns(runs: list[np.ndarray]) -> list[np.ndarray]:
    """The runs less those of one column further than LONE_COLUMN_GAP from every other run."""
    def near(run: np.ndarray, other: np.ndarray) -> bool:
        return bool(other[0] - run[-1] <= LONE_COLUMN_GAP and run[0] - other[-1] <= LONE_COLUMN_GAP)

    kept = [run for run in runs if len(run) > 1 or any(near(run, other) for other in runs if other is not run)]
    return kept or runs


def _still_columns(found: Scan, band: Band, after: int, before: int) -> np.ndarray:
    """The scan columns held still in the middle of the frames strictly between `after` and `before`
    (`QUIET_FRAMES`); none when fewer than 3 frames lie there."""
    if before - after - 1 < 3:
        return np.zeros(0, np.int64)
    middle = (after + before) // 2
    first, last = max(after + 1, middle - QUIET_FRAMES // 2), min(before - 1, middle + QUIET_FRAMES // 2)
    columns = held_columns(found, band, BurnedCue(-1, first, last, 0.0, 0.0))
    return np.zeros(0, np.int64) if columns is None else columns


# Read by luma, white text over a picture nearly as bright (testsrc2's yellow, apart from white in blue
# only, which 4:2:0 halves) is lost beside the picture. Inked instead by where each pixel lies from the
# picture around it (each channel's median over COLOUR_PICTURE_SIZE px, or half the line's height where
# that is more: a median over less than twice a stroke's width takes the stroke for picture — a white
# stroke 8 px wide on yellow was inked 0.06 at 15 px) to the text's colour, the 4 shadow-only Tibetan
# lines' pages show every letter over the yellow: 0.0, 3.2 % letter error on two, Tesseract 0.82–0.87;
# the short line's left half stays unread (0.51, refused).
COLOUR_PICTURE_SIZE = 15
COLOUR_MIN_CONTRAST = 60  # text colour this near the picture's (any channel, root-sum-square): no ink
COLOUR_ROWS = 0.6  # a piece of ink more than this share of the line's height above or below it is picture
# A piece of ink whose mean colour is further than this from the text's (any channel) is picture: the
# strokes over the yellow 10–95 (their blue halved by 4:2:0; specks of 1–2 px to 150), testsrc2's
# light-blue stripes beside a line 139–255 (read as ་ཧྲེ before དེ་ནས་འཛིན་པར་སྤྲོ་བ་ན་).
COLOUR_PIECE_SPREAD = 128


def colour_page(view: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(an image whose luma is each pixel's ink, its text mask) of the line `mask` is a part of, by
    colour (`COLOUR_PICTURE_SIZE`): the pieces of ink on the line's rows. None when `mask` is empty."""
    import cv2

    rows = np.flatnonzero(mask.any(axis=1))
    if len(rows) == 0:
        return None
    colour = np.median(view[mask], axis=0)
    size = max(COLOUR_PICTURE_SIZE, (rows[-1] + 1 - rows[0]) // 2 | 1)  # wider than any stroke of the line
    picture = np.stack([cv2.medianBlur(np.ascontiguousarray(view[..., c]), size) for c in range(3)],
                       axis=2).astype(np.float32)
    towards = colour[None, None, :].astype(np.float32) - picture
    reach = (towards ** 2).sum(axis=2)
    ink = np.clip(((view - picture) * towards).sum(axis=2) / np.maximum(reach, 1), 0, 1)
    ink[(reach < COLOUR_MIN_CONTRAST ** 2) | (view == NEUTRAL).all(axis=2)] = 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats((ink > 0.5).astype(np.uint8), connectivity=8)
    top, bottom = rows[0], rows[-1] + 1
    reach_rows = COLOUR_ROWS * (bottom - top)
    first, last = stats[:, cv2.CC_STAT_TOP], stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT] - 1
    flat, sizes = labels.ravel(), np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    mean = np.stack([np.bincount(flat, weights=view[..., c].ravel(), minlength=count) / sizes for c in range(3)], 1)
    keep = (first >= top - reach_rows) & (last < bottom + reach_rows) \
        & (np.abs(mean - colour).max(axis=1) <= COLOUR_PIECE_SPREAD)
    keep[0] = False
    text = keep[labels]
    ink[~cv2.dilate(text.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)] = 0
    return np.repeat((60 + ink * 140)[..., None], 3, axis=2).astype(np.uint8), text  # `isolate_text`'s ramp


def _join_repeats(read: list[OcrCue], found: Scan) -> list[OcrCue]:
    """One cue cut in two by the picture behind it (a shape of testsrc2 passing behind a line of Noto
    Serif Tibetan split 3 of 6 cues, 16 frames in) reads the same text twice, back to back in its
    band: it is one cue. Two cues of the same text with no frame between them look like one anyway."""
    out: list[OcrCue] = []
    last_in_band: dict[int, OcrCue] = {}
    for item in read:
        before = last_in_band.get(item.cue.band)
        if before is not None and item.cue.first_frame == before.cue.last_frame + 1 \
                and item.reading.text == before.reading.text:
            before.cue = found.cue(item.cue.band, before.cue.first_frame, item.cue.last_frame)
            continue
        last_in_band[item.cue.band] = item
        out.append(item)
    return out


# Dark text on a light box is read inverted, as light text, by the same path. Read upright its mask holds
# bits of the box: a Tibetan line read as nothing, a Chinese one in part (是生命之源 for 水是生命之源). A
# line read as nothing is read inverted; a Chinese line too when inverted it has this many times the
# text pixels (`text_pixels`) it has upright: dark text on a light box 2.1–8.8 (Tibetan Machine Uni, Noto Sans
# CJK, over testsrc2 and grainy gradients); light text 0.0–0.58 (white, yellow, on a black box), up to
# 1.04 for white Chinese with an outline (the outline inverted is a ring as large as the text), but
# 3.2–3.6 over a zooming fractal — the reading with more letters decides.
DARK_TEXT_RATIO = 1.5


def _read_dark_text(readings: list[Reading], cues: list[BurnedCue], upright: list[np.ndarray],
                    inverted: Callable[[BurnedCue], np.ndarray]) -> None:
    """Dark text on a light box or outline, read inverted (`inverted`: a cue's view with `dark_text`)
    as light text, into `readings`: a line that read as nothing is read again in full; a Chinese line
    whose inverted view has DARK_TEXT_RATIO times its text pixels, or holds its text inside an outline
    (`_inverted_is_filled`), only by recognition on its box (≈ 20 ms: a busy picture also sets the
    ratio off, and a Tibetan reading, every syllable valid and confident, is not a part of its line).
    The reading with more letters wins; with as many, the inverted one where its text is the filled one."""
    unread = [i for i, reading in enumerate(readings) if not reading.text]
    again = dict(zip(unread, read_lines([inverted(cues[i]) for i in unread], [cues[i].band for i in unread],
                                        boxed=False), strict=True))
    filled: set[int] = set()
    for i, reading in enumerate(readings):
        if reading.language != "zh":
            continue
        view = inverted(cues[i])
        # The inverted view is light text on a dark outline: no shadow rule (the upright one keeps it,
        # so a shadow-only light line is not outweighed by its inverted view); each costs ≈ 0.2 s a
        # line at 4K, where the read went from 2.6 to 5× a decode with it.
        outlined = text_pixels(upright[i], shadow=False)
        mask, upright_mask = text_pixels(view, shadow=False), with_shadow(upright[i], outlined)
        if _inverted_is_filled(view, mask, upright[i], upright_mask, outlined):
            filled.add(i)
        if mask.sum() > DARK_TEXT_RATIO * upright_mask.sum() or i in filled:
            zh = read_chinese(view, box := line_box(mask))
            if _is_chinese(zh):
                again[i] = _spanning(Reading(normalize(zh.text, "zh"), "zh", zh.confidence, zh.engine), box)
    for i, reading in again.items():
        letters, before = len(reading.text.replace(" ", "")), len(readings[i].text.replace(" ", ""))
        if letters > before or letters == before and i in filled:
            readings[i] = reading  # read the wrong way up, a line shows only part of its text


# Which way up a line's text is: the fill is enclosed by its outline (the pixels 2 px beyond a glyph of
# the fill are outline, dark once the view shows light text), an outline ring taken as text has the
# picture outside it. Dark Noto Sans CJK at 60 with a light outline, the light box's, inverted: 2.5–8.5×
# the upright view's enclosed pixels, 0.69–1.0 of its text enclosed; light text (white, yellow, on a
# box) 0.0–0.36×; shadow-only white text inverted, 0.06–0.45 enclosed (upright it has no outline: 0).
FILLED_RATIO = 2.0
FILLED_SHARE = 0.6
# Light text on a dark box, inverted, leaves its glyphs' counters (the insides of 口, 日) as its text,
# each enclosed: the matrix's 38 %-transparent black box had 0.14–0.18 of the upright text pixels so,
# 97–99 % enclosed, and 啊 read inverted as 阿. Counters are 0.004–0.21 of the upright text pixels
# over the burned-in matrix's light-text cells; a dark fill inverted is 0.74–3.1 of its light outline's
# and 5.0–7.4 of a light box's text pixels. Inverted text pixels fewer than this share are counters.
FILLED_MIN_PIXELS = 0.4
ENCLOSED_DARK = 0.9  # of a component's ring 2 px out dark: it is enclosed


def _inverted_is_filled(view: np.ndarray, mask: np.ndarray, upright: np.ndarray, upright_mask: np.ndarray,
                        upright_outlined: np.ndarray) -> bool:
    """Whether the inverted view's text is the fill and the upright one's the outline (`FILLED_RATIO`).
    Not asked of a line whose outline or box is dark in luma only (`line_mask`: dark blue, dark red):
    its fill is not enclosed in what is dark in every channel, and counters inside its inverted
    glyphs are (white on a dark blue box: 0 enclosed upright, 300–837 inverted: 河 read as 可)."""
    if line_box(upright_outlined) is None or mask.sum() < FILLED_MIN_PIXELS * upright_mask.sum():
        return False
    enclosed = _enclosed_pixels(view, mask)
    return enclosed >= FILLED_SHARE * mask.sum() and enclosed >= FILLED_RATIO * _enclosed_pixels(upright, upright_mask)


def _enclosed_pixels(view: np.ndarray, mask: np.ndarray) -> int:
    """Text pixels of the components of `mask` whose ring 2 px out is dark (ENCLOSED_DARK of it)."""
    import cv2

    m = mask.astype(np.uint8)
    count, labels = cv2.connectedComponents(m, connectivity=8)
    if count < 2:
        return 0
    ring = (cv2.dilate(m, _SQUARE5) > cv2.dilate(m, np.ones((3, 3), np.uint8)))
    owner = cv2.dilate(labels.astype(np.uint16 if count < 1 << 16 else np.float32), _SQUARE5)
    owner = owner[ring].astype(np.int64)  # the (highest-numbered) component beside each ring pixel
    total = np.bincount(owner, minlength=count)
    on_dark = np.bincount(owner, weights=(channel_max(view) < OUTLINE_DARK)[ring], minlength=count)
    enclosed = (total > 0) & (on_dark >= ENCLOSED_DARK * total)
    enclosed[0] = False
    return int(np.bincount(labels.ravel(), minlength=count)[enclosed].sum())


# Of a band's cues, the share that must read as text (confident Tibetan or Chinese) for the band to be
# subtitles. Subtitle bands of the burned-in benchmark read 100 %; a Latin title with a logo
# (sample_MKV_delayed.mkv) 0 of 5, a game-of-life texture at 1080p 6 Mbit/s 2 of 5 (its subtitles,
# but read too poorly to trust the rest).
BAND_READ_SHARE = 0.5


def is_phrase(reading: Reading) -> bool:
    """More than one word: two Han characters or two Tibetan syllables at least. A band of the picture
    none of whose cues reads as one is picture: looped real footage under 1080i Tibetan subtitles read
    as 中 at 7.8 s and at 31.8 s in one band (the same scenery), and as 店 in another, each kept as a
    Chinese cue beside the Tibetan ones (`script.mixed`, overlaps). No subtitle track of the corpus
    (1,456 Tibetan cues, 32 Chinese) has a band of such: a one-word cue comes among others."""
    if reading.language == "zh":
        return len(_HAN.findall(reading.text)) >= 2
    return reading.language == "bo" and len(tibetan.syllables(reading.text)) >= 2


# A dropped band placed and timed like subtitles is not "no subtitles": it may be subtitles that OCR
# cannot read (a font Tesseract was not trained on, letters broken by a busy picture). Its cues then
# keep one centre while their lengths vary, and each stays up for a subtitle's time. Measured
# 2026-12-03 on every band dropped: the 5 burned-in matrix cells whose subtitles read as nothing
# (Sambhota Tsugring and Yigchung, Tibetan over `gradients` and `life` at 6 Mbit/s, Jomolhari on a
# black box at 4K) have 4 of 4 cues within 0.005 of the width of their median centre, widths 2.1–2.6×
# apart, 1.6 s each; the 35 bands dropped over footage with no subtitles (PySceneDetect's 7 test
# videos as they are and scaled to 1080p: camera, film, VFR, fades, a counter; SubtitleEdit's Latin
# title; the matrix's backgrounds alone) have at most 2 cues, or at most 2 of 3 on one centre, or
# one width (a picture that comes and goes: 0.842 three times over the fades clip; an 18-cue band
# of a film: 8 on one centre, widths within 3 %, 0.17 s each).
SUBTITLE_MIN_CUES = 3
SUBTITLE_CENTRE_SPREAD = 0.02  # of the picture's width, either side of the band's median centre
SUBTITLE_CENTRED_SHARE = 0.8  # of the band's cues with a line
SUBTITLE_WIDTH_RATIO = 1.25  # longest line ÷ shortest, among the centred ones
SUBTITLE_MIN_SECONDS = 0.8  # their median time on screen


def placed_like_subtitles(items: list[OcrCue], lines: LineColumns) -> bool:
    """Whether a band's cues keep one centre with lines of varying length, each shown for a
    subtitle's time (the SUBTITLE_* measurements above)."""
    placed = [(extent, item.cue.end_s - item.cue.start_s) for item in items
              if (extent := lines.extent(item.cue)) is not None]
    if len(placed) < SUBTITLE_MIN_CUES:
        return False
    middle = float(np.median([(first + last) / 2 for (first, last), _ in placed]))
    centred = [(last - first, seconds) for (first, last), seconds in placed
               if abs((first + last) / 2 - middle) <= SUBTITLE_CENTRE_SPREAD * SCAN_WIDTH]
    widths = [width for width, _ in centred]
    return (len(centred) >= max(SUBTITLE_MIN_CUES, SUBTITLE_CENTRED_SHARE * len(placed))
            and max(widths) >= SUBTITLE_WIDTH_RATIO * min(widths)
            and float(np.median([seconds for _, seconds in centred])) >= SUBTITLE_MIN_SECONDS)


def read_rows(bands: list[Band], index: int, height: int) -> tuple[int, int]:
    """The source rows a band is read in: its rows and a margin of its height (stacks and descenders
    reach past the rows where most text sits), but never into a neighbouring band (a Tibetan line
    above a Chinese one), nor past a band given by `--band`."""
    top, bottom = bands[index].source_rows()
    if bands[index].given:
        return top, bottom
    margin = bottom - top
    above = [b.source_rows()[1] for b in bands if b.source_rows()[1] <= top]
    below = [b.source_rows()[0] for b in bands if b.source_rows()[0] >= bottom]
    return (max(0, top - margin, (top + max(above)) // 2 if above else 0),
            min(height, bottom + margin, (bottom + min(below)) // 2 if below else height))


def cue_view(video: str | os.PathLike, media: MediaInfo, lines: LineColumns, rows: tuple[int, int],
             cue: BurnedCue, dark_text: bool = False) -> tuple[float, np.ndarray, np.ndarray]:
    """(time, RGB `rows` of the cue's clearest frame kept by the scan, the image to read: those rows in
    the line's columns, `LineColumns.view_columns`). The clearest
    frame has the most text pixels in the band, away from fades at the edges; a cue too short to have
    one is seen on its middle frame, fetched by a seek. The image read is each pixel's lower
    median over the cue's fully shown kept frames (`steady_view`): the text is the same in all of them,
    a moving picture behind it is not, so texture fades out of the bright text's way (`STACK_SAMPLES`). With
    `dark_text` the frames are inverted first: dark text on a light box is then light on dark."""
    found, band = lines.found, lines.bands[cue.band]
    top, bottom = rows
    sampled = found.sampled(top, bottom)
    inner = [t for t in sampled if cue.first_frame + 1 < t < cue.last_frame - 1]
    inner = inner or [t for t in sampled if cue.first_frame <= t <= cue.last_frame]
    columns = lines.view_columns(cue)
    if not inner:
        middle = (cue.first_frame + cue.last_frame) // 2
        # The seek aims between the frame's time and the next one's: an accurate seek gives the first
        # frame shown at or after it, whatever the frame rate.
        seek_s = (found.frame_s(middle) + found.frame_s(middle + 1)) / 2
        image = frame_rows(video, media, seek_s, top, bottom)
        return found.frame_s(middle), image, steady_view([_line_only(255 - image if dark_text else image, columns)])
    pixels = [int(np.unpackbits(found.mask(t)[band.top:band.bottom]).sum()) for t in inner]
    best = inner[int(np.argmax(pixels))]
    image, (first, last) = _sample_rows(found, best, top, bottom)
    steady = [t for t, n in zip(inner, pixels, strict=False) if n >= SHOWN_SHARE * max(pixels)]
    stack = [view for t in steady[::max(1, len(steady) // STACK_SAMPLES)]
             for view, cover in [_sample_rows(found, t, top, bottom)] if cover[0] <= first and last <= cover[1]]
    stack = [_line_only(view, columns) for view in (stack if len(stack) > 1 else [image])]
    read = steady_view([255 - view for view in stack] if dark_text else stack)
    read[:first - top], read[last - top:] = NEUTRAL, NEUTRAL  # rows the clearest frame did not keep
    return found.frame_s(best), image, read


NEUTRAL = 128  # neither text (bright) nor outline (dark): picture ruled out of the reading


def _line_only(view: np.ndarray, columns: tuple[int, int] | None) -> np.ndarray:
    """The `columns` of `view` (all of it with none), not copied: the picture left and right of the
    line cannot be part of it. `steady_view` makes the image read of them an array of its own, so a
    view held for each cue until its band is read is the line's width, not the picture's (at 4K a
    whole-width view is 3.8 MB), and its median is taken over the line's pixels only."""
    return view if columns is None else view[:, columns[0]:columns[1]]


def steady_view(views: list[np.ndarray]) -> np.ndarray:
    """What stays of the text over a cue's shown frames: each pixel's lower median (the text is bright
    in all of them, a moving picture behind it is not), but where that is dark only because the picture
    was dark in some frame, neutral: only an outline or box dark in every frame marks text. The median,
    not the darkest value: at 6 Mbit/s over a game of life with grain the strokes' luma wavers around
    190 frame to frame, and the darkest value broke them into specks (3 of 4 Tibetan lines read as
    nothing; by the median 1). The darkest value alone set static bright picture beside moving dark
    picture (testsrc2's stripes) on a dark edge; those slivers joined the Tibetan line, and Tesseract
    read "དད" for a whole line."""
    low = lower_median(views)
    darkest_channel_high = channel_max(np.maximum.reduce(views))  # the same max, over views then channels
    low[(channel_max(low) < OUTLINE_DARK) & (darkest_channel_high >= OUTLINE_DARK)] = NEUTRAL
    return low


def lower_median(views: list[np.ndarray]) -> np.ndarray:
    """Each pixel's lower median over `views` (of 2: the darker), by an odd-even transposition sort:
    2.5 ms for 8 views of a 1080p band, against 54–68 ms by numpy's partition or median."""
    ranked = list(views)
    for round_ in range(len(ranked)):
        for i in range(round_ % 2, len(ranked) - 1, 2):
            ranked[i], ranked[i + 1] = np.minimum(ranked[i], ranked[i + 1]), np.maximum(ranked[i], ranked[i + 1])
    return ranked[(len(ranked) - 1) // 2] if len(ranked) > 1 else ranked[0].copy()


def channel_max(image: np.ndarray) -> np.ndarray:
    """Each pixel's largest channel: `image.max(axis=2)`, which numpy reduces slowly over a last axis of
    3 (a stack of 8 views of a 1080p band: 95 ms that way, 3 ms this)."""
    return np.maximum(np.maximum(image[..., 0], image[..., 1]), image[..., 2])


COLUMN_MARGIN = 0.02  # of the width beside the line's held columns: a letter or two at 1080p


def held_columns(found: Scan, band: Band, cue: BurnedCue) -> np.ndarray | None:
    """The scan columns where the cue's pixels hold still (`burnedin.held`) in at least half of its
    frames; None when fewer than two do."""
    bits = BandBits(found.masks, (band.top, band.bottom), found.static, hold=True)
    frames = found.scanned(cue.first_frame, cue.last_frame)
    on = sum(bits[t].any(axis=0).astype(np.int32) for t in frames)
    columns = np.flatnonzero(on >= len(frames) / 2)
    return columns if len(columns) >= 2 else None


SHOWN_SHARE = 0.8  # of the clearest kept frame's text pixels: a frame of the cue not in its fade
STACK_SAMPLES = 8  # kept frames at most in a cue's stacked image (a cue of 1.6 s at 25 fps has 8)


def _sample_rows(found: Scan, frame: int, top: int, bottom: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Source rows [top, bottom) of a kept frame, and the rows of them it kept (the others NEUTRAL).
    Each kept frame keeps its own rows (those with text-like pixels, picture included): cut from the
    first kept row, frames kept from rows 944 and 872 had stacked one line 24 rows off the other, a
    shadow-only Tibetan line read as nothing."""
    first_row, i420 = max(found.samples[frame],  # the piece (top strip or lower half) that holds the rows
                          key=lambda piece: min(bottom, piece[0] + len(piece[1]) * 2 // 3) - max(top, piece[0]))
    count = len(i420) * 2 // 3  # the piece's rows
    first = max(top, first_row)
    last = max(first, min(bottom, first_row + count))  # none of them kept: an empty range
    rows = np.full((bottom - top, i420.shape[1], 3), NEUTRAL, np.uint8)
    if last > first:  # only the rows asked for are converted (whole 4:2:0 rows: multiples of 4)
        start, stop = (first - first_row) // 4 * 4, min(count, -(-(last - first_row) // 4) * 4)
        rgb = sample_rgb(i420, (start, stop))
        rows[first - top:last - top] = rgb[first - first_row - start:last - first_row - start]
    return rows, (first, last)


def parse_band(text: str, height: int) -> tuple[int, int]:
    """`--band Y0:Y1` as source rows: pixels ("880:1040") or fractions of the height ("0.8:0.97").
    A band that is none raises ValueError(wording key, its values), for the CLI to say in --lang."""
    try:
        y0, y1 = (float(part) for part in text.split(":"))
    except ValueError:
        raise ValueError("error/band_format", {"band": text}) from None
    if y0 <= 1 and y1 <= 1 and ("." in text or y1 < 1):
        y0, y1 = y0 * height, y1 * height
    top, bottom = int(round(y0)), int(round(y1))
    if not 0 <= top < bottom <= height or bottom - top < 8:
        raise ValueError("error/band_outside", {"band": text, "top": top, "bottom": bottom, "height": height})
    return top, bottom


def write_evidence(read: list[OcrCue], folder: str | os.PathLike) -> list[str | None]:
    """Each cue's band image as it was read, `cue-007-00h01m23.480s.png`: what a reviewer checks the
    OCR text against. Returns the paths in cue order."""
    from bilingual.files import atomic_write_bytes

    os.makedirs(folder, exist_ok=True)
    paths: list[str | None] = []
    for number, cue in enumerate(read, 1):
        seconds = cue.frame_s
        name = f"cue-{number:03d}-{int(seconds // 3600):02d}h{int(seconds % 3600 // 60):02d}m{seconds % 60:06.3f}s.png"
        path = os.path.join(folder, name) if cue.evidence is not None else None
        if path is not None and cue.evidence is not None:
            atomic_write_bytes(path, cue.evidence)
        paths.append(path)
    return paths


def png_bytes(image: np.ndarray) -> bytes:
    """An RGB image as PNG (compression level 1: a 4K band of a grainy picture in 40 ms, not 150)."""
    import cv2

    ok, png = cv2.imencode(".png", image[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 1])  # RGB → BGR
    if not ok:
        raise ValueError("an image OpenCV cannot write as PNG")
    return png.tobytes()


@dataclass(frozen=True)
class FirstLine:
    """The first line a quick look read in a language: its keyframe's time, its text, its source rows."""

    time_s: float
    text: str
    rows: tuple[int, int]


@dataclass(frozen=True)
class LookedLine:
    """A centred line a quick look read, other than a line held on screen: its keyframe's time, its
    language and its text (what `rules.picture` holds against the track's cue times)."""

    time_s: float
    language: str
    text: str


@dataclass
class QuickLook:
    """What a quick look at the picture saw (`quick_look`): for each language read in its lower half
    on lines about its centre, on how many of the keyframes looked at, and the first such line; the
    same of lines read only off the centre (`aside`: lower-thirds, labels) and of lines held on screen;
    and every centred line read (`lines`)."""

    frames: int  # keyframes looked at
    seen: dict[str, int]  # language → keyframes with a centred line read in it (other than a fixed line)
    first: dict[str, FirstLine]  # language → the first such line
    seconds: float  # what the look cost
    fixed: dict[str, tuple[str, int]] = field(default_factory=dict)  # language → a fixed line, its keyframes
    aside: dict[str, tuple[int, float, str]] = field(default_factory=dict)  # language → keyframes, first, line
    lines: list[LookedLine] = field(default_factory=list)  # the centred lines counted in `seen`, by time

    @property
    def languages(self) -> list[str]:
        return sorted(self.seen)


# Inverted, a keyframe's line of dark Tibetan on a light box or with a light outline has 5.9–11.2×
# its text pixels, dark Chinese on a light box 5.6–7.6× (2026-12-03; with a light outline it reads
# upright); lines of picture over real footage, the sample entry and the matrix's backgrounds 0–1.7×,
# but one of 41 over the mandelbrot zoom 10.5×. Reading every unread line inverted doubled the look's
# time and read Tibetan (ཡཿ།) in the `gradients` texture on 2 keyframes: an `ocr.picture_differs` error.
LOOK_DARK_RATIO = 4.0


def _looks_dark_text(view: np.ndarray) -> bool:
    upright = max(1, int(text_pixels(view, shadow=False).sum()))
    return bool(text_pixels(255 - view, shadow=False).sum() >= LOOK_DARK_RATIO * upright)


def quick_look(video: str | os.PathLike, media: MediaInfo, rows: tuple[int, int] | None = None) -> QuickLook:
    """The scripts of the subtitles burned into the picture, from a sparse sample: a few keyframes'
    lower halves (or `rows`: `burnedin.keyframes`), each split into its lines (`burnedin.text_lines`), every
    line read as the full reading reads a cue (`read_lines`). A line read as no confident Tibetan
    or Chinese (scenery, a logo, a Latin word) is not counted; one whose inverted view shows far more
    text (`_looks_dark_text`: dark text on a light box or outline) is read again inverted. Lines
    off the centre (LOOK_CENTRE) and lines held on screen (`_fixed_lines`) are told apart."""
    import time

    started = time.perf_counter()
    height = picture_size(media, video)[1]  # `media.no_video` without a picture
    rows = rows or (height // 2, height)
    frames = keyframes(video, media, rows=rows)
    views = _keyframe_lines(frames, rows)
    # Each line its own band (no line skips the Chinese try because lines before it were Tibetan), and
    # no full detection (≈ 2 s a line at 1080p): a look, not a reading.
    readings = read_lines([line.view for line in views], list(range(len(views))), detect=False) if views else []
    # dark text on a light box or outline: a line that read as nothing is read again inverted, as
    # light text, when that shows LOOK_DARK_RATIO times its text pixels
    unread = [i for i, reading in enumerate(readings) if not reading.text and _looks_dark_text(views[i].view)]
    if unread:
        again = read_lines([255 - views[i].view for i in unread], unread, detect=False, boxed=False)
        for i, reading in zip(unread, again, strict=True):
            readings[i] = reading
    read = [(line, reading) for line, reading in zip(views, readings, strict=False)
            if reading.text and reading.language in ("bo", "zh")]
    fixed = _fixed_lines([(line.time_s, reading) for line, reading in read])
    kept = [(line, reading) for line, reading in read
            if not (reading.language in fixed and _same_line(reading.text, fixed[reading.language][0]))]
    centred = [(line, reading) for line, reading in kept if line.centred]
    seen, first = _tally(centred)
    aside_seen, aside_first = _tally([(line, reading) for line, reading in kept
                                      if not line.centred and reading.language not in seen])
    return QuickLook(len(frames), seen,
                     {lang: FirstLine(line.time_s, reading.text, line.rows) for lang, (line, reading) in first.items()},
                     time.perf_counter() - started, fixed,
                     {lang: (count, aside_first[lang][0].time_s, aside_first[lang][1].text)
                      for lang, count in aside_seen.items()},
                     sorted((LookedLine(line.time_s, reading.language, reading.text) for line, reading in centred),
                            key=lambda looked: looked.time_s))


# A subtitle line is centred: the lines the look reads in the burned-in matrix's subtitles have their
# middle at 0.49–0.50 of the width; a lower-third caption (a speaker's name and post, left-aligned
# on a box from x = 110 px) at 0.29 was "the picture carries Chinese subtitles", an error. A line
# whose middle is off the picture's by more than LOOK_CENTRE of the width is only a warning.
LOOK_CENTRE = 0.1


@dataclass(frozen=True)
class KeyframeLine:
    """A line of text on a keyframe the quick look reads: the line's rows with the picture beside
    it grey (`view`), their source rows, and whether the line is centred (LOOK_CENTRE)."""

    time_s: float
    view: np.ndarray
    rows: tuple[int, int]
    centred: bool


def _keyframe_lines(frames: list[tuple[float, np.ndarray]], rows: tuple[int, int]) -> list[KeyframeLine]:
    """Each line of each keyframe's `rows` (`text_lines`)."""
    views: list[KeyframeLine] = []
    for time_s, image in frames:
        lines = text_lines(image, rows[0])
        bands = [band for band, _ in lines]
        for i, (_, (first, last)) in enumerate(lines):
            top, bottom = read_rows(bands, i, rows[1])
            # the margin above a line at the top of the rows reaches past them: not looked at
            view = image[max(0, top - rows[0]):bottom - rows[0]].copy()
            view[:, :first], view[:, last:] = NEUTRAL, NEUTRAL  # the picture beside the line
            width = image.shape[1]
            views.append(KeyframeLine(time_s, view, (top, bottom),
                                      abs((first + last) / 2 - width / 2) <= LOOK_CENTRE * width))
    return views


def _tally(read: list[tuple[KeyframeLine, Reading]]) -> tuple[dict[str, int], dict[str, tuple[KeyframeLine, Reading]]]:
    """Per language: the keyframes with a line read in it, and the first such line and its reading."""
    seen: dict[str, set[float]] = {}
    first: dict[str, tuple[KeyframeLine, Reading]] = {}
    for line, reading in read:
        seen.setdefault(reading.language, set()).add(line.time_s)
        if reading.language not in first or line.time_s < first[reading.language][0].time_s:
            first[reading.language] = (line, reading)
    return {lang: len(times) for lang, times in seen.items()}, first


# A subtitle is on screen for seconds; a cue the scan found on screen FIXED_MIN_SECONDS or more
# (`held_lines`), or one line read on keyframes spanning as long and on FIXED_SHARE of the keyframes
# looked at in that span (`_fixed_lines`), is a caption or a logo held on screen
# (a channel name in the lower half: "科普中国" on 10 of 12 keyframes was "the picture carries Chinese
# subtitles", an error; OCR missed it on 2 of them). The longest of the corpus's 2,190 subtitle cues
# is 11.0 s (the Tibetan recitation; then 10.0 s); subtitles in turn put a line on a third of the
# keyframes or fewer. Two readings are the same line within SAME_LINE of edit distance (OCR of one
# still line varies by a letter or two).
FIXED_MIN_SECONDS = 15.0
FIXED_SHARE = 2 / 3
SAME_LINE = 0.34


def _same_line(a: str, b: str) -> bool:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.normalized_distance(a.replace(" ", ""), b.replace(" ", "")) <= SAME_LINE


def _fixed_lines(read: list[tuple[float, Reading]]) -> dict[str, tuple[str, int]]:
    """Per language, the line held on screen (FIXED_MIN_SECONDS, FIXED_SHARE) read on the most
    keyframes (of each keyframe's lines: `read`), with the number of keyframes it was read on."""
    times = sorted({t for t, _ in read})
    fixed: dict[str, tuple[str, int]] = {}
    for _, reading in read:
        on = sorted({t for t, other in read if other.language == reading.language
                     and _same_line(reading.text, other.text)})
        span = [t for t in times if on[0] <= t <= on[-1]]
        if on[-1] - on[0] >= FIXED_MIN_SECONDS and len(on) >= FIXED_SHARE * len(span) \
                and len(on) > fixed.get(reading.language, ("", 0))[1]:
            fixed[reading.language] = (reading.text, len(on))
    return fixed
