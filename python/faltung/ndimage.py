"""Drop-in replacements for scipy.ndimage's linear filters.

    from faltung import ndimage     # instead of: from scipy import ndimage

Same signatures, defaults, output dtypes (integer outputs truncate as
ndimage's do) and exception types as scipy.ndimage (current release); the
work runs in faltung's engine. Float32 inputs are computed in float32 (scipy
computes in float64 and rounds), within faltung's tolerance rules.
"""
from __future__ import annotations

import numbers
import operator

import numpy as np

from . import _core
from ._compat import cast_like_ndimage
from ._engine import METHODS, OPS, call_options

__all__ = ["convolve", "correlate", "convolve1d", "correlate1d", "uniform_filter", "uniform_filter1d",
           "gaussian_filter", "gaussian_filter1d"]

# ndimage's boundary names -> the engine's rules (docs/semantics.md table).
_MODES = {"reflect": 1, "grid-mirror": 1, "mirror": 2, "nearest": 3, "wrap": 4, "grid-wrap": 4,
          "constant": 0, "grid-constant": 0}
_CORR = OPS["corr"]
# numpy.exceptions is numpy >= 1.25; older releases keep AxisError at the top
_AxisError = getattr(np, "exceptions", np).AxisError
_AUTO = METHODS["auto"]


def _mode_rule(mode):
    rule = _MODES.get(mode) if isinstance(mode, str) else None
    if rule is None:
        raise RuntimeError("boundary mode not supported")
    return rule


def _per_axis(value, n):
    """ndimage's _normalize_sequence: one value for every axis, or one each."""
    if isinstance(value, str) or not np.iterable(value):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise RuntimeError("sequence argument must have length equal to input rank")
    return values


