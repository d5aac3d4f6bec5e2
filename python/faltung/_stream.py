"""faltung.StreamFilter: a causal filter fed chunks of any size.

    f = faltung.StreamFilter(kernel)             # latency 0, one channel
    y1 = f.process(chunk1); y2 = f.process(chunk2)
    # concatenate(y1, y2, ...) == convolve(x, kernel, mode="full")[:len(x)]
    state = f.save(); g = faltung.StreamFilter.restore(state)   # or pickle

Many channels: `channels=C` takes chunks of shape (n, C) (one row per sample
time); a kernel of shape (C, taps) gives each channel its own.
"""
from __future__ import annotations

import numpy as np

from . import _core
from ._engine import METHODS, NAN_POLICIES, code

_STREAM_METHODS = {k: METHODS[k] for k in ("auto", "direct", "overlap_save")}


class StreamFilter:
    """A stateful, chunk-invariant convolution filter (see docs/python.md).

    kernel: taps, shape (taps,), or (channels, taps) for a kernel per channel.
    block: the largest chunk expected per call (bigger ones are processed in
    pieces; nothing is allocated inside process()). latency: the added
    latency allowed, in samples (faltung needs none, outputs are never
    delayed). channels: independent series processed together. nan:
    "propagate", "fill" (with `fill`) or "ignore" (direct method only).
    method: "auto", "direct" or "overlap_save". dtype: float32 or float64
    (default: float32 for a float32 kernel, else float64).
    """

    def __init__(self, kernel, block=4096, latency=0, channels=None, nan="propagate", fill=0.0, method="auto",
                 dtype=None):
        kernel = np.asarray(kernel)
        if kernel.ndim not in (1, 2) or kernel.size == 0:
            raise ValueError(f"kernel must have the shape (taps,) or (channels, taps); got {kernel.shape}")
        per_channel = kernel.ndim == 2
        if channels is None:
            channels = kernel.shape[0] if per_channel else 1
        if per_channel and kernel.shape[0] != channels:
            raise ValueError(f"a kernel of shape {kernel.shape} gives {kernel.shape[0]} channels, not {channels}")
        if dtype is None:
            dtype = np.float32 if kernel.dtype == np.float32 else np.float64
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"stream filters compute float32 or float64, not {dtype}")
        for name, value in (("block", block), ("latency", latency), ("channels", channels)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise TypeError(f"{name} must be an int; got {value!r}")
        self._f = _core.StreamFilter(np.ascontiguousarray(kernel, dtype=dtype), dtype.name, int(channels),
                                     per_channel, int(block), int(latency), code(NAN_POLICIES, nan, "nan"),
                                     float(fill), code(_STREAM_METHODS, method, "method"))

    @classmethod
    def _wrap(cls, core_filter):
        f = cls.__new__(cls)
        f._f = core_filter
        return f

    def process(self, chunk) -> np.ndarray:
        """Filters the next `len(chunk)` samples (any count, 0 too) and returns
        their outputs, shaped like the chunk."""
        return self._f.process(np.asarray(chunk))

    def reset(self) -> None:
        """Forgets every past sample: the filter starts over."""
        self._f.reset()

    def save(self) -> bytes:
        """The whole filter (kernel, options, state) as versioned bytes."""
        return self._f.save()

    @classmethod
    def restore(cls, data: bytes) -> StreamFilter:
        """A filter that continues exactly where the saved one stopped."""
        return cls._wrap(_core.StreamFilter.restore(bytes(data)))

    def load_state(self, data: bytes) -> None:
        """Loads a state saved by a filter with the same kernel and options."""
        self._f.load_state(bytes(data))

    def __reduce__(self):
        return (StreamFilter.restore, (self.save(),))

    def explain(self) -> str:
        return self._f.explain()

    taps = property(lambda self: self._f.taps)
    channels = property(lambda self: self._f.channels)
    dtype = property(lambda self: np.dtype(self._f.dtype))
    method = property(lambda self: self._f.method)
    latency = property(lambda self: self._f.latency, doc="samples of added latency (always 0)")
    samples_processed = property(lambda self: self._f.samples_processed)

    def __repr__(self):
        return (f"faltung.StreamFilter(taps={self.taps}, channels={self.channels}, dtype={self.dtype.name}, "
                f"method={self.method!r}, samples_processed={self.samples_processed})")
