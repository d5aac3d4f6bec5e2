"""Ratios for docs/performance.md from one bench/run_grid.sh output folder:
faltung (auto, one thread) against the best anchor per case, the 1-D geometric
mean against the best of scipy/numpy/torch, auto against the best forced
method, and the two-thread speedup. Usage: python bench/summarize.py OUT_DIR"""
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from jsonl import load_seconds  # noqa: E402

out = pathlib.Path(sys.argv[1])


def load(pattern):
    return load_seconds(out, pattern)


anchors, faltung = load("anchors-*.jsonl"), load("faltung-*.jsonl")
methods, two = load("methods-*.jsonl"), load("faltung2-*.jsonl")

print("## faltung (auto, 1 thread) against the anchors\n")
print("| case | faltung ms | best anchor | anchor ms | faltung faster by |")
print("|---|---|---|---|---|")
geo = []
for case, d in faltung.items():
    if "faltung" not in d or case not in anchors:
        continue
    a = anchors[case]
    best = min(a, key=a.get)
    print(f"| {case} | {d['faltung']*1e3:.3g} | {best} | {a[best]*1e3:.3g} | {a[best]/d['faltung']:.2f}x |")
    if case.startswith("1d"):
        py = [v for s, v in a.items() if s.startswith(("scipy", "numpy", "torch"))]
        if py:
            geo.append(min(py) / d["faltung"])
if geo:
    print(f"\n1-D geometric mean against the best of scipy/numpy/torch: "
          f"{math.exp(sum(map(math.log, geo)) / len(geo)):.1f}x over {len(geo)} cases")

print("\n## auto against the best forced method (1 thread)\n")
print("| case | auto ms | best forced | forced ms | auto / best |")
print("|---|---|---|---|---|")
for case, d in methods.items():
    forced = {s: v for s, v in d.items() if s != "faltung"}
    if "faltung" not in d or not forced:
        continue
    best = min(forced, key=forced.get)
    print(f"| {case} | {d['faltung']*1e3:.3g} | {best} | {forced[best]*1e3:.3g} | {d['faltung']/forced[best]:.2f} |")

print("\n## two threads against one (auto)\n")
print("| case | 1 thread ms | 2 threads ms | speedup |")
print("|---|---|---|---|")
for case, d in faltung.items():
    t2 = [v for s, v in two.get(case, {}).items()]
    if "faltung" in d and t2:
        print(f"| {case} | {d['faltung']*1e3:.3g} | {t2[0]*1e3:.3g} | {d['faltung']/t2[0]:.2f}x |")
