"""One faltung-command job: a file's array through the native API, with a
progress bar when the job is long."""
from __future__ import annotations

import sys
import threading
import time

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
                        mode=args.mode, axes=axes, **options)
    if show_progress is None:
        show_progress = sys.stderr.isatty() and plan.estimated_seconds > PROGRESS_AFTER_SECONDS
    if not show_progress:
        return _call(x, kernel, axes, args)
    return _with_progress(lambda: _call(x, kernel, axes, args), plan.estimated_seconds)


def _with_progress(work, estimated_seconds: float):
    """Runs `work` (one engine call: it releases the GIL) in a thread while a
    bar shows the time elapsed against the planner's estimate. The job stays
    one call, so it runs with the method and threads the planner chose; the
    bar holds at 99% if the estimate was short, and ends at 100% when the
    result is there."""
    from tqdm import tqdm
    outcome = {}

    def target():
        try:
            outcome["result"] = work()
        except BaseException as e:  # re-raised in the calling thread
            outcome["error"] = e

    worker = threading.Thread(target=target, daemon=True)
    start = time.perf_counter()
    worker.start()
    with tqdm(total=100, desc="convolving", unit="%", file=sys.stderr,
              bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} (estimated {postfix})") as bar:
        bar.set_postfix_str(f"{estimated_seconds:.1f} s", refresh=False)
        while worker.is_alive():
            worker.join(0.1)
            elapsed = time.perf_counter() - start
            bar.update(min(99, int(100 * elapsed / max(estimated_seconds, 1e-9))) - bar.n)
        if "error" not in outcome:
            bar.update(100 - bar.n)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
