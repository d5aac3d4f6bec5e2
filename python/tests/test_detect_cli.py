"""faltung detect end to end, in a subprocess: the same rows with score and
alert added, equal to faltung.Detector on the values; no look-ahead; column
choice, ISO-8601 and epoch times; missing values; the plot; errors."""
import csv
import datetime as dt
import pathlib
import subprocess
import sys

import faltung
import numpy as np
import pytest

FALTUNG = str(pathlib.Path(sys.executable).parent / "faltung")


def run(*args, ok=True, stdin=None):
    done = subprocess.run([FALTUNG, *map(str, args)], capture_output=True, text=True, timeout=120, input=stdin)
    assert (done.returncode == 0) == ok, done.stderr
    return done


def metric(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    x = 50 + 10 * np.sin(2 * np.pi * np.arange(n) / 288) + rng.normal(0, 1, n)
    x[2000] += 15
    x[2500:] += 8
    x[1200:1230] = np.nan
    return x


def write_csv(path, x, times, extra=False):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["host", "ts", "latency_ms"] if extra else ["timestamp", "value"])
        for t, v in zip(times, x):
            value = "" if np.isnan(v) else repr(float(v))
            w.writerow(["web-1", t, value] if extra else [t, value])


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_scores_are_the_detectors_and_rows_are_kept(tmp_path):
    x = metric()
    start = dt.datetime(2026, 11, 1)
    times = [(start + dt.timedelta(minutes=5 * i)).isoformat() for i in range(len(x))]
    write_csv(tmp_path / "m.csv", x, times)
    done = run("detect", tmp_path / "m.csv", "-o", tmp_path / "s.csv", "--plot", tmp_path / "p.png")
    # 5-minute rows: --period auto takes a day, 288 rows
    assert "3000 rows, 30 missing, seasonal period 288 rows, 2 alerts raised" in done.stderr
    header, rows = read_csv(tmp_path / "s.csv")
    assert header == ["timestamp", "value", "score", "alert"]
    assert [r[0] for r in rows] == times
    score, alert = faltung.Detector(period=288).process(x)
    np.testing.assert_allclose([float(r[2]) for r in rows], score, rtol=1e-5, atol=1e-12)
    assert [int(r[3]) for r in rows] == alert.tolist()
    # the spike at once; the shift of 8 sigma once the mean of 8 rows has seen it
    assert alert[2000] == 1 and alert[2500:2508].any() and alert[:2000].sum() == 0
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_never_looks_ahead(tmp_path):
    x = metric(seed=1)
    times = [str(1_700_000_000 + 300 * i) for i in range(len(x))]  # epoch seconds
    write_csv(tmp_path / "all.csv", x, times)
    write_csv(tmp_path / "head.csv", x[:2003], times[:2003])
    run("detect", tmp_path / "all.csv", "-o", tmp_path / "all_s.csv")
    run("detect", tmp_path / "head.csv", "-o", tmp_path / "head_s.csv")
    _, whole = read_csv(tmp_path / "all_s.csv")
    _, head = read_csv(tmp_path / "head_s.csv")
    assert head == whole[:2003]


