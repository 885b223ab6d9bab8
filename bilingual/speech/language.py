"""Stage 4, speech: where speech is (Silero VAD, shipped with faster-whisper) and which language it
is (Whisper language ID combined with how well the speech decodes as Mandarin).

Whisper base is strong on Mandarin and weak on Tibetan, so language ID never decides alone. Each
window is encoded once; that one encoder pass serves both the language ID and a greedy Mandarin
decode, whose average log-probability and compression ratio say whether it really is Mandarin.
Thresholds were measured on the shared corpus (30 s windows, int8 base model, 2026-11-25):

| recording | Whisper LID | Mandarin decode avg log-prob | compression ratio |
|---|---|---|---|
| FunASR 70 s / 25 s spontaneous Mandarin | zh 0.96–1.00 | −0.16 … −0.38 | 1.1–1.4 |
| WeBuddhist Mandarin recitation (48 s) | zh 0.96–0.99 | −0.29 … −0.52 | 0.9–1.4 |
| WeBuddhist Tibetan recitation (100 s) | bo 0.42–0.58 (zh ≤ 0.13) | −0.2 (loops) … −3.4 | 8.9–13.4 on loops |
| its silent tail | zh 0.53, en 0.26 | −1.20 | 0.7 |
"""

from __future__ import annotations

import os
import threading
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import regex

from bilingual.calibration import rule_confidence
from bilingual.errors import InputError
from bilingual.media import SAMPLE_RATE
from bilingual.text.cer import character_error_rate

WINDOW_S = 30.0  # Whisper's context: one encoder pass
WINDOWS = 3  # spread over the video: intros and outros are often music
MIN_WINDOW_SPEECH_S = 2.0
MIN_SPEECH_S = 1.0  # less than this in the whole file is no speech
# A window is Mandarin when it decodes confidently as Mandarin and language ID agrees:
MANDARIN_LOGPROB = -0.5  # real Mandarin −0.16 … −0.52; Tibetan forced into Mandarin −0.7 … −3.4
MANDARIN_LID = 0.5
# Measured on real speech under pink noise and produced music at 15/10/6/3 dB (benchmarks/verdicts.py,
# README): Mandarin keeps zh 0.945–0.995 down to 3 dB; Tibetan under pink noise reaches zh 0.735
# (10 dB, a failed decode, lp −1.09), and 0.862 once the same mix is AAC in an MP4 (6 dB).
ZH_SURE_LID = 0.9  # language ID this sure of Mandarin is Mandarin, however weak the decode
ZH_DOMINANT = 0.5  # Tibetan needs zh below this …
TIBETAN_RANK = 3  # … and Tibetan among language ID's top three (clean Tibetan: rank 1, bo 0.34–0.59)
# Under music or noise Tibetan sinks (bo 0.01–0.09) but stays among the top 12 of Whisper's 99
# languages down to 6 dB (rank ≤ 9), while Mandarin puts it 25th–43rd; with zh below 0.2 (Tibetan
# ≤ 0.16 there, Mandarin ≥ 0.945) that is weaker but still positive evidence.
TIBETAN_WEAK_RANK = 12
ZH_ABSENT = 0.2
MAX_COMPRESSION = 2.4  # Whisper's own loop test; Tibetan decoded as Mandarin loops at 8–13
OTHER_LID = 0.7  # another language this sure, and not Mandarin, is "other"
TIBETAN_LID = 0.1  # Tibetan rarely tops 0.6 in Whisper base; second or third under music it holds 0.09–0.2
# A window's confidence is the precision of the rule that decided it on held-back windows (clips the
# thresholds were not chosen on: benchmarks/verdicts.py, HELD_BACK), (right + 1) / (decided + 2) so
# that a rule seldom seen there is not called sure. "other" and "decode_zh" decided no held-back
# window (no other-language speech in the corpus; Mandarin never fell below ZH_SURE_LID): 0.5.
# "subtitles_match" is not a language-ID rule: its evidence is the transcript itself (0.99).
# An undecided window weighs 0.5 against every language in the vote.
# The table is data (bilingual/calibration.toml), written by `benchmarks/verdicts.py calibrate`.
RULE_CONFIDENCE = rule_confidence()
SUBTITLE_MATCH_CER = 0.5  # Mandarin speech matching Chinese subtitles this well is Mandarin, whatever else
LANGUAGE_SHARE = 0.6  # the weighted share of windows one language needs
BRACKETED_TEXT = regex.compile(r"[（(\[【♪][^）)\]】♪]*[）)\]】♪]|♪")


