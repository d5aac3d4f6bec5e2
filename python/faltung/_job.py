"""One faltung-command job: a file's array through the native API, with a
progress bar over its channels when the job is long."""
from __future__ import annotations

import sys

import numpy as np

from . import _native
from ._files import Signal, UserError

# Jobs estimated to take longer than this show a progress bar on a terminal.
PROGRESS_AFTER_SECONDS = 0.5


def convolved_axes(signal: Signal, kernel: np.ndarray, axes) -> list:
    """The axes the user named, else the file kind's natural ones (time;
    height and width), else the native default (the last kernel-rank axes)."""
    ndim = signal.data.ndim
    if axes is not None:
        chosen = axes
    elif signal.signal_axes is not None and kernel.ndim <= len(signal.signal_axes):
        chosen = list(signal.signal_axes[len(signal.signal_axes) - kernel.ndim:])
    else:
        chosen = list(range(ndim - kernel.ndim, ndim))
    for a in chosen:
        if not -ndim <= a < ndim:
            raise UserError(f"axis {a} does not exist: the input has {ndim} axes (shape {signal.data.shape})")
    chosen = [a % ndim for a in chosen]
    if len(chosen) != kernel.ndim:
        raise UserError(f"the kernel has {kernel.ndim} axes but {len(chosen)} convolved axes were given")
    return chosen


def _options(args):
    family = args.family
    options = dict(boundary=args.boundary if args.boundary is not None else
                   ("symmetric" if family == "filter" else "constant"),
                   cval=args.cval, origin=args.origin if len(args.origin) > 1 else args.origin[0],
                   method=args.method, nan=args.nan, fill=args.fill, threads=args.threads)
    return family, options


def _call(x, kernel, axes, args):
    family, options = _options(args)
    if family == "filter":
        return _native.filter(x, kernel, op=args.op, axes=axes, **options)
    fn = _native.convolve if args.op == "conv" else _native.correlate
    return fn(x, kernel, mode=args.mode, axes=axes, **options)


def run_job(signal: Signal, kernel: np.ndarray, args, show_progress) -> np.ndarray:
    x = signal.data
    axes = convolved_axes(signal, kernel, args.axes)
    if kernel.ndim > x.ndim:
        raise UserError(f"the kernel has {kernel.ndim} axes, the input only {x.ndim} (shape {x.shape})")
    family, options = _options(args)
    plan = _native.plan(x.shape, kernel, op=args.op, family=family, dtype=np.result_type(x, kernel),
                        mode=args.mode, axes=axes, **{k: v for k, v in options.items()})
    if show_progress is None:
        show_progress = sys.stderr.isatty() and plan.estimated_seconds > PROGRESS_AFTER_SECONDS
    batch = [a for a in range(x.ndim) if a not in axes]
    slices = list(np.ndindex(*[x.shape[a] for a in batch])) if batch else [()]
    if not show_progress:
        return _call(x, kernel, axes, args)
    from tqdm import tqdm
    if len(slices) == 1:
        with tqdm(total=1, desc="convolving", unit="job", file=sys.stderr) as bar:
            y = _call(x, kernel, axes, args)
            bar.update(1)
        return y
    # One engine call per channel, so the bar moves; the result is the same
    # as one call over all channels (each channel is an independent problem).
    out = np.empty(plan.output_shape, dtype=plan.dtype)
    inner_axes = list(range(len(axes)))  # a channel's slice holds only the convolved axes
    x_moved = np.moveaxis(x, axes, [len(batch) + i for i in range(len(axes))])
    out_moved = np.moveaxis(out, axes, [len(batch) + i for i in range(len(axes))])
    for index in tqdm(slices, desc="convolving", unit="channel", file=sys.stderr):
        out_moved[index] = _call(x_moved[index], kernel, inner_axes, args)
    return out
