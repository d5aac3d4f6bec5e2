"""Ratios for docs/performance.md from one bench/run_python_grid.sh folder:
per case, the best anchor, faltung's C++ engine and faltung from Python, and
whether Python keeps the engine's ratio. Usage: python bench/summarize_python.py OUT_DIR"""
import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from jsonl import load_seconds  # noqa: E402

out = pathlib.Path(sys.argv[1])


def load(pattern):
    return load_seconds(out, pattern)


anchors, cpp, python = load("anchors-*.jsonl"), load("faltung-cpp-*.jsonl"), load("faltung-python-*.jsonl")
print("## faltung from Python against the anchors and the C++ engine (one thread)\n")
print("| case | best anchor | anchor ms | C++ ms | Python ms | anchor / C++ | anchor / Python | Python / C++ |")
print("|---|---|---|---|---|---|---|---|")
slowdowns = []
for case, systems in python.items():
    if case not in anchors or case not in cpp or "faltung" not in cpp[case]:
        continue
    a = anchors[case]
    best = min(a, key=a.get)
    c = cpp[case]["faltung"]
    p = min(systems.values())
    slowdowns.append(p / c)
    print(f"| {case} | {best} | {a[best]*1e3:.3g} | {c*1e3:.3g} | {p*1e3:.3g} | {a[best]/c:.2f}x | "
          f"{a[best]/p:.2f}x | {p/c:.3f} |")
if slowdowns:
    geo = math.exp(sum(map(math.log, slowdowns)) / len(slowdowns))
    print(f"\nPython / C++ time: geometric mean {geo:.3f}, worst {max(slowdowns):.3f} over {len(slowdowns)} cases")
