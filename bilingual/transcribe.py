"""The Mandarin transcript (faster-whisper, guarded against loops) and the cue-by-cue content match."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from bilingual import chinese
from bilingual.findings import Finding, Severity
from bilingual.speech import MAX_COMPRESSION, BRACKETED_TEXT, character_error_rate
from bilingual.subtitles import Cue

MISMATCH_CER = 0.6  # Whisper base misreads 10–30 % of Mandarin characters; beyond 60 % the texts differ


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
            {"start_s": round(float(w.start), 3), "end_s": round(float(w.end), 3), "word": chinese.to_simplified(w.word),
             "probability": round(float(w.probability), 3)} for w in (seg.words or [])]))
    return out


def why_not_mandarin(audio: np.ndarray, model: Any) -> str | None:
    """Why the speech should not be transcribed as Mandarin, or None. Whisper writes fluent
    invented Chinese for Tibetan speech, so the spoken language is decided first (the same windows
    and rules as `check`); speech that is not Mandarin, or not surely so, is refused."""
    from bilingual.speech import analyze_speech

    analysis = analyze_speech(audio, model)
    if analysis.language in ("zh", "none"):
        return None
    said = {"bo": "Tibetan", "other": "not Mandarin", "unknown": "not surely Mandarin"}[analysis.language]
    seen = ", ".join(f"{w.start_s:.0f}–{w.end_s:.0f} s {w.verdict}" for w in analysis.windows)
    return f"the speech is {said} ({seen}); the transcript would be invented Chinese — pass --any-language to transcribe anyway"


def to_srt(segments: list[Segment]) -> str:
    import pysubs2

    subs = pysubs2.SSAFile()
    for seg in segments:
        subs.append(pysubs2.SSAEvent(start=round(seg.start_s * 1000), end=round(seg.end_s * 1000), text=seg.text))
    return subs.to_string("srt")


def spoken_text(segments: list[Segment], start_s: float, end_s: float) -> str:
    """What was said between two times: words when known, else whole overlapping segments."""
    parts = []
    for seg in segments:
        if seg.end_s <= start_s or seg.start_s >= end_s:
            continue
        if seg.words:
            parts.extend(w["word"] for w in seg.words if (w["start_s"] + w["end_s"]) / 2 >= start_s
                         and (w["start_s"] + w["end_s"]) / 2 < end_s)
        else:
            parts.append(seg.text)
    return "".join(parts)


def content_findings(cues: list[Cue], segments: list[Segment]) -> list[Finding]:
    """Cues whose Chinese text disagrees with the Mandarin said under them."""
    findings = []
    for cue in cues:
        said = spoken_text(segments, cue.start_s, cue.end_s)
        cer = character_error_rate(cue.text, said)
        if cer is not None and cer > MISMATCH_CER:
            findings.append(Finding("content.mismatch", Severity.WARNING, cue.start_s, cue.end_s, cue.index,
                                    {"text": cue.text, "speech": said, "cer": round(cer, 2)}))
    return findings