@dataclass
class Window:
    start_s: float
    end_s: float
    speech_s: float
    top_language: str = ""
    top_probability: float = 0.0
    p_zh: float = 0.0
    p_bo: float = 0.0
    mandarin_logprob: float | None = None
    compression_ratio: float = 0.0
    text: str = ""
    subtitle_cer: float | None = None
    bo_rank: int = 99  # Tibetan's place among the language-ID probabilities (1: on top; 99: not ranked)
    verdict: str = "abstain"  # "zh" | "bo" | "other" | "unknown" | "abstain"
    rule: str = ""  # which rule of `judge_window` decided: its confidence is that rule's measured precision
    confidence: float = 0.0
    reason: str = ""
    reason_code: str = ""  # the reason as a code, worded in messages.toml ("speech.reason/<code>")
    top_languages: list[list[Any]] = field(default_factory=list)  # language ID's five likeliest [language, p]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, float):
                data[key] = round(value, 3)
        return data


@dataclass
class SpeechAnalysis:
    duration_s: float
    speech_s: float
    spans: list[tuple[float, float]]
    windows: list[Window] = field(default_factory=list)
    language: str = "unknown"  # "zh" | "bo" | "other" | "none" | "unknown"
    confidence: float | None = None
    model: str = ""
    level_dbfs: float | None = None  # RMS of the speech stretches (`speech_level_dbfs`)

    def audio_section(self) -> dict[str, Any]:
        return {"language": self.language, "confidence": None if self.confidence is None else round(self.confidence, 3),
                "speech_s": round(self.speech_s, 2), "evidence": [w.to_dict() for w in self.windows],
                "model": self.model,
                "speech_level_dbfs": None if self.level_dbfs is None else round(self.level_dbfs, 1)}


def speech_level_dbfs(audio: np.ndarray, spans: Spans) -> float | None:
    """The RMS level of the speech stretches of `audio` (samples at full scale 1.0), in dBFS."""
    energy, count = 0.0, 0
    for start, end in spans:
        piece = audio[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)].astype(np.float64)
        energy, count = energy + float(np.dot(piece, piece)), count + len(piece)
    return 10 * float(np.log10(max(energy / count, 1e-12))) if count else None


VAD_CHUNK = 1 << 19  # samples (32.8 s, a whole number of 512-sample Silero frames) a VAD job takes
MIN_SILENCE_S = 0.3  # shorter pauses are bridged
Spans = list[tuple[float, float]]


def voice_activity(audio: np.ndarray) -> Spans:
    """Speech stretches in seconds (Silero VAD v6, the model faster-whisper ships: `bilingual.vad`).

    No padding: speech edges unbiased, which timing needs (on the FunASR 70 s recording against its
    VAD cues, 100 ms of padding biased the offset by ≈ 60 ms; none, by 13–23 ms). Pauses under
    300 ms are bridged: shorter ones split a cue's speech into pieces that match wrong offsets.
    """
    return detect_speech(audio[i:i + VAD_CHUNK] for i in range(0, len(audio), VAD_CHUNK))[1]


