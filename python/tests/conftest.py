"""Shared fixtures of the Python tests: the tolerance rule, seeds, layouts.

Seeded sweeps take FALTUNG_TEST_SEED (default: fixed, so CI is
reproducible) and print the seed and the call on failure.
"""
from __future__ import annotations

import json
import math
import os
import pathlib

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def sweep_seed(default: int) -> int:
    return int(os.environ.get("FALTUNG_TEST_SEED", default))


def golden_path() -> pathlib.Path:
    """The golden cases in the repository (tools/make_golden.py made them)."""
    return REPO / "tests" / "data" / "golden.json"


@pytest.fixture(scope="session")
def golden_cases():
    path = golden_path()
    if not path.exists():
        pytest.fail(f"golden cases not found at {path} (tools/make_golden.py makes them)")
    return json.loads(path.read_text())["cases"]


def decode(a: dict) -> np.ndarray:
    """An array of golden.json: {shape, dtype, data | re, im, nonfinite}."""
    dtype = np.dtype(a["dtype"])
    if "re" in a:
        values = np.array([complex(r if r is not None else np.nan, i if i is not None else np.nan)
                           for r, i in zip(a["re"], a["im"])], dtype=dtype)
    else:
        values = np.array([np.nan if v is None else v for v in a["data"]], dtype=dtype)
    return values.reshape(a["shape"])


def eps(dtype) -> float:
    dtype = np.dtype(dtype)
    if dtype.kind in "fc":
        return float(np.finfo(dtype).eps)
    return float(np.finfo(np.float64).eps)


def normwise_bound(x, k, dtype, c=16.0) -> float:
    """SEMANTICS.md's FFT rule, c * eps * log2(L) * ||x||_2 * ||w||_2, used for
    every comparison with scipy (which may itself use an FFT)."""
    length = max(2, np.size(x) + np.size(k))
    return c * eps(dtype) * math.log2(length) * _norm(x) * _norm(k)


def _norm(a) -> float:
    """||a||_2 without underflow (1e-183 squared is 0 in float64)."""
    a = np.abs(np.asarray(a, dtype=np.complex128 if np.iscomplexobj(a) else np.float64)).ravel()
    scale = a.max(initial=0.0)
    return 0.0 if scale == 0 else float(scale * np.sqrt(np.sum((a / scale) ** 2)))


def assert_matches(actual, expected, x, k, context: str, dtype=None):
    """Same shape and dtype as scipy's result, values within the tolerance rule;
    fails with `context` (the seed and the call) in the message."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} != scipy's {expected.shape}: {context}"
    assert actual.dtype == expected.dtype, f"dtype {actual.dtype} != scipy's {expected.dtype}: {context}"
    if expected.size == 0:
        return
    if expected.dtype.kind in "biu":
        assert np.array_equal(actual, expected), f"integer results differ: {context}"
        return
    # scipy computes mixed float32/float64 FFTs partly in float32: the bound
    # takes the least precise float among the operands and the result.
    floats = [d for d in (np.asarray(x).dtype, np.asarray(k).dtype, expected.dtype) if d.kind in "fc"]
    bound = normwise_bound(x, k, dtype or max(floats, key=eps))
    err = np.max(np.abs(actual.astype(np.complex128) - expected.astype(np.complex128)))
    assert err <= bound, f"max error {err:.3g} > bound {bound:.3g}: {context}"


def random_array(rng, shape, dtype, low=-3, high=4):
    """Values that are exact in every dtype (small integers), or normal floats."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.kind in "iu":
        return rng.integers(0 if dtype.kind == "u" else low, high, size=shape).astype(dtype)
    values = rng.standard_normal(shape)
    if dtype.kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(dtype)


def random_layout(rng, a: np.ndarray):
    """`a` as a C-contiguous array, a transposed view, a sliced view or a
    reversed view (same values, other strides), and the layout's name."""
    layout = rng.choice(["contiguous", "transposed", "sliced", "reversed"])
    if layout == "transposed" and a.ndim >= 2:
        return np.ascontiguousarray(a.T).T, layout
    if layout == "sliced":
        big = np.zeros(tuple(2 * n for n in a.shape), dtype=a.dtype)
        big[tuple(slice(None, None, 2) for _ in a.shape)] = a
        return big[tuple(slice(None, None, 2) for _ in a.shape)], layout
    if layout == "reversed":
        flipped = np.ascontiguousarray(a[(slice(None, None, -1),) * a.ndim])
        return flipped[(slice(None, None, -1),) * a.ndim], layout
    return np.ascontiguousarray(a), "contiguous"


def random_axes(rng, ndim: int) -> list:
    """A random non-empty, sorted subset of range(ndim)."""
    return sorted(rng.choice(ndim, size=int(rng.integers(1, ndim + 1)), replace=False).tolist())
