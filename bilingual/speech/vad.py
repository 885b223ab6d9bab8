"""Silero VAD v6 — the model file faster-whisper ships — run directly on onnxruntime.

faster-whisper's own runner can only be imported with the whole of faster-whisper (CTranslate2,
PyAV, tokenizers: ≈ 0.2 s of CPU before the first frame), and timing verification needs nothing
else from it; on two cores that import sat on the critical path of `bilingual timing`. The model
is run as faster-whisper runs it (512-sample frames with 64 samples of context, one batched call)
and the speech stretches follow Silero's hysteresis with faster-whisper's defaults (threshold 0.5,
silence below 0.35, no minimum speech length, no maximum).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

from bilingual.media import SAMPLE_RATE

FRAME = 512  # samples a Silero decision covers at 16 kHz
CONTEXT = 64  # samples of the previous frame each frame sees
THRESHOLD = 0.5
SILENCE_THRESHOLD = THRESHOLD - 0.15


def model_path() -> Path:
    """faster-whisper's copy of the model, found without importing faster-whisper."""
    spec = importlib.util.find_spec("faster_whisper")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("faster-whisper is not installed: it ships the Silero VAD model")
    return Path(spec.submodule_search_locations[0]) / "assets" / "silero_vad_v6.onnx"


@lru_cache(maxsize=1)
def _session():
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.inter_op_num_threads = options.intra_op_num_threads = 1  # parallel work is by chunks
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 4
    return onnxruntime.InferenceSession(str(model_path()), providers=["CPUExecutionProvider"],
                                        sess_options=options)


def speech_probabilities(samples: np.ndarray) -> np.ndarray:
    """One speech probability per 512-sample frame (the last frame zero-padded)."""
    frames = np.pad(samples, (0, -len(samples) % FRAME)).reshape(-1, FRAME)
    context = np.zeros((len(frames), CONTEXT), dtype=np.float32)
    context[1:] = frames[:-1, -CONTEXT:]
    state = np.zeros((1, 1, 128), dtype=np.float32)
    batch = np.concatenate([context, frames], axis=1).astype(np.float32, copy=False)
    output, _, _ = _session().run(None, {"input": batch, "h": state, "c": state})
    return np.asarray(output).reshape(-1)


def speech_stretches(probabilities: np.ndarray, samples: int, min_silence_s: float) -> list[tuple[int, int]]:
    """(start, end) sample indices of speech from the frames' probabilities: it starts on a frame
    ≥ 0.5 and ends where a run of frames below 0.35 began, once that run has lasted `min_silence_s`
    (or the samples end: unlike faster-whisper, whose padding frame decides it, speech then ends
    where its last pause began)."""
    min_silence = SAMPLE_RATE * min_silence_s
    stretches: list[tuple[int, int]] = []
    start: int | None = None
    silence_from = 0
    for i, p in enumerate(probabilities.tolist()):
        at = FRAME * i
        if p >= THRESHOLD:
            silence_from = 0
            if start is None:
                start = at
                continue
        if start is not None and p < SILENCE_THRESHOLD:
            silence_from = silence_from or at
            if at - silence_from >= min_silence:
                if silence_from > start:
                    stretches.append((start, silence_from))
                start, silence_from = None, 0
    if start is not None:  # speech to the end, or to a pause too near the end to be confirmed
        stretches.append((start, silence_from or samples))
    return stretches
