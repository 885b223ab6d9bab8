"""The Mandarin transcript (faster-whisper, guarded against loops) and what was said under each cue."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bilingual.media import SAMPLE_RATE
from bilingual.model import Cue
from bilingual.speech.language import BRACKETED_TEXT, MAX_COMPRESSION
from bilingual.text import chinese
from bilingual.text.cer import character_error_rate


@dataclass
class Segment:
    start_s: float
    end_s: float
    text: str
    avg_logprob: float
    words: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "text": self.text,
                "avg_logprob": round(self.avg_logprob, 3), "words": self.words}


BATCH_SIZE = 8  # VAD chunks decoded together: 22× real time on 2 cores against 16× one by one


def transcribe(audio: np.ndarray, model: Any, *, words: bool = False,
               progress: Callable[[float], None] | None = None) -> list[Segment]:
    """Mandarin segments in simplified characters. Speech chunks (VAD) are decoded in batches; no
    conditioning on previous text, Whisper's compression-ratio and log-probability limits, and
    bracket-only segments such as （音乐） dropped."""
    from faster_whisper import BatchedInferencePipeline

    segments, _ = BatchedInferencePipeline(model).transcribe(
        audio, language="zh", task="transcribe", batch_size=BATCH_SIZE, beam_size=1, temperature=0.0,
        condition_on_previous_text=False, compression_ratio_threshold=MAX_COMPRESSION, log_prob_threshold=-1.0,
        no_speech_threshold=0.6, vad_filter=True, without_timestamps=False, word_timestamps=words)
    out = []
    for seg in segments:
        if progress:
            progress(seg.end)
        text = chinese.to_simplified(BRACKETED_TEXT.sub("", seg.text)).strip()
        if not text or seg.compression_ratio > MAX_COMPRESSION:
            continue
        out.append(Segment(float(seg.start), float(seg.end), text, float(seg.avg_logprob), [
            {"start_s": round(float(w.start), 3), "end_s": round(float(w.end), 3),
             "word": chinese.to_simplified(w.word), "probability": round(float(w.probability), 3)}
            for w in (seg.words or [])]))
    return out


PIECE_S = 600.0  # audio transcribed at a time: memory stays flat however long the file (10 min ≈ 38 MB)
CUT_SEARCH_S = 30.0  # a piece ends at the quietest tenth of a second of its last 30 s
CUT_FRAME = 1600  # samples: 0.1 s


def transcribe_stream(chunks: Iterable[np.ndarray], model: Any, *, words: bool = False,
                      progress: Callable[[float], None] | None = None) -> list[Segment]:
    """`transcribe` of audio arriving in chunks (`media.stream_audio`), PIECE_S at a time, each piece
    ending where its last CUT_SEARCH_S is quietest (a pause: no word is cut); a file shorter than
    a piece is transcribed whole, as by `transcribe`."""
    out: list[Segment] = []
    pending, offset_s = np.zeros(0, np.float32), 0.0
    piece, search = int(PIECE_S * SAMPLE_RATE), int(CUT_SEARCH_S * SAMPLE_RATE)
    for chunk in chunks:
        pending = np.concatenate([pending, chunk])
        while len(pending) > piece + search:
            cut = _quietest_cut(pending[piece - search:piece]) + piece - search
            out += _transcribe_piece(pending[:cut], offset_s, model, words, progress)
            pending, offset_s = pending[cut:], offset_s + cut / SAMPLE_RATE
    if len(pending):
        out += _transcribe_piece(pending, offset_s, model, words, progress)
    return out


def _quietest_cut(audio: np.ndarray) -> int:
    frames = audio[:len(audio) // CUT_FRAME * CUT_FRAME].reshape(-1, CUT_FRAME)
    return int(np.argmin(np.square(frames).mean(axis=1))) * CUT_FRAME + CUT_FRAME // 2


def _transcribe_piece(audio: np.ndarray, offset_s: float, model: Any, words: bool,
                      progress: Callable[[float], None] | None) -> list[Segment]:
    def later(t: float) -> float:
        return round(t + offset_s, 3)

    segments = transcribe(audio, model, words=words, progress=progress and (lambda t: progress(t + offset_s)))
    if not offset_s:
        return segments
    return [replace(seg, start_s=seg.start_s + offset_s, end_s=seg.end_s + offset_s,
                    words=[{**w, "start_s": later(w["start_s"]), "end_s": later(w["end_s"])} for w in seg.words])
            for seg in segments]


def why_not_mandarin(audio: np.ndarray, model: Any, lang: str = "en") -> str | None:
    """Why the speech should not be transcribed as Mandarin (in `lang`), or None. Whisper writes
    fluent invented Chinese for Tibetan speech, so the spoken language is decided first (the same
    windows and rules as `check`); speech that is not Mandarin, or not surely so, is refused."""
    from bilingual.report import catalogue_text, say
    from bilingual.speech.language import analyze_speech

    analysis = analyze_speech(audio, model)
    if analysis.language in ("zh", "none"):
        return None
    seen = ", ".join(f"{w.start_s:.0f}–{w.end_s:.0f} s {catalogue_text(f'term.speech/{w.verdict}', lang) or w.verdict}"
                     for w in analysis.windows)
    return say(f"error/not_mandarin/{analysis.language}", lang, seen=seen)


def to_srt(segments: list[Segment]) -> str:
    import pysubs2

    subs = pysubs2.SSAFile()
    for seg in segments:
        subs.append(pysubs2.SSAEvent(start=round(seg.start_s * 1000), end=round(seg.end_s * 1000), text=seg.text))
    return subs.to_string("srt")


def spoken_text(segments: list[Segment], start_s: float, end_s: float) -> str:
    """What was said between two times: words when known, else whole overlapping segments."""
    parts: list[str] = []
    for seg in segments:
        if seg.end_s <= start_s or seg.start_s >= end_s:
            continue
        if seg.words:
            parts.extend(w["word"] for w in seg.words if (w["start_s"] + w["end_s"]) / 2 >= start_s
                         and (w["start_s"] + w["end_s"]) / 2 < end_s)
        else:
            parts.append(seg.text)
    return "".join(parts)


@dataclass(frozen=True)
class SaidUnder:
    """A Chinese cue, what was said under it, and the character error between them (None: no letters)."""

    cue: Cue
    said: str
    cer: float | None


def said_under(cues: list[Cue], segments: list[Segment]) -> list[SaidUnder]:
    """Each cue against the Mandarin said under it (`rules.speech` flags the ones that differ)."""
    out = []
    for cue in cues:
        said = spoken_text(segments, cue.start_s, cue.end_s)
        out.append(SaidUnder(cue, said, character_error_rate(cue.text, said)))
    return out
