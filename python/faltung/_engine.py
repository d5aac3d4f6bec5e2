"""Shared plumbing between the Python API and the C++ engine (faltung._core).

The engine computes float32, float64, complex64 and complex128 on
C-contiguous arrays. Everything here turns user arguments into that: enum
codes, dtypes, and arrays cast only when they have to be.
"""
from __future__ import annotations

import numpy as np

from . import _core

# Codes of the C++ enums, name -> code, from the engine's own tables
# (faltung::enum_names: include/faltung/problem.hpp, plan.hpp), so a name
# is never typed twice; python/tests/test_enum_tables.py pins them.
_NAMES = _core.enum_names()
OPS, MODES, BOUNDARIES, NAN_POLICIES, METHODS = (
    {name: code for code, name in enumerate(_NAMES[table])} for table in ("op", "mode", "boundary", "nan", "method"))

ENGINE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex64), np.dtype(np.complex128))


def code(table: dict, value, what: str) -> int:
    """The enum code of `value`, or a ValueError listing the accepted names."""
    try:
        return table[value]
    except (KeyError, TypeError):
        raise ValueError(f"{what} must be one of {', '.join(map(repr, table))}; got {value!r}") from None


def compute_dtype(*dtypes) -> np.dtype:
    """The engine dtype that holds every input without loss: float32 stays
    float32, integers and bools go to float64, float16 to float32."""
    result = np.result_type(*dtypes)
    if not result.isnative:  # big-endian data computes in the native order
        result = result.newbyteorder("=")
    if result in ENGINE_DTYPES:
        return result
    if result.kind in "biu":
        return np.dtype(np.float64)
    if result.kind == "f" and result.itemsize < 4:
        return np.dtype(np.float32)
    if result.kind == "c" and result.itemsize > 16 or result.kind == "f" and result.itemsize > 8:
        raise TypeError(f"faltung computes in at most 64-bit floats; {result} would lose precision silently")
    raise TypeError(f"faltung cannot convolve arrays of dtype {result}")


def engine_arrays(x, k):
    """x and k as arrays of their common compute dtype (no copy when they
    already have it)."""
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    if type(k) is not np.ndarray:
        k = np.asarray(k)
    if x.dtype is k.dtype and x.dtype in ENGINE_DTYPES:
        return x, k
    dtype = compute_dtype(x.dtype, k.dtype)
    return as_engine_array(x, dtype), as_engine_array(k, dtype)


def as_engine_array(a, dtype: np.dtype) -> np.ndarray:
    """`a` as a `dtype` array; no copy when it already is one (strided views
    are copied by the engine binding, only if not C-contiguous)."""
    if type(a) is np.ndarray and a.dtype is dtype:
        return a
    return np.asarray(a, dtype=dtype)


def per_axis_list(value, what: str) -> list:
    if value is None:
        return []
    if np.ndim(value) == 0:
        return [value]
    return list(value)


def boundary_codes(boundary, table=BOUNDARIES, what="boundary") -> list:
    """Boundary codes, one or one per axis; [] when all are constant (the
    engine's default)."""
    if isinstance(boundary, str):
        codes = [code(table, boundary, what)]
    else:
        codes = [code(table, b, what) for b in boundary]
    return codes if any(codes) else []


def method_code(method: str) -> int:
    return code(METHODS, method, "method")


def check_threads(threads) -> int:
    if type(threads) is int and threads >= 0:
        return threads
    if not isinstance(threads, (int, np.integer)) or isinstance(threads, bool) or threads < 0:
        raise ValueError(f"threads must be an int >= 0 (0 = every hardware thread); got {threads!r}")
    return int(threads)


def call_options(*, filter_family=False, boundary=(), cval=0.0, origin=(), axes=(), nan=0, fill=0.0):
    """The engine's CallOptions, or None when every value is the default (the
    cheap path: the common call converts four ints)."""
    if not (filter_family or boundary or cval or origin or axes or nan or fill):
        return None
    o = _core.CallOptions()
    o.filter_family = filter_family
    o.boundary = list(boundary)
    o.cval = float(cval)
    o.origin = list(origin)
    o.axes = list(axes)
    o.nan = nan
    o.fill = float(fill)
    return o


def run(op, x, k, *, mode=0, method=0, threads=1, out=None, **options):
    """One engine call on arrays that already have the compute dtype."""
    return _core.run(op, x, k, mode, method, threads, call_options(**options), out)
