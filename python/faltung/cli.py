"""The faltung command.

    faltung convolve IN KERNEL -o OUT [options]   .npy, .csv, .wav, images
    faltung explain PROBLEM [--method M]          what the planner chooses, and why
    faltung bench [--grid FILE] [--group G]       the shared grid, JSON lines
    faltung plot IN KERNEL -o OUT.png [options]   signal, kernel and result
    faltung smooth IN SPEC -o OUT [--causal]      a named kernel, e.g. gaussian:sigma=4
    faltung kernels                               the named kernels and their parameters
    faltung deconvolve IN PSF -o OUT [--method M]  undo a known blur (wiener, richardson-lucy)
    faltung identify X Y --taps N -o H            the impulse response taking X to Y
    faltung detect IN.csv -o OUT.csv [--plot P]   anomaly scores and alerts, no look-ahead

User errors print one line, "faltung: error: ...", and exit with status 2.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from ._engine import BOUNDARIES, METHODS, MODES, NAN_POLICIES, OPS
from ._files import UserError

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake reported in one line like every other
    user error."""

    def error(self, message):
        raise UserError(f"{message} (see '{self.prog} --help')")


def _int_list(text):
    try:
        return [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of integers") from None


def _name_list(text):
    return text.split(",")


def _add_problem_options(p):
    g = p.add_argument_group("what to compute (the native API's options)")
    g.add_argument("--op", choices=list(OPS), default="conv", help="convolution or correlation (default conv)")
    g.add_argument("--family", choices=["signal", "filter"], default="signal",
                   help="signal: scipy.signal's modes (default); filter: scipy.ndimage's (output as large as the "
                        "input, centre tap M//2 + origin, symmetric boundary by default)")
    g.add_argument("--mode", choices=list(MODES), default=None,
                   help="signal family only (default full); the filter family's output is as large as the input")
    g.add_argument("--boundary", type=_name_list, default=None, metavar="RULE[,RULE...]",
                   help=f"{', '.join(BOUNDARIES)}; one, or one per convolved axis")
    g.add_argument("--cval", type=float, default=0.0, help="value of the constant boundary (default 0)")
    g.add_argument("--origin", type=_int_list, default=[0], metavar="N[,N...]", help="shifts the window")
    g.add_argument("--axes", type=_int_list, default=None, metavar="A[,A...]",
                   help="convolved axes (default: time for .wav and multi-column .csv, height and width for "
                        "images, else the last kernel-rank axes); the others are channels")
    g.add_argument("--method", default="auto", choices=list(METHODS))
    g.add_argument("--nan", choices=list(NAN_POLICIES), default="propagate",
                   help="what non-finite input samples do (default propagate)")
    g.add_argument("--fill", type=float, default=0.0, help="replacement for --nan fill")
    g.add_argument("--threads", type=int, default=1, help="worker threads, 0 = all (same result for any count)")
    g.add_argument("--normalize", action="store_true", help="scale the kernel to sum 1 first")


def _parser():
    parser = _Parser(prog="faltung", description="Convolution and correlation of files, correct by contract and fast.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser("convolve", help="convolve a file with a kernel, write the result")
    c.add_argument("input", help=".npy, .csv, .wav or an image")
    c.add_argument("kernel", help="a kernel file, a named kernel ('gaussian:sigma=4', see 'faltung kernels'), "
                                  "or values: '1,2,1' or rows '1,2,1;2,4,2;1,2,1'")
    c.add_argument("-o", "--output", required=True, help="result file; its suffix picks the format")
    _add_problem_options(c)
    c.add_argument("--samplerate", type=int, default=None, help="sample rate of a .wav output from another format")
    c.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="always show the progress bar (default: on a terminal, for jobs estimated over 0.5 s)")
    c.add_argument("--no-progress", dest="progress", action="store_false")

    e = sub.add_parser("explain", help="print the plan for a problem string")
    e.add_argument("problem", nargs="+", help="e.g. 'op=corr dtype=f32 x=1080x1920 k=11x11 mode=same'")
    e.add_argument("--method", default="auto", choices=list(METHODS))
    e.add_argument("--threads", type=int, default=1)
    e.add_argument("--max-workspace", type=int, default=0, metavar="BYTES")
    e.add_argument("--accuracy", choices=["normwise", "elementwise"], default="normwise")

    b = sub.add_parser("bench", help="time faltung from Python on the shared grid (JSON lines)")
    b.add_argument("--grid", default=None, help="grid.json (default: ../shared/bench/grid.json of the checkout)")
    b.add_argument("--group", action="append", choices=["1d", "2d", "batched"],
                   help="grid groups to run (default: all three; repeat the option for several)")
    b.add_argument("--threads", type=int, default=1)
    b.add_argument("--budget", type=float, default=0.3, help="seconds of timed repetitions per case")
    b.add_argument("--progress", dest="progress", action="store_true", default=None)
    b.add_argument("--no-progress", dest="progress", action="store_false")

    p = sub.add_parser("plot", help="write a PNG of the signal, the kernel and the result")
    p.add_argument("input")
    p.add_argument("kernel")
    p.add_argument("-o", "--output", required=True, help="the PNG to write")
    _add_problem_options(p)
    sm = sub.add_parser("smooth", help="smooth a file with a named kernel (centred, or causal with --causal)")
    sm.add_argument("input", help=".npy, .csv, .wav or an image")
    sm.add_argument("spec", help="a named kernel, e.g. 'gaussian:sigma=4' or 'exponential:halflife=10'")
    sm.add_argument("-o", "--output", required=True)
    sm.add_argument("--causal", action="store_true",
                    help="use only past samples (a stream's output: convolve(x, k, full)[:n]); default: centred")
    sm.add_argument("--boundary", default="nearest", choices=list(BOUNDARIES), help="centred only (default nearest)")
    sm.add_argument("--axes", type=_int_list, default=None, metavar="A[,A...]")
    # raise has no use in a smoothing job: a missing sample is data here
    sm.add_argument("--nan", choices=[n for n in NAN_POLICIES if n != "raise"], default="propagate")
    sm.add_argument("--fill", type=float, default=0.0)
    sm.add_argument("--threads", type=int, default=1)
    sm.add_argument("--samplerate", type=int, default=None)

    sub.add_parser("kernels", help="list the named kernels and their parameters")

    d = sub.add_parser("deconvolve", help="undo a known blur (Wiener or Richardson-Lucy)")
    d.add_argument("input", help=".npy, .csv, .wav or an image (8-bit images are scaled to 0..1 and back)")
    d.add_argument("psf", help="the blur: a file, a named kernel or values")
    d.add_argument("-o", "--output", required=True)
    d.add_argument("--method", choices=["wiener", "richardson-lucy"], default="wiener")
    d.add_argument("--balance", type=float, default=0.1, help="wiener: the regularisation weight (default 0.1)")
    d.add_argument("--reg", choices=["laplacian", "identity"], default="laplacian",
                   help="wiener: the regulariser (identity: balance is the noise-to-signal ratio)")
    d.add_argument("--iterations", type=int, default=50, help="richardson-lucy: iterations (default 50)")
    d.add_argument("--clip", action="store_true", help="clip the result to [-1, 1] (scikit-image's default)")
    d.add_argument("--samplerate", type=int, default=None)

    i = sub.add_parser("identify", help="estimate the impulse response that takes X to Y")
    i.add_argument("x", help="the input signal (.npy, .csv, .wav; 1-D)")
    i.add_argument("y", help="the output signal, as long as the input")
    i.add_argument("--taps", type=int, required=True, help="length of the impulse response")
    i.add_argument("-o", "--output", required=True, help="where to write h (.npy or .csv)")
    i.add_argument("--reg", default="gcv", help="gcv (default), lcurve, or a fixed Tikhonov weight")
    dt = sub.add_parser("detect", help="anomaly scores and alerts for a CSV time series (causal: row t uses "
                                       "rows <= t only)")
    dt.add_argument("input", help="a CSV (a header row is optional): a time column (ISO-8601 or epoch seconds) "
                                  "and a value "
                                  "column; '-' reads standard input")
    dt.add_argument("-o", "--output", required=True,
                    help="the CSV to write: the input's rows with 'score' (0..1) and 'alert' (0/1) added; '-' for "
                         "standard output")
    dt.add_argument("--time", default=None, help="the time column, by name or index (default: the first)")
    dt.add_argument("--value", default=None, help="the value column, by name or index (default: the second)")
    dt.add_argument("--plot", default=None, metavar="PNG",
                    help="also write a PNG of the series, its causal smooth, the scores and the flagged windows")
    dt.add_argument("--kind", default="surprise", choices=["surprise", "multiscale", "zscore", "ewma", "holt"])
    dt.add_argument("--widths", type=_int_list, default=None, metavar="W[,W...]",
                    help="multiscale only: smooth and matched-filter widths in samples (default 8,32,128)")
    dt.add_argument("--on-bad-value", choices=["missing", "error"], default="missing",
                    help="a blank or non-numeric value, or a short row: a missing sample (default), or refuse the "
                         "file")
    dt.add_argument("--on-time-disorder", choices=["keep", "error"], default="keep",
                    help="a time that steps back, repeats or cannot be read: keep the row where it arrived "
                         "(default), or refuse the file")
    dt.add_argument("--period", default="auto", metavar="auto|none|ROWS",
                    help="the seasonal period in rows; auto (default): one day, from the first time steps, when a "
                         "day is a whole number of them")
    dt.add_argument("--halflife", type=float, default=1000.0,
                    help="memory of the running location and scale, in samples (default 1000)")
    dt.add_argument("--warmup", type=int, default=None, help="rows scored 0 at the start (default: automatic)")
    dt.add_argument("--set-score", type=float, default=0.75, help="score that raises an alert (default 0.75)")
    dt.add_argument("--clear-score", type=float, default=0.35, help="score below which it clears (default 0.35)")
    dt.add_argument("--set-samples", type=int, default=1, help="consecutive rows >= set-score to raise (default 1)")
    dt.add_argument("--clear-samples", type=int, default=8,
                    help="consecutive rows < clear-score to clear (default 8)")
    return parser


def main(argv=None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USER_ERROR
        return {"convolve": _convolve, "explain": _explain, "bench": _bench, "plot": _plot, "smooth": _smooth,
                "kernels": _kernels, "deconvolve": _deconvolve, "identify": _identify,
                "detect": _detect}[args.command](args)
    except UserError as e:
        print(f"faltung: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except (ValueError, TypeError, OSError, FloatingPointError, RuntimeError) as e:
        # the engine's and numpy's messages name the problem
        print(f"faltung: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("faltung: interrupted", file=sys.stderr)
        return 130


def _compute(args, show_progress):
    from . import _files
    from ._job import run_job
    signal = _files.read(args.input)
    kernel = _files.read_kernel(args.kernel)
    if args.normalize:
        total = kernel.sum()
        if total == 0:
            raise UserError("--normalize: the kernel sums to 0")
        kernel = kernel / total
    return signal, kernel, run_job(signal, kernel, args, show_progress)


def _convolve(args) -> int:
    from . import _files
    _files.kind_of(args.output)  # an unknown output format fails before the work
    signal, kernel, y = _compute(args, args.progress)
    if args.samplerate is not None:
        signal.samplerate = args.samplerate
    _files.write(args.output, y, signal)
    return 0


def _smooth(args) -> int:
    from . import _files, _native, kernels
    from ._job import convolved_axes
    _files.kind_of(args.output)
    try:
        kernel = kernels.make(args.spec)
    except ValueError as e:
        raise UserError(str(e)) from None
    signal = _files.read(args.input)
    axes = convolved_axes(signal, kernel.values, args.axes)
    common = dict(axes=axes, nan=args.nan, fill=args.fill, threads=args.threads)
    if args.causal:
        full = _native.convolve(signal.data, kernel.values, mode="full", **common)
        y = full[tuple(slice(0, signal.data.shape[a]) if a in axes else slice(None) for a in range(full.ndim))]
    else:
        if any(m % 2 == 0 for m in kernel.values.shape):
            raise UserError(f"{kernel.spec} has an even length: centred smoothing needs an odd one (or --causal)")
        y = _native.convolve(signal.data, kernel.values, mode="same", boundary=args.boundary, **common)
    if args.samplerate is not None:
        signal.samplerate = args.samplerate
    _files.write(args.output, np.ascontiguousarray(y), signal)
    print(f"faltung: smoothed with {kernel.id}", file=sys.stderr)
    return 0


def _deconvolve(args) -> int:
    from . import _files, deconvolve
    from ._job import PROGRESS_AFTER_SECONDS, run_in_thread_with_bar, show_progress_on_terminal
    _files.kind_of(args.output)
    signal = _files.read(args.input)
    psf = _files.read_kernel(args.psf)
    scale = 255.0 if signal.kind == "image" and signal.image_mode in ("L", "RGB", "RGBA") else 1.0
    x = signal.data / scale
    channels = signal.kind == "image" and x.ndim == 3 or signal.kind in ("wav", "csv") and x.ndim == 2
    signal_ndim = x.ndim - (1 if channels else 0)
    if psf.ndim > signal_ndim:
        raise UserError(f"the psf has {psf.ndim} axes; {args.input} has {signal_ndim} "
                        "(colour channels and .wav/.csv columns are deconvolved one at a time)")
    if psf.ndim < signal_ndim:
        # as `faltung convolve` applies a kernel with fewer axes: along the
        # last ones (an image's width), so deconvolve undoes what convolve did
        given = psf.ndim
        psf = psf.reshape((1,) * (signal_ndim - given) + psf.shape)
        print(f"faltung: the {given}-D psf runs along the last {'axis' if given == 1 else f'{given} axes'} "
              f"of the {signal_ndim}-D input, as convolve applies it; give a {signal_ndim}-D psf for a blur "
              "along every axis", file=sys.stderr)

    def one(part):
        if args.method == "wiener":
            return deconvolve.wiener(part, psf, balance=args.balance, reg=args.reg, clip=args.clip)
        return deconvolve.richardson_lucy(part, psf, num_iter=args.iterations, clip=args.clip)

    def all_parts():
        if channels:
            return np.stack([one(np.ascontiguousarray(x[..., c])) for c in range(x.shape[-1])], axis=-1)
        return one(x)

    if show_progress_on_terminal():  # Richardson-Lucy with thousands of iterations takes a while
        y = run_in_thread_with_bar(all_parts, "deconvolving", delay=PROGRESS_AFTER_SECONDS)
    else:
        y = all_parts()
    if args.samplerate is not None:
        signal.samplerate = args.samplerate
    _files.write(args.output, y * scale, signal)
    return 0


def _identify(args) -> int:
    from . import _files, deconvolve
    _files.kind_of(args.output)
    x, y = _files.read(args.x).data, _files.read(args.y).data
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise UserError(f"identify needs two 1-D signals of one length; got {x.shape} and {y.shape}")
    try:
        reg = args.reg if args.reg in ("gcv", "lcurve") else float(args.reg)
    except ValueError:
        raise UserError(f"--reg must be gcv, lcurve or a number; got {args.reg!r}") from None
    r = deconvolve.impulse_response(x, y, args.taps, reg=reg)
    _files.write(args.output, r.h, _files.Signal(r.h, "npy"))
    print(f"faltung: lambda {r.lam:.6g}, residual {r.residual_norm:.6g}, |h| {r.solution_norm:.6g}", file=sys.stderr)
    return 0


def _kernels(args) -> int:
    from . import kernels
    for line in kernels.catalogue():
        print(line)
    return 0


def _explain(args) -> int:
    from . import _native
    plan = _native.plan(" ".join(args.problem), method=args.method, threads=args.threads,
                        max_workspace_bytes=args.max_workspace, accuracy=args.accuracy)
    print(plan.explain(), end="")
    return 0


def _bench(args) -> int:
    from ._bench import run_grid
    run_grid(args.grid, args.group or ["1d", "2d", "batched"], args.threads, args.budget, args.progress)
    return 0


def _plot(args) -> int:
    from ._plot import plot
    if not args.output.lower().endswith(".png"):
        raise UserError(f"{args.output}: plot writes PNG files (give a .png name)")
    signal, kernel, y = _compute(args, False)
    kernel_name = args.kernel if len(args.kernel) <= 40 else args.kernel[:37] + "..."
    plot(signal.data, kernel, y, args.output, title=f"{args.op} {args.input} with {kernel_name}")
    return 0


def _detect_with_progress(detector, fed):
    """detector.process over the rows; on a terminal, in chunks under a bar
    (the detector is causal and its state carries over, so chunks give the
    very same scores)."""
    from ._job import PROGRESS_AFTER_SECONDS, show_progress_on_terminal
    chunk = 1 << 18
    if not show_progress_on_terminal() or len(fed) <= chunk:
        return detector.process(fed)
    from tqdm import tqdm
    scores, alerts = [], []
    with tqdm(total=len(fed), desc="scoring", unit=" rows", unit_scale=True, file=sys.stderr,
              delay=PROGRESS_AFTER_SECONDS) as bar:
        for start in range(0, len(fed), chunk):
            s, a = detector.process(fed[start:start + chunk])
            scores.append(s)
            alerts.append(a)
            bar.update(len(s))
    return np.concatenate(scores), np.concatenate(alerts)


def _detect(args) -> int:
    from . import _detect_cli
    from ._detect import Detector
    from ._stream import StreamFilter
    from .kernels import make
    if args.widths is not None and args.kind != "multiscale":
        raise UserError(f"--widths applies to --kind multiscale only (the kind is {args.kind})")
    widths = args.widths or [8, 32, 128]
    series = _detect_cli.read_series(args.input, args.time, args.value, args.on_bad_value, args.on_time_disorder)
    period = _detect_cli.period_rows(args.period, series)
    detector = Detector(args.kind, widths=widths, period=period, scale_halflife=args.halflife, warmup=args.warmup,
                        set_score=args.set_score, clear_score=args.clear_score, set_samples=args.set_samples,
                        clear_samples=args.clear_samples)
    frames = _detect_cli.frames_of(series, period)
    fed = np.full(int(frames[-1]) + 1 if len(frames) else 0, np.nan)
    fed[frames] = series.values
    score, alert = _detect_with_progress(detector, fed)
    score, alert = score[frames], alert[frames]
    note = _detect_cli.repairs_note(series, frames)
    if note:
        print(note, file=sys.stderr)
    _detect_cli.write_scores(args.output, series, score, alert)
    if args.plot:
        # the smooth a live pipeline has at each row: the causal mean of the
        # finite values among the last `width` rows (fewer at the start)
        width = sorted(widths)[len(widths) // 2]
        box = make(f"box:width={width}").values
        finite = np.isfinite(series.values)
        sums = StreamFilter(box).process(np.where(finite, series.values, 0.0))
        weights = StreamFilter(box).process(finite.astype(np.float64))
        with np.errstate(invalid="ignore", divide="ignore"):
            smooth = np.where(weights > 0.5 / width, sums / weights, np.nan)
        _detect_cli.plot(args.plot, series, smooth, f"causal mean of {width} rows", score, alert, args.set_score)
    raised = len(_detect_cli.flagged_windows(alert))
    season = f"seasonal period {period} rows" if period else "no seasonal period"
    day = _detect_cli.day_rows(series) if args.period == "auto" else 0
    if day and not period:
        season += (f" (a day is {day} rows; the file has {len(series.values)}, fewer than "
                   f"{_detect_cli.LEARNING_PERIODS} days to learn one from)")
    if not np.any(score > 0):
        print(f"faltung detect: every score is 0: the first {detector.warmup} rows are warm-up and nothing "
              "after them stood out", file=sys.stderr)
    print(f"faltung detect: {len(series.values)} rows, {int(np.isnan(series.values).sum())} missing, {season}, "
          f"{raised} alert{'s' if raised != 1 else ''} raised", file=sys.stderr)
    return 0


if __name__ == "__main__":  # last: every function above is defined by then
    sys.exit(main())
