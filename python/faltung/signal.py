"""Drop-in replacements for scipy.signal's convolution functions.

    from faltung import signal      # instead of: from scipy import signal

Same signatures, defaults, result dtypes and exception types as scipy.signal
(current release); the work runs in faltung's engine. Differences, all
documented in docs/python.md: non-finite inputs only affect the outputs whose
window holds them (scipy's FFT paths turn everything into NaN), integer
results are exact while sums stay below 2**53, and longdouble/object arrays
are refused with a TypeError.
"""
from __future__ import annotations

import time

import numpy as np

from . import _core
from ._compat import cast_like_scipy_signal, signal_compute_dtype
from ._engine import ENGINE_DTYPES, METHODS, MODES, OPS, call_options

__all__ = ["convolve", "correlate", "fftconvolve", "oaconvolve", "choose_conv_method", "convolve2d",
           "correlate2d", "correlation_lags"]

_CONV, _CORR = OPS["conv"], OPS["corr"]
_AUTO, _DIRECT, _FFT = METHODS["auto"], METHODS["direct"], METHODS["fft"]
_SIGNAL_METHODS = {"auto": _AUTO, "direct": _DIRECT, "fft": _FFT}
_ENGINE_CHARS = frozenset("fdFD")  # float32, float64, complex64, complex128
_FAST_MODES = {"full": 0, "same": 1}  # valid may swap: the full road
_BOUNDARY_2D = {"fill": 0, "pad": 0, "symm": 1, "symmetric": 1, "wrap": 4, "circular": 4}


def _mode_code(mode):
    code = MODES.get(mode) if isinstance(mode, str) else None
    if code is None:
        raise ValueError(f"acceptable mode flags are 'valid', 'same', or 'full', not mode={mode!r}")
    return code


def _method_code(method):
    code = _SIGNAL_METHODS.get(method) if isinstance(method, str) else None
    if code is None:
        raise ValueError("Acceptable method flags are 'auto', 'direct', or 'fft'.")
    return code


def _swap_needed(mode, s1, s2, axes=None):
    """scipy's 'valid' rule: swap when in2 is at least as large as in1 on every
    axis; an error when neither contains the other."""
    if mode != "valid" or not s1:
        return False
    axes = range(len(s1)) if axes is None else axes
    in1_larger = all(s1[i] >= s2[i] for i in axes)
    in2_larger = all(s2[i] >= s1[i] for i in axes)
    if not (in1_larger or in2_larger):
        raise ValueError("For 'valid' mode, one must be at least as large as the other in every dimension")
    return not in1_larger


def _engine(op, a, b, mode_code, method_code, options=None):
    """The engine on two arrays of any numeric dtype; scipy.signal's result type."""
    if a.dtype is b.dtype and a.dtype in ENGINE_DTYPES:
        return _core.run(op, a, b, mode_code, method_code, 1, options, None)
    compute, result = signal_compute_dtype(a, b)
    y = _core.run(op, a.astype(compute, copy=False), b.astype(compute, copy=False), mode_code, method_code, 1,
                  options, None)
    return cast_like_scipy_signal(y, result)


def convolve(in1, in2, mode="full", method="auto"):
    """scipy.signal.convolve: N-D convolution, mode full/same/valid."""
    # The common call first, in as few Python steps as possible: two arrays
    # of one engine dtype and rank, no swap. Everything else takes the road
    # below, which spells out scipy's rules.
    if (type(in1) is np.ndarray and type(in2) is np.ndarray and in1.dtype is in2.dtype
            and in1.dtype.char in _ENGINE_CHARS and in1.ndim == in2.ndim and in1.ndim):
        mode_code = _FAST_MODES.get(mode)
        method_code = _SIGNAL_METHODS.get(method) if type(method) is str else None
        if mode_code is not None and method_code is not None:
            return _core.run(_CONV, in1, in2, mode_code, method_code, 1, None, None)
    if type(in1) is not np.ndarray:
        in1 = np.asarray(in1)
    if type(in2) is not np.ndarray:
        in2 = np.asarray(in2)
    mode_code = _mode_code(mode)
    if in1.ndim == in2.ndim == 0:
        return in1 * in2
    if in1.ndim != in2.ndim:
        raise ValueError("volume and kernel should have the same dimensionality")
    method_code = _method_code(method)
    if mode_code == 2 and _swap_needed(mode, in1.shape, in2.shape):
        in1, in2 = in2, in1
    return _engine(_CONV, in1, in2, mode_code, method_code)