def _check_axes(axes, ndim):
    if axes is None:
        return list(range(ndim))
    if isinstance(axes, numbers.Integral):
        axes = (axes,)
    out = []
    for a in axes:
        a = operator.index(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for array of dimension {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError("axes must be unique")
    return out


def _output(output, input, complex_output=False):
    """ndimage's output rules: None -> input's dtype, a dtype, or an array of
    the input's shape (written in place and returned)."""
    if output is None:
        dtype = np.dtype(input.dtype.name)  # native byte order, as ndimage's
        if complex_output:
            dtype = np.promote_types(dtype, np.complex64)
        return np.zeros(input.shape, dtype=dtype)
    if isinstance(output, (type, np.dtype, str)):
        dtype = np.dtype(output)
        if complex_output and dtype.kind != "c":
            raise RuntimeError("output must have complex dtype")
        return np.zeros(input.shape, dtype=dtype)
    if not isinstance(output, np.ndarray):
        raise TypeError("output must be None, a dtype or a numpy array")
    if output.shape != input.shape:
        raise RuntimeError("output shape not correct")
    if complex_output and output.dtype.kind != "c":
        raise RuntimeError("output must have complex dtype")
    return output


def _compute_dtype(input, weights):
    """float32 data stays float32; everything else real is float64; complex
    data or weights give complex of the data's precision."""
    single = input.dtype in (np.float32, np.complex64, np.float16)
    complex_ = input.dtype.kind == "c" or weights.dtype.kind == "c"
    if complex_:
        return np.dtype(np.complex64 if single else np.complex128)
    return np.dtype(np.float32 if single else np.float64)


def _filter(input, weights, output, rules, cval, origins, axes, op):
    """One engine call in the filter family; the result lands in `output`."""
    compute = _compute_dtype(input, weights)
    complex_out = compute.kind == "c"
    if np.iscomplexobj(cval) and np.imag(cval) != 0:
        raise ValueError("faltung takes a real cval; this one has an imaginary part")
    options = call_options(filter_family=True, boundary=rules if any(rules) else [], cval=float(np.real(cval)),
                           origin=origins if any(origins) else [], axes=axes)
    x = input.astype(compute, copy=False)
    k = weights.astype(compute, copy=False)
    if output is None and input.dtype == compute:
        # the engine's own result array: no zero-filled array to write over
        return _core.run(op, x, k, 1, _AUTO, 1, options, None)
    out = _output(output, input, complex_output=complex_out)
    if out.dtype == compute and out.flags.c_contiguous and out.flags.writeable and not np.may_share_memory(x, out):
        _core.run(op, x, k, 1, _AUTO, 1, options, out)
    else:
        cast_like_ndimage(_core.run(op, x, k, 1, _AUTO, 1, options, None), out)
    return out


def _check_origin(origin, m):
    if not -(m // 2) <= origin <= (m - 1) // 2:
        raise ValueError("Invalid origin; origin must satisfy -(weights.shape[k] // 2) <= origin[k] <= "
                         "(weights.shape[k]-1) // 2")


def _correlate_or_convolve(input, weights, output, mode, cval, origin, convolution, axes):
    input = np.asarray(input)
    weights = np.asarray(weights)
    if input.dtype.kind not in "biufc" or weights.dtype.kind not in "biufc":
        raise TypeError("faltung filters numeric arrays only")
    axes = _check_axes(axes, input.ndim)
    if weights.ndim != len(axes) or 0 in weights.shape:
        raise RuntimeError("filter weights array has incorrect shape.")
    if not isinstance(mode, str):
        raise RuntimeError("A sequence of modes is not supported")
    rule = _mode_rule(mode)
    origins = [operator.index(o) for o in _per_axis(origin, len(axes))]
    if convolution:
        # ndimage: convolve(w, o) == correlate(w reversed, -o - (1 if M even))
        weights = weights[(slice(None, None, -1),) * weights.ndim]
        origins = [-o - (1 - m % 2) for o, m in zip(origins, weights.shape)]
    for o, m in zip(origins, weights.shape):
        _check_origin(o, m)
    if weights.dtype.kind == "c" and convolution:
        # correlate conjugates complex weights (np.correlate's convention);
        # convolve must not.
        weights = weights.conj()
    return _filter(input, weights, output, [rule], cval, origins, axes, _CORR)


def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    """scipy.ndimage.correlate."""
    return _correlate_or_convolve(input, weights, output, mode, cval, origin, False, axes)


def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    """scipy.ndimage.convolve."""
    return _correlate_or_convolve(input, weights, output, mode, cval, origin, True, axes)


def _axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise _AxisError(axis, ndim)
    return axis % ndim


def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """scipy.ndimage.correlate1d."""
    input = np.asarray(input)
    weights = np.asarray(weights)
    if weights.ndim != 1 or weights.shape[0] < 1:
        raise RuntimeError("no filter weights given")
    axis = _axis(axis, input.ndim)
    origin = operator.index(origin)
    _check_origin(origin, weights.shape[0])
    return _filter(input, weights, output, [_mode_rule(mode)], cval, [origin], [axis], _CORR)


def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """scipy.ndimage.convolve1d."""
    weights = np.asarray(weights)
    if weights.ndim != 1 or weights.shape[0] < 1:
        raise RuntimeError("no filter weights given")
    reversed_ = weights[::-1].conj() if weights.dtype.kind == "c" else weights[::-1]
    origin = -operator.index(origin) - (1 - weights.shape[0] % 2)
    return correlate1d(input, reversed_, axis, output, mode, cval, origin)


def uniform_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    """scipy.ndimage.uniform_filter1d: the mean over `size` samples."""
    input = np.asarray(input)
    if size < 1:
        raise RuntimeError("incorrect filter size")
    axis = _axis(axis, input.ndim)
    if (size // 2 + origin < 0) or (size // 2 + origin >= size):
        raise ValueError("invalid origin")
    out = _output(output, input, complex_output=input.dtype.kind == "c")
    rules = [_mode_rule(mode)]
    if out.dtype.kind in "biu":
        # Sum, then divide, as ndimage does: integer outputs truncate, and an
        # exact mean must not come out as 0.99999 -> 0.
        sums = _filter(input, np.ones(int(size)), np.float64, rules, cval, [origin], [axis], _CORR)
        cast_like_ndimage(sums / size, out)
        return out
    return _filter(input, np.full(int(size), 1.0 / size), out, rules, cval, [origin], [axis], _CORR)


def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    """scipy.ndimage.uniform_filter: 1-D means along each axis in turn."""
    input = np.asarray(input)
    output = _output(output, input, complex_output=input.dtype.kind == "c")
    axes = _check_axes(axes, input.ndim)
    n = len(axes)
    passes = [(a, s, o, m) for a, s, o, m in zip(axes, _per_axis(size, n), _per_axis(origin, n),
                                                 _per_axis(mode, n)) if s > 1]
    if not passes:
        output[...] = input[...]
        return output
    for axis, size, origin, mode in passes:
        uniform_filter1d(input, int(size), axis, output, mode, cval, origin)
        input = output
    return output


def _gaussian_kernel1d(sigma, order, radius):
    """The sampled Gaussian of scipy.ndimage (normalised to sum 1), or its
    order-th derivative: d^n/dx^n exp(-x^2 / 2s^2) = q_n(x) exp(...), with the
    polynomial q from q_0 = 1, q_{n+1} = q_n' - x q_n / s^2."""
    if order < 0:
        raise ValueError("order must be non-negative")
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    phi = np.exp(-0.5 / (sigma * sigma) * x * x)
    phi /= phi.sum()
    if order == 0:
        return phi
    q = np.zeros(order + 1)  # polynomial coefficients, q[i] multiplies x**i
    q[0] = 1.0
    for _ in range(order):
        derivative = np.append(q[1:] * np.arange(1, order + 1), 0.0)
        times_x = np.concatenate(([0.0], q[:-1]))
        q = derivative - times_x / (sigma * sigma)
    return np.polynomial.polynomial.polyval(x, q) * phi


def gaussian_filter1d(input, sigma, axis=-1, order=0, output=None, mode="reflect", cval=0.0, truncate=4.0, *,
                      radius=None):
    """scipy.ndimage.gaussian_filter1d (radius = int(truncate * sigma + 0.5)
    unless given)."""
    sd = float(sigma)
    lw = int(truncate * sd + 0.5) if radius is None else radius
    if not isinstance(lw, numbers.Integral) or lw < 0:
        raise ValueError("Radius must be a nonnegative integer.")
    weights = _gaussian_kernel1d(sigma, order, lw)[::-1]
    return correlate1d(input, weights, axis, output, mode, cval, 0)


def gaussian_filter(input, sigma, order=0, output=None, mode="reflect", cval=0.0, truncate=4.0, *, radius=None,
                    axes=None):
    """scipy.ndimage.gaussian_filter: 1-D Gaussian passes along each axis."""
    input = np.asarray(input)
    output = _output(output, input)
    axes = _check_axes(axes, input.ndim)
    n = len(axes)
    passes = [p for p in zip(axes, _per_axis(sigma, n), _per_axis(order, n),
                             _per_axis(mode, n), _per_axis(radius, n)) if p[1] > 1e-15]
    if not passes:
        output[...] = input[...]
        return output
    for axis, sd, order, mode, rad in passes:
        gaussian_filter1d(input, sd, axis, order, output, mode, cval, truncate, radius=rad)
        input = output
    return output
