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


def check_conflicts(args) -> None:
    """Options that mean nothing together are refused, not ignored."""
    if args.family == "filter" and args.mode is not None:
        raise UserError(f"--mode {args.mode} is for --family signal; --family filter's output is as large as the "
                        "input (move the window with --origin, choose the edges with --boundary)")
    if args.family == "signal" and any(args.origin) and (args.mode or "full") != "same":
        raise UserError(f"--origin shifts the window of --mode same or of --family filter; with --mode "
                        f"{args.mode or 'full'} it would be ignored")
    if args.fill != 0.0 and args.nan != "fill":
        raise UserError(f"--fill {args.fill:g} needs --nan fill (--nan is {args.nan})")


def _options(args):
    check_conflicts(args)
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
    return fn(x, kernel, mode=args.mode or "full", axes=axes, **options)


def run_job(signal: Signal, kernel: np.ndarray, args, show_progress) -> np.ndarray:
    x = signal.data
    axes = convolved_axes(signal, kernel, args.axes)
    if kernel.ndim > x.ndim:
        raise UserError(f"the kernel has {kernel.ndim} axes, the input only {x.ndim} (shape {x.shape})")
    family, options = _options(args)
    plan = _native.plan(x.shape, kernel, op=args.op, family=family, dtype=np.result_type(x, kernel),
                        mode=args.mode or "full", axes=axes, **options)
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
    return run_in_thread_with_bar(work, "convolving", estimated_seconds)


def run_in_thread_with_bar(work, desc: str, estimated_seconds: float | None = None, delay: float = 0.0):
    """`work` in a thread, a bar on stderr meanwhile: percent of the
    estimate when there is one, else the time elapsed. With `delay` the bar
    appears only once the work has run that long (a short job shows none)."""
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
    if estimated_seconds is None:
        bar_format = f"{desc}: {{elapsed}}"
    else:
        bar_format = f"{desc}: {{percentage:3.0f}}%|{{bar}}| {{elapsed}} (estimated {estimated_seconds:.1f} s)"
    with tqdm(total=100, unit="%", file=sys.stderr, bar_format=bar_format, delay=delay) as bar:
        while worker.is_alive():
            worker.join(0.1)
            if estimated_seconds is None:
                bar.refresh()
                continue
            elapsed = time.perf_counter() - start
            bar.update(min(99, int(100 * elapsed / max(estimated_seconds, 1e-9))) - bar.n)
        if "error" not in outcome:
            bar.update(100 - bar.n)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def show_progress_on_terminal() -> bool:
    return sys.stderr.isatty()
