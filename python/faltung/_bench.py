"""faltung bench: the shared grid timed through the Python API, printed as
the JSON lines of ../shared/bench ({"group","case","system","seconds",
"gflops"}), with the anchors' case strings and timing rule, so that
../shared/bench/table.py joins them with anchors.py's output."""
from __future__ import annotations

import json
import os
import pathlib
import sys
import time

import numpy as np

from ._files import UserError


def _find_grid(path):
    if path:
        if not os.path.exists(path):
            raise UserError(f"{path}: no such grid file")
        return pathlib.Path(path)
    candidates = []
    if os.environ.get("FALTUNG_SHARED_DIR"):
        candidates.append(pathlib.Path(os.environ["FALTUNG_SHARED_DIR"]) / "bench" / "grid.json")
    here = pathlib.Path(__file__).resolve()
    candidates += [parent.parent / "shared" / "bench" / "grid.json" for parent in here.parents]
    candidates += [pathlib.Path.cwd() / "../shared/bench/grid.json"]
    for c in candidates:
        if c.exists():
            return c
    raise UserError("no grid.json found: give --grid FILE (the shared grid is ../shared/bench/grid.json)")


def _timeit(fn, budget, max_reps):
    """The anchors' rule (anchors.py): warm up, then the best of up to
    max_reps runs that fit in the budget."""
    fn()
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    best = first
    for _ in range(max(1, min(max_reps, int(budget / max(first, 1e-9))))):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _cases(grid, groups, threads):
    """(group, case string, system, call, direct flops, max reps) per case."""
    import faltung
    from faltung import ndimage, signal
    rng = np.random.default_rng(0)
    suffix = "" if threads == 1 else f" {threads} threads"
    for group in groups:
        for c in grid[group]:
            if group == "1d":
                n, m, dt, mode = c["n"], c["m"], c["dtype"], c["mode"]
                x, k = rng.standard_normal(n).astype(dt), rng.standard_normal(m).astype(dt)
                out = {"full": n + m - 1, "same": n, "valid": n - m + 1}[mode]
                if threads == 1:
                    call = lambda x=x, k=k, mode=mode: signal.convolve(x, k, mode=mode)
                    system = "faltung.signal.convolve"
                else:
                    call = lambda x=x, k=k, mode=mode: faltung.convolve(x, k, mode=mode, threads=threads)
                    system = "faltung.convolve"
                yield group, f"1d n={n} m={m} {dt} {mode}", system + suffix, call, 2.0 * out * m, 50
            elif group == "2d":
                H, W, kh, kw, dt = c["H"], c["W"], c["kh"], c["kw"], c["dtype"]
                x, k = rng.standard_normal((H, W)).astype(dt), rng.standard_normal((kh, kw)).astype(dt)
                if threads == 1:
                    call, system = (lambda x=x, k=k: signal.convolve(x, k, mode="same")), "faltung.signal.convolve"
                else:
                    call = lambda x=x, k=k: faltung.convolve(x, k, mode="same", threads=threads)
                    system = "faltung.convolve"
                yield group, f"2d {H}x{W} k={kh}x{kw} {dt} same", system + suffix, call, 2.0 * H * W * kh * kw, 10
            else:
                S, L, m, dt = c["series"], c["length"], c["m"], c["dtype"]
                x, k = rng.standard_normal((S, L)).astype(dt), rng.standard_normal(m).astype(dt)
                if threads == 1:
                    call = lambda x=x, k=k: ndimage.convolve1d(x, k, axis=-1, mode="constant")
                    system = "faltung.ndimage.convolve1d"
                else:
                    call = lambda x=x, k=k: faltung.convolve(x, k, mode="same", threads=threads)
                    system = "faltung.convolve"
                yield group, f"batched {S}x{L} m={m} {dt} same", system + suffix, call, 2.0 * S * L * m, 10


def run_grid(path, groups, threads, budget, progress):
    grid = json.loads(_find_grid(path).read_text())
    for g in groups:
        if g not in grid:
            raise UserError(f"the grid has no group '{g}' (it has {', '.join(k for k in grid if k != 'about')})")
    cases = list(_cases(grid, groups, threads))
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        from tqdm import tqdm
        cases = tqdm(cases, desc="bench", unit="case", file=sys.stderr)
    for group, case, system, call, flops, reps in cases:
        seconds = _timeit(call, budget, reps)
        print(json.dumps({"group": group, "case": case, "system": system, "seconds": seconds,
                          "gflops": round(flops / seconds / 1e9, 4), "threads": threads}), flush=True)
