#!/usr/bin/env bash
# faltung from Python beside the anchors and the C++ engine, in one run on
# one machine: for each grid group, anchors.py (scipy, numpy, OpenCV),
# faltung-bench (C++, auto, one thread) and `faltung bench` (the Python API),
# joined by ../shared/bench/table.py; then the per-call overhead.
# Usage: bash bench/run_python_grid.sh [OUT_DIR]   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/$(date +%F)-python}
mkdir -p "$out"
shared=../shared/bench
py=.venv/bin/python
bench=./build/tools/faltung-bench/faltung-bench
"$py" -c 'import numpy, scipy, cv2, sys, faltung; print("python", sys.version.split()[0], "numpy", numpy.__version__, "scipy", scipy.__version__, "opencv", cv2.__version__, "faltung", faltung.__version__)' | tee "$out/versions.txt"
for group in 1d 2d batched; do
  # The anchors time numpy/scipy: OpenBLAS tuning variables are unset here only.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    "$py" "$shared/anchors.py" "$group" > "$out/anchors-$group.jsonl"
  "$bench" --perf --grid "$shared/grid.json" --group "$group" --threads 1 --max-seconds 10 \
    > "$out/faltung-cpp-$group.jsonl"
  .venv/bin/faltung bench --grid "$shared/grid.json" --group "$group" --no-progress \
    > "$out/faltung-python-$group.jsonl"
  "$py" "$shared/table.py" "$out/anchors-$group.jsonl" "$out/faltung-cpp-$group.jsonl" \
    "$out/faltung-python-$group.jsonl" > "$out/table-$group.md"
done
"$py" bench/summarize_python.py "$out" | tee "$out/summary.md"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
  "$py" bench/python_overhead.py --faltung-bench "$bench" | tee "$out/overhead.jsonl"
