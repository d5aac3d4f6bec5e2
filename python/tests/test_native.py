"""The native API: every option, plans, wisdom, threads, copies and the GIL."""
import threading
import time
import tracemalloc
import warnings

import faltung
import numpy as np
import pytest
import scipy.ndimage as snd
import scipy.signal as ssig
from astropy.convolution import convolve as astropy_convolve
from conftest import normwise_bound, sweep_seed
from faltung import ndimage as fnd
from faltung import signal as fsig

METHODS = ["direct", "fft", "overlap_save", "reference"]


def test_convolve_matches_scipy_and_every_method_agrees():
    rng = np.random.default_rng(sweep_seed(6001))
    for trial in range(60):
        x = rng.standard_normal(int(rng.integers(5, 300)))
        k = rng.standard_normal(int(rng.integers(1, 40)))
        mode = str(rng.choice(["full", "same", "valid"]))
        if mode == "valid" and k.size > x.size:
            x, k = k, x
        want = ssig.convolve(x, k, mode=mode, method="direct")
        for method in METHODS + ["auto"]:
            got = faltung.convolve(x, k, mode=mode, method=method)
            err = np.max(np.abs(got - want))
            assert err <= normwise_bound(x, k, np.float64), f"seed trial {trial} {method} {mode}: {err}"


def test_boundaries_origins_axes_against_ndimage():
    rng = np.random.default_rng(sweep_seed(6002))
    x = rng.standard_normal((4, 30, 20))
    k = rng.standard_normal((5, 4))
    names = {"constant": "constant", "symmetric": "reflect", "mirror": "mirror", "nearest": "nearest", "wrap": "wrap"}
    for ours, theirs in names.items():
        for origin in (0, 1, (-2, 1)):
            got = faltung.filter(x, k, boundary=ours, cval=2.0, origin=origin, axes=(1, 2))
            want = snd.correlate(x, k, mode=theirs, cval=2.0, origin=origin, axes=(1, 2))
            assert np.allclose(got, want, atol=1e-12), (ours, origin)
            got = faltung.filter(x, k, op="conv", boundary=ours, cval=2.0, origin=origin, axes=(-2, -1))
            want = snd.convolve(x, k, mode=theirs, cval=2.0, origin=origin, axes=(1, 2))
            assert np.allclose(got, want, atol=1e-12), (ours, origin)
    # signal family: a per-axis boundary in full mode, checked against numpy.pad
    got = faltung.convolve(x[0], k, boundary=["wrap", "nearest"])
    padded = np.pad(np.pad(x[0], ((4, 4), (0, 0)), mode="wrap"), ((0, 0), (3, 3)), mode="edge")
    assert np.allclose(got, ssig.convolve(padded, k, mode="valid"), atol=1e-12)


def test_big_endian_and_read_only_inputs():
    x = np.arange(20.0).astype(">f8")
    k = np.array([1.0, -2.0, 0.5], dtype=">f4")
    want = np.convolve(x.astype(float), k.astype(float))
    assert np.allclose(faltung.convolve(x, k), want)
    assert np.allclose(fsig.convolve(x, k), ssig.convolve(x, k))
    got, want_nd = fnd.correlate1d(x, k), snd.correlate1d(x, k)
    assert np.allclose(got, want_nd) and got.dtype == want_nd.dtype
    frozen = np.arange(20.0)
    frozen.flags.writeable = False
    assert np.allclose(faltung.convolve(frozen, k.astype(float)), want)


def test_dtype_rules():
    assert faltung.convolve(np.ones(5, np.float32), np.ones(2, np.float32)).dtype == np.float32
    assert faltung.convolve(np.ones(5, np.int16), np.ones(2, np.int16)).dtype == np.float64
    assert faltung.convolve(np.ones(5, np.float32), np.ones(2)).dtype == np.float64
    assert faltung.convolve(np.ones(5, np.float32), np.ones(2, np.complex64)).dtype == np.complex64
    assert faltung.convolve([1, 2, 3], [1, 1]).tolist() == [1, 3, 5, 3]


