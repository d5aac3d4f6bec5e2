#!/usr/bin/env python3
"""Detector throughput from Python (docs/performance.md): one long series in
one call, and 10,000 series fed one row per call; medians of 3 runs.

    .venv/bin/python bench/detect_python.py
"""
import statistics
import time

import faltung
import numpy as np


def one_series(n=4_000_000):
    x = np.random.default_rng(0).normal(size=n)
    rates = []
    for _ in range(3):
        d = faltung.Detector()
        start = time.perf_counter()
        d.process(x)
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def many_series(series=10_000, rows=300):
    x = np.random.default_rng(1).normal(size=(2 * rows, series))
    rates = []
    for _ in range(3):
        d = faltung.Detector(series=series)
        d.process(x[:rows])  # past the warm-up
        start = time.perf_counter()
        for i in range(rows, 2 * rows):
            d.process(x[i:i + 1])
        rates.append(rows * series / (time.perf_counter() - start))
    return statistics.median(rates)


if __name__ == "__main__":
    print(f"one series, 4M samples in one call: {one_series() / 1e6:.1f} M samples/s")
    print(f"10,000 series, one row per call: {many_series() / 1e6:.1f} M samples/s")
