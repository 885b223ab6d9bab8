"""`bilingual extract`: the main audio as 16 kHz mono WAV, every text subtitle stream as SRT, and (read by
OCR) every image subtitle stream and the burned-in subtitles as SRT."""

from __future__ import annotations

import os
from pathlib import Path

from bilingual.errors import InputError
from bilingual.files import (
    atomic_write_text,
    check_new_output,
    check_output_folder,
    finish_temp,
    protect_inputs,
    temp_path_beside,
)
from bilingual.media import StreamInfo, extract_audio, probe, read_subtitle_stream, require_analysable_length
from bilingual.model import Cue
from bilingual.sources.burnedin import OcrSettings, load_burned_in
from bilingual.sources.imagestream import load_image_stream, ocr_unavailable


def extract_entry(video: str | os.PathLike, out_dir: str | os.PathLike, *, force: bool = False,
                  ocr: OcrSettings | str = "off") -> list[Path]:
    """Write the entry's audio and text subtitles into `out_dir`; refuse to overwrite unless `force`.
    With `ocr` "auto" or "on", also every image subtitle stream, read by OCR; and with "on", or "auto"
    when the container has no text or image subtitle stream, what is burned into the picture, by language."""
    ocr = OcrSettings.of(ocr)
    protect_inputs(video)
    media = probe(video)
    require_analysable_length(media, "extract")  # as `check`: the burned-in scan holds the picture's text
    out = Path(out_dir)
    if os.path.exists(out) and not os.path.isdir(out):
        raise InputError("media.unreadable", path=str(out), wording="error/out_not_folder")
    stem = Path(video).stem
    audio = media.main_audio
    targets: list[tuple[Path, StreamInfo]] = []
    if audio is not None:
        targets.append((out / f"{stem}.audio-{audio.index}.16k.wav", audio))
    for s in media.subtitle_streams:
        if s.text_based:
            targets.append((out / f"{stem}.stream-{s.index}.{s.language or 'und'}.srt", s))
    read = ocr.mode in ("auto", "on")
    # Image subtitle streams are read by OCR (`sources.imagestream`) under the name a text stream has;
    # under auto, as in `check`, the picture is read only when no text or image stream comes first.
    # Without Tesseract here they are left out, as in `check` (`subs.image_only`).
    burned = {out / f"{stem}.stream-{s.index}.{s.language or 'und'}.srt": _srt(load_image_stream(media, s).cues)
              for s in media.subtitle_streams if s.image_based} if read and ocr_unavailable() is None else {}
    if ocr.mode == "on" or (read and media.has_video and not burned
                            and not any(s.text_based for s in media.subtitle_streams)):
        burned |= _burned_in_by_language(media, out, stem, ocr)
    if not targets and not burned:
        raise InputError("media.unreadable", path=str(video), wording="error/nothing_to_extract")
    for target in [*(t for t, _ in targets), *burned]:
        check_new_output(target, force)  # never onto the entry or a folder; an existing file only with force
    check_output_folder(out, "--out")
    for target, text in burned.items():
        atomic_write_text(target, text)
    for target, stream in targets:
        if target.suffix == ".wav":
            tmp = temp_path_beside(target)
            try:
                extract_audio(media.path, tmp, stream.index)
                finish_temp(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        else:
            atomic_write_text(target, read_subtitle_stream(media.path, stream.index).decode("utf-8", "replace"))
    return [t for t, _ in targets] + list(burned)


def _burned_in_by_language(media, out: Path, stem: str, ocr: OcrSettings) -> dict[Path, str]:
    """SRT text per language of the cues read from the picture, named after the entry
    so that entries sharing a folder do not collide: <stem>.burned-in.bo.srt, <stem>.burned-in.zh.srt."""
    from bilingual.text.scripts import ScriptCounts

    by_language: dict[str, list[Cue]] = {}
    for cue in load_burned_in(media, ocr).cues:
        languages = ScriptCounts.of(cue.text).languages()
        by_language.setdefault(languages[0] if languages else "und", []).append(cue)
    return {out / f"{stem}.burned-in.{lang}.srt": _srt(cues) for lang, cues in by_language.items()}


def _srt(cues: list[Cue]) -> str:
    import pysubs2

    doc = pysubs2.SSAFile()
    for cue in cues:
        doc.append(pysubs2.SSAEvent(start=round(cue.start_s * 1000), end=round(cue.end_s * 1000), text=cue.text))
    return doc.to_string("srt")