def test_out_argument_and_no_copy_of_contiguous_input():
    x = np.random.default_rng(1).standard_normal(2_000_000)
    k = np.ones(7) / 7
    out = np.empty_like(x)
    faltung.convolve(x, k, mode="same", out=out)  # warm: plans and workspaces exist
    tracemalloc.start()
    result = faltung.convolve(x, k, mode="same", out=out)
    contiguous_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result is out
    assert np.allclose(out, np.convolve(x, k, "same"))
    assert contiguous_peak < 1 << 20, f"a C-contiguous call allocated {contiguous_peak} bytes"
    # a strided view is copied once (16 MB of every other sample -> 8 MB)
    wide = np.repeat(x, 2)[::2]
    tracemalloc.start()
    faltung.convolve(wide, k, mode="same", out=out)
    strided_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert strided_peak >= x.nbytes
    with pytest.raises(ValueError, match="out must be"):
        faltung.convolve(x, k, mode="same", out=np.empty(5))


def test_threads_give_bit_identical_results():
    rng = np.random.default_rng(sweep_seed(6003))
    x = rng.standard_normal((64, 3000))
    k = rng.standard_normal(301)
    results = [faltung.convolve(x, k, mode="same", threads=t, method=m) for m in ("direct", "overlap_save")
               for t in (1, 2, 0)]
    for m in range(2):
        for r in results[3 * m + 1:3 * m + 3]:
            assert np.array_equal(r, results[3 * m])
    with pytest.raises(ValueError, match="threads"):
        faltung.convolve(x, k, threads=-1)


def test_gil_is_released_during_compute():
    x = np.random.default_rng(2).standard_normal((16, 1 << 16))
    k = np.random.default_rng(3).standard_normal(4001)
    span = {}

    def work():
        span["start"] = time.perf_counter()
        faltung.convolve(x, k, method="direct")
        span["end"] = time.perf_counter()

    worker = threading.Thread(target=work)
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
    worker.join()
    duration = span["end"] - span["start"]
    assert duration > 0.05, "the problem is too small to tell"
    middle = [t for t in ticks if span["start"] + 0.25 * duration < t < span["end"] - 0.25 * duration]
    assert len(middle) > 100, "Python made no progress while the engine computed: the GIL was held"


def test_nan_policies():
    rng = np.random.default_rng(sweep_seed(6004))
    x = rng.standard_normal(400)
    x[[30, 31, 200]] = np.nan
    x[350] = np.inf
    k = rng.standard_normal(25)
    clean = np.where(np.isfinite(x), x, 0.0)
    for method in ("direct", "fft", "overlap_save"):
        y = faltung.convolve(x, k, mode="same", method=method)
        touched = np.convolve(~np.isfinite(x), np.ones(25), "same") > 0
        assert np.array_equal(~np.isfinite(y), touched), method
        ref = np.convolve(clean, k, "same")
        assert np.allclose(y[~touched], ref[~touched], atol=1e-10), method
        filled = faltung.convolve(x, k, mode="same", method=method, nan="fill", fill=0.0)
        assert np.allclose(filled, ref, atol=1e-10)
    with pytest.raises(FloatingPointError, match="30"):
        faltung.convolve(x, k, nan="raise")
    with pytest.raises(ValueError, match="nan"):
        faltung.convolve(x, k, nan="skip")
    with pytest.raises(ValueError):
        faltung.convolve(np.ones(10), np.array([1.0, np.nan]))


@pytest.mark.parametrize("boundary,astropy_boundary", [("constant", "fill"), ("nearest", "extend"), ("wrap", "wrap")])
def test_nan_ignore_matches_astropy(boundary, astropy_boundary):
    rng = np.random.default_rng(sweep_seed(6005))
    for shape, kshape in (((300,), (9,)), ((40, 50), (5, 7))):
        x = rng.standard_normal(shape)
        x[rng.random(shape) < 0.1] = np.nan
        k = rng.random(kshape) + 0.1
        want = astropy_convolve(x, k, boundary=astropy_boundary, nan_treatment="interpolate", normalize_kernel=True)
        for method in ("direct", "fft", "overlap_save"):
            got = faltung.convolve(x, k / k.sum(), mode="same", boundary=boundary, nan="ignore", method=method)
            assert np.allclose(got, want, atol=1e-10, equal_nan=True), (method, shape)