def hear(path: str | os.PathLike, stream_index: int | None = None,
         stop: threading.Event | None = None) -> tuple[np.ndarray, Spans]:
    """Decode one audio stream and find its speech at once: VAD runs on each chunk as ffmpeg
    delivers it, so on two cores the decode and the VAD overlap instead of following each other.

    Audio longer than `media.MAX_ANALYSED_S` is `media.too_long` (the decode stops a second past
    it, so memory stays bounded whatever the file); `stop` set ends the decode (CancelledError)."""
    from bilingual.media import MAX_ANALYSED_S, stream_audio

    chunks = stream_audio(path, stream_index, chunk_samples=VAD_CHUNK, limit_s=MAX_ANALYSED_S + 1)
    try:
        audio, spans = detect_speech(chunks, int((MAX_ANALYSED_S + 2) * SAMPLE_RATE), stop)  # 1 s of slack
    finally:
        chunks.close()  # kills ffmpeg when the decode was stopped
    if len(audio) > MAX_ANALYSED_S * SAMPLE_RATE:
        raise InputError("media.too_long", path=str(path), wording="error/audio_too_long",
                         limit=f"{MAX_ANALYSED_S:.0f}")
    return audio, spans


def detect_speech(chunks: Iterable[np.ndarray], max_samples: int | None = None,
                  stop: threading.Event | None = None) -> tuple[np.ndarray, Spans]:
    """The samples and speech stretches of consecutive chunks. Silero's frame probabilities are
    computed chunk by chunk on two threads (onnxruntime releases the GIL), then read as one sequence.
    Each chunk starts Silero's recurrent state afresh: against one pass over the whole audio this
    moves ≈ 1 % of the speech time (0.45 s of 54 s, 2.0 s of 212 s, 0.7 s of 89 s on the corpus) and
    no offset measured in the timing benchmark; it halves the VAD's wall time.

    With `max_samples` (no more are read), the chunks are copied into one array allocated for
    that many: pages never written are never resident, and the audio is not held twice (the
    chunks and their concatenation) at the end."""
    from concurrent.futures import CancelledError, ThreadPoolExecutor

    from bilingual.speech.vad import speech_probabilities, speech_stretches

    buffer, filled = (np.empty(max_samples, np.float32), 0) if max_samples is not None else (None, 0)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts, jobs = [], []
        for chunk in chunks:
            if stop is not None and stop.is_set():
                pool.shutdown(cancel_futures=True)
                raise CancelledError("the speech stage was stopped")
            if buffer is not None:
                # ffmpeg's `-t` bounds time stamps, not samples: concatenated pieces whose audio
                # outruns their time stamps gave 1.2 s more in 2 hours (an internal error before).
                chunk = chunk[:len(buffer) - filled]
                if not len(chunk):
                    break
                buffer[filled:filled + len(chunk)] = chunk
                chunk, filled = buffer[filled:filled + len(chunk)], filled + len(chunk)
            parts.append(chunk)
            jobs.append(pool.submit(speech_probabilities, chunk))
        probabilities = np.concatenate([np.zeros(0, np.float32), *(job.result() for job in jobs)])
    audio = buffer[:filled] if buffer is not None else np.concatenate([np.zeros(0, np.float32), *parts])
    return audio, [(start / SAMPLE_RATE, end / SAMPLE_RATE)
                   for start, end in speech_stretches(probabilities, len(audio), MIN_SILENCE_S)]


def pick_windows(spans: list[tuple[float, float]], duration_s: float, count: int = WINDOWS,
                 length: float = WINDOW_S) -> list[tuple[float, float, float]]:
    """The most speech-dense window of each of `count` equal parts of the video: (start, end, speech_s)."""
    step = 0.1
    mask = np.zeros(int(np.ceil(duration_s / step)) + 1, dtype=np.int64)  # integer: ties stay ties
    for s, e in spans:
        mask[int(s / step):int(np.ceil(e / step))] = 1
    cumulative = np.concatenate([[0], np.cumsum(mask)])
    width = int(min(length, duration_s) / step)
    windows: list[tuple[float, float, float]] = []
    part = duration_s / count
    for i in range(count):
        first = int(i * part / step)
        last = max(first, min(int((i + 1) * part / step), len(mask) - width))
        starts = np.arange(first, last + 1)
        speech = cumulative[np.minimum(starts + width, len(mask))] - cumulative[starts]
        best = int(starts[int(np.argmax(speech))])
        window = (round(best * step, 2), round(min(duration_s, (best + width) * step), 2), float(speech.max()) * step)
        if window[2] >= MIN_WINDOW_SPEECH_S and all(abs(window[0] - w[0]) >= length / 2 for w in windows):
            windows.append(window)
    return windows


