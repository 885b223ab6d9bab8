"""Text subtitle streams inside the container (mov_text, subrip, ass, webvtt): the first one is
read through ffmpeg's SRT conversion, by the same strict reader as a sidecar; further text streams
join it as one dual-language track when they bring a language it lacks (as a second sidecar does)."""

from __future__ import annotations

from functools import partial

from bilingual.media import MediaInfo, StreamInfo, read_subtitle_stream
from bilingual.model import SubtitleTrack
from bilingual.sources.files import parse_subtitles, require_bounded, require_plausible_count
from bilingual.sources.source import SubtitleSource, Wanted, further_streams, joined


def find(media: MediaInfo, wanted: Wanted) -> SubtitleSource | None:
    stream = next((s for s in media.subtitle_streams if s.text_based), None)
    return SubtitleSource("embedded", stream=stream) if stream else None


def load(source: SubtitleSource, media: MediaInfo) -> SubtitleTrack:
    first = source.embedded
    others = further_streams(media, first, lambda s: s.text_based)
    return joined(load_stream(media, first), ((name, partial(load_stream, media, s)) for name, s in others))


def load_stream(media: MediaInfo, stream: StreamInfo) -> SubtitleTrack:
    """A text subtitle stream inside the container, through ffmpeg's SRT conversion."""
    where = f"{media.path} (stream {stream.index})"
    text = require_bounded(read_subtitle_stream(media.path, stream.index, media.duration_s), where).decode(
        "utf-8", "replace")
    require_plausible_count(text.count("-->"), media.duration_s, where)
    cues, _ = parse_subtitles(text, "srt", where)
    return SubtitleTrack(cues=cues, source="embedded", stream_index=stream.index, encoding="utf-8",
                         format=stream.codec, language_tag=stream.language)
