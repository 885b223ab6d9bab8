"""Burned-in subtitles, stage two: read each cue once, on one clear frame.

Chinese: RapidOCR (PP-OCR models inside the wheel), recognition on the line's box. Tibetan: Debian's
Tesseract `bod` on the text pixels alone (bright components touching the dark outline), drawn black
on white, cropped and padded, read a few ways and re-ranked by the syllable lexicon. The script is
decided from both engines' output and confidence, never from the position of the line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import regex

from bilingual import tibetan
from bilingual.burnedin import Band, BurnedCue, burned_in_cues
from bilingual.errors import InputError
from bilingual.media import MediaInfo, run_ffmpeg

HAN_SHARE = 0.5  # of the characters RapidOCR read
CHINESE_MIN_SCORE = 0.75
TIBETAN_SHARE = 0.5
TIBETAN_MIN_VALID = 0.5  # of the syllables read: below it, Tesseract made Tibetan out of something else
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


@lru_cache(maxsize=1)
def _rapidocr() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def frame_rows(video: str | os.PathLike, time_s: float, top: int, bottom: int, width: int) -> np.ndarray:
    """One frame's rows [top, bottom) as RGB, by an accurate seek."""
    height = bottom - top
    raw = run_ffmpeg(["-ss", f"{time_s:.3f}", "-i", str(video), "-frames:v", "1",
                      "-vf", f"format=rgb24,crop={width}:{height}:0:{top}", "-f", "rawvideo", "-pix_fmt", "rgb24",
                      "pipe:1"], video)
    if len(raw) < width * height * 3:
        raise InputError("media.unreadable", f"ffmpeg could not read the frame at {time_s:.2f} s", str(video))
    return np.frombuffer(raw[: width * height * 3], dtype=np.uint8).reshape(height, width, 3)


def read_chinese(image: np.ndarray, line: tuple[slice, slice] | None) -> Reading:
    """Recognition alone on the line's box (≈ 20 ms); detection + recognition (≈ 0.8 s) only when
    the box is unknown."""
    if line is not None:
        ys, xs = line
        pad = 8
        crop = image[max(0, ys.start - pad):ys.stop + pad, max(0, xs.start - pad):xs.stop + pad]
        result, _ = _rapidocr()(crop, use_det=False, use_cls=False, use_rec=True)
        if not result:
            return Reading("", "none", 0.0, "rapidocr")
        text, score = result[0]
        return Reading(text, "zh", float(score), "rapidocr")
    result, _ = _rapidocr()(image)
    if not result:
        return Reading("", "none", 0.0, "rapidocr")
    parts = sorted(result, key=lambda r: min(p[0] for p in r[0]))  # left to right
    text = "".join(r[1] for r in parts)
    return Reading(text, "zh", float(np.mean([float(r[2]) for r in parts])), "rapidocr")


def text_pixels(image: np.ndarray) -> np.ndarray:
    """Bright pixels whose connected component lies mostly within two pixels of the dark outline or
    box: the text, without the bright parts of the picture behind it."""
    import cv2  # opencv comes with rapidocr

    luma = image @ np.array([0.299, 0.587, 0.114])  # white and yellow text are both bright
    bright = (luma > 190).astype(np.uint8)
    near_dark = cv2.dilate((image.max(axis=2) < 60).astype(np.uint8), np.ones((5, 5), np.uint8))
    count, labels = cv2.connectedComponents(bright, connectivity=8)
    sizes = np.bincount(labels.ravel(), minlength=count)
    touching = np.bincount(labels.ravel(), weights=near_dark.ravel(), minlength=count)
    keep = touching >= 0.5 * np.maximum(sizes, 1)
    keep[0] = False
    return keep[labels]


def line_box(mask: np.ndarray) -> tuple[slice, slice] | None:
    if mask.sum() < 30:
        return None
    ys, xs = np.nonzero(mask)
    return slice(int(ys.min()), int(ys.max()) + 1), slice(int(xs.min()), int(xs.max()) + 1)


def isolate_text(image: np.ndarray) -> np.ndarray | None:
    """The text alone, dark on white with its anti-aliased edges kept, cropped and padded (None if
    there is none). Keeping the grey edges halved Tesseract's letter error against a 0/1 mask."""
    import cv2

    mask = text_pixels(image)
    box = line_box(mask)
    if box is None:
        return None
    near_text = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    luma = image @ np.array([0.299, 0.587, 0.114])
    ink = 255 - np.clip((luma - 60) * 255 / 140, 0, 255)  # outline grey 60 → white, text 200 → black
    crop = np.where(near_text, ink, 255)[box].astype(np.uint8)
    page = np.full((crop.shape[0] + 2 * PAD, crop.shape[1] + 2 * PAD), 255, dtype=np.uint8)
    page[PAD:-PAD, PAD:-PAD] = crop
    return page


