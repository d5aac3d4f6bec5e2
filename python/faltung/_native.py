"""The native API: every option of the engine, numpy arrays in and out.

Signal family (`convolve`, `correlate`): mode full/same/valid, zero boundary
unless told otherwise. Filter family (`filter`): output as large as the
input, centre tap M//2 + origin, symmetric boundary. Integer and bool inputs
are computed in float64, float16 in float32; float32 stays float32.
"""
from __future__ import annotations

import numpy as np

from . import _core
from ._engine import (
    MODES,
    NAN_POLICIES,
    OPS,
    as_engine_array,
    boundary_codes,
    call_options,
    check_threads,
    code,
    compute_dtype,
    engine_arrays,
    method_code,
    per_axis_list,
    run,
)

_ACCURACIES = ("normwise", "elementwise")


def _axes(axes, ndim):
    if axes is None:
        return []
    out = []
    for a in per_axis_list(axes, "axes"):
        if not -ndim <= int(a) < ndim:
            raise ValueError(f"axis {a} is out of range for an array of {ndim} dimensions")
        out.append(int(a) % ndim)
    return out


def _origins(origin):
    """Per-axis origins; [] when all are 0 (the default)."""
    if isinstance(origin, int) and origin == 0:
        return []
    values = [int(o) for o in per_axis_list(origin, "origin")]
    return values if any(values) else []


def _call(op, x, k, *, filter_family, mode, boundary, cval, origin, axes, method, nan, fill, threads, out):
    x, k = engine_arrays(x, k)
    return run(code(OPS, op, "op"), x, k, mode=code(MODES, mode, "mode"), method=method_code(method),
               threads=check_threads(threads), out=out, filter_family=filter_family,
               boundary=boundary_codes(boundary), cval=cval, origin=_origins(origin), axes=_axes(axes, x.ndim),
               nan=code(NAN_POLICIES, nan, "nan"), fill=fill)


def _plain(boundary, cval, origin, axes, nan, fill):
    """True when a signal-family call leaves every option but mode, method,
    threads and out at its default: the call then skips the option plumbing."""
    return (axes is None and type(boundary) is str and boundary == "constant" and type(origin) is int
            and origin == 0 and type(nan) is str and nan == "propagate" and type(cval) in (int, float)
            and cval == 0 and type(fill) in (int, float) and fill == 0)


def _signal(op, x, k, mode, boundary, cval, origin, axes, method, nan, fill, threads, out):
    if _plain(boundary, cval, origin, axes, nan, fill):
        x, k = engine_arrays(x, k)
        return _core.run(OPS[op], x, k, code(MODES, mode, "mode"), method_code(method), check_threads(threads),
                         None, out)
    return _call(op, x, k, filter_family=False, mode=mode, boundary=boundary, cval=cval, origin=origin, axes=axes,
                 method=method, nan=nan, fill=fill, threads=threads, out=out)


def convolve(x, k, mode="full", boundary="constant", cval=0.0, origin=0, axes=None, method="auto",
             nan="propagate", fill=0.0, threads=1, out=None):
    """Convolution of `x` with `k` (the kernel flipped), in the signal family.

    mode: "full" (N+M-1), "same" (N, starting at (M-1)//2 of full) or "valid"
    (N-M+1; the two are swapped if k is larger on every axis).
    boundary: "constant" (value `cval`), "symmetric", "mirror", "nearest",
    "wrap"; one name or one per convolved axis.
    origin: shifts the "same" window (one int or one per convolved axis).
    axes: the convolved axes of x (default: the last k.ndim); the others are
    batch axes.
    method: "auto", "direct", "fft", "overlap_save", "separable", "measure",
    "reference". nan: "propagate", "ignore", "fill" (with `fill`), "raise".
    threads: worker threads (0 = all); the result does not depend on it.
    out: a C-contiguous array of the result's dtype and shape to write into.
    """
    return _signal("conv", x, k, mode, boundary, cval, origin, axes, method, nan, fill, threads, out)


def correlate(x, k, mode="full", boundary="constant", cval=0.0, origin=0, axes=None, method="auto",
              nan="propagate", fill=0.0, threads=1, out=None):
    """Correlation: y[i] = sum_n x[n+i] * conj(k[n]); options as `convolve`."""
    return _signal("corr", x, k, mode, boundary, cval, origin, axes, method, nan, fill, threads, out)


