"""faltung: convolution and correlation, correct by contract and fast.

    import faltung
    y = faltung.convolve(x, k, mode="same", boundary="symmetric")
    from faltung import signal, ndimage   # drop-ins for scipy.signal / scipy.ndimage
    faltung.Detector()                    # streaming anomaly scores and alerts

What is computed is specified in docs/semantics.md of the project.
"""
from . import deconvolve, evaluate, kernels, missing, ndimage, signal
from ._core import release_memory
from ._detect import Detector
from ._native import Plan, convolve, correlate, filter, plan
from ._stream import StreamFilter
from ._wisdom import export_wisdom, forget_wisdom, import_wisdom, load_wisdom, save_wisdom

__version__ = "0.1.0"

__all__ = [
    "convolve", "correlate", "filter", "plan", "Plan", "StreamFilter", "Detector", "evaluate",
    "save_wisdom", "load_wisdom", "export_wisdom", "import_wisdom", "forget_wisdom",
    "signal", "ndimage", "kernels", "deconvolve", "missing", "release_memory",
]