def test_plan_reuse_repr_explain_and_errors():
    rng = np.random.default_rng(sweep_seed(6006))
    x = rng.standard_normal((100, 120)).astype(np.float32)
    k = np.outer(np.hanning(7), np.hanning(5)).astype(np.float32)
    plan = faltung.plan(x, k, mode="same", boundary="symmetric")
    assert plan.problem == "op=conv dtype=f32 x=100x120 k=7x5 mode=same boundary=symmetric"
    assert plan.method in ("direct", "separable", "fft", "overlap_save")
    assert plan.problem in repr(plan) and plan.method in repr(plan)
    text = plan.explain()
    assert "candidates:" in text and "<- chosen" in text
    first = plan(x, k)
    assert np.array_equal(plan(x, k), first)
    assert np.allclose(first, faltung.convolve(x, k, mode="same", boundary="symmetric", method="reference"), atol=1e-4)
    assert plan.output_shape == (100, 120) and plan.dtype == np.float32
    with pytest.raises(ValueError, match="shape"):
        plan(x[:50], k)
    by_text = faltung.plan("op=corr dtype=f64 x=1000 k=31 mode=same", method="direct")
    assert by_text.method == "direct" and by_text.x_shape == (1000,)
    shaped = faltung.plan((1000,), (31,), dtype="float32", method="fft")
    assert shaped.method == "fft" and "fft" in shaped.explain()
    with pytest.raises(ValueError, match="key|parse|unknown|'frobnicate'"):
        faltung.plan("op=conv x=10 k=3 frobnicate=1")
    capped = faltung.plan((1 << 20,), (4097,), max_workspace_bytes=1 << 20)
    assert capped.workspace_bytes <= 1 << 20
    exact = faltung.plan((1 << 16,), (513,), accuracy="elementwise")
    assert exact.accuracy == "elementwise" and exact.method in ("direct", "separable")


def test_wisdom_round_trip(tmp_path):
    faltung.forget_wisdom()
    plan = faltung.plan((20000,), (300,), method="measure")
    measured = plan.method
    path = tmp_path / "wisdom.txt"
    faltung.save_wisdom(path)
    faltung.forget_wisdom()
    assert faltung.export_wisdom().strip().splitlines() == ["faltung-wisdom 1"]
    assert faltung.load_wisdom(path) == []
    auto = faltung.plan((20000,), (300,))
    assert auto.method == measured and "remembered in wisdom" in auto.explain()
    corrupt = tmp_path / "corrupt.txt"
    corrupt.write_text("faltung-wisdom 1\nthis is not a line\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = faltung.load_wisdom(corrupt)
    assert found and caught, "a corrupt line must warn"
    with pytest.raises(OSError):
        faltung.load_wisdom(tmp_path / "missing.txt")
    faltung.forget_wisdom()


def test_large_results_are_recycled_never_shared():
    rng = np.random.default_rng(sweep_seed(6007))
    x = rng.standard_normal(300_000)  # 2.4 MB results: pooled
    k1, k2 = np.ones(5), np.arange(5.0)
    y1 = faltung.convolve(x, k1, mode="same")
    first = y1.copy()
    y2 = faltung.convolve(x, k2, mode="same")
    assert not np.shares_memory(y1, y2)
    assert np.array_equal(y1, first), "a live result was overwritten"
    address = y2.__array_interface__["data"][0]
    del y2  # its buffer is kept for the next result of that size
    y3 = faltung.convolve(x, k1, mode="same")
    assert y3.__array_interface__["data"][0] == address
    assert np.array_equal(y3, first)
    del y1, y3
    assert faltung.release_memory() >= 2 * x.nbytes
    assert faltung.release_memory() == 0


FORK_X = (np.arange(1500 * 1500, dtype=np.float64) % 17).reshape(1500, 1500)
FORK_K = np.arange(81, dtype=np.float64).reshape(9, 9) % 5


def _convolve_in_child(queue):
    queue.put(faltung.convolve(FORK_X, FORK_K, mode="same", threads=2, method="direct").sum())


def test_threads_work_in_a_forked_child():
    # The parent's pool threads do not exist in a child made by fork (Python
    # multiprocessing's default on Linux): the child used to wait forever
    # for them. It must start its own and give the same answer.
    import multiprocessing
    plan = faltung.plan(FORK_X.shape, FORK_K, mode="same", threads=2, method="direct")
    assert "threads: 2" in plan.explain()  # the pool is used
    want = faltung.convolve(FORK_X, FORK_K, mode="same", threads=2, method="direct").sum()  # the parent's pool is up
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_convolve_in_child, args=(queue,))
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail("the forked child hung in a threaded convolution")
    assert child.exitcode == 0
    assert queue.get(timeout=5) == want
