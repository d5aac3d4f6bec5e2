"""faltung detect: a CSV time series in, the same rows with `score` and
`alert` columns out, and optionally a PNG of the series, its smooth, the
scores and the flagged windows.

The detector is causal: the score of row t uses rows <= t only, so the
output is what a live pipeline would have said at each row.
"""
from __future__ import annotations

import csv
import math
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from ._csv import MISSING
from ._files import UserError


@dataclass
class Series:
    header: list
    rows: list            # the input rows, as read
    times: np.ndarray     # seconds since the epoch (float64; NaN where unreadable), or row numbers
    values: np.ndarray    # float64, NaN where missing
    time_name: str
    value_name: str
    repairs: dict = field(default_factory=dict)  # what was done to messy rows: {what: rows}


def _column(header, choice, default, what):
    if choice is None:
        return default
    if choice in header:
        return header.index(choice)
    try:
        i = int(choice)
    except ValueError:
        raise UserError(f"no {what} column '{choice}' (columns: {', '.join(header)})") from None
    if not 0 <= i < len(header):
        raise UserError(f"{what} column {i} is out of range (the file has {len(header)} columns)")
    return i


def parse_time(text):
    """Epoch seconds (a number: seconds, or milliseconds if over 1e11) or
    ISO-8601 (naive times are taken as UTC) -> seconds since the epoch."""
    try:
        v = float(text)
        return v / 1000.0 if abs(v) > 1e11 else v
    except ValueError:
        pass
    t = datetime.fromisoformat(text.strip())
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.timestamp()


def read_series(path, time_column=None, value_column=None, bad_values="missing", time_disorder="keep") -> Series:
    """Reads the CSV. Messy rows never refuse the file by default: a blank
    or non-numeric value, or a short row, is a missing sample
    (bad_values="missing"; "error" refuses it); a time that steps back,
    repeats or cannot be read keeps the row where it arrived
    (time_disorder="keep"; "error" refuses it). Series.repairs counts what
    was done."""
    from ._csv import read_table
    table = read_table(path)
    width = len(table.header) if table.header else max(len(r) for r in table.rows)
    header = table.header or (["value"] if width == 1 else ["time" if i == 0 else f"column {i + 1}"
                                                           for i in range(width)])
    rows = table.rows
    single = len(header) == 1
    default_time = table.time_column if table.time_column is not None else (None if single else 0)
    ti = _column(header, time_column, default_time, "time")
    vi = _column(header, value_column, 0 if single else 1, "value")
    if ti == vi:
        raise UserError("the time and value columns are the same column")
    times = np.empty(len(rows))
    values = np.empty(len(rows))
    repairs = dict.fromkeys(("short rows", "non-numeric values", "unreadable times", "times stepping back",
                             "repeated times"), 0)
    latest = -math.inf
    for n, row in enumerate(rows):
        line = table.first_line + n
        if len(row) <= max(vi, ti or 0):
            if bad_values == "error":
                raise UserError(f"{path}:{line}: {len(row)} fields, fewer than the header's {len(header)}")
            repairs["short rows"] += 1
            values[n], times[n] = np.nan, np.nan if ti is not None else n
            continue
        text = row[vi].strip()
        if text.lower() in MISSING:
            values[n] = np.nan
        else:
            try:
                values[n] = float(text)
            except ValueError:
                if bad_values == "error":
                    raise UserError(f"{path}:{line}: value '{text}' in column '{header[vi]}' is not a number "
                                    "(leave it empty for a missing sample)") from None
                repairs["non-numeric values"] += 1
                values[n] = np.nan
        if ti is None:
            times[n] = n
            continue
        try:
            times[n] = parse_time(row[ti])
        except ValueError:
            if time_disorder == "error":
                raise UserError(f"{path}:{line}: time '{row[ti]}' in column '{header[ti]}' is neither epoch "
                                "seconds nor ISO-8601") from None
            repairs["unreadable times"] += 1
            times[n] = np.nan
            continue
        if times[n] <= latest:
            if time_disorder == "error":
                what = "goes backwards" if times[n] < latest else "repeats"
                raise UserError(f"{path}:{line}: time {what} ({row[ti]}); rows must be in time order")
            repairs["times stepping back" if times[n] < latest else "repeated times"] += 1
        latest = max(latest, times[n])
    return Series(header, rows, times, values, "row" if ti is None else header[ti], header[vi],
                  {k: v for k, v in repairs.items() if v})


DAY_SECONDS = 86400.0
FIRST_STEPS = 16   # time steps looked at for --period auto: known before any score is given
MAX_PERIOD = 100_000


LEARNING_PERIODS = 2  # --period auto takes a day only if the file holds two: one to learn, one to use


def day_rows(series: Series) -> int:
    """A day in rows (day_rows_of_times), or 0 for a file without times."""
    return 0 if series.time_name == "row" else day_rows_of_times(series.times)


def day_rows_of_times(times: np.ndarray) -> int:
    """A day in rows from the median of the first 16 time steps (seconds),
    if a day is a whole number of them (within 1%) and at most 100,000;
    else 0. Only the first rows' times are used, as a live pipeline knows
    its sampling interval from the start."""
    if len(times) < 3:
        return 0
    step = sampling_step_of_times(times)
    if step <= 0:
        return 0
    rows = DAY_SECONDS / step
    whole = round(rows)
    return whole if 2 <= whole <= MAX_PERIOD and abs(rows - whole) <= 0.01 * rows else 0


