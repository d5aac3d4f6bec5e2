"""The Numenta Anomaly Benchmark's scoring rules (NAB, Lavin & Ahmad 2015),
as NAB's own scorer applies them (nab/sweeper.py, nab/optimizer.py,
nab/runner.py):

- The first min(floor(0.15 n), 750) rows of a series are probation: not scored.
- Every scored row whose anomaly score is at or above the threshold is a
  detection. In a labelled window only the earliest detection counts, worth
  tp * S(-(r - i + 1) / w) / S(-1) for row i of a window [l, r] of w rows,
  with S(x) = 2 / (1 + exp(5 x)) - 1. Every detection outside all windows is
  a false positive costing fp * S((i - r) / (w - 1)) against the closest
  preceding window (the full fp before the first window; S is -1 beyond 3).
  A window without a detection costs fn. So a score held high for many rows
  outside a window pays one false positive per row.
- One threshold per profile for the whole corpus: the one among the
  distinct scores (and "no detection") that maximises the corpus total,
  the highest on a tie.
- Normalised score = 100 (raw - null) / (perfect - null): null is the raw
  score with no detection, perfect is tp for every labelled window.

Everything here works on arrays of scores, so the sweep over a corpus of a
few hundred thousand rows takes milliseconds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PROFILES = {  # NAB's cost matrices
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}
PROBATION_FRACTION = 0.15
MAX_PROBATION = 750  # NAB: probationPercent * 5000 rows


def probation_rows(n: int) -> int:
    return int(min(math.floor(PROBATION_FRACTION * n), MAX_PROBATION))


def scaled_sigmoid(position):
    """NAB's S(x) = 2 / (1 + exp(5 x)) - 1, and -1 beyond x = 3."""
    x = np.asarray(position, dtype=np.float64)
    with np.errstate(over="ignore"):
        s = 2.0 / (1.0 + np.exp(5.0 * x)) - 1.0
    return np.where(x > 3.0, -1.0, s)


@dataclass
class RowWeights:
    """What each scored row of one series is worth as a detection under one
    profile: `window` is the window's index (-1 outside every window),
    `value` the reward (in a window) or the cost (outside, negative)."""
    rows: np.ndarray     # indices of the scored rows (probation excluded)
    window: np.ndarray   # window index per scored row, -1 outside
    value: np.ndarray    # weighted reward or false-positive cost per scored row
    windows_scored: int  # windows with at least one scored row (each costs fn if missed)


def row_weights(n: int, windows, profile: str) -> RowWeights:
    """The sweep values of the scored rows of a series of n rows with these
    labelled windows ((first, last) row indices, in order, not overlapping)."""
    w = PROFILES[profile]
    index = np.arange(n)
    window = np.full(n, -1, dtype=np.int64)
    value = np.full(n, -w["fp"], dtype=np.float64)  # before the first window: the full cost
    max_tp = float(scaled_sigmoid(-1.0))
    for k, (first, last) in enumerate(windows):
        width = last - first + 1
        inside = slice(first, last + 1)
        window[inside] = k
        value[inside] = scaled_sigmoid(-(last - index[inside] + 1) / width) * w["tp"] / max_tp
        # rows after this window (up to the next one) are judged against it
        end = windows[k + 1][0] if k + 1 < len(windows) else n
        after = slice(last + 1, end)
        value[after] = scaled_sigmoid(np.abs(last - index[after]) / max(width - 1, 1)) * w["fp"]
    start = probation_rows(n)
    scored = window[start:]
    return RowWeights(index[start:], scored, value[start:], len(np.unique(scored[scored >= 0])))


@dataclass
class SeriesScore:
    raw: float
    tp: int        # windows with a detection
    fn: int        # scored windows without one
    fp: int        # detections outside every window
    windows: int   # labelled windows


def score_series(scores, windows, threshold: float, profile: str = "standard") -> SeriesScore:
    """NAB's raw score of one series: rows with score >= threshold detect."""
    scores = np.asarray(scores, dtype=np.float64)
    rw = row_weights(len(scores), windows, profile)
    detected = scores[rw.rows] >= threshold
    outside = detected & (rw.window < 0)
    raw = float(rw.value[outside].sum())
    hit = 0
    for k in np.unique(rw.window[rw.window >= 0]):
        in_k = detected & (rw.window == k)
        if in_k.any():
            raw += float(rw.value[in_k].max())  # the earliest detection is worth the most
            hit += 1
        else:
            raw -= PROFILES[profile]["fn"]
    return SeriesScore(raw, hit, rw.windows_scored - hit, int(outside.sum()), len(windows))


