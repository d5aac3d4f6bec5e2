#!/usr/bin/env bash
# The planner off the grid: 2-D shapes and kernel sizes the grid does not
# hold (where direct and the FFT methods cross), f32 and f64, one thread.
# Times auto beside every forced method and prints auto / best forced per
# case, the worst first. Usage: bash bench/auto_offgrid_2d.sh [OUT.jsonl]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/auto_offgrid_2d.jsonl}
problems=()
for dt in f32 f64; do
  for shape in 720x1280 1080x1920 600x600; do
    for k in 7 9 13 15 19 25; do problems+=("op=conv dtype=$dt x=$shape k=${k}x${k} mode=same"); done
  done
done
./build/tools/faltung-bench/faltung-bench --perf --threads 1 --max-seconds 2 \
  --method auto,direct,overlap_save,fft "${problems[@]}" > "$out"
.venv/bin/python - "$out" <<'PY'
import json, sys, collections
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[r["case"]][r["system"]] = (r["seconds"] * 1e3, r["method"])
rows = []
for case, systems in runs.items():
    auto_ms, chosen = systems["faltung"]
    forced = {s: v[0] for s, v in systems.items() if s != "faltung"}
    best = min(forced, key=forced.get)
    rows.append((auto_ms / forced[best], case, chosen, auto_ms, best, forced[best]))
print("| case | auto ms (method) | best forced | forced ms | auto / best |")
print("|---|---|---|---|---|")
for ratio, case, chosen, auto_ms, best, best_ms in sorted(rows, reverse=True):
    print(f"| {case} | {auto_ms:.3g} ({chosen}) | {best} | {best_ms:.3g} | {ratio:.2f} |")
PY
