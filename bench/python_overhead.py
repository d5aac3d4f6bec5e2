"""Per-call overhead of faltung from Python (issue: at most 1 us over the C++
time; faltung.signal.convolve on n=1000, m=3 float64 faster than
numpy.convolve). Prints one JSON line per system with the median of 9
timeit repeats (seconds per call), then the overheads.

    .venv/bin/python bench/python_overhead.py [--faltung-bench build/tools/faltung-bench/faltung-bench]
"""
import argparse
import json
import statistics
import subprocess
import timeit

import faltung
import numpy as np
import scipy.signal
from faltung import _core, signal


def per_call(stmt, number=20000, repeat=9):
    times = timeit.repeat(stmt, number=number, repeat=repeat)
    return statistics.median(times) / number


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--faltung-bench", default="build/tools/faltung-bench/faltung-bench")
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("-m", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x, k = rng.standard_normal(args.n), rng.standard_normal(args.m)
    out = np.empty(args.n + args.m - 1)
    rows = {
        "numpy.convolve": per_call(lambda: np.convolve(x, k)),
        "scipy.signal.convolve": per_call(lambda: scipy.signal.convolve(x, k), number=2000),
        "faltung.signal.convolve": per_call(lambda: signal.convolve(x, k)),
        "faltung.convolve": per_call(lambda: faltung.convolve(x, k)),
        "faltung.convolve(out=)": per_call(lambda: faltung.convolve(x, k, out=out)),
        "faltung._core.run": per_call(lambda: _core.run(0, x, k, 0, 0, 1, None, None)),
    }
    problem = f"op=conv dtype=f64 x={args.n} k={args.m}"
    done = subprocess.run([args.faltung_bench, "--perf", "--budget", "1", problem], capture_output=True, text=True,
                          check=True)
    rows["C++ Plan::execute (faltung-bench)"] = json.loads(done.stdout.splitlines()[0])["seconds"]
    case = f"1d n={args.n} m={args.m} float64 full"
    for system, seconds in rows.items():
        print(json.dumps({"group": "python-overhead", "case": case, "system": system, "seconds": seconds}))
    cpp = rows["C++ Plan::execute (faltung-bench)"]
    for system in ("faltung.signal.convolve", "faltung.convolve", "faltung._core.run"):
        print(f"# {system}: {1e6 * (rows[system] - cpp):.2f} us over the C++ time")
    print(f"# faltung.signal.convolve / numpy.convolve: "
          f"{rows['faltung.signal.convolve'] / rows['numpy.convolve']:.2f}")


if __name__ == "__main__":
    main()
