"""Missing data: convolution that leaves gaps out instead of treating them as
values (on top of the engine's nan="ignore"), float64, 1-D to 3-D, mode same.

    y = faltung.missing.normalized_convolve(x, k, weights=w)       # w in [0, 1]; NaN weighs 0
    z = faltung.missing.interpolate_replace_nans(x, k, boundary="extend")   # astropy's function

normalized_convolve: conv(w x, k) / conv(w, k) * sum(k), NaN where no weight
remains in the window. interpolate_replace_nans: x with each NaN replaced by
the weighted mean of its window (astropy.convolution.interpolate_replace_nans,
same boundary names: "fill" with fill_value, "extend", "wrap"). For streams,
`faltung.StreamFilter(..., nan="ignore")` does the same sample by sample.
"""
from __future__ import annotations

import numpy as np

from . import _core
from ._engine import BOUNDARIES, check_threads, code

__all__ = ["normalized_convolve", "interpolate_replace_nans"]

_ASTROPY_BOUNDARIES = {"fill": 0, "extend": 3, "wrap": 4}


def normalized_convolve(x, k, weights=None, boundary="constant", cval=0.0, threads=1):
    """conv(w x, k) / conv(w, k) * sum(k), mode same. `weights` (0..1, the
    shape of x): confidence per sample; None: 1 for every finite sample."""
    x = np.asarray(x, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    return _core.normalized_convolve(x, None if weights is None else np.asarray(weights, dtype=np.float64), k,
                                     code(BOUNDARIES, boundary, "boundary"), float(cval), check_threads(threads),
                                     False)


def interpolate_replace_nans(array, kernel, boundary="fill", fill_value=0.0, threads=1):
    """astropy.convolution.interpolate_replace_nans: each NaN replaced by the
    kernel-weighted mean of the valid samples around it; other samples kept."""
    array = np.asarray(array, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if any(m % 2 == 0 for m in kernel.shape):
        raise ValueError("the kernel needs an odd size on every axis (a centre sample), as astropy's does")
    return _core.normalized_convolve(array, None, kernel, code(_ASTROPY_BOUNDARIES, boundary, "boundary"),
                                     float(fill_value), check_threads(threads), True)
