"""Evaluating anomaly detectors by the Numenta Anomaly Benchmark's rules.

    corpus = faltung.evaluate.load_nab("path/to/nab")      # or corpus(seed=1): synthetic
    report = faltung.evaluate.evaluate(lambda: faltung.Detector(), corpus)
    report["standard"]             # NAB's normalised score: 0 (no detection) .. 100 (perfect)
    report["onsets"]["standard"]   # an extra view: the alert's onsets as the only detections

The NAB score takes the detector's `score` column as NAB's anomaly score:
every row at or above one corpus-wide threshold (NAB's optimiser picks it
per profile) is a detection, as NAB's own scorer counts (faltung._nab has
the rules). A score held high for hundreds of rows outside a labelled
window therefore pays a false positive for every one of them.

The onset view counts only the rows where the `alert` column rises: what
would page someone. It is reported beside the NAB score, never as it.
"""
from __future__ import annotations

import inspect
from datetime import UTC

import numpy as np

from ._labelled import LabelledSeries
from ._nab import PROFILES, corpus_score, probation_rows, scaled_sigmoid, score_series
from ._synthetic import ANOMALY_KINDS, BASELINES, corpus, generate

__all__ = [
    "PROFILES", "ANOMALY_KINDS", "BASELINES", "LabelledSeries", "generate", "corpus", "alert_onsets",
    "nab_score", "onset_score", "false_onsets", "evaluate", "load_nab", "score_series", "scaled_sigmoid",
    "probation_rows",
]


def alert_onsets(alert) -> np.ndarray:
    """The indices where an alert rises (0 -> 1)."""
    a = np.asarray(alert).astype(bool)
    return np.flatnonzero(a & ~np.concatenate(([False], a[:-1])))


def nab_score(series_list, scores, profile="standard", threshold=None) -> dict:
    """NAB's score of per-row anomaly scores (one array per series) at
    NAB's optimised corpus threshold (or the one given): score, raw, null,
    perfect, threshold, tp, fn, fp (rows) and windows."""
    return corpus_score(scores, [s.windows for s in series_list], profile, threshold)


def onset_score(series_list, alerts, profile="standard") -> dict:
    """The onset view: NAB's rules with the alert's rising edges as the only
    detections (no threshold to optimise). Not NAB's score of a detector."""
    indicators = []
    for s, alert in zip(series_list, alerts):
        x = np.zeros(len(s.values))
        x[alert_onsets(alert)] = 1.0
        indicators.append(x)
    return nab_score(series_list, indicators, profile, threshold=1.0)


def false_onsets(series_list, alerts) -> dict:
    """Alert onsets outside every labelled window and after probation, and
    the anomaly-free time they fell in: onsets, days, per_series_day."""
    onsets, days = 0, 0.0
    for s, alert in zip(series_list, alerts):
        inside = np.zeros(len(s.values), dtype=bool)
        for first, last in s.windows:
            inside[first:last + 1] = True
        inside[:s.probation] = True
        free = np.flatnonzero(~inside)
        onsets += int(np.count_nonzero(~inside[alert_onsets(alert)]))
        days += s.days(free)
    return {"onsets": onsets, "days": days, "per_series_day": onsets / days if days else 0.0}


def evaluate(make_detector, series_list, profiles=tuple(PROFILES)) -> dict:
    """Runs a fresh detector (make_detector(series) or make_detector())
    over each series in one call. Returns {profile: NAB's normalised score of
    the score column}, "thresholds" {profile: NAB's threshold}, "tp", "fn",
    "fp" (standard profile: windows hit, missed, false-positive rows),
    "windows", "onsets" {profile: the onset view}, and "false_onsets" (alert
    onsets outside windows, per series-day)."""
    takes_series = len(inspect.signature(make_detector).parameters) > 0
    scores, alerts = [], []
    for s in series_list:
        detector = make_detector(s) if takes_series else make_detector()
        score, alert = detector.process(s.values)
        scores.append(np.asarray(score))
        alerts.append(np.asarray(alert))
    report = {"thresholds": {}, "onsets": {}}
    for p in profiles:
        r = nab_score(series_list, scores, p)
        report[p] = r["score"]
        report["thresholds"][p] = r["threshold"]
        if p == profiles[0]:
            report.update({key: r[key] for key in ("tp", "fn", "fp", "windows")})
        report["onsets"][p] = onset_score(series_list, alerts, p)["score"]
    report["false_onsets"] = false_onsets(series_list, alerts)
    return report


def load_nab(root) -> list:
    """NAB-layout data and labels (a checkout of github.com/numenta/NAB, or
    a part of one such as ../shared/anomaly/nab-dev): every series named in
    labels/combined_windows.json, read from data/<name> (timestamp, value),
    as LabelledSeries with the timestamps, the values (NaN where a cell is
    blank) and the windows as row ranges. As in NAB, a window's first and
    last timestamps must be timestamps of the series."""
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
        return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC).timestamp()

    out = []
    for name in sorted(labels):
        with open(root / "data" / name, newline="") as f:
            rows = list(csv.reader(f))[1:]
        times = np.array([when(r[0]) for r in rows])
        values = np.array([float(r[1]) if r[1].strip() else np.nan for r in rows])
        row_of = {}
        for i, t in enumerate(times.tolist()):
            row_of.setdefault(t, i)  # a repeated timestamp: NAB finds its first row
        series = LabelledSeries(name, values, times=times)
        for start, end in labels[name]:
            first, last = row_of.get(when(start)), row_of.get(when(end))
            if first is None or last is None:
                raise ValueError(f"{name}: window {start} .. {end} does not start and end on rows of the series")
            series.windows.append((first, last))
            series.anomalies.append((first + last) // 2)
        out.append(series)
    return out