# Ways to read a Tibetan line (page scale, page segmentation mode); the reading whose syllables are
# valid Tibetan wins (the offline notes' lexicon re-ranking). Measured on 18 libass lines in Tibetan
# Machine Uni, 56 px, three styles: psm 7 on the grey page 4.8 % letter error at scale 2, 5.2 % at 1,
# 5.3 % at 1.5; psm 13 19.9–21.2 %; on a 0/1 mask psm 7 9.4–13.4 %.
TIBETAN_READINGS = ((2.0, "7"), (1.0, "7"), (1.5, "7"))
_NOT_TIBETAN_LETTER = regex.compile(r"[^\u0F40-\u0F6C\u0F71-\u0F87\u0F8D-\u0FBC\u0F0B-\u0F14\s]")


def read_tibetan(image: np.ndarray) -> Reading:
    if shutil.which("tesseract") is None:
        raise InputError("ocr.missing", "tesseract not found: apt-get install tesseract-ocr tesseract-ocr-bod")
    import cv2

    page = isolate_text(image)
    if page is None:
        return Reading("", "none", 0.0, "tesseract-bod")
    best: tuple[float, str, float] | None = None
    for scale, psm in TIBETAN_READINGS:
        scaled = cv2.resize(page, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale != 1.0 else page
        text = _tesseract(scaled, psm)
        found = tibetan.syllables(text)
        valid = len(found) - len(tibetan.invalid_syllables(text))
        score = valid - 2 * len(_NOT_TIBETAN_LETTER.findall(text))
        if best is None or score > best[0]:
            best = (score, text, valid / len(found) if found else 0.0)
        if found and valid == len(found) and score == valid:
            break  # every syllable valid and nothing stray: no other reading can beat it
    return Reading(best[1], "bo", best[2], "tesseract-bod")


def _tesseract(page: np.ndarray, psm: str) -> str:
    header = f"P5\n{page.shape[1]} {page.shape[0]}\n255\n".encode()
    proc = subprocess.run(["tesseract", "stdin", "stdout", "-l", "bod", "--psm", psm],
                          input=header + page.tobytes(), capture_output=True)
    if proc.returncode != 0:
        raise InputError("ocr.missing", f"tesseract bod failed: {proc.stderr.decode(errors='replace')[-120:]}")
    return " ".join(proc.stdout.decode("utf-8", "replace").split())


def normalize(text: str, language: str) -> str:
    text = unicodedata.normalize("NFC", text).strip()
    if language == "bo":
        text = _SHAD_SPACE.sub(lambda m: m.group(1) + " ", _TSHEG_SPACE.sub("\u0F0B", text)).strip()
    return text


def _is_chinese(reading: Reading) -> bool:
    text = reading.text
    return bool(text) and len(_HAN.findall(text)) >= HAN_SHARE * len(text) and reading.confidence >= CHINESE_MIN_SCORE


def read_line(image: np.ndarray) -> Reading:
    """Chinese when RapidOCR reads mostly Han characters confidently; else Tibetan if Tesseract reads
    mostly Tibetan letters; else Chinese by full detection (a line whose box was not clean); else nothing."""
    box = line_box(text_pixels(image))
    zh = read_chinese(image, box)
    if _is_chinese(zh):
        return Reading(normalize(zh.text, "zh"), "zh", zh.confidence, zh.engine)
    bo = read_tibetan(image)
    letters = len(_TIBETAN.findall(bo.text))
    if bo.text and letters >= TIBETAN_SHARE * len(bo.text.replace(" ", "")) and bo.confidence >= TIBETAN_MIN_VALID:
        return Reading(normalize(bo.text, "bo"), "bo", bo.confidence, bo.engine)
    zh = read_chinese(image, None) if box is not None else zh
    if _is_chinese(zh):
        return Reading(normalize(zh.text, "zh"), "zh", zh.confidence, zh.engine)
    return Reading("", "none", 0.0, "")


@dataclass
class OcrCue:
    cue: BurnedCue
    band: Band
    frame_s: float
    reading: Reading


def read_burned_in(video: str | os.PathLike, media: MediaInfo) -> list[OcrCue]:
    """Every burned-in cue, timed to the frame, read once on its middle frame."""
    bands, cues = burned_in_cues(video, media)
    out = []
    for cue in cues:
        band = bands[cue.band]
        top, bottom = band.source_rows()
        margin = bottom - top  # stacks and descenders reach past the rows where most text sits
        top, bottom = max(0, top - margin), min(media.height, bottom + margin)
        frame_s = ((cue.first_frame + cue.last_frame) // 2 + 0.5) / cue.fps
        reading = read_line(frame_rows(video, frame_s, top, bottom, media.width))
        if reading.text:
            out.append(OcrCue(cue, band, frame_s, reading))
    return out