def correlate(in1, in2, mode="full", method="auto"):
    """scipy.signal.correlate: y[k] = sum_n in1[n+k] * conj(in2[n])."""
    if type(in1) is not np.ndarray:
        in1 = np.asarray(in1)
    if type(in2) is not np.ndarray:
        in2 = np.asarray(in2)
    if in1.ndim == in2.ndim == 0:
        return in1 * in2.conj()
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError("Acceptable mode flags are 'valid', 'same', or 'full'.")
    mode_code = MODES[mode]
    method_code = _method_code(method)
    if mode_code == 2 and _swap_needed(mode, in1.shape, in2.shape):
        # correlate(in1, in2) == convolve(in1, conj(in2 reversed)), and that
        # convolution is the one scipy swaps.
        flipped = in2[(slice(None, None, -1),) * in2.ndim]
        if flipped.dtype.kind == "c":
            flipped = flipped.conj()
        return _engine(_CONV, flipped, in1, mode_code, method_code)
    return _engine(_CORR, in1, in2, mode_code, method_code)


def _freq_axes(in1, in2, mode, axes):
    """scipy's axes handling for fftconvolve/oaconvolve: the convolved axes
    (size-1 axes broadcast instead), shape checks and the 'valid' swap."""
    s1, s2 = in1.shape, in2.shape
    if axes is None:
        axes = list(range(in1.ndim))
    else:
        given = np.atleast_1d(np.asarray(axes))
        if given.ndim != 1 or given.dtype.kind not in "iu":
            raise ValueError("axes must be a scalar or iterable of integers")
        if given.size == 0:
            raise ValueError("when provided, axes cannot be empty")
        if np.any(given >= in1.ndim) or np.any(given < -in1.ndim):
            raise ValueError("axes exceeds dimensionality of input")
        axes = [int(a) % in1.ndim for a in given]
        if len(set(axes)) != len(axes):
            raise ValueError("all axes must be unique")
    axes = [a for a in axes if s1[a] != 1 and s2[a] != 1]
    if not all(s1[a] == s2[a] or s1[a] == 1 or s2[a] == 1 for a in range(in1.ndim) if a not in axes):
        raise ValueError(f"incompatible shapes for in1 and in2: {s1} and {s2}")
    if _swap_needed(mode, s1, s2, axes=axes):
        in1, in2 = in2, in1
    return in1, in2, sorted(axes)