class _Decoder:
    """One Whisper encoder pass per window serves the language ID and, where that leaves the
    language open, a greedy Mandarin decode."""

    def __init__(self, model: Any):
        from faster_whisper.tokenizer import Tokenizer

        self.model = model
        self.tokenizer = Tokenizer(model.hf_tokenizer, True, task="transcribe", language="zh")
        self.prompt = [*self.tokenizer.sot_sequence, self.tokenizer.no_timestamps]

    def identify(self, samples: np.ndarray) -> tuple[Any, dict[str, float]]:
        """The encoder output and the language probabilities (Whisper's own codes: zh, bo, en, …)."""
        from faster_whisper.audio import pad_or_trim

        encoded = self.model.encode(pad_or_trim(self.model.feature_extractor(samples)))
        return encoded, {token[2:-2]: p for token, p in self.model.model.detect_language(encoded)[0]}

    def decode(self, encoded: Any, speech_s: float) -> dict[str, Any]:
        """The greedy Mandarin decode: text, average log-probability, compression ratio."""
        # Bound the decode by what the speech could hold (Mandarin ≈ 4–6 tokens a second), so a
        # loop on non-Mandarin speech costs no more than real Mandarin.
        max_tokens = int(min(224, 10 + 8 * speech_s))
        result = self.model.model.generate(encoded, [self.prompt], beam_size=1, max_length=max_tokens,
                                           return_scores=True, suppress_blank=True, suppress_tokens=[-1])[0]
        tokens = result.sequences_ids[0]
        text = BRACKETED_TEXT.sub("", self.tokenizer.decode(tokens)).strip()
        raw = text.encode("utf-8")
        return {"text": text, "logprob": result.scores[0] * len(tokens) / (len(tokens) + 1) if tokens else None,
                "compression": len(raw) / len(zlib.compress(raw)) if raw else 0.0}


def listen(decoder: _Decoder, samples: np.ndarray, start: float, end: float, speech_s: float,
           reference: str = "", *, always_decode: bool = False) -> Window:
    """One window: language ID, the Mandarin decode where it is needed, the judgement."""
    encoded, probs = decoder.identify(samples)
    ranked = sorted(probs.items(), key=lambda kv: -kv[1])
    window = Window(start, end, speech_s, ranked[0][0], ranked[0][1], probs.get("zh", 0.0), probs.get("bo", 0.0),
                    bo_rank=next((i + 1 for i, (lang, _) in enumerate(ranked) if lang == "bo"), len(ranked)),
                    top_languages=[[lang, round(p, 3)] for lang, p in ranked[:5]])
    if always_decode or reference or needs_decode(window):
        out = decoder.decode(encoded, speech_s)
        window.mandarin_logprob, window.compression_ratio, window.text = out["logprob"], out["compression"], out["text"]
        if reference:
            window.subtitle_cer = character_error_rate(reference, window.text)
    return judge_window(window)


def needs_decode(w: Window) -> bool:
    """The Mandarin decode is run only where language ID leaves Mandarin open: it can turn a
    window with zh ≥ MANDARIN_LID but below ZH_SURE_LID into Mandarin, and nothing else."""
    return MANDARIN_LID <= w.p_zh < ZH_SURE_LID


