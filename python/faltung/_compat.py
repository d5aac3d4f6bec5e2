"""Helpers shared by the scipy-compatible namespaces: scipy's dtype rules on
top of the engine's float/complex computation."""
from __future__ import annotations

import numpy as np

from ._engine import compute_dtype


def cast_like_scipy_signal(y: np.ndarray, result_type: np.dtype) -> np.ndarray:
    """scipy.signal returns the inputs' result type: integers rounded (exact
    for sums below 2**53), bools as "any product non-zero"."""
    if y.dtype == result_type:
        return y
    if result_type.kind == "b":
        return np.abs(y) > 0.5
    if result_type.kind in "iu":
        return _wrap_to_int(np.around(y), result_type)
    return y.astype(result_type)


def cast_like_ndimage(y: np.ndarray, output: np.ndarray) -> None:
    """Stores y in ndimage's output array: integer outputs truncate toward
    zero and wrap around like a C cast, as scipy.ndimage's do."""
    if output.dtype.kind in "iu" and y.dtype.kind == "f":
        output[...] = _wrap_to_int(np.trunc(y), output.dtype)
    elif output.dtype.kind == "b":
        output[...] = y != 0
    else:
        output[...] = y


def _wrap_to_int(y: np.ndarray, dtype: np.dtype) -> np.ndarray:
    finite = np.isfinite(y)
    if not finite.all():
        y = np.where(finite, y, 0)
    return y.astype(np.int64).astype(dtype)


def signal_compute_dtype(a: np.ndarray, b: np.ndarray):
    """(compute dtype, result dtype) of a scipy.signal call on a and b."""
    result_type = np.result_type(a, b)
    if not result_type.isnative:
        result_type = result_type.newbyteorder("=")
    if result_type.kind not in "biufc":
        raise TypeError(f"faltung cannot convolve arrays of dtype {result_type}")
    return compute_dtype(result_type), result_type
