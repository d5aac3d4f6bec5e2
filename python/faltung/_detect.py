"""faltung.Detector: streaming anomaly scores and alerts (docs/detection.md).

    d = faltung.Detector()                      # surprise (the default kind), one series
    score, alert = d.process(chunk)             # any chunk sizes, no look-ahead
    state = d.save(); e = faltung.Detector.restore(state)   # or pickle

Many series: `series=S` takes chunks of shape (n, S), one row per time step.
Non-finite values are missing samples: score 0, the alert holds.
"""
from __future__ import annotations

import numpy as np

from . import _core

KINDS = ("surprise", "multiscale", "zscore", "ewma", "holt")


def _int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int; got {value!r}")
    return int(value)


class Detector:
    """A stateful anomaly detector for one or many series.

    kind: "surprise" (the default: each feature's deviation against the
    largest it has lately shown), "multiscale" (matched filters at several
    widths), or a reference: "zscore" (windowed Gaussian), "ewma" (EWMA
    band), "holt" (double exponential smoothing).
    widths: the multiscale smooth and matched-filter widths (even samples;
    refused for other kinds).
    period: the seasonal period in samples (288: a day of 5-minute samples),
    0 for none; surprise then also compares each sample with the same phase
    a period before and with its learnt seasonal profile, multiscale runs
    its features on the series less that profile.
    scale_halflife: memory of the robust location/scale, in samples.
    warmup: samples scored 0 at the start (None: automatic).
    set_score/clear_score, set_samples/clear_samples: the alert's thresholds
    and debounce/hysteresis counts. window (zscore), alpha (ewma, holt),
    smoothing and trend (holt): the reference detectors' parameters.
    """

    def __init__(self, kind="surprise", series=1, widths=(8, 32, 128), period=0, scale_halflife=1000.0, warmup=None,
                 set_score=0.75, clear_score=0.35, set_samples=1, clear_samples=8, window=128, alpha=0.05,
                 smoothing=0.3, trend=0.1):
        if kind not in KINDS:
            raise ValueError(f"unknown detector kind {kind!r} (known: {', '.join(KINDS)})")
        widths = [_int("each width", w) for w in widths]
        self._d = _core.Detector(kind, _int("series", series), widths, _int("period", period), float(scale_halflife),
                                 -1 if warmup is None else _int("warmup", warmup), float(set_score),
                                 float(clear_score), _int("set_samples", set_samples),
                                 _int("clear_samples", clear_samples), _int("window", window), float(alpha),
                                 float(smoothing), float(trend))

    @classmethod
    def _wrap(cls, core_detector):
        d = cls.__new__(cls)
        d._d = core_detector
        return d

    def process(self, chunk):
        """Scores the next samples: returns (score float64 in [0, 1], alert
        uint8 0/1), each shaped like the chunk: (n,) for one series, (n, S)
        for S series."""
        x = np.ascontiguousarray(chunk, dtype=np.float64)
        series = self._d.series
        if not ((x.ndim == 1 and series == 1) or (x.ndim == 2 and x.shape[1] == series)):
            want = "(n,)" if series == 1 else f"(n, {series})"
            raise ValueError(f"a chunk for this detector has the shape {want}; got {x.shape}")
        score = np.empty(x.shape, dtype=np.float64)
        alert = np.empty(x.shape, dtype=np.uint8)
        self._d.process(x.reshape(-1), score.reshape(-1), alert.reshape(-1))
        return score, alert

    def reset(self) -> None:
        """Forgets every past sample (warm-up starts again)."""
        self._d.reset()

    def save(self) -> bytes:
        """Options and state as versioned bytes."""
        return self._d.save()

    @classmethod
    def restore(cls, data: bytes) -> Detector:
        """A detector that continues exactly where the saved one stopped."""
        return cls._wrap(_core.Detector.restore(bytes(data)))

    def __reduce__(self):
        return (Detector.restore, (self.save(),))

    def explain(self) -> str:
        return self._d.explain()

    kind = property(lambda self: self._d.kind)
    series = property(lambda self: self._d.series)
    widths = property(lambda self: tuple(self._d.widths))
    period = property(lambda self: self._d.period)
    warmup = property(lambda self: self._d.warmup)
    samples_processed = property(lambda self: self._d.samples_processed)
    state_bytes = property(lambda self: self._d.state_bytes)

    def __repr__(self):
        return (f"faltung.Detector(kind={self.kind!r}, series={self.series}, widths={self.widths}, "
                f"period={self.period}, samples_processed={self.samples_processed})")