def best_threshold(score_lists, window_lists, profile: str = "standard") -> tuple[float, float]:
    """NAB's optimiser: the threshold (among the distinct scores, and
    math.inf for "no detection") that maximises the corpus's raw total,
    with that total. On a tie the highest threshold wins, as in NAB."""
    fn = PROFILES[profile]["fn"]
    scores, deltas, base = [], [], 0.0
    offset = 0
    window_ids, window_values, window_scores = [], [], []
    for s, windows in zip(score_lists, window_lists):
        s = np.asarray(s, dtype=np.float64)
        rw = row_weights(len(s), windows, profile)
        base -= fn * rw.windows_scored
        row_scores = s[rw.rows]
        outside = rw.window < 0
        scores.append(row_scores[outside])
        deltas.append(rw.value[outside])
        window_ids.append(rw.window[~outside] + offset)
        window_values.append(rw.value[~outside])
        window_scores.append(row_scores[~outside])
        offset += len(windows)
    # Window rows: as the threshold falls, a window's worth rises from -fn
    # to the best reward among its detected rows; each row adds the rise.
    ids = np.concatenate(window_ids)
    values = np.concatenate(window_values)
    wscores = np.concatenate(window_scores)
    by_score = np.argsort(-wscores, kind="stable")
    by_window = by_score[np.argsort(ids[by_score], kind="stable")]  # grouped, in falling score within each
    group = ids[by_window]
    spread = 4.0 * max(fn, 1.0) + 4.0  # separates the groups in one running maximum
    running = np.maximum.accumulate(values[by_window] + spread * group) - spread * group
    starts = np.r_[True, group[1:] != group[:-1]] if len(group) else np.zeros(0, bool)
    before = np.where(starts, -fn, np.r_[-fn, running[:-1]])
    rise = np.empty_like(values)
    rise[by_window] = running - before
    all_scores = np.concatenate(scores + [wscores])
    all_deltas = np.concatenate(deltas + [rise])
    order = np.argsort(-all_scores, kind="stable")
    sorted_scores = all_scores[order]
    totals = base + np.cumsum(all_deltas[order])
    # a threshold takes every row at or above it: the last row of each run of equal scores
    last_of_run = np.r_[sorted_scores[1:] != sorted_scores[:-1], True] if len(order) else np.zeros(0, bool)
    candidates = np.flatnonzero(last_of_run)
    threshold, total = math.inf, base
    if len(candidates):
        k = candidates[np.argmax(totals[candidates])]  # argmax: the first (highest threshold) on a tie
        if totals[k] > total:
            threshold, total = float(sorted_scores[k]), float(totals[k])
    return threshold, total


def corpus_score(score_lists, window_lists, profile: str = "standard", threshold: float | None = None) -> dict:
    """NAB's normalised score of a corpus (lists of per-row scores and of
    windows, one per series), at NAB's optimised threshold unless one is
    given. Returns score (0: no detection, 100: perfect), raw, null,
    perfect, threshold and the tp/fn/fp/windows counts."""
    if threshold is None:
        threshold, _ = best_threshold(score_lists, window_lists, profile)
    w = PROFILES[profile]
    totals = {"raw": 0.0, "tp": 0, "fn": 0, "fp": 0, "windows": 0, "null": 0.0}
    for s, windows in zip(score_lists, window_lists):
        r = score_series(s, windows, threshold, profile)
        totals["raw"] += r.raw
        totals["null"] -= w["fn"] * (r.tp + r.fn)
        for key in ("tp", "fn", "fp", "windows"):
            totals[key] += getattr(r, key)
    perfect = w["tp"] * totals["windows"]
    null = totals["null"]
    totals["perfect"] = perfect
    totals["threshold"] = threshold
    totals["score"] = 100.0 * (totals["raw"] - null) / (perfect - null) if perfect != null else 0.0
    return totals