def filter(x, k, op="corr", boundary="symmetric", cval=0.0, origin=0, axes=None, method="auto",
           nan="propagate", fill=0.0, threads=1, out=None):
    """scipy.ndimage-style filtering: output shaped like `x`, centre tap
    M//2 + origin (-(M//2) <= origin <= (M-1)//2), symmetric boundary by
    default. op="corr" (ndimage.correlate) or "conv" (ndimage.convolve)."""
    return _call(op, x, k, filter_family=True, mode="same", boundary=boundary, cval=cval, origin=origin,
                 axes=axes, method=method, nan=nan, fill=fill, threads=threads, out=out)


class Plan:
    """A validated problem bound to a method: execute it many times.

    Build one with faltung.plan(). Calling it runs the problem on arrays of
    the planned dtype and shapes; `explain()` says what was chosen and why
    every other method was not.
    """

    def __init__(self, core_plan):
        self._plan = core_plan

    def __call__(self, x, k, out=None):
        dtype = np.dtype(self._plan.dtype)
        return self._plan.execute(as_engine_array(x, dtype), as_engine_array(k, dtype), out)

    def explain(self) -> str:
        return self._plan.explain()

    problem = property(lambda self: self._plan.problem, doc="the problem string")
    method = property(lambda self: self._plan.method, doc="the chosen method")
    dtype = property(lambda self: np.dtype(self._plan.dtype))
    x_shape = property(lambda self: tuple(self._plan.x_shape))
    k_shape = property(lambda self: tuple(self._plan.k_shape))
    output_shape = property(lambda self: tuple(self._plan.output_shape))
    threads = property(lambda self: self._plan.threads)
    workspace_bytes = property(lambda self: self._plan.workspace_bytes)
    estimated_seconds = property(lambda self: self._plan.estimated_seconds)
    accuracy = property(lambda self: self._plan.accuracy)

    def __repr__(self):
        return (f"faltung.Plan('{self.problem}', method={self.method!r}, threads={self.threads}, "
                f"estimated {self.estimated_seconds * 1e3:.3g} ms)")


def _shape_and_dtype(a):
    """A tuple is a shape; anything else is an array (so [1, 2, 3] is data)."""
    if isinstance(a, tuple):
        if not all(isinstance(v, (int, np.integer)) for v in a):
            raise TypeError(f"a shape must be a tuple of ints; got {a!r} (give data as a list or an array)")
        return tuple(int(v) for v in a), None
    a = np.asarray(a)
    return a.shape, a


def plan(x, k=None, *, op="conv", family="signal", dtype=None, mode="full", boundary=None, cval=0.0,
         origin=0, axes=None, nan="propagate", fill=0.0, method="auto", threads=1, max_workspace_bytes=0,
         accuracy="normwise") -> Plan:
    """A reusable plan.

    Either a problem string, `plan("op=corr dtype=f32 x=480x640 k=5x5 mode=same")`,
    or arrays / shapes (tuples) as for convolve (family="signal") or filter
    (family="filter"): `plan(x, k, mode="same")`, `plan((1000,), (31,), dtype="float32")`.
    When `k` is an array its values let the planner consider rank-1
    (separable) kernels. accuracy="elementwise" rules out FFT methods when
    outputs span a huge dynamic range.
    """
    if accuracy not in _ACCURACIES:
        raise ValueError(f"accuracy must be 'normwise' or 'elementwise'; got {accuracy!r}")
    kernel = None
    if isinstance(x, str):
        if k is not None:
            raise TypeError("plan(problem_string) takes no kernel; give its shape in the string")
        problem = _core.canonical_problem(x)
    else:
        if k is None:
            raise TypeError("plan() needs x and k (arrays or shapes), or one problem string")
        xs, xa = _shape_and_dtype(x)
        ks, ka = _shape_and_dtype(k)
        given = [a.dtype for a in (xa, ka) if a is not None]
        dt = np.dtype(dtype) if dtype is not None else compute_dtype(*given) if given else np.dtype(np.float64)
        dt = compute_dtype(dt)
        if ka is not None:
            kernel = np.ascontiguousarray(ka, dtype=dt)
        if family not in ("signal", "filter"):
            raise ValueError(f"family must be 'signal' or 'filter'; got {family!r}")
        filt = family == "filter"
        if boundary is None:
            boundary = "symmetric" if filt else "constant"
        options = call_options(filter_family=filt, boundary=boundary_codes(boundary), cval=cval,
                               origin=_origins(origin), axes=_axes(axes, len(xs)),
                               nan=code(NAN_POLICIES, nan, "nan"), fill=fill)
        problem = _core.problem_text(code(OPS, op, "op"), dt.name, list(xs), list(ks),
                                     code(MODES, "same" if filt else mode, "mode"), options)
    return Plan(_core.Plan(problem, method_code(method), check_threads(threads), int(max_workspace_bytes),
                           accuracy, kernel))
