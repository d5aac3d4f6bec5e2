#!/usr/bin/env bash
# One benchmark run: the anchors (scipy, numpy, OpenCV; torch when importable)
# and faltung on the shared grid, back to back on the same machine, then the
# joined table. Usage: bash bench/run_grid.sh [OUT_DIR]   (needs .venv with
# numpy, scipy and opencv-python-headless, and a built ./build).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/$(date +%F)}
mkdir -p "$out"
shared=../shared/bench
py=.venv/bin/python
"$py" -c 'import numpy, scipy, cv2, sys; print("python", sys.version.split()[0], "numpy", numpy.__version__, "scipy", scipy.__version__, "opencv", cv2.__version__)' | tee "$out/versions.txt"
for group in 1d 2d batched; do
  # The anchors time numpy/scipy: OpenBLAS tuning variables are unset here only.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    "$py" "$shared/anchors.py" "$group" > "$out/anchors-$group.jsonl"
  ./build/tools/faltung-bench/faltung-bench --perf --grid "$shared/grid.json" --group "$group" \
    --threads 1 --max-seconds 10 > "$out/faltung-$group.jsonl"
done
"$py" "$shared/table.py" "$out"/anchors-1d.jsonl "$out"/faltung-1d.jsonl > "$out/table-1d.md"
"$py" "$shared/table.py" "$out"/anchors-2d.jsonl "$out"/faltung-2d.jsonl > "$out/table-2d.md"
"$py" "$shared/table.py" "$out"/anchors-batched.jsonl "$out"/faltung-batched.jsonl > "$out/table-batched.md"
# The machine's limits and the direct method's share of them, in the same run.
g++ -O3 -march=native "$shared/peak.cpp" -o "$out/peak" && "$out/peak" | tee "$out/peak.txt"
rm -f "$out/peak"
./build/tools/faltung-bench/faltung-bench --perf --table --file bench/peak_1d.txt | tee "$out/direct-1d-efficiency.txt"
cat "$out"/table-*.md
