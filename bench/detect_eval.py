#!/usr/bin/env python3
"""Scores faltung's detector and the reference detectors, as docs/detection.md reports.

    .venv/bin/python bench/detect_eval.py [--seed 1] [--repeats 3] [--nab PATH/TO/NAB]

Prints markdown tables: NAB-style scores (standard, low-FP and low-FN
profiles) of every detector at its default settings (and multiscale told
the corpus's daily period, as `faltung detect` does) on the labelled
synthetic corpus (faltung.evaluate.corpus), the same with the alert
threshold swept (the best a user could tune to), the detection rate of
the multiscale detector per baseline and anomaly kind, and false-positive
rates on long anomaly-free runs. With --nab, the same scores on the
Numenta Anomaly Benchmark's data and labels (a checkout kept outside this
repository).
"""
import argparse
import collections

import faltung
from faltung import evaluate as ev

KINDS = ("surprise", "multiscale", "zscore", "ewma", "holt")
THRESHOLDS = (0.1, 0.2, 0.3, 0.5, 0.65, 0.75, 0.85, 0.95)
DAY = 288  # the corpus's seasonal period: a day of 5-minute samples
# (label, kind, period): the detectors compared
ROWS = [("surprise, period 288", "surprise", DAY), ("multiscale, period 288", "multiscale", DAY)] + \
    [(kind, kind, 0) for kind in KINDS]


def detector(kind, set_score=0.75, period=0):
    return lambda: faltung.Detector(kind, period=period, set_score=set_score, clear_score=min(0.35, set_score))


def score_table(title, corpus):
    print(f"\n### {title}\n")
    print("NAB's rules on the score column (threshold optimised per profile), and the onset view "
          "(alert onsets as the only detections, not NAB's score):\n")
    print("| detector | standard | low FP | low FN | windows hit | fp rows | onsets: standard | "
          "false onsets per series-day |")
    print("|---|---|---|---|---|---|---|---|")
    for label, kind, period in ROWS:
        r = ev.evaluate(detector(kind, period=period), corpus)
        print(f"| {label} | {r['standard']:.1f} | {r['reward_low_FP_rate']:.1f} | {r['reward_low_FN_rate']:.1f} "
              f"| {r['tp']}/{r['windows']} | {r['fp']} | {r['onsets']['standard']:.1f} "
              f"| {r['false_onsets']['per_series_day']:.3f} |")
    print("\nOnset view with the alert threshold swept (set_score over "
          f"{', '.join(map(str, THRESHOLDS))}), standard profile:\n")
    print("| detector | best onset standard | at set_score |")
    print("|---|---|---|")
    for label, kind, period in ROWS:
        best = max((ev.evaluate(detector(kind, t, period), corpus, ("standard",))["onsets"]["standard"], t)
                   for t in THRESHOLDS)
        print(f"| {label} | {best[0]:.1f} | {best[1]} |")


def detection_rates(corpus, period):
    print(f"\n### surprise (the default), period {period}: alert onset inside the labelled window\n")
    found = collections.defaultdict(lambda: [0, 0])
    for s in corpus:
        if not s.windows:
            continue
        _, alert = faltung.Detector(period=period).process(s.values)
        baseline, anomaly, _ = s.name.split("/")
        hit = any(s.anomalies[0] <= i <= s.windows[0][1] for i in ev.alert_onsets(alert))
        found[(baseline, anomaly)][0] += hit
        found[(baseline, anomaly)][1] += 1
    print("| baseline | " + " | ".join(ev.ANOMALY_KINDS) + " |")
    print("|---" * (len(ev.ANOMALY_KINDS) + 1) + "|")
    for baseline in ev.BASELINES:
        cells = [f"{found[(baseline, a)][0]}/{found[(baseline, a)][1]}" for a in ev.ANOMALY_KINDS]
        print(f"| {baseline} | " + " | ".join(cells) + " |")


def false_positive_rates(seed, n=200_000):
    print(f"\n### Alert onsets on anomaly-free series ({n} samples each, NaN bursts included)\n")
    print("| baseline | " + " | ".join(label for label, _, _ in ROWS) + " |")
    print("|---" * (len(ROWS) + 1) + "|")
    for baseline in ev.BASELINES:
        s = ev.generate(None, baseline, n=n, seed=seed)
        cells = [str(len(ev.alert_onsets(faltung.Detector(kind, period=period).process(s.values)[1])))
                 for _, kind, period in ROWS]
        print(f"| {baseline} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--nab", default=None, help="root of a NAB checkout (data/, labels/combined_windows.json)")
    args = ap.parse_args()
    corpus = ev.corpus(seed=args.seed, repeats=args.repeats)
    windows = sum(len(s.windows) for s in corpus)
    score_table(f"Synthetic corpus: {len(corpus)} series of {len(corpus[0].values)} samples, {windows} anomalies "
                f"(seed {args.seed})", corpus)
    detection_rates(corpus, 0)
    detection_rates(corpus, DAY)
    false_positive_rates(args.seed)
    if args.nab:
        score_table(f"NAB corpus at {args.nab}", ev.load_nab(args.nab))


if __name__ == "__main__":
    main()
