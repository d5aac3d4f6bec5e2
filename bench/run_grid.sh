#!/usr/bin/env bash
# One benchmark run: the anchors (scipy, numpy, OpenCV; torch when importable;
# the hand-written FFTW overlap-save of ../shared/bench/fftw_ols.cpp) and
# faltung on the shared grid, back to back on the same machine, then the
# joined tables. Usage: bash bench/run_grid.sh [OUT_DIR]   (needs .venv with
# numpy, scipy and opencv-python-headless, and a built ./build).
#
# Tables written to OUT_DIR:
#   table-<group>.md      anchors beside faltung (auto, one thread)
#   methods-<group>.md    faltung's auto beside every forced method (auto's choice)
#   threads-<group>.md    faltung on one and two threads
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/$(date +%F)}
mkdir -p "$out"
shared=../shared/bench
py=.venv/bin/python
bench=./build/tools/faltung-bench/faltung-bench
"$py" -c 'import numpy, scipy, cv2, sys; print("python", sys.version.split()[0], "numpy", numpy.__version__, "scipy", scipy.__version__, "opencv", cv2.__version__)' | tee "$out/versions.txt"
dpkg-query -W -f='fftw ${Version}\n' libfftw3-dev | tee -a "$out/versions.txt"
g++ -O3 -march=native -fopenmp-simd "$shared/fftw_ols.cpp" -o "$out/fftw_ols" -lfftw3 -lfftw3f
for group in 1d 2d batched; do
  # The anchors time numpy/scipy: OpenBLAS tuning variables are unset here only.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    "$py" "$shared/anchors.py" "$group" > "$out/anchors-$group.jsonl"
  if [ "$group" = 1d ]; then "$out/fftw_ols" >> "$out/anchors-$group.jsonl"; fi
  "$bench" --perf --grid "$shared/grid.json" --group "$group" --threads 1 --max-seconds 10 \
    > "$out/faltung-$group.jsonl"
  "$bench" --perf --grid "$shared/grid.json" --group "$group" --threads 1 --max-seconds 3 \
    --method auto,direct,fft,overlap_save,separable > "$out/methods-$group.jsonl"
  "$bench" --perf --grid "$shared/grid.json" --group "$group" --threads 2 --max-seconds 10 \
    > "$out/faltung2-$group.jsonl"
  "$py" "$shared/table.py" "$out/anchors-$group.jsonl" "$out/faltung-$group.jsonl" > "$out/table-$group.md"
  "$py" "$shared/table.py" "$out/methods-$group.jsonl" > "$out/methods-$group.md"
  "$py" "$shared/table.py" "$out/faltung-$group.jsonl" "$out/faltung2-$group.jsonl" > "$out/threads-$group.md"
done
rm -f "$out/fftw_ols"
# The machine's limits and the direct method's share of them, in the same run.
g++ -O3 -march=native "$shared/peak.cpp" -o "$out/peak" && "$out/peak" | tee "$out/peak.txt"
rm -f "$out/peak"
"$bench" --perf --table --method direct --file bench/peak_1d.txt | tee "$out/direct-1d-efficiency.txt"
cat "$out"/table-*.md
