"""Evaluating anomaly detectors: a labelled synthetic corpus and NAB-style scoring.

    corpus = faltung.evaluate.corpus(seed=1)             # list of LabelledSeries
    report = faltung.evaluate.evaluate(lambda: faltung.Detector(), corpus)
    report["standard"]                                   # 0 (no detections) .. 100 (perfect)

The scoring follows the Numenta Anomaly Benchmark (NAB, Lavin & Ahmad 2015):
each anomaly has a labelled window of 10% of the series' length divided by
its number of anomalies, centred on the anomaly's start; the first
detection in a window earns a reward that falls from 1 (at the window's
start) to 0 (at its end) along a scaled sigmoid; detections outside windows
are false positives, penalised by the profile's weight (less when just after
a window); a window without a detection costs the profile's miss weight.
The first 15% of a series (at most 750 samples) is probation: not scored.
The total is normalised so that detecting nothing scores 0 and detecting
every anomaly at its window's start with no false positive scores 100.

A detection is the rising edge of the detector's alert (what pages someone),
not every sample with a high score.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

PROFILES = {  # NAB's cost matrices
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}

ANOMALY_KINDS = ("spike", "level_shift", "variance", "trend")
BASELINES = ("noise", "seasonal", "trend_seasonal", "heavy_tailed", "counts")


@dataclass
class LabelledSeries:
    name: str
    values: np.ndarray
    anomalies: list = field(default_factory=list)  # start index of each anomaly
    windows: list = field(default_factory=list)    # (first, last) index of each labelled window

    @property
    def probation(self) -> int:
        return int(min(math.floor(0.15 * len(self.values)), 750))


def _baseline(kind, n, rng, period):
    t = np.arange(n)
    if kind == "noise":
        return 50.0 + rng.normal(0, 1, n), 1.0
    if kind == "seasonal":  # a daily cycle with a second harmonic
        return (50.0 + 10 * np.sin(2 * np.pi * t / period) + 3 * np.sin(4 * np.pi * t / period + 1)
                + rng.normal(0, 1, n)), 1.0
    if kind == "trend_seasonal":
        return 20.0 + 0.01 * t + 8 * np.sin(2 * np.pi * t / period) + rng.normal(0, 1, n), 1.0
    if kind == "heavy_tailed":  # latency-like: log-normal noise around a level
        return 100.0 * np.exp(rng.normal(0, 0.05, n)), 5.0
    if kind == "counts":  # request counts: Poisson around a daily cycle
        rate = 200.0 + 80 * np.sin(2 * np.pi * t / period)
        return rng.poisson(rate).astype(np.float64), math.sqrt(200.0)
    raise ValueError(f"unknown baseline {kind!r} (known: {', '.join(BASELINES)})")


def _insert_anomaly(x, kind, at, sigma, rng, period):
    n = len(x)
    if kind == "spike":
        x[at] += rng.choice([-1, 1]) * rng.uniform(8, 12) * sigma
    elif kind == "level_shift":
        x[at:] += rng.choice([-1, 1]) * rng.uniform(3, 5) * sigma
    elif kind == "variance":
        x[at:] += rng.normal(0, 1, n - at) * rng.uniform(2.5, 3.5) * sigma
    elif kind == "trend":
        x[at:] += rng.choice([-1, 1]) * rng.uniform(0.03, 0.05) * sigma * np.arange(n - at)
    else:
        raise ValueError(f"unknown anomaly kind {kind!r} (known: {', '.join(ANOMALY_KINDS)})")


def _gaps(x, rng, keep_clear=(), longest=40):
    """NaN bursts (scrape failures), one per 1000 samples or so: missing
    data, not anomalies. None starts within 64 samples of an index in
    `keep_clear` (an anomaly a gap hid could not be detected)."""
    for _ in range(len(x) // 1000 + 2):
        at = int(rng.integers(len(x) // 5, len(x) - longest))
        length = int(rng.integers(1, longest))
        if any(at - 64 <= a <= at + length + 64 for a in keep_clear):
            continue
        x[at:at + length] = np.nan


def generate(anomaly=None, baseline="noise", n=4000, seed=0, period=288, gaps=True) -> LabelledSeries:
    """One labelled series: a baseline (noise, seasonal, trend_seasonal,
    heavy_tailed, counts) with NaN gaps, and one anomaly of the given kind
    (spike, level_shift, variance, trend; None: no anomaly) placed at random
    in the second half. `period` is the seasonal cycle in samples (288: one
    day of 5-minute samples)."""
    rng = np.random.default_rng(seed)
    x, sigma = _baseline(baseline, n, rng, period)
    series = LabelledSeries(f"{baseline}/{anomaly or 'none'}/{seed}", x)
    if anomaly is not None:
        at = int(rng.integers(n // 2, n - n // 8))
        _insert_anomaly(x, anomaly, at, sigma, rng, period)
        half = int(0.1 * n) // 2
        series.anomalies = [at]
        series.windows = [(max(at - half, 0), min(at + half, n - 1))]
    if gaps:
        _gaps(x, rng, series.anomalies)
    return series


def corpus(seed=0, n=4000, repeats=2) -> list:
    """Every anomaly kind on every baseline, and every baseline without an
    anomaly, `repeats` times with different seeds."""
    out = []
    rng = np.random.default_rng(seed)
    for _ in range(repeats):
        for baseline in BASELINES:
            for anomaly in (*ANOMALY_KINDS, None):
                out.append(generate(anomaly, baseline, n=n, seed=int(rng.integers(2**31))))
    return out


def detections(alert) -> np.ndarray:
    """The indices where an alert rises (0 -> 1)."""
    a = np.asarray(alert).astype(bool)
    return np.flatnonzero(a & ~np.concatenate(([False], a[:-1])))


def _scaled_sigmoid(position):
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def score_series(series: LabelledSeries, detected, profile="standard") -> dict:
    """NAB's raw score of one series for detections at these indices, with
    counts of true positives (windows hit), misses and false positives."""
    w = PROFILES[profile]
    max_tp = _scaled_sigmoid(-1.0)
    best = {i: None for i in range(len(series.windows))}
    fp_total, fp_count = 0.0, 0
    for i in sorted(int(d) for d in detected):
        if i < series.probation:
            continue
        inside = [k for k, (lo, hi) in enumerate(series.windows) if lo <= i <= hi]
        if inside:
            k = inside[0]
            lo, hi = series.windows[k]
            width = hi - lo + 1
            reward = _scaled_sigmoid(-(hi - i + 1) / width) * w["tp"] / max_tp
            best[k] = reward if best[k] is None else max(best[k], reward)
            continue
        before = [(lo, hi) for lo, hi in series.windows if hi < i]
        if before:
            lo, hi = before[-1]
            penalty = _scaled_sigmoid(abs(i - hi) / max(hi - lo, 1))
        else:
            penalty = -1.0
        fp_total += penalty * w["fp"]
        fp_count += 1
    tp = sum(1 for v in best.values() if v is not None)
    raw = fp_total + sum(v if v is not None else -w["fn"] for v in best.values())
    return {"raw": raw, "tp": tp, "fn": len(best) - tp, "fp": fp_count, "windows": len(best)}


def normalised(raw, windows, profile="standard") -> float:
    """100 * (raw - null) / (perfect - null) over a corpus with `windows` windows."""
    w = PROFILES[profile]
    null, perfect = -w["fn"] * windows, w["tp"] * windows
    return 100.0 * (raw - null) / (perfect - null)


def evaluate(make_detector, series_list, profiles=tuple(PROFILES)) -> dict:
    """Runs a fresh detector (make_detector()) over each series in one call
    and scores its alert onsets. Returns {profile: normalised score} plus
    "tp", "fn", "fp", "windows", "samples" and "false_positives_per_10k"
    (onsets outside every window per 10,000 scored samples)."""
    raw = {p: 0.0 for p in profiles}
    totals = {"tp": 0, "fn": 0, "fp": 0, "windows": 0, "samples": 0}
    for s in series_list:
        _, alert = make_detector().process(s.values)
        found = detections(alert)
        for p in profiles:
            r = score_series(s, found, p)
            raw[p] += r["raw"]
        for key in ("tp", "fn", "fp", "windows"):
            totals[key] += r[key]
        totals["samples"] += len(s.values) - s.probation
    report = {p: normalised(raw[p], totals["windows"], p) for p in profiles}
    report.update(totals)
    report["false_positives_per_10k"] = 1e4 * totals["fp"] / max(totals["samples"], 1)
    return report


def load_nab(root) -> list:
    """The Numenta Anomaly Benchmark's corpus from a checkout of
    github.com/numenta/NAB (kept outside this repository): every
    data/<group>/<name>.csv (timestamp, value) with its windows from
    labels/combined_windows.json, as LabelledSeries (windows mapped to the
    rows whose timestamps they cover)."""
    import csv
    import json
    import pathlib
    from datetime import datetime

    root = pathlib.Path(root)
    labels_path = root / "labels" / "combined_windows.json"
    try:
        labels = json.loads(labels_path.read_text())
    except OSError as e:
        raise OSError(f"{labels_path}: {e.strerror} (give the root of a NAB checkout)") from None

    def when(text):
        return datetime.fromisoformat(text.strip()).timestamp()

    out = []
    for name in sorted(labels):
        with open(root / "data" / name, newline="") as f:
            rows = list(csv.reader(f))[1:]
        times = np.array([when(r[0]) for r in rows])
        values = np.array([float(r[1]) if r[1].strip() else np.nan for r in rows])
        series = LabelledSeries(name, values)
        for start, end in labels[name]:
            first = int(np.searchsorted(times, when(start), side="left"))
            last = int(np.searchsorted(times, when(end), side="right")) - 1
            if first <= last:
                series.windows.append((first, last))
                series.anomalies.append((first + last) // 2)
        out.append(series)
    return out
