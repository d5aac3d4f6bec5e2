"""Deconvolution: undoing a known blur (1-D to 3-D), with scikit-image's
conventions so results can be compared:

    y = faltung.deconvolve.wiener(image, psf, balance=0.1)             # periodic boundaries
    y = faltung.deconvolve.wiener(signal, psf, balance=nsr, reg="identity")   # classic Wiener
    y = faltung.deconvolve.richardson_lucy(image, psf, num_iter=50)    # non-negative data
    r = faltung.deconvolve.impulse_response(x, y, taps=64)             # system identification

Results are float64, or float32 for float32 input (as scikit-image returns).
`clip=True` (the default, as scikit-image) clips to [-1, 1].
"""
from __future__ import annotations

import dataclasses

import numpy as np

from . import _core

__all__ = ["wiener", "richardson_lucy", "impulse_response", "ImpulseResponse"]


def _float_type(a):
    return np.float32 if a.dtype in (np.float16, np.float32) else np.float64


def _inputs(image, psf):
    image = np.asarray(image)
    psf = np.asarray(psf)
    if image.dtype.kind not in "biuf" or psf.dtype.kind not in "biuf":
        raise TypeError("deconvolution takes real arrays")
    return image, psf


def wiener(image, psf, balance=0.1, reg="laplacian", clip=True):
    """Wiener(-Hunt) deconvolution: conj(H) X / (|H|^2 + balance |R|^2), with R
    the Laplacian (reg="laplacian", scikit-image's default) or the identity
    (reg="identity": balance is the noise-to-signal power ratio)."""
    image, psf = _inputs(image, psf)
    if reg not in ("laplacian", "identity"):
        raise ValueError(f"reg must be 'laplacian' or 'identity'; got {reg!r}")
    y = _core.wiener(image, psf, float(balance), reg == "laplacian", bool(clip))
    return y.astype(_float_type(image), copy=False)


def richardson_lucy(image, psf, num_iter=50, clip=True, filter_epsilon=None, threads=1):
    """Richardson-Lucy: u <- u * correlate(image / convolve(u, psf), psf),
    from u = 0.5, `num_iter` times (mode same)."""
    image, psf = _inputs(image, psf)
    y = _core.richardson_lucy(image, psf, int(num_iter), bool(clip), float(filter_epsilon or 0.0), int(threads))
    return y.astype(_float_type(image), copy=False)


@dataclasses.dataclass(frozen=True)
class ImpulseResponse:
    h: np.ndarray          # the estimated causal impulse response, float64
    lam: float             # the Tikhonov weight used (0: plain least squares)
    residual_norm: float   # ||X h - y||
    solution_norm: float   # ||h||


_REGULARISATION = {"gcv": 0, "lcurve": 1}


def impulse_response(x, y, taps, reg="gcv"):
    """The causal impulse response h (`taps` long) with y = convolve(x, h)[:n],
    from an input/output pair: Tikhonov-regularised least squares, the weight
    chosen by generalised cross-validation (reg="gcv"), the L-curve's corner
    (reg="lcurve"), or given (a number). Noise-free data of a rich enough
    input recovers h to rounding."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if isinstance(reg, str):
        if reg not in _REGULARISATION:
            raise ValueError(f"reg must be 'gcv', 'lcurve' or a number >= 0; got {reg!r}")
        choose, lam = _REGULARISATION[reg], 0.0
    else:
        choose, lam = 2, float(reg)
    h, lam, residual, norm = _core.impulse_response(x, y, int(taps), choose, lam)
    return ImpulseResponse(h, lam, residual, norm)