def test_columns_by_name_and_stdin(tmp_path):
    x = metric(seed=2)[:1500]
    times = [(dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=15 * i)).isoformat()
             for i in range(len(x))]
    write_csv(tmp_path / "m.csv", x, times, extra=True)
    done = run("detect", "-", "-o", "-", "--time", "ts", "--value", "latency_ms", "--kind", "holt",
               stdin=(tmp_path / "m.csv").read_text())
    lines = done.stdout.splitlines()
    assert lines[0] == "host,ts,latency_ms,score,alert"
    score, _ = faltung.Detector("holt").process(x)
    np.testing.assert_allclose([float(line.split(",")[3]) for line in lines[1:]], score, rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("step_seconds, choice, period", [
    # 2000 rows: a day of 288 or 720 rows is taken; 1440 or 12343 are more than the file can learn
    (300, "auto", 288), (120, "auto", 720), (60, "auto", 0), (7, "auto", 0), (50000, "auto", 0), (300, "none", 0),
    (300, "100", 100)])
def test_period_choice(tmp_path, step_seconds, choice, period):
    x = metric(seed=3)[:2000]
    times = [str(1_700_000_000 + step_seconds * i) for i in range(len(x))]
    write_csv(tmp_path / "m.csv", x, times)
    done = run("detect", tmp_path / "m.csv", "-o", tmp_path / "s.csv", "--period", choice)
    assert (f"seasonal period {period} rows" if period else "no seasonal period") in done.stderr
    _, rows = read_csv(tmp_path / "s.csv")
    score, _ = faltung.Detector(period=period).process(x)
    np.testing.assert_allclose([float(r[2]) for r in rows], score, rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("content, args, message", [
    ("t,v\n2,1\n1,2\n", ["--on-time-disorder", "error"], "time goes backwards"),
    ("t,v\n2,1\n2,2\n", ["--on-time-disorder", "error"], "time repeats"),
    ("t,v\n1,abc\n", ["--on-bad-value", "error"], "is not a number"),
    ("t,v\n1,2\n3\n", ["--on-bad-value", "error"], "fewer than the header's 2"),
    ("t,v\nyesterday,1\n", ["--on-time-disorder", "error"], "neither epoch seconds nor ISO-8601"),
    ("t,v\n1,2\n", ["--widths", "8"], "--widths applies to --kind multiscale only"),
    ("t,v\n1,2\n", ["--value", "latency"], "no value column 'latency'"),
    ("t,v,score\n1,2,3\n", [], "already has a 'score' column"),
    ("", [], "is empty"),
    ("t,v\n1,2\n", ["--kind", "multiscale", "--widths", "7"], "even"),
    ("t,v\n1,2\n", ["--period", "daily"], "--period must be"),
])
def test_errors_are_one_line(tmp_path, content, args, message):
    (tmp_path / "in.csv").write_text(content)
    done = run("detect", tmp_path / "in.csv", "-o", tmp_path / "out.csv", *args, ok=False)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_messy_rows_never_refuse_the_file(tmp_path):
    """A clock stepping back an hour, a repeated time, an unreadable time,
    blank, non-numeric and short rows: every row comes out in arrival order,
    the values score as faltung.Detector scores them (bad cells missing),
    and stderr says once what was done."""
    x = metric(seed=4)[:2000]
    times = [1_700_000_000 + 300 * i for i in range(len(x))]
    for i in range(1500, 1512):
        times[i] -= 3600                       # the clock steps back an hour
    times[900] = times[899]                    # a retry repeats a time
    write_csv(tmp_path / "m.csv", x, [str(t) for t in times])
    lines = (tmp_path / "m.csv").read_text().splitlines()
    lines[1 + 300] = f"{times[300]},n/a?"      # non-numeric
    lines[1 + 301] = f"{times[301]},"          # blank
    lines[1 + 302] = f"{times[302]}"           # short
    lines[1 + 303] = f"half past ten,{float(x[303])!r}"  # unreadable time
    (tmp_path / "m.csv").write_text("\n".join(lines) + "\n")
    done = run("detect", tmp_path / "m.csv", "-o", tmp_path / "s.csv", "--period", "none")
    note = [line for line in done.stderr.splitlines() if "messy rows" in line]
    assert len(note) == 1, done.stderr
    # the 12 rows of the repeated hour: 11 before the latest time, the last one equal to it
    for part in ("1 short rows", "1 non-numeric values", "1 unreadable times", "11 times stepping back",
                 "2 repeated times"):
        assert part in note[0], note[0]
    _, rows = read_csv(tmp_path / "s.csv")
    assert len(rows) == len(x)
    assert [r[0] for r in rows[1490:1520]] == [str(t) for t in times[1490:1520]]
    y = x.copy()
    y[[300, 301, 302]] = np.nan
    score, alert = faltung.Detector().process(y)
    np.testing.assert_allclose([float(r[-2]) for r in rows], score, rtol=1e-5, atol=1e-12)
    assert [int(r[-1]) for r in rows] == alert.tolist()


def test_time_gaps_keep_the_seasonal_phase(tmp_path):
    """With a period, a gap of k sampling steps is k - 1 missing frames for
    the detector: the scores are those of the series with the gap as NaN."""
    x = metric(seed=5)[:2400]
    keep = np.ones(len(x), dtype=bool)
    keep[700:760] = False                      # an hour-long outage of 5-minute rows
    times = 1_700_000_000 + 300 * np.arange(len(x))
    write_csv(tmp_path / "m.csv", x[keep], [str(t) for t in times[keep]])
    done = run("detect", tmp_path / "m.csv", "-o", tmp_path / "s.csv")
    assert "60 missing steps in time gaps" in done.stderr and "seasonal period 288 rows" in done.stderr
    _, rows = read_csv(tmp_path / "s.csv")
    gapped = np.where(keep, x, np.nan)
    score, _ = faltung.Detector(period=288).process(gapped)
    np.testing.assert_allclose([float(r[2]) for r in rows], score[keep], rtol=1e-5, atol=1e-12)


def test_auto_period_needs_two_days_and_a_silent_run_says_so(tmp_path):
    """1,000 rows of 15 s samples: a day is 5,760 rows, more than the file
    can learn, so --period auto takes none and the spike is scored; a file
    with nothing unusual says plainly that every score is 0."""
    rng = np.random.default_rng(8)
    x = 100 + rng.normal(0, 1, 1000)
    x[700] += 50
    times = [str(1_700_000_000 + 15 * i) for i in range(len(x))]
    write_csv(tmp_path / "m.csv", x, times)
    done = run("detect", tmp_path / "m.csv", "-o", tmp_path / "s.csv")
    assert "no seasonal period (a day is 5760 rows; the file has 1000, fewer than 2 days" in done.stderr
    _, rows = read_csv(tmp_path / "s.csv")
    assert float(rows[700][2]) > 0.99 and rows[700][3] == "1"
    assert "every score is 0" not in done.stderr
    write_csv(tmp_path / "q.csv", np.full(600, 100.0), times[:600])
    done = run("detect", tmp_path / "q.csv", "-o", tmp_path / "s.csv")
    assert "every score is 0: the first 72 rows are warm-up" in done.stderr