def judge_window(w: Window) -> Window:
    """Language ID, the Mandarin decode where it ran and (if any) the match with Chinese subtitles.
    Tibetan only on positive evidence; what fits no rule is "unknown" (a human should listen)."""
    loops = w.compression_ratio > MAX_COMPRESSION
    lp = w.mandarin_logprob if w.mandarin_logprob is not None and w.text and not loops else None
    if w.subtitle_cer is not None and w.subtitle_cer <= SUBTITLE_MATCH_CER and lp is not None:
        rule, verdict, reason = "subtitles_match", "zh", "Mandarin transcript matches the Chinese subtitles"
    elif w.p_zh >= ZH_SURE_LID:
        rule, verdict, reason = "lid_zh", "zh", f"language ID sure of Mandarin (zh {w.p_zh:.2f})"
    elif lp is not None and w.p_zh >= MANDARIN_LID and lp >= MANDARIN_LOGPROB:
        rule, verdict, reason = "decode_zh", "zh", "language ID zh and a confident Mandarin decode"
    elif w.top_language not in ("zh", "bo") and w.top_probability >= OTHER_LID:
        rule, verdict, reason = "other", "other", f"language ID {w.top_language}, not Mandarin"
    elif w.bo_rank <= TIBETAN_RANK and w.p_bo >= TIBETAN_LID and w.p_zh < ZH_DOMINANT:
        rule, verdict = "lid_bo", "bo"
        reason = (f"language ID has Tibetan among its top {TIBETAN_RANK} (bo {w.p_bo:.2f}) "
                  f"and Mandarin not dominant (zh {w.p_zh:.2f})")
    elif w.bo_rank <= TIBETAN_WEAK_RANK and w.p_zh < ZH_ABSENT:
        rule, verdict, reason = "lid_bo_weak", "bo", f"Tibetan ranks {w.bo_rank} in language ID and Mandarin " \
                                                     f"is absent (zh {w.p_zh:.2f}): speech under music or noise"
    else:
        rule, verdict, reason = "undecided", "unknown", "neither Tibetan nor Mandarin is likely enough: listen"
    w.verdict, w.rule, w.reason, w.confidence = verdict, rule, reason, RULE_CONFIDENCE[rule]
    w.reason_code = rule  # worded in messages.toml as speech.reason/<rule>
    return w


def decide(windows: list[Window]) -> tuple[str, float | None]:
    """The language with LANGUAGE_SHARE of the windows' weight (speech seconds × confidence);
    undecided windows weigh against every language."""
    votes: dict[str, float] = defaultdict(float)
    for w in windows:
        if w.verdict != "abstain":
            votes[w.verdict] += w.speech_s * w.confidence
    total = sum(votes.values())
    if not total:
        return "unknown", None
    language, weight = max(votes.items(), key=lambda kv: kv[1])
    share = weight / total
    if language == "unknown" or share < LANGUAGE_SHARE:
        return "unknown", None
    mean_confidence = np.mean([w.confidence for w in windows if w.verdict == language])
    return language, float(share * mean_confidence)


def analyze_speech(audio: np.ndarray, model: Any | None, *, spans: Spans | None = None,
                   subtitle_text: Callable[[float, float], str] | None = None,
                   progress: Callable[[str], None] | None = None) -> SpeechAnalysis:
    """Speech stretches and spoken language of 16 kHz mono samples.

    `subtitle_text(start, end)` gives the Chinese subtitle text shown in a span, when the subtitles
    are Chinese: agreement with the Mandarin transcript is then evidence of Mandarin speech.
    With no `model`, only the speech stretches are found (the language stays "unknown"); `spans`
    are stretches already found (`hear`).
    """
    duration = len(audio) / SAMPLE_RATE
    spans = voice_activity(audio) if spans is None else spans
    analysis = SpeechAnalysis(duration, sum(e - s for s, e in spans), spans, level_dbfs=speech_level_dbfs(audio, spans))
    if analysis.speech_s < MIN_SPEECH_S:
        analysis.language, analysis.confidence = "none", 1.0
        return analysis
    if model is None:
        return analysis
    decoder = _Decoder(model)
    for start, end, speech_s in pick_windows(spans, duration):
        if progress:
            progress(f"language ID {start:.0f}–{end:.0f} s")
        samples = audio[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]
        analysis.windows.append(listen(decoder, samples, start, end, speech_s,
                                       subtitle_text(start, end) if subtitle_text else ""))
    analysis.language, analysis.confidence = decide(analysis.windows)
    return analysis
