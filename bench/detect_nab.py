#!/usr/bin/env python3
"""faltung's detectors on real labelled metrics: NAB's development half.

    .venv/bin/python bench/detect_nab.py [--nab ../shared/anomaly/nab-dev] [--plots docs/]

Every series of the folder through faltung.Detector at its defaults, told a
day as its period where a day is a whole number of the first time steps (as
`faltung detect --period auto` does), scored by NAB's rules
(faltung.evaluate: the score column, every row at or above NAB's optimised
threshold). Prints markdown tables:

- the scores beside NAB's own detectors (their results in reference/,
  scored by the same code), all three profiles;
- per category;
- leave-one-category-out: for each category, the threshold (and, in a
  second column, the detector option grid below too) chosen on the other
  four, scored on the fifth; the same for NAB's detectors (threshold chosen
  on the other four);
- the onset view and false alert onsets per series-day outside the
  windows.

With --plots DIR, writes three PNGs of real series with their windows, the
score and the alerts.
"""
import argparse
import csv
import pathlib
import time

import faltung
import numpy as np
from faltung import evaluate as ev
from faltung._detect_cli import day_rows_of_times  # the day `faltung detect --period auto` takes

NAB_DETECTORS = ("ARTime", "numenta", "windowedGaussian")
PROFILES = tuple(ev.PROFILES)
# The options a user can set, searched in leave-one-category-out (the
# built-in constants of the surprise kind are not: docs/detection.md).
GRID = [{"scale_halflife": h, "period": p} for h in (300.0, 1000.0, 3000.0) for p in ("auto", "none")]
PLOTS = ("realTweets/Twitter_volume_GOOG.csv", "realTraffic/speed_7578.csv",
         "realAdExchange/exchange-4_cpm_results.csv")


def run(series, kind="surprise", scale_halflife=1000.0, period="auto"):
    scores, alerts = [], []
    for s in series:
        d = faltung.Detector(kind, period=day_rows_of_times(s.times) if period == "auto" else 0,
                             scale_halflife=scale_halflife)
        score, alert = d.process(s.values)
        scores.append(score)
        alerts.append(alert)
    return scores, alerts


def reference_scores(root, detector, series):
    out = []
    for s in series:
        category, name = s.name.split("/")
        with open(root / "reference" / detector / category / f"{detector}_{name}", newline="") as f:
            out.append(np.array([float(r["anomaly_score"]) for r in csv.DictReader(f)]))
    return out


def subset(items, series, categories):
    return [x for x, s in zip(items, series) if s.category in categories]


def score_table(rows, series):
    print("| detector | standard | reward_low_FP_rate | reward_low_FN_rate | windows hit | false-positive rows |")
    print("|---|---|---|---|---|---|")
    for label, scores in rows:
        r = {p: ev.nab_score(series, scores, p) for p in PROFILES}
        print(f"| {label} | " + " | ".join(f"{r[p]['score']:.1f}" for p in PROFILES) +
              f" | {r['standard']['tp']}/{r['standard']['windows']} | {r['standard']['fp']} |")


