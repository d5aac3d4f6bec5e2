#!/usr/bin/env bash
# The closest race on the grid: 2-D 3x3 and 5x5 float32 against cv2.filter2D
# (one thread), alternated 5 times in one run; prints the medians. cv2 is timed
# as anchors.py does (allocating its output) and writing into a preallocated
# dst=, which is what faltung-bench's plan.execute does.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
for round in 1 2 3 4 5; do
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 "$py" - <<'PY'
import json, time, numpy as np, cv2
cv2.setNumThreads(1)
rng = np.random.default_rng(0)
for k in (3, 5):
    x = rng.standard_normal((1080, 1920)).astype(np.float32); w = rng.standard_normal((k, k)).astype(np.float32)
    out = np.empty_like(x)
    for system, f in (("cv2.filter2D", lambda: cv2.filter2D(x, -1, w, borderType=cv2.BORDER_CONSTANT)),
                      ("cv2.filter2D(dst=)", lambda: cv2.filter2D(x, -1, w, dst=out, borderType=cv2.BORDER_CONSTANT))):
        f(); best = min((lambda t0: (f(), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(50))
        print(json.dumps({"case": f"2d 1080x1920 k={k}x{k} float32 same", "system": system, "seconds": best}))
PY
  ./build/tools/faltung-bench/faltung-bench --perf "op=conv dtype=f32 x=1080x1920 k=3x3 mode=same" \
    "op=conv dtype=f32 x=1080x1920 k=5x5 mode=same"
done | tee /tmp/median_small_2d.jsonl | "$py" -c '
import json, sys, statistics, collections
runs = collections.defaultdict(list)
for line in sys.stdin:
    r = json.loads(line); runs[(r["case"], r["system"].replace("faltung(direct)", "faltung"))].append(r["seconds"] * 1e3)
for case in sorted({c for c, _ in runs}):
    fa = statistics.median(runs[(case, "faltung")])
    for system in ("cv2.filter2D", "cv2.filter2D(dst=)"):
        cv = statistics.median(runs[(case, system)])
        print(f"{case}: {system} median {cv:.3f} ms, faltung median {fa:.3f} ms, faltung {cv / fa:.2f}x faster")
'
