"""Subtitles burned into the picture: `bands` finds the subtitle bands and times every cue to the
frame (no OCR), `read` reads each cue once on its clearest frame (RapidOCR for Chinese, Tesseract
`bod` for Tibetan) and takes the quick look beside a text track, `compare` measures a text track
against the picture (`--ocr on`). Read when there is no subtitle file or text stream and `--ocr` is
"auto" or "on"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bilingual.media import MediaInfo
from bilingual.model import Cue, CueReading, DroppedBand, HeldLine, SubtitleTrack, UnreadCue, UnscannedText
from bilingual.sources.source import OcrSettings, SubtitleSource, Wanted

if TYPE_CHECKING:
    from bilingual.sources.burnedin.read import OcrCue


def find(media: MediaInfo, wanted: Wanted) -> SubtitleSource | None:
    if not media.has_video or wanted.ocr.mode not in ("auto", "on"):
        return None
    return SubtitleSource("ocr", ocr=wanted.ocr)


def load(source: SubtitleSource, media: MediaInfo) -> SubtitleTrack:
    return load_burned_in(media, source.ocr)


def load_burned_in(media: MediaInfo, settings: OcrSettings | None = None) -> SubtitleTrack:
    """Cues read from the picture: frame-exact times, text from OCR, and where each was read (with
    `settings.frames_dir`, also the path of the band image written there)."""
    from bilingual.sources.burnedin.read import read_burned_in, write_evidence

    settings = settings or OcrSettings()
    dropped: list[dict] = []
    unread: list[OcrCue] = []
    held: list[list[OcrCue]] = []
    read = read_burned_in(media.path, media, settings.band, dropped, unread,
                          evidence=settings.frames_dir is not None, held=held)
    images = write_evidence(read, settings.frames_dir) if settings.frames_dir else [None] * len(read)
    cues, readings = [], {}
    for i, lines in enumerate(stacked_lines(list(zip(read, images, strict=False))), 1):
        (first, image), last = lines[0], lines[-1][0]
        cues.append(Cue(i, first.cue.start_s, first.cue.end_s, "\n".join(r.reading.text for r, _ in lines)))
        readings[i] = CueReading(first.frame_s, (first.band.source_rows()[0], last.band.source_rows()[1]),
                                 min(r.reading.confidence for r, _ in lines), first.reading.engine,
                                 first.cue.first_frame, first.cue.last_frame, image,
                                 min((r.cover for r, _ in lines if r.cover is not None), default=None))
    bands = [DroppedBand(tuple(d["band"]), d["cues_found"], d["cues_read"], d["subtitle_like"], d["first_s"],
                         d["last_s"], d["latin"]) for d in dropped]
    missed = [UnreadCue(r.cue.start_s, r.cue.end_s, r.band.source_rows()) for r in unread]
    logos = [HeldLine(line[0].reading.language, max(line, key=lambda item: item.seconds).reading.text,
                      line[0].band.source_rows(), [(item.cue.start_s, item.cue.end_s) for item in line])
             for line in held]
    track = SubtitleTrack(cues=cues, source="ocr", format="burned-in", readings=readings, dropped_bands=bands,
                          unread_cues=missed, held_lines=logos)
    if not cues and settings.band is None:
        track.unscanned_text = text_in_the_middle(media)
    return track


def stacked_lines(read: list[tuple[OcrCue, str | None]]) -> list[list[tuple[OcrCue, str | None]]]:
    """The cues read (each with its `--frames` image), those shown on the same frames in one language
    on bands one right below the other (within half a line) grouped as the lines of one cue, top
    first: a two-line subtitle is read as two bands, and was two cues on the same times (a false
    `cue.overlap` each, and no `cue.lines` check). Lines in two languages stay two cues (dual)."""
    groups: list[list[tuple[OcrCue, str | None]]] = []
    for item in sorted(read, key=lambda r: (r[0].cue.first_frame, r[0].band.source_rows()[0])):
        upper = groups[-1][-1][0] if groups else None  # the line before, in time and then from the top
        if upper is not None and _continues(upper, item[0]):
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _continues(upper: OcrCue, lower: OcrCue) -> bool:
    """Whether `lower` is the next line of `upper`'s cue (`stacked_lines`)."""
    (top, bottom), (next_top, _) = upper.band.source_rows(), lower.band.source_rows()
    return ((upper.cue.first_frame, upper.cue.last_frame) == (lower.cue.first_frame, lower.cue.last_frame)
            and upper.reading.language == lower.reading.language and 0 <= next_top - bottom <= (bottom - top) / 2)


def text_in_the_middle(media: MediaInfo) -> list[UnscannedText]:
    """What a quick look reads in the middle of the picture (its second and third quarters), which
    the scan leaves out (it reads the top quarter and the lower half): subtitles placed there."""
    from bilingual.sources.burnedin.bands import picture_size
    from bilingual.sources.burnedin.read import quick_look

    height = picture_size(media, media.path)[1]
    rows = (height // 4, 3 * height // 4)
    look = quick_look(media.path, media, rows)
    return [UnscannedText(first.rows, look.frames, lang, look.seen[lang], first.time_s, first.text)
            for lang, first in sorted(look.first.items())]
