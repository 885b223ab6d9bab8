"""Stage 5, timing: do the cues follow the speech? The subtitles and the speech are in different
languages, so no text is aligned: *when* speech happens (VAD) is compared with *when* cues show.

- global offset: FFT cross-correlation of the speech and cue activity on a 10 ms grid, ±60 s, held
  within 1 s of 0 when the normalised fit over the cues' own span prefers that (partial tracks);
- drift: the same for cue times stretched by the usual frame-rate ratios (and a fitted one);
- title cards before the first speech and credits after the last take no part in the offsets;
- splits: per-cue offsets chosen among candidate offsets by dynamic programming (Viterbi) with a
  penalty for changing offset, so a block of cues with its own offset (an edit made after
  subtitling) stands out;
- per cue, after the correction: cues over silence, speech with no cue, cues early or late.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bilingual.calibration import timing_confidence
from bilingual.model import Cue

STEP_S = 0.01  # the 10 ms grid
MAX_LAG_S = 60.0
# Frame-rate conversions that stretch subtitle times, both ways.
DRIFT_RATIOS = (25 / 23.976, 23.976 / 25, 25 / 24, 24 / 25, 30 / 29.97, 29.97 / 30, 25 / 29.97, 29.97 / 25)
DRIFT_GAIN = 1.03  # a stretched timeline must beat the straight one by 3 % of the score to count
# ... over enough cues, moving the last against the first by enough: with a few cues a stretch plus
# an offset fits anything (3 cues in 11 s "drift" by 4 % or 17 %).
MIN_DRIFT_CUES = 8
MIN_DRIFT_SPREAD_S = 1.0
# Chosen on the corpus (FunASR 70 s, the sample entry) with cues shifted, split (+2.5, −1.5, +6 s)
# and removed: gaps between cues are where dense speech shows its structure, so silence in a gap
# weighs twice speech under a cue, and changing offset costs 8 s of agreement (4 s let a stretch
# of removed cues pass for a split).
GAP_WEIGHT = 2.0
SPLIT_PENALTY_S = 8.0  # cost of changing offset between neighbouring cues, in seconds of agreement
SPLIT_MIN_SHIFT_S = 0.3  # blocks whose offsets differ less than this are one block
SPLIT_MIN_CUES = 3
# How far a correction may put a cue before the previous one ends: a switch of offset the Viterbi
# makes a cue late overlaps by the split itself (+2.5 s on the FunASR test), while the chant's false
# blocks reordered cues by 22 s.
ORDER_TOLERANCE_S = 3.0
BLOCK_CUES = 8


@dataclass
class Segment:
    first_cue: int
    last_cue: int
    offset_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"first_cue": self.first_cue, "last_cue": self.last_cue, "offset_s": round(self.offset_s, 3)}


@dataclass
class CueTiming:
    cue: Cue
    offset_s: float  # what is subtracted from this cue's times to put it on the speech
    start_s: float  # corrected times
    end_s: float
    speech_share: float  # share of the corrected cue with speech under it
    onset_delta_s: float | None  # corrected start minus the onset of its speech (+ = late)


@dataclass
class TimingAnalysis:
    offset_s: float
    confidence: float  # calibrated (`calibration.timing_confidence` of the distinctness)
    drift: float | None  # ratio of subtitle time to speech time; None when there is none
    segments: list[Segment]
    cues: list[CueTiming] = field(default_factory=list)
    uncovered_speech: list[tuple[float, float]] = field(default_factory=list)
    distinctness: float | None = None  # the raw score the confidence is calibrated from

    def section(self) -> dict[str, Any]:
        distinct = None if self.distinctness is None else round(min(self.distinctness, 1e6), 3)
        return {"offset_s": round(self.offset_s, 3), "drift": None if self.drift is None else round(self.drift, 5),
                "segments": [s.to_dict() for s in self.segments], "confidence": round(self.confidence, 3),
                "distinctness": distinct}

    def correct(self, t: float, offset_s: float) -> float:
        """Subtitle time → speech time: undo the drift, then the (block's) offset."""
        return (t - offset_s) / (self.drift or 1.0)


def activity(spans: list[tuple[float, float]], length: int) -> np.ndarray:
    signal = np.zeros(length, dtype=np.float64)
    for s, e in spans:
        signal[max(0, int(round(s / STEP_S))):max(0, int(round(e / STEP_S)))] = 1.0
    return signal


def best_lag(speech: np.ndarray, cues: np.ndarray, max_lag_s: float = MAX_LAG_S) -> tuple[float, float, float]:
    """The lag (s) that best lays the cue activity on the speech (+ = cues late), its score and a confidence.

    Signals are centred so a lag is rewarded for speech under cues and silence between them alike.
    """
    n = len(speech) + len(cues)
    size = 1 << (n - 1).bit_length()
    a, b = speech - speech.mean(), cues - cues.mean()
    corr = np.fft.irfft(np.conj(np.fft.rfft(a, size)) * np.fft.rfft(b, size), size)
    max_lag = int(max_lag_s / STEP_S)
    lags = np.arange(-max_lag, max_lag + 1)
    values = np.concatenate([corr[-max_lag:], corr[:max_lag + 1]])  # in lag order, −max … +max
    i = int(np.argmax(values))
    peak = values[i]
    # Boxcar signals correlate to a flat top: take the middle of the plateau, not its first step
    # (that biased the offset by one side's width, ≈ 25 ms), then refine with a parabola.
    left_edge, right_edge = i, i
    while left_edge > 0 and values[left_edge - 1] >= peak - abs(peak) * 1e-4:
        left_edge -= 1
    while right_edge < len(values) - 1 and values[right_edge + 1] >= peak - abs(peak) * 1e-4:
        right_edge += 1
    if right_edge > left_edge:
        lag_s = (lags[left_edge] + lags[right_edge]) / 2 * STEP_S
    else:
        left, right = values[i - 1] if i > 0 else peak, values[i + 1] if i + 1 < len(values) else peak
        denom = left - 2 * peak + right
        lag_s = (lags[i] + (0.5 * (left - right) / denom if denom < 0 else 0.0)) * STEP_S
    away = np.abs(lags - lags[i]) > int(1.0 / STEP_S)
    runner_up = values[away].max() if away.any() else 0.0
    confidence = float(np.clip(1 - max(runner_up, 0) / peak, 0, 1)) if peak > 0 else 0.0
    return float(lag_s), float(peak), confidence


def _stretched(cues: list[Cue], ratio: float) -> list[tuple[float, float]]:
    return [(c.start_s / ratio, c.end_s / ratio) for c in cues]


# The plain correlation counts seconds of speech under cues, so cues that cover only part of the
# speech are pulled to where speech is densest, and a stretch that spreads them over the
# uncaptioned rest "fits" better: the FunASR recording captioned to 39 s of 70 s came out 25/29.97
# drift and −2.56 s. The normalised correlation over the cues' own span counts the match of shapes,
# not the amount of speech.
NEAR_ZERO_S = 1.0
# A stretch must fit this many times better than the straight line: true 25/23.976 drifts 1.78–2.97 ×;
# the partial FunASR tracks' false 25/29.97 drifts 1.15–1.16 ×.
DRIFT_FIT_GAIN = 1.4


def _window_correlation(speech: np.ndarray, cues: list[Cue], scale: float) -> tuple[np.ndarray, np.ndarray]:
    """For each lag (s, ±MAX_LAG_S), the Pearson correlation of the cue activity with the speech
    under the cues' span, that span moved by the lag (−1 where it holds no speech or leaves the grid)."""
    pad = int(MAX_LAG_S / STEP_S)
    padded = np.concatenate([np.zeros(pad), speech, np.zeros(pad)])
    first = min(c.start_s for c in cues) / scale
    width = max(1, int(round((max(c.end_s for c in cues) / scale - first) / STEP_S)))
    shown = activity([(s - first, e - first) for s, e in _stretched(cues, scale)], width)
    lags = np.arange(-pad, pad + 1)
    starts = int(round(first / STEP_S)) + pad - lags
    valid = (starts >= 0) & (starts + width <= len(padded))
    starts = np.clip(starts, 0, len(padded) - width)
    prefix = np.concatenate([[0.0], np.cumsum(padded)])
    heard = prefix[starts + width] - prefix[starts]
    size = 1 << (len(padded) + width).bit_length()
    overlap = np.fft.irfft(np.fft.rfft(padded, size) * np.conj(np.fft.rfft(shown, size)), size)[starts]
    total = shown.sum()
    spread = (total - total * total / width) * (heard - heard * heard / width)
    value = (overlap - heard * total / width) / np.sqrt(np.maximum(spread, 1e-9))
    return lags * STEP_S, np.where(valid & (heard > 0) & (spread > 0), value, -1.0)


def _held_lag(speech: np.ndarray, cues: list[Cue], lag: float) -> float:
    """The correlation's `lag`, unless it is more than NEAR_ZERO_S from 0 and the cues as they are
    (the best lag within NEAR_ZERO_S) fit the shapes better. Normalised fit near 0 over the fit at
    the correlation's lag: partial tracks (FunASR to 60, 49, 39, 28 s; the sample to 50 s, 30–75 s)
    1.23–24; true shifts of 2–10 s, splits and drifts of both recordings 0.0–0.9."""
    if abs(lag) <= NEAR_ZERO_S:
        return lag
    lags, fit = _window_correlation(speech, cues, 1.0)
    near = np.flatnonzero(np.abs(lags) <= NEAR_ZERO_S)
    best_near = int(near[np.argmax(fit[near])])
    at_lag = fit[int(np.argmin(np.abs(lags - lag)))]
    return float(lags[best_near]) if fit[best_near] > at_lag else lag


def _window_fit(speech: np.ndarray, cues: list[Cue], scale: float) -> float:
    """The best normalised fit of the (stretched) cues at any lag."""
    return float(_window_correlation(speech, cues, scale)[1].max())


def analyze_timing(cues: list[Cue], spans: list[tuple[float, float]], duration_s: float) -> TimingAnalysis:
    """Offset, drift, blocks and per-cue timing of `cues` against the speech `spans` of
    `duration_s` of audio. The grid spans the audio and the search margin, whatever the cues say:
    a cue starting past that margin (a stray "until the end" cue at 99:59:59 made a 20 s clip's grid
    100 hours: 261 s, 5.5 GB) cannot meet any speech, and is left out (`subs.beyond_video` reports
    it; `fix` moves it with the cue before). Title cards before the first speech and credits after
    the last take no part in the offsets (`_framing`): they take their neighbouring block's."""
    length = int((duration_s + MAX_LAG_S) / STEP_S) + 1
    cues = [c for c in cues if c.start_s < duration_s + MAX_LAG_S] or cues[:1]
    speech = activity(spans, length)
    lead, trail = _framing(cues, spans, _global_lag(speech, cues, length)[0])
    fit = None
    if lead or trail:
        fit = _fit(cues[lead:len(cues) - trail], speech, length)
        if not _still_framing(cues[:lead], cues[len(cues) - trail:], fit, spans):
            fit = None  # they belong to a block of their own offset (a split at the first cue)
    lag, confidence, ratio, segments = fit or _fit(cues, speech, length)
    segments[0].first_cue, segments[-1].last_cue = cues[0].index, cues[-1].index
    scale = ratio or 1.0
    # Each cue takes its block's offset, so what `fix` applies is what the segments report (a
    # one-cue block merged into its neighbour kept its own offset: −8.97 s on one cue of the FunASR
    # recording with a cue removed, reported as one block at −0.005 s).
    offsets = _block_offsets(cues, segments)
    analysis = TimingAnalysis(lag, confidence, ratio, segments)
    previous_end = float("-inf")
    for cue, offset in zip(cues, offsets, strict=False):
        analysis.cues.append(_cue_timing(cue, offset, scale, speech, spans, previous_end))
        previous_end = analysis.cues[-1].end_s
    analysis.uncovered_speech = _uncovered(spans, analysis.cues)
    # The correlation's own "confidence" (1 − runner-up peak over the peak) was 0.048 on a right 2 s
    # shift: the calibrated figure is the held-back share of right placements of this distinctness.
    analysis.distinctness = distinctness(analysis, spans, duration_s)
    analysis.confidence = timing_confidence(analysis.distinctness)
    return analysis


def distinctness(analysis: TimingAnalysis, spans: list[tuple[float, float]], duration_s: float) -> float | None:
    """How much better each block fits at its offset than anywhere else: its normalised fit there
    over the best fit more than NEAR_ZERO_S away; the smallest over the blocks, None when no block
    can be measured (cues back to back have no shape). Below 1 another placement fits as well.
    One FFT per block (28 ms on a 5-minute entry, 4 % of `analyze_timing`, which calibrates it into `confidence`)."""
    speech = activity(spans, int((duration_s + MAX_LAG_S) / STEP_S) + 1)
    cues = [c.cue for c in analysis.cues]
    ratios = []
    for seg in analysis.segments:
        block = [c for c in cues if seg.first_cue <= c.index <= seg.last_cue]
        lags, fit = _window_correlation(speech, block, analysis.drift or 1.0)
        at = fit[int(np.argmin(np.abs(lags - seg.offset_s)))]
        away = fit[np.abs(lags - seg.offset_s) > NEAR_ZERO_S].max()
        if at > 0 and away > 0:
            ratios.append(float(at / away))
        elif at > 0:
            ratios.append(float("inf"))
    return min(ratios) if ratios else None


def _fit(cues: list[Cue], speech: np.ndarray, length: int) -> tuple[float, float, float | None, list[Segment]]:
    """(offset, confidence, drift ratio or None, blocks) of `cues`."""
    lag, straight_score, confidence = _global_lag(speech, cues, length)
    ratio = None
    stretch = _drift(cues, speech, length, lag, straight_score)
    if stretch is not None:
        ratio, lag, confidence = stretch
    segments = _segments(cues, _cue_offsets(cues, speech, ratio or 1.0, lag))
    if len(segments) == 1:
        if abs(segments[0].offset_s - lag) > NEAR_ZERO_S:
            # The per-cue agreement also counts seconds of speech, so a lone block can be pulled
            # away whole: the FunASR track captioned to 49 s of 70 s went to −8.97 s, its lag 0.08 s.
            segments[0].offset_s = lag
        # One block: its offset weighs the silence between cues too, where the plain correlation
        # has a flat top when speech runs on under a few long cues (3 cues over 11 s: −0.57 s against
        # −0.11 s, the truth 0).
        lag = segments[0].offset_s
    return lag, confidence, ratio, segments


def _framing(cues: list[Cue], spans: list[tuple[float, float]], lag: float) -> tuple[int, int]:
    """How many cues open the track before any speech (title cards over music or silence) and close
    it after the last (credits), at the offset `lag`. They cannot say where the speech is, but they
    pulled blocks onto it: two cards at 0–3 s before a 48 s recitation made its first 8 cues a block
    at −17.75 s. At least one cue is kept."""
    if not spans:
        return 0, 0
    first, last = spans[0][0], spans[-1][1]
    lead = next((i for i, c in enumerate(cues) if c.end_s - lag > first), len(cues))
    trail = next((i for i, c in enumerate(reversed(cues)) if c.start_s - lag < last), len(cues))
    if lead + trail >= len(cues):
        return 0, 0
    return lead, trail


def _still_framing(lead: list[Cue], trail: list[Cue], fit: tuple[float, float, float | None, list[Segment]],
                   spans: list[tuple[float, float]]) -> bool:
    """Whether the opening cues still end before the first speech, and the closing ones start after
    the last, once moved by the first and last block's offset (and the drift)."""
    _, _, ratio, segments = fit
    scale = ratio or 1.0
    before = all((c.end_s - segments[0].offset_s) / scale <= spans[0][0] for c in lead)
    after = all((c.start_s - segments[-1].offset_s) / scale >= spans[-1][1] for c in trail)
    return before and after


def _global_lag(speech: np.ndarray, cues: list[Cue], length: int) -> tuple[float, float, float]:
    """The straight time line's lag, score and confidence: the correlation's, held near 0 where
    the normalised fit says the cues are already right (`_held_lag`)."""
    lag, score, confidence = best_lag(speech, activity([(c.start_s, c.end_s) for c in cues], length))
    return _held_lag(speech, cues, lag), score, confidence


def _drift(cues: list[Cue], speech: np.ndarray, length: int, straight_lag: float,
           straight_score: float) -> tuple[float, float, float] | None:
    """(ratio, lag, confidence) of a stretched time line that fits the speech better than the
    straight one, by the correlation and by the normalised fit over the cues' span; None if none does."""
    if len(cues) < MIN_DRIFT_CUES:
        return None
    prefix = np.concatenate([[0.0], np.cumsum(speech)])
    span = max(c.end_s for c in cues) - min(c.start_s for c in cues)
    straight_fit: float | None = None
    found, best_score = None, straight_score
    for r in (*DRIFT_RATIOS, _fitted_ratio(cues, prefix, straight_lag)):
        if r is None or abs(r - 1) < 1e-4 or abs(r - 1) * span < MIN_DRIFT_SPREAD_S:
            continue
        lag_r, score_r, conf_r = best_lag(speech, activity(_stretched(cues, r), length))
        if score_r > best_score * DRIFT_GAIN and score_r > straight_score * DRIFT_GAIN:
            straight_fit = _window_fit(speech, cues, 1.0) if straight_fit is None else straight_fit
            if _window_fit(speech, cues, r) >= DRIFT_FIT_GAIN * straight_fit:
                found, best_score = (r, lag_r * r, conf_r), score_r
    return found


LOCAL_LAG_S = 20.0  # how far a block of cues may sit from the global offset


def _pieces(cues: list[Cue], previous: Cue | None = None) -> list[tuple[float, float, int]]:
    """Cues (+1: speech expected) and the gaps between them (−1: silence expected)."""
    out: list[tuple[float, float, int]] = []
    for cue in cues:
        if previous is not None and cue.start_s > previous.end_s:
            out.append((previous.end_s, cue.start_s, -1))
        out.append((cue.start_s, cue.end_s, 1))
        previous = cue
    return out


def _rewards(prefix: np.ndarray, pieces: list[tuple[float, float, int]], scale: float, lags: np.ndarray) -> np.ndarray:
    """For each lag (s), the seconds where cue activity and speech agree minus those where they do not.

    Uses the prefix sum of the speech activity, so a whole range of lags costs one vector operation.
    """
    n = len(prefix) - 1
    total = np.zeros(len(lags))
    for start, end, sign in pieces:
        s = np.clip(np.rint((start - lags) / scale / STEP_S).astype(np.int64), 0, n)
        e = np.clip(np.rint((end - lags) / scale / STEP_S).astype(np.int64), 0, n)
        weight = 1.0 if sign > 0 else GAP_WEIGHT
        total += weight * sign * (2 * (prefix[e] - prefix[s]) * STEP_S - (end - start) / scale)
    return total


def _block_lags(prefix: np.ndarray, cues: list[Cue], scale: float, around: float,
                stride: int) -> list[tuple[float, float]]:
    """(time, best lag) of blocks of consecutive cues, searched within ±LOCAL_LAG_S of `around`."""
    lags = around + np.arange(-LOCAL_LAG_S, LOCAL_LAG_S + STEP_S / 2, STEP_S)
    out = []
    for i in range(0, max(1, len(cues) - BLOCK_CUES + 1), stride):
        block = cues[i:i + BLOCK_CUES]
        curve = _rewards(prefix, _pieces(block), scale, lags)
        out.append(((block[0].start_s + block[-1].end_s) / 2, float(lags[int(np.argmax(curve))])))
    return out


def _fitted_ratio(cues: list[Cue], prefix: np.ndarray, around: float) -> float | None:
    """A stretch of any ratio: the offsets of blocks of cues lie on a line against time."""
    if len(cues) < 3 * BLOCK_CUES:
        return None
    points = _block_lags(prefix, cues, 1.0, around, BLOCK_CUES)
    times, lags = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    fit = np.polyfit(times, lags, 1)
    residual = np.abs(lags - np.polyval(fit, times)).max()
    # A step (a split) fits a line badly; only a clean slope is a stretch.
    return 1 + fit[0] if abs(fit[0]) > 5e-4 and residual < 0.3 else None


def _cue_offsets(cues: list[Cue], speech: np.ndarray, scale: float, global_lag: float) -> list[float]:
    """Viterbi over cues × candidate offsets: speech under each cue, a penalty to change offset."""
    prefix = np.concatenate([[0.0], np.cumsum(speech)])
    candidates = [global_lag]
    for _, lag in _block_lags(prefix, cues, scale, global_lag, max(1, BLOCK_CUES // 2)):
        if all(abs(lag - c) > 0.05 for c in candidates):
            candidates.append(lag)
    lags = np.array(candidates)
    # Each cue brings itself and, when its offset is its predecessor's, the gap before it: cues × candidates.
    rewards = np.array([_rewards(prefix, _pieces([cue]), scale, lags) for cue in cues])
    gaps = np.array([_rewards(prefix, _pieces([cue], cues[i - 1])[:-1], scale, lags) if i else np.zeros(len(lags))
                     for i, cue in enumerate(cues)])
    scores = rewards[0].copy()
    back = np.zeros(rewards.shape, dtype=int)
    for i in range(1, len(cues)):
        # Where the offset changes, the gap lies between two time lines and no one offset places it:
        # scored at the new offset, the gap before the first moved cue laid that cue's silence on the
        # last speech of the block before, and the split came a cue late (every +2.5 s split of the
        # verdict matrix's 30 s clips).
        stay = scores + gaps[i]
        came_from, switch = _ordered_switch(scores, lags, cues[i].start_s - cues[i - 1].end_s, scale)
        back[i] = np.where(stay >= switch, np.arange(len(lags)), came_from)
        scores = np.maximum(stay, switch) + rewards[i]
    path = [int(scores.argmax())]
    for i in range(len(cues) - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    return [candidates[j] for j in reversed(path)]


def _ordered_switch(scores: np.ndarray, lags: np.ndarray, gap_s: float, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """For each offset a cue may switch to, the best offset of the cue before it from which the
    corrected cues stay in order (corrected start ≥ the previous corrected end − ORDER_TOLERANCE_S),
    and that score less the penalty. Speech comes in order, so a true correction never reorders
    cues; without this, the repeated verses of a chant under music took blocks 13 s later and 9 s
    earlier, 22 s out of order (README, "Entry-like cells")."""
    allowed = lags[None, :] - lags[:, None] <= gap_s + ORDER_TOLERANCE_S * scale  # [from, to]
    switched = np.where(allowed, scores[:, None], -np.inf)
    return switched.argmax(axis=0), switched.max(axis=0) - SPLIT_PENALTY_S


def _segments(cues: list[Cue], offsets: list[float]) -> list[Segment]:
    """Blocks of consecutive cues with one offset. Runs whose offsets differ less than
    SPLIT_MIN_SHIFT_S are one block; a run of fewer than SPLIT_MIN_CUES cues is noise, not an edit,
    and joins its neighbour (the one before; the first run joins the one after). A block's offset
    is the one most of its cues chose."""
    runs: list[list[int]] = []  # positions of consecutive cues within SPLIT_MIN_SHIFT_S of the run's first
    for i, offset in enumerate(offsets):
        if runs and abs(offsets[runs[-1][0]] - offset) < SPLIT_MIN_SHIFT_S:
            runs[-1].append(i)
        else:
            runs.append([i])
    merged: list[list[int]] = []
    for run in runs:
        if merged and (len(run) < SPLIT_MIN_CUES or len(merged[-1]) < SPLIT_MIN_CUES):
            merged[-1] += run
        else:
            merged.append(run)
    blocks = [Segment(cues[b[0]].index, cues[b[-1]].index, _mode([offsets[i] for i in b])) for b in merged]
    joined: list[Segment] = []
    for block in blocks:  # neighbours that merging left with nearly the same offset are one block
        if joined and abs(joined[-1].offset_s - block.offset_s) < SPLIT_MIN_SHIFT_S:
            joined[-1].last_cue = block.last_cue
        else:
            joined.append(block)
    return joined


def _mode(values: list[float]) -> float:
    """The most frequent value; ties go to the earliest."""
    counts = Counter(values)
    return max(counts, key=lambda v: (counts[v], -values.index(v)))


def _block_offsets(cues: list[Cue], segments: list[Segment]) -> list[float]:
    """Each cue's offset: that of the block it belongs to (blocks hold consecutive cues in order)."""
    out, k = [], 0
    for cue in cues:
        while k + 1 < len(segments) and cue.index > segments[k].last_cue:
            k += 1
        out.append(segments[k].offset_s)
    return out


def _cue_timing(cue: Cue, offset: float, scale: float, speech: np.ndarray,
                spans: list[tuple[float, float]], previous_end: float) -> CueTiming:
    start, end = (cue.start_s - offset) / scale, (cue.end_s - offset) / scale
    s, e = max(0, int(round(start / STEP_S))), max(0, int(round(end / STEP_S)))
    share = float(speech[s:e].mean()) if e > s else 0.0
    return CueTiming(cue, offset, start, end, share, _onset_delta(start, end, spans, previous_end))


def _onset_delta(start: float, end: float, spans: list[tuple[float, float]], previous_end: float) -> float | None:
    """Corrected cue start minus the onset of the speech it shows (+ late, − early), when that onset
    is unambiguous: speech that began after the previous cue ended, or the first speech after a
    cue that starts in silence. Speech running on from the previous cue says nothing."""
    for a, b in spans:
        if a <= start < b:
            return start - a if a >= previous_end else None
        if start < a < end:
            return start - a
    return None


def _uncovered(spans: list[tuple[float, float]], cues: list[CueTiming],
               bridge_s: float = 0.7) -> list[tuple[float, float]]:
    """Stretches of speech (pauses under `bridge_s` bridged) that no corrected cue overlaps."""
    merged: list[list[float]] = []
    for s, e in spans:
        if merged and s - merged[-1][1] < bridge_s:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    shown = sorted((c.start_s, c.end_s) for c in cues)
    out = []
    for s, e in merged:
        cursor = s
        for a, b in shown:
            if b <= cursor or a >= e:
                continue
            if a > cursor:
                out.append((cursor, a))
            cursor = max(cursor, b)
        if cursor < e:
            out.append((cursor, e))
    return out
