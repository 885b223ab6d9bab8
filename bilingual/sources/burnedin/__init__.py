"""Subtitles burned into the picture: `bands` finds the subtitle bands and times every cue to the
frame (no OCR), `read` reads each cue once on its clearest frame (RapidOCR for Chinese, Tesseract
`bod` for Tibetan) and takes the quick look beside a text track, `compare` measures a text track
against the picture (`--ocr on`). Read when there is no subtitle file or text stream and `--ocr` is
"auto" or "on"."""

from __future__ import annotations

from bilingual.media import MediaInfo
from bilingual.model import Cue, CueReading, DroppedBand, SubtitleTrack, UnreadCue, UnscannedText
from bilingual.sources.source import OcrSettings, SubtitleSource, Wanted


def find(media: MediaInfo, wanted: Wanted) -> SubtitleSource | None:
    if not media.has_video or wanted.ocr.mode not in ("auto", "on"):
        return None
    return SubtitleSource("ocr", ocr=wanted.ocr)


def load(source: SubtitleSource, media: MediaInfo) -> SubtitleTrack:
    return load_burned_in(media, source.ocr)


def load_burned_in(media: MediaInfo, settings: OcrSettings | None = None) -> SubtitleTrack:
    """Cues read from the picture: frame-exact times, text from OCR, and where each was read (with
    `settings.frames_dir`, also the path of the band image written there)."""
    from bilingual.sources.burnedin.read import OcrCue, read_burned_in, write_evidence

    settings = settings or OcrSettings()
    dropped: list[dict] = []
    unread: list[OcrCue] = []
    read = read_burned_in(media.path, media, settings.band, dropped, unread,
                          evidence=settings.frames_dir is not None)
    images = write_evidence(read, settings.frames_dir) if settings.frames_dir else [None] * len(read)
    cues = [Cue(i, r.cue.start_s, r.cue.end_s, r.reading.text) for i, r in enumerate(read, 1)]
    readings = {i: CueReading(r.frame_s, r.band.source_rows(), r.reading.confidence, r.reading.engine,
                              r.cue.first_frame, r.cue.last_frame, image, r.cover)
                for i, (r, image) in enumerate(zip(read, images, strict=False), 1)}
    bands = [DroppedBand(tuple(d["band"]), d["cues_found"], d["cues_read"], d["subtitle_like"], d["first_s"],
                         d["last_s"]) for d in dropped]
    missed = [UnreadCue(r.cue.start_s, r.cue.end_s, r.band.source_rows()) for r in unread]
    track = SubtitleTrack(cues=cues, source="ocr", format="burned-in", readings=readings, dropped_bands=bands,
                          unread_cues=missed)
    if not cues and settings.band is None:
        track.unscanned_text = text_in_the_middle(media)
    return track


def text_in_the_middle(media: MediaInfo) -> list[UnscannedText]:
    """What a quick look reads in the middle of the picture (its second and third quarters), which
    the scan leaves out (it reads the top quarter and the lower half): subtitles placed there."""
    from bilingual.sources.burnedin.read import quick_look

    height = media.height or 0
    rows = (height // 4, 3 * height // 4)
    look = quick_look(media.path, media, rows)
    return [UnscannedText(look.rows[lang], look.frames, lang, look.seen[lang], look.first_s[lang], look.text[lang])
            for lang in look.languages]
