#!/usr/bin/env python3
"""Checks faltung.evaluate's NAB scorer against NAB's published table.

    .venv/bin/python bench/nab_reference_check.py [--nab ../shared/anomaly/nab-dev]

Scores the anomaly_score columns of NAB's own results for ARTime, numenta
(HTM) and windowedGaussian (reference/<detector>/<category>/<detector>_<file>.csv)
on the labelled series of the folder, with NAB's threshold optimised per
profile, and compares with the table of the folder's README (the numbers
NAB's scorer gives on these files). Exits 1 if any differs by more than 0.01.
"""
import argparse
import csv
import pathlib
import sys

import numpy as np
from faltung import evaluate as ev

# ../shared/anomaly/nab-dev/README.md: NAB's scores of its own detectors on the development half
PUBLISHED = {
    "ARTime": {"standard": 80.424, "reward_low_FP_rate": 71.610, "reward_low_FN_rate": 85.457},
    "numenta": {"standard": 72.765, "reward_low_FP_rate": 65.965, "reward_low_FN_rate": 76.868},
    "windowedGaussian": {"standard": 50.872, "reward_low_FP_rate": 31.130, "reward_low_FN_rate": 59.017},
}
TOLERANCE = 0.01


def reference_scores(root, detector, series):
    out = []
    for s in series:
        category, name = s.name.split("/")
        path = root / "reference" / detector / category / f"{detector}_{name}"
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        if len(rows) != len(s.values):
            sys.exit(f"{path}: {len(rows)} rows, the series has {len(s.values)}")
        out.append(np.array([float(r["anomaly_score"]) for r in rows]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nab", default=str(pathlib.Path(__file__).resolve().parents[2] / "shared/anomaly/nab-dev"))
    args = ap.parse_args()
    root = pathlib.Path(args.nab)
    series = ev.load_nab(root)
    failed = False
    print("| detector | profile | faltung.evaluate | NAB | threshold | windows hit | fp rows |")
    print("|---|---|---|---|---|---|---|")
    for detector, published in PUBLISHED.items():
        scores = reference_scores(root, detector, series)
        for profile, want in published.items():
            r = ev.nab_score(series, scores, profile)
            ok = abs(r["score"] - want) <= TOLERANCE
            failed |= not ok
            print(f"| {detector} | {profile} | {r['score']:.3f} | {want:.3f}{'' if ok else ' MISMATCH'} "
                  f"| {r['threshold']:.4f} | {r['tp']}/{r['windows']} | {r['fp']} |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
