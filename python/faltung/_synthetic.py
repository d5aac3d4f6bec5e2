"""Labelled synthetic series for the detectors' tests and the synthetic
half of the evaluation (faltung.evaluate re-exports generate and corpus).

A generator we write ourselves is no evidence about real metrics: the
detectors' defaults are judged on NAB's real series (docs/detection.md);
this corpus checks that known kinds of anomaly on known baselines are found.
"""
from __future__ import annotations

import math

import numpy as np

from ._labelled import LabelledSeries

ANOMALY_KINDS = ("spike", "level_shift", "variance", "trend")
BASELINES = ("noise", "seasonal", "trend_seasonal", "heavy_tailed", "counts")


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
