"""Where an entry's cues come from. Each source is one module with two functions:

    find(media, wanted) -> SubtitleSource | None   # are the subtitles here? (cheap: no decoding)
    load(source, media) -> SubtitleTrack            # read them as cues

`SOURCES` is the contract's order; the first source that finds something speaks:

1. `files`: `--subs`, else the entry's same-stem sidecars (`entry.srt`, then `entry.bo.srt`, …;
   further sidecars ride along as one dual-language track);
2. `embedded`: the first text subtitle stream in the container;
3. `imagestream`: the first image subtitle stream (PGS, VobSub, DVB), read by the same OCR, with
   `--ocr auto` or `on`, where Tesseract and its Tibetan model are installed;
4. `burnedin`: the picture, with `--ocr auto` or `on` (beside a text track, `--ocr on` still
   analyses the text track and `burnedin.compare` measures it against the picture).

Adding a source: write `sources/<name>.py` with `find` and `load` (see `source.Source`), give its
tracks a `SourceKind` in `model.py`, put the module into `SOURCES` where the contract places it and
into `BY_KIND`, and test it on a generated clip. Nothing outside this folder changes: the pipeline
reads whatever track the first source returns.
"""

from __future__ import annotations

import os
from types import ModuleType

from bilingual.media import MediaInfo
from bilingual.sources import burnedin, embedded, files, imagestream
from bilingual.sources.source import OcrSettings, Source, SubtitleSource, Wanted

__all__ = ["SOURCES", "BY_KIND", "OcrSettings", "Source", "SubtitleSource", "Wanted", "find_subtitle_source"]

# The order in which sources are asked (the contract's).
SOURCES: tuple[Source, ...] = (files, embedded, imagestream, burnedin)
BY_KIND: dict[str, ModuleType] = {"sidecar": files, "embedded": embedded, "image_stream": imagestream,
                                  "ocr": burnedin}


def find_subtitle_source(media: MediaInfo, subs: str | os.PathLike | None = None,
                         ocr: OcrSettings | str = "off") -> SubtitleSource | None:
    """The first source in `SOURCES` that finds the entry's subtitles. With `ocr` "on" and a text
    track, the text track is still the source; the caller reads the picture beside it to compare
    the two (`sources.burnedin.compare`)."""
    wanted = Wanted(subs, OcrSettings.of(ocr))
    return next((found for source in SOURCES if (found := source.find(media, wanted)) is not None), None)
