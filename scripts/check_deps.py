#!/usr/bin/env python3
"""Checks every #include "..." against the dependency rule of docs/architecture.md.

Apps (tools/, python/, service/) see only include/faltung; tests/ and bench/ may
reach anywhere (docs/architecture.md). Inside src/:
planner -> algorithms -> simd -> core; reference -> core; stream -> algorithms;
signal -> planner, stream. Every layer may use core (the shared base: shapes,
aligned arrays, text, threads); each arrow reaches the layers below its
target only through the chain's own layers as listed. Exits 1 listing each
violation."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
ALLOWED = {  # layer -> layers it may include (besides itself and the public faltung/)
    "core": set(),
    "simd": {"core"},
    "reference": {"core"},
    "algorithms": {"simd", "core"},
    "planner": {"algorithms", "reference", "simd", "core"},
    "stream": {"algorithms", "simd", "core"},
    "signal": {"planner", "stream", "core"},  # not algorithms: the planner chooses transforms
    "nn": {"planner", "algorithms", "simd", "core"},
}
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
violations = []
for path in sorted(root.glob("src/**/*")):
    if path.suffix not in {".hpp", ".cpp", ".h", ".cc"}:
        continue
    layer = path.relative_to(root / "src").parts[0]
    if layer not in ALLOWED:
        violations.append(f"{path.relative_to(root)}: layer '{layer}' is not in the rule; add it to {__file__}")
        continue
    for target in include.findall(path.read_text()):
        top = target.split("/")[0]
        if top == "faltung" or top == layer or top in ALLOWED[layer]:
            continue
        if top == "hwy":  # Highway's own foreach_target re-inclusion
            continue
        violations.append(f"{path.relative_to(root)}: {layer} may not include \"{target}\"")
for app in ("tools", "python", "service"):
    for path in sorted((root / app).glob("**/*")):
        if path.suffix not in {".hpp", ".cpp", ".h", ".cc"}:
            continue
        for target in include.findall(path.read_text()):
            if target.startswith("faltung/") or (path.parent / target).exists():
                continue
            if target.endswith(".pb.h"):  # a protobuf header the build generates from the app's .proto
                continue
            violations.append(f"{path.relative_to(root)}: an app may include only faltung/... (got \"{target}\")")
for path in sorted((root / "include").glob("**/*.hpp")):
    for target in include.findall(path.read_text()):
        if not target.startswith("faltung/"):
            violations.append(f"{path.relative_to(root)}: a public header may include only faltung/... (got \"{target}\")")
for v in violations:
    print(v)
print(f"dependency rule: {len(violations)} violation(s)")
sys.exit(1 if violations else 0)
