"""The golden cases (tests/data/golden.json, made by tools/make_golden.py) through the
Python API: scipy-compatible namespaces for scipy's and numpy's cases, the
native API (nan="ignore") for astropy's."""
import faltung
import numpy as np
from conftest import assert_matches, decode
from faltung import ndimage as fnd
from faltung import signal as fsig

ASTROPY_BOUNDARY = {"fill": "constant", "extend": "nearest", "wrap": "wrap"}


def run_case(case):
    x, k = decode(case["x"]), decode(case["k"])
    p = dict(case["params"])
    ref = case["reference"]
    if ref == "scipy.signal.convolve":
        return fsig.convolve(x, k, **p)
    if ref == "scipy.signal.correlate":
        return fsig.correlate(x, k, **p)
    if ref == "scipy.signal.fftconvolve":
        return fsig.fftconvolve(x, k, **p)
    if ref == "numpy.convolve":
        mode = p["mode"]
        # numpy.convolve's 'same' is as long as the longer input
        a, b = (x, k) if x.size >= k.size else (k, x)
        return fsig.convolve(a, b, mode=mode)
    if ref.startswith("scipy.ndimage."):
        return getattr(fnd, ref.rsplit(".", 1)[1])(x, k, **p)
    if ref == "astropy.convolution.convolve":
        assert p["normalize_kernel"] and p["nan_treatment"] == "interpolate"
        return faltung.convolve(x, k / k.sum(), mode="same", boundary=ASTROPY_BOUNDARY[p["boundary"]], nan="ignore")
    raise AssertionError(f"no mapping for {ref}")


def test_golden_cases(golden_cases):
    failures = []
    for i, case in enumerate(golden_cases):
        x, k, y = decode(case["x"]), decode(case["k"]), decode(case["y"])
        context = f"golden case {i}: {case['reference']} {case['params']} x={x.shape} k={k.shape} {x.dtype}"
        try:
            got = run_case(case)
            finite = np.isfinite(y)
            assert np.array_equal(np.isfinite(got), finite), f"non-finite outputs differ: {context}"
            assert_matches(np.where(finite, got, 0), np.where(finite, y, 0), np.nan_to_num(x), k, context,
                           dtype=y.dtype)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, f"{len(failures)} of {len(golden_cases)} golden cases fail:\n" + "\n".join(failures[:20])
    assert len(golden_cases) >= 300
