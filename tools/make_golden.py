#!/usr/bin/env python3
"""Makes tests/data/golden.json: small conformance cases whose expected
outputs are computed by the reference systems themselves (scipy.signal,
numpy, scipy.ndimage, astropy) in the project's .venv, with their versions
recorded in `generated_with`.

    .venv/bin/python tools/make_golden.py [-o tests/data/golden.json] [--seed 20261203]

The format is the one of ../shared/conformance/ (its README): each case has
`family` (signal | filter | nan), `reference` (the function that made `y`),
`params` in that function's own vocabulary, and arrays `x`, `k`, `y` as
{shape, dtype, data, nonfinite} (null where not finite) or, complex,
{shape, dtype, re, im}. Inputs are integer-valued, so the direct method must
match exactly and FFT methods to rounding. The tests (tests/test_golden.cpp,
python/tests/test_golden.py) read the file from the repository, so they
pass on a clone with nothing beside it; run this again to refresh it
against newer reference releases.
"""
from __future__ import annotations

import argparse
import json
import math
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
SIGNAL_SHAPES = [((7,), (4,)), ((9,), (3,)), ((5,), (6,)), ((12,), (1,)), ((6, 7), (3, 2)), ((5, 4), (2, 2)),
                 ((4, 5, 3), (2, 3, 2))]
FILTER_1D_SHAPES = [((5,), (3,)), ((7,), (4,)), ((3,), (7,)), ((10,), (5,)), ((2,), (6,)), ((1,), (3,))]
FILTER_ND_SHAPES = [((6, 5), (3, 3)), ((4, 7), (2, 3)), ((5, 5), (4, 1))]
NDIMAGE_MODES = ["reflect", "mirror", "nearest", "wrap", "constant"]
CVAL = 1.5


def encode(a: np.ndarray) -> dict:
    a = np.asarray(a)
    out = {"shape": list(a.shape), "dtype": str(a.dtype)}
    flat = a.reshape(-1)
    if np.iscomplexobj(a):
        out["re"] = [float(v) for v in flat.real]
        out["im"] = [float(v) for v in flat.imag]
        return out
    values = flat.astype(np.float64)
    out["data"] = [float(v) if math.isfinite(v) else None for v in values]
    out["nonfinite"] = [i for i, v in enumerate(values) if not math.isfinite(v)]
    return out


def integers(rng, shape, dtype) -> np.ndarray:
    re = rng.integers(-5, 6, size=shape).astype(np.float64)
    if np.dtype(dtype).kind == "c":
        return (re + 1j * rng.integers(-5, 6, size=shape)).astype(dtype)
    return re.astype(dtype)


def case(family, reference, params, x, k, y, note=""):
    return {"family": family, "reference": reference, "params": params, "x": encode(x), "k": encode(k),
            "y": encode(y), "note": note}


def signal_cases(rng):
    import scipy.signal as ss
    out = []
    for dtype in ("float64", "float32", "complex128"):
        for xs, ks in SIGNAL_SHAPES:
            x, k = integers(rng, xs, dtype), integers(rng, ks, dtype)
            for mode in ("full", "same", "valid"):
                for name, fn in (("convolve", ss.convolve), ("correlate", ss.correlate)):
                    params = {"mode": mode, "method": "direct"}
                    try:
                        y = fn(x, k, **params)
                    except ValueError:  # valid with neither input the larger in every axis
                        continue
                    out.append(case("signal", f"scipy.signal.{name}", params, x, k, y))
    x, k = integers(rng, (7,), "float64"), integers(rng, (4,), "float64")
    for mode in ("full", "same", "valid"):
        out.append(case("signal", "numpy.convolve", {"mode": mode}, x, k, np.convolve(x, k, mode)))
    x, k = integers(rng, (3, 10), "float64"), integers(rng, (1, 4), "float64")
    for mode in ("full", "same", "valid"):
        params = {"mode": mode, "axes": [1]}
        # Integer inputs: the exact output is integral, and the FFT's ~1e-15
        # of noise is rounded away (so every method can be held to it).
        y = ss.fftconvolve(x, k, **params)
        assert np.abs(y - np.round(y)).max() < 1e-9
        out.append(case("signal", "scipy.signal.fftconvolve", params, x, k, np.round(y),
                        "scipy's output rounded to the integers it approximates"))
    return out


def filter_cases(rng):
    import scipy.ndimage as nd
    out = []
    for xs, ks in FILTER_1D_SHAPES:
        x, k = integers(rng, xs, "float64"), integers(rng, ks, "float64")
        m = ks[0]
        origins = sorted({-(m // 2), 0, (m - 1) // 2})
        for mode in NDIMAGE_MODES:
            for origin in origins:
                params = {"mode": mode, "origin": origin}
                if mode == "constant":
                    params["cval"] = CVAL
                for name, fn in (("convolve1d", nd.convolve1d), ("correlate1d", nd.correlate1d)):
                    out.append(case("filter", f"scipy.ndimage.{name}", params, x, k, fn(x, k, **params)))
    for xs, ks in FILTER_ND_SHAPES:
        x, k = integers(rng, xs, "float64"), integers(rng, ks, "float64")
        for mode in NDIMAGE_MODES:
            params = {"mode": mode, "origin": 0}
            for name, fn in (("convolve", nd.convolve), ("correlate", nd.correlate)):
                out.append(case("filter", f"scipy.ndimage.{name}", params, x, k, fn(x, k, **params)))
    return out


def nan_cases(rng):
    from astropy.convolution import convolve
    out = []
    x = integers(rng, (10,), "float64")
    x[[2, 6, 7]] = np.nan
    k = np.array([1.0, 2.0, 1.0])
    note = ("astropy boundary fill/extend/wrap = faltung constant(0)/nearest/wrap with nan=ignore and a kernel "
            "normalised to sum 1")
    for boundary in ("fill", "extend", "wrap"):
        params = {"boundary": boundary, "nan_treatment": "interpolate", "normalize_kernel": True}
        y = convolve(x, k, boundary=boundary, fill_value=0.0, nan_treatment="interpolate", normalize_kernel=True)
        out.append(case("nan", "astropy.convolution.convolve", params, x, k, y, note))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default=str(ROOT / "tests" / "data" / "golden.json"))
    ap.add_argument("--seed", type=int, default=20261203)
    args = ap.parse_args()
    import astropy
    import scipy
    rng = np.random.default_rng(args.seed)
    cases = signal_cases(rng) + filter_cases(rng) + nan_cases(rng)
    doc = {"generated_with": {"scipy": scipy.__version__, "numpy": np.__version__, "astropy": astropy.__version__,
                              "seed": args.seed, "script": "tools/make_golden.py"},
           "cases": cases}
    path = pathlib.Path(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"{path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