def per_category(rows, series):
    categories = sorted({s.category for s in series})
    print("| detector | " + " | ".join(categories) + " |")
    print("|---" * (len(categories) + 1) + "|")
    for label, scores in rows:
        cells = []
        for c in categories:
            part = [s for s in series if s.category == c]
            cells.append(f"{ev.nab_score(part, subset(scores, series, {c}))['score']:.1f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


def leave_one_category_out(series, runs, references):
    """runs: {grid index: scores}, GRID[1] the defaults; references: {name: scores}."""
    categories = sorted({s.category for s in series})
    print("| held out | faltung defaults (threshold chosen on the other four) | faltung (options and threshold "
          "chosen on the other four) | " + " | ".join(references) + " |")
    print("|---" * (len(references) + 3) + "|")
    defaults = GRID.index({"scale_halflife": 1000.0, "period": "auto"})
    means = {"defaults": [], "faltung": [], **{name: [] for name in references}}
    for c in categories:
        train = {x for x in categories if x != c}
        train_series = [s for s in series if s.category in train]
        test_series = [s for s in series if s.category == c]
        best = max(((ev.nab_score(train_series, subset(scores, series, train))["score"], i)
                    for i, scores in runs.items()), key=lambda t: t[0])[1]
        threshold = ev.nab_score(train_series, subset(runs[best], series, train))["threshold"]
        held = ev.nab_score(test_series, subset(runs[best], series, {c}), threshold=threshold)["score"]
        means["faltung"].append(held)
        t = ev.nab_score(train_series, subset(runs[defaults], series, train))["threshold"]
        fixed = ev.nab_score(test_series, subset(runs[defaults], series, {c}), threshold=t)["score"]
        means["defaults"].append(fixed)
        cells = [f"{fixed:.1f}", f"{held:.1f} ({GRID[best]['scale_halflife']:g}, period {GRID[best]['period']})"]
        for name, scores in references.items():
            t = ev.nab_score(train_series, subset(scores, series, train))["threshold"]
            v = ev.nab_score(test_series, subset(scores, series, {c}), threshold=t)["score"]
            means[name].append(v)
            cells.append(f"{v:.1f}")
        print(f"| {c} | " + " | ".join(cells) + " |")
    print("| **mean** | " + " | ".join(f"**{np.mean(v):.1f}**" for v in means.values()) + " |")


def plot(path, s, score, alert, threshold):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = np.arange(len(s.values))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 5), sharex=True, height_ratios=[3, 1.4],
                                      constrained_layout=True)
    top.plot(rows, s.values, lw=0.6, color="0.35")
    bottom.plot(rows, score, lw=0.7, color="tab:red", label="score")
    bottom.axhline(threshold, lw=0.6, ls="--", color="tab:red", label=f"NAB threshold {threshold:.2f}")
    for first, last in s.windows:
        for ax in (top, bottom):
            ax.axvspan(first, last, color="tab:green", alpha=0.18, lw=0)
    for onset in ev.alert_onsets(alert):
        top.axvline(onset, color="tab:orange", lw=1.0)
    for ax in (top, bottom):
        ax.axvspan(0, s.probation, color="0.85", alpha=0.5, lw=0)
    bottom.set_ylim(-0.02, 1.02)
    bottom.legend(loc="upper left", fontsize=8)
    top.set_title(f"{s.name}: NAB windows (green), alert onsets (orange), probation (grey)", fontsize=10)
    bottom.set_xlabel("row")
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nab", default=str(pathlib.Path(__file__).resolve().parents[2] / "shared/anomaly/nab-dev"))
    ap.add_argument("--plots", default=None, help="a folder for the PNGs")
    args = ap.parse_args()
    root = pathlib.Path(args.nab)
    series = ev.load_nab(root)
    started = time.perf_counter()
    default_scores, default_alerts = run(series)
    seconds = time.perf_counter() - started
    references = {name: reference_scores(root, name, series) for name in NAB_DETECTORS}
    rows = [("faltung surprise (default)", default_scores),
            ("faltung surprise, no period", run(series, period="none")[0]),
            ("faltung multiscale (before)", run(series, kind="multiscale")[0])]
    rows += [(f"NAB {name}", scores) for name, scores in references.items()]
    samples = sum(len(s.values) for s in series)
    print(f"### NAB development half: {len(series)} series, {samples} rows, "
          f"{sum(len(s.windows) for s in series)} windows (faltung: {seconds:.2f} s for all)\n")
    score_table(rows, series)
    print("\n### Per category (standard profile, threshold optimised per category)\n")
    per_category(rows, series)
    print("\n### Leave one category out (standard profile)\n")
    runs = {i: run(series, **options)[0] for i, options in enumerate(GRID)}
    leave_one_category_out(series, runs, references)
    print("\n### Alerts (the default's alert column)\n")
    onsets = {p: ev.onset_score(series, default_alerts, p)["score"] for p in PROFILES}
    false = ev.false_onsets(series, default_alerts)
    print("onset view (alert onsets as the only detections; not NAB's score): " +
          ", ".join(f"{p} {v:.1f}" for p, v in onsets.items()))
    print(f"false alert onsets outside the windows: {false['onsets']} in {false['days']:.0f} series-days "
          f"({false['per_series_day']:.3f} per series-day)")
    if args.plots:
        threshold = ev.nab_score(series, default_scores)["threshold"]
        by_name = {s.name: i for i, s in enumerate(series)}
        for name in PLOTS:
            i = by_name[name]
            out = pathlib.Path(args.plots) / f"detection-{pathlib.Path(name).stem}.png"
            plot(out, series[i], default_scores[i], default_alerts[i], threshold)
            print(f"wrote {out}")


if __name__ == "__main__":
    main()