def _centred(a, shape):
    start = [(n - s) // 2 for n, s in zip(a.shape, shape)]
    return a[tuple(slice(b, b + s) for b, s in zip(start, shape))]


def _fft_family(in1, in2, mode, axes):
    in1 = np.asarray(in1)
    in2 = np.asarray(in2)
    if in1.ndim == in2.ndim == 0:
        return in1 * in2
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if in1.size == 0 or in2.size == 0:
        return np.array([])
    mode_code = _mode_code(mode)
    s1 = in1.shape
    in1, in2, axes = _freq_axes(in1, in2, mode, axes)
    if not axes:  # every axis broadcasts: an elementwise product (scipy keeps the dtype)
        product = in1 * in2
        return _centred(product, s1) if mode == "same" else product
    compute = signal_compute_dtype(in1, in2)[0]
    in1 = in1.astype(compute, copy=False)
    in2 = in2.astype(compute, copy=False)
    batch = [a for a in range(in1.ndim) if a not in axes]
    # Axes of size 1 in one operand broadcast against the other; give the
    # engine a kernel with only the convolved axes when it can.
    if all(in2.shape[a] == 1 for a in batch):
        kernel = in2.reshape([in2.shape[a] for a in axes])
        return _core.run(_CONV, in1, kernel, mode_code, _AUTO, 1, call_options(axes=axes), None)
    # Kernels that differ along a batch axis: one engine call per batch index.
    out_batch = np.broadcast_shapes(*[tuple(s[a] for a in batch) for s in (in1.shape, in2.shape)])
    results = {}
    for index in np.ndindex(*out_batch):
        pick1 = [0] * in1.ndim
        pick2 = [0] * in2.ndim
        for a, i in zip(batch, index):
            pick1[a] = i if in1.shape[a] > 1 else 0
            pick2[a] = i if in2.shape[a] > 1 else 0
        x = in1[tuple(slice(None) if a in axes else pick1[a] for a in range(in1.ndim))]
        k = in2[tuple(slice(None) if a in axes else pick2[a] for a in range(in2.ndim))]
        results[index] = _core.run(_CONV, np.ascontiguousarray(x), np.ascontiguousarray(k), mode_code, _AUTO, 1,
                                   None, None)
    first = next(iter(results.values()))
    out = np.empty(tuple(out_batch) + first.shape, dtype=first.dtype)
    for index, y in results.items():
        out[index] = y
    # the batch axes were put first; move them back to their places
    out = np.moveaxis(out, list(range(len(batch))), batch)
    # 'same' is as large as in1 on the broadcast axes too (scipy centres there)
    return _centred(out, s1) if mode == "same" else out


def fftconvolve(in1, in2, mode="full", axes=None):
    """scipy.signal.fftconvolve: the same result as convolve (float or complex,
    never integer), along `axes` with the other axes broadcast. faltung's
    planner picks FFT, overlap-save or direct, whichever is fastest."""
    return _fft_family(in1, in2, mode, axes)


def oaconvolve(in1, in2, mode="full", axes=None):
    """scipy.signal.oaconvolve: as fftconvolve (faltung's overlap-save blocks
    are one of the planner's candidates)."""
    return _fft_family(in1, in2, mode, axes)


def choose_conv_method(in1, in2, mode="full", measure=False):
    """scipy.signal.choose_conv_method: 'direct' or 'fft', the method faltung's
    planner would use (overlap-save counts as 'fft'). With measure=True,
    (method, {'fft': seconds, 'direct': seconds}) from timing both."""
    volume = np.asarray(in1)
    kernel = np.asarray(in2)
    if measure:
        times = {}
        for method in ("fft", "direct"):
            times[method] = _time(lambda method=method: convolve(volume, kernel, mode=mode, method=method))
        return ("fft" if times["fft"] < times["direct"] else "direct"), times
    result = np.result_type(volume, kernel)
    if result.kind in "bO" or volume.ndim != kernel.ndim or volume.ndim == 0:
        return "direct"
    if result.kind in "iu":
        largest = int(np.abs(volume).max()) * int(np.abs(kernel).max()) * int(min(volume.size, kernel.size))
        if largest > 2 ** np.finfo(np.float64).nmant - 1:
            return "direct"
    mode_code = _mode_code(mode)
    if _swap_needed(mode, volume.shape, kernel.shape):
        volume, kernel = kernel, volume
    compute = signal_compute_dtype(volume, kernel)[0]
    problem = _core.problem_text(_CONV, compute.name, list(volume.shape), list(kernel.shape), mode_code, None)
    chosen = _core.Plan(problem, _AUTO, 1, 0, "normwise", kernel.astype(compute, copy=False)).method
    return "fft" if chosen in ("fft", "overlap_save") else "direct"


def _time(fn, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _two_d(in1, in2, name):
    in1 = np.asarray(in1)
    in2 = np.asarray(in2)
    if not in1.ndim == in2.ndim == 2:
        raise ValueError(f"{name} inputs must both be 2-D arrays")
    return in1, in2


def _boundary_rule(boundary):
    rule = _BOUNDARY_2D.get(boundary) if isinstance(boundary, str) else None
    if rule is None:
        raise ValueError("Acceptable boundary flags are 'fill', 'circular' (or 'wrap'), and 'symmetric' (or 'symm').")
    return rule


def _fill_value(fillvalue, result_type):
    """convolve2d's fillvalue as a value of the result type, refused where
    scipy refuses it (a complex value for real data, a value an integer type
    cannot hold); integers truncate, as scipy's cast does."""
    fill = np.asarray(fillvalue)
    if fill.size != 1:
        raise ValueError("fillvalue must be scalar or an array with one element.")
    fill = fill.reshape(()).item()
    cannot = ValueError("could not cast `fillvalue` directly to the output type (it was first converted to complex).")
    if result_type.kind == "c":
        return complex(fill)
    if isinstance(fill, complex):
        raise cannot
    if result_type.kind in "iu":
        info = np.iinfo(result_type)
        if not np.isfinite(fill) or not info.min <= int(fill) <= info.max:
            raise cannot
        return float(int(fill))
    return float(fill)


def _two_d_engine(op, in1, in2, mode_code, boundary, fillvalue, origin=()):
    """convolve2d / correlate2d on the engine: a boundary rule in every mode.
    A complex fillvalue adds i*imag(fill) times the response to a border of
    ones (the engine's constant is real; the operation is linear)."""
    rule = _boundary_rule(boundary)
    fill = _fill_value(fillvalue, np.result_type(in1, in2)) if rule == 0 else 0.0
    options = call_options(boundary=[rule] if rule else [], cval=fill.real if isinstance(fill, complex) else fill,
                           origin=origin)
    y = _engine(op, in1, in2, mode_code, _AUTO, options)
    if isinstance(fill, complex) and fill.imag != 0:
        border = call_options(cval=1.0, origin=origin)
        y = y + 1j * fill.imag * _engine(op, np.zeros(in1.shape, y.dtype), in2, mode_code, _AUTO, border)
    return y


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """scipy.signal.convolve2d: 2-D convolution with a boundary rule ('fill'
    with `fillvalue`, 'wrap'/'circular', 'symm'/'symmetric') in every mode."""
    in1, in2 = _two_d(in1, in2, "convolve2d")
    mode_code = _mode_code(mode)
    if _swap_needed(mode, in1.shape, in2.shape):
        in1, in2 = in2, in1
    return _two_d_engine(_CONV, in1, in2, mode_code, boundary, fillvalue)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """scipy.signal.correlate2d, including its conventions: 'same' centres the
    kernel at M//2 (not (M-1)//2 as correlate does), and a 'valid' swap
    returns the swapped correlation reversed."""
    in1, in2 = _two_d(in1, in2, "correlate2d")
    mode_code = _mode_code(mode)
    swapped = _swap_needed(mode, in1.shape, in2.shape)
    if swapped:
        in1, in2 = in2, in1
    origin = [int(m % 2 == 0) for m in in2.shape] if mode == "same" else []
    y = _two_d_engine(_CORR, in1, in2, mode_code, boundary, fillvalue, origin if any(origin) else [])
    return y[::-1, ::-1] if swapped else y


def correlation_lags(in1_len, in2_len, mode="full"):
    """scipy.signal.correlation_lags: the lag of each output of a 1-D
    correlate(in1, in2, mode)."""
    if mode == "full":
        return np.arange(-in2_len + 1, in1_len)
    if mode == "same":
        full = np.arange(-in2_len + 1, in1_len)
        start = full.size // 2 - in1_len // 2
        return full[start:start + in1_len]
    if mode == "valid":
        span = in1_len - in2_len
        return np.arange(span + 1) if span >= 0 else np.arange(span, 1)
    raise ValueError(f"Mode {mode} is invalid")