def period_rows(choice, series: Series) -> int:
    """--period: "none" -> 0, a number of rows, or "auto": a day in rows
    (day_rows) when the file holds at least two days, else 0."""
    if choice == "none":
        return 0
    if choice != "auto":
        try:
            rows = int(choice)
        except ValueError:
            raise UserError(f"--period must be auto, none or a number of rows; got '{choice}'") from None
        if rows < 0:
            raise UserError(f"--period must be >= 0 rows; got {rows}")
        return rows
    day = day_rows(series)
    return day if day * LEARNING_PERIODS <= len(series.values) else 0


def sampling_step(series: Series) -> float:
    return sampling_step_of_times(series.times)


def sampling_step_of_times(times: np.ndarray) -> float:
    """The sampling interval in seconds: the median of the first 16 forward
    time steps (steps back, repeats and unreadable times left out), or 0."""
    times = times[np.isfinite(times)]
    steps = np.diff(np.maximum.accumulate(times)) if len(times) > 1 else np.zeros(0)
    steps = steps[steps > 0][:FIRST_STEPS]
    return float(np.median(steps)) if len(steps) else 0.0


MAX_FILLED_PERIODS = 4


def frames_of(series: Series, period: int) -> np.ndarray:
    """The frame each row is fed to the detector as: with a seasonal period,
    a time gap of k sampling steps leaves k - 1 missing frames before the
    row, so the phase keeps to the clock (beyond 4 periods only the gap
    modulo the period, which keeps the phase). Rows whose time steps back,
    repeats or is unreadable follow the row before. Without a period, or
    without times, row i is frame i."""
    n = len(series.values)
    step = sampling_step(series) if period else 0.0
    if not step:
        return np.arange(n)
    frames = np.empty(n, dtype=np.int64)
    latest, frame = math.nan, -1
    cap = MAX_FILLED_PERIODS * period
    for i, t in enumerate(series.times):
        skipped = 0
        if math.isfinite(t) and math.isfinite(latest) and t > latest:
            skipped = max(round((t - latest) / step) - 1, 0)
            if skipped > cap:
                skipped = cap + (skipped - cap) % period
        frame += 1 + skipped
        frames[i] = frame
        if math.isfinite(t):
            latest = t if not math.isfinite(latest) else max(latest, t)
    return frames


def repairs_note(series: Series, frames: np.ndarray) -> str:
    """One line for stderr: what was done to messy rows, or ''."""
    parts = [f"{count} {what}" for what, count in series.repairs.items()]
    filled = int(frames[-1] + 1 - len(frames)) if len(frames) else 0
    if filled:
        parts.append(f"{filled} missing steps in time gaps (scored as gaps, so the seasonal phase keeps time)")
    if not parts:
        return ""
    return ("faltung detect: kept going over messy rows, scored in arrival order: " + "; ".join(parts) +
            " (non-numeric and short rows are missing samples; --on-bad-value error or --on-time-disorder error "
            "refuse them instead)")


def write_scores(path, series: Series, score, alert) -> None:
    for name in ("score", "alert"):
        if name in series.header:
            raise UserError(f"the input already has a '{name}' column")
    handle = sys.stdout if path == "-" else open(path, "w", newline="")
    try:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(series.header + ["score", "alert"])
        for row, s, a in zip(series.rows, score, alert):
            w.writerow(row + [f"{s:.6g}", int(a)])
    finally:
        if handle is not sys.stdout:
            handle.close()


def flagged_windows(alert):
    """(first, last) row of each run of alert == 1."""
    a = np.concatenate(([0], np.asarray(alert, dtype=np.int8), [0]))
    starts = np.flatnonzero(np.diff(a) == 1)
    ends = np.flatnonzero(np.diff(a) == -1) - 1
    return list(zip(starts.tolist(), ends.tolist()))


def plot(path, series: Series, smooth, smooth_label, score, alert, set_score) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    x = np.arange(len(series.values)) if not np.isfinite(series.times).all() else series.times
    if series.time_name != "row" and np.isfinite(series.times).all():
        x = np.array([datetime.fromtimestamp(t, tz=UTC) for t in series.times])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6), sharex=True, height_ratios=[3, 1],
                                      constrained_layout=True)
    top.plot(x, series.values, lw=0.7, color="0.45", label=series.value_name)
    top.plot(x, smooth, lw=1.2, color="tab:blue", label=smooth_label)
    bottom.plot(x, score, lw=0.8, color="tab:red", label="score")
    bottom.axhline(set_score, lw=0.6, ls="--", color="tab:red")
    for first, last in flagged_windows(alert):
        for ax in (top, bottom):
            ax.axvspan(x[first], x[last], color="tab:orange", alpha=0.3, lw=0)
    bottom.set_ylim(-0.02, 1.02)
    top.legend(loc="upper left", fontsize=8)
    bottom.legend(loc="upper left", fontsize=8)
    n = len(flagged_windows(alert))
    top.set_title(f"{series.value_name}: {n} flagged window{'s' if n != 1 else ''} (shaded)", fontsize=10)
    fig.savefig(path, dpi=100)
    plt.close(fig)
