"""Named kernels from one spec syntax (the same in C++, the CLI and, later,
the service config):

    >>> k = faltung.kernels.make("gaussian:sigma=4")
    >>> k.values, k.spec, k.version, k.id     # id: "gaussian:sigma=4,truncate=4@<hash>"
    >>> faltung.convolve(x, k.values, mode="same", boundary="nearest")

Kernels: box, triangle, hann, gaussian (width/dims/sigma/truncate/radius as
scipy.ndimage), gaussian-derivative, exponential (causal), savgol
(scipy.signal.savgol_coeffs), and the matched templates step, spike, ramp.
`catalogue()` lists their parameters. The values are meant to be convolved
with; smoothing kernels sum to 1. `version` hashes the shape and values, so
a result can name the exact kernel that made it.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from . import _core

__all__ = ["Kernel", "make", "catalogue"]


@dataclasses.dataclass(frozen=True)
class Kernel:
    spec: str             # canonical spec, every parameter spelled out
    values: np.ndarray    # float64, shape (taps,) or (rows, columns)
    version: str          # 16 hex digits of the content hash

    @property
    def id(self) -> str:
        return f"{self.spec}@{self.version}"


def make(spec: str) -> Kernel:
    """The kernel a spec names; ValueError naming what is wrong otherwise."""
    if not isinstance(spec, str):
        raise TypeError(f"a kernel spec is a string such as 'gaussian:sigma=4'; got {spec!r}")
    canonical, values, version = _core.make_kernel(spec)
    values.flags.writeable = False
    return Kernel(canonical, values, version)


def catalogue() -> list[str]:
    """One line per kernel: its parameters and defaults."""
    return list(_core.kernel_catalogue())
