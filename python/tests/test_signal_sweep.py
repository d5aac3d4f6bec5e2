"""Seeded random sweeps: faltung.signal against scipy.signal itself, over
shapes, dtypes (bool, int, float32/64, complex), modes, methods, boundaries
and memory layouts (transposed, sliced and reversed views)."""
import numpy as np
import pytest
import scipy.signal as ssig
from conftest import assert_matches, random_array, random_axes, random_layout, sweep_seed
from faltung import signal as fsig

DTYPES = ["float64", "float32", "complex128", "complex64", "int32", "int64", "uint8", "bool"]


def random_shapes(rng, ndim, mode):
    x = tuple(int(rng.integers(1, [60, 14, 7][ndim - 1])) for _ in range(ndim))
    k = tuple(int(rng.integers(1, [20, 7, 4][ndim - 1])) for _ in range(ndim))
    if mode == "valid" and rng.random() < 0.8:  # mostly one contains the other
        big = tuple(max(a, b) for a, b in zip(x, k))
        small = tuple(min(a, b) for a, b in zip(x, k))
        x, k = (big, small) if rng.random() < 0.7 else (small, big)
    return x, k


def operands(rng, ndim, mode, dtypes=DTYPES):
    xs, ks = random_shapes(rng, ndim, mode)
    dx = str(rng.choice(dtypes))
    dk = dx if rng.random() < 0.7 else str(rng.choice(dtypes))
    x, lx = random_layout(rng, random_array(rng, xs, dx))
    k, lk = random_layout(rng, random_array(rng, ks, dk))
    return x, k, f"x={xs} {dx} {lx}, k={ks} {dk} {lk}"


def expect_same(fn_name, x, k, context, *args, **kwargs):
    try:
        want = getattr(ssig, fn_name)(x, k, *args, **kwargs)
    except ValueError as e:
        if "Unsupported type" not in str(e) and "not available for this type" not in str(e):
            raise_alike(e, context, fn_name, x, k, *args, **kwargs)
            return
        # scipy's direct paths have no bool (or float16) loop; faltung
        # computes them. The oracle: scipy on the values as int64 (bool:
        # "any product non-zero") or float32.
        if x.dtype.kind == "b":
            want = getattr(ssig, fn_name)(x.astype(np.int64), k.astype(np.int64), *args, **kwargs) != 0
        else:
            wide = np.result_type(x, k, np.float32)
            want = getattr(ssig, fn_name)(x.astype(wide), k.astype(wide), *args, **kwargs).astype(
                np.result_type(x, k))
    except Exception as e:
        raise_alike(e, context, fn_name, x, k, *args, **kwargs)
        return
    got = getattr(fsig, fn_name)(x, k, *args, **kwargs)
    assert_matches(got, want, x, k, context)


def raise_alike(e, context, fn_name, x, k, *args, **kwargs):
    """scipy refused: faltung must refuse with the same exception type."""
    try:
        getattr(fsig, fn_name)(x, k, *args, **kwargs)
    except type(e):
        return
    except Exception as other:
        pytest.fail(f"scipy raised {e!r}, faltung {other!r}: {context}")
    pytest.fail(f"scipy raised {e!r}, faltung did not: {context}")


@pytest.mark.parametrize("fn_name", ["convolve", "correlate"])
def test_convolve_correlate_sweep(fn_name):
    seed = sweep_seed(4001)
    rng = np.random.default_rng(seed)
    for trial in range(400):
        mode = str(rng.choice(["full", "same", "valid"]))
        method = str(rng.choice(["auto", "direct", "fft"]))
        x, k, desc = operands(rng, int(rng.integers(1, 4)), mode)
        if method == "fft" and (x.dtype.kind in "biu" or k.dtype.kind in "biu"):
            method = "auto"  # scipy's fft path rounds integers; auto is the same contract
        context = f"seed={seed} trial={trial}: signal.{fn_name}({desc}, mode={mode!r}, method={method!r})"
        expect_same(fn_name, x, k, context, mode=mode, method=method)


@pytest.mark.parametrize("fn_name", ["fftconvolve", "oaconvolve"])
def test_fft_family_sweep(fn_name):
    seed = sweep_seed(4002)
    rng = np.random.default_rng(seed)
    for trial in range(250):
        mode = str(rng.choice(["full", "same", "valid"]))
        ndim = int(rng.integers(1, 4))
        x, k, desc = operands(rng, ndim, mode, ["float64", "float32", "complex128", "complex64", "int32"])
        axes = None
        if ndim > 1 and rng.random() < 0.5:
            axes = random_axes(rng, ndim)
            batch = [a for a in range(ndim) if a not in axes]
            # broadcastable batch axes: kernel size 1, equal, or input size 1
            ks = list(k.shape)
            for a in batch:
                ks[a] = int(rng.choice([1, x.shape[a]]))
            k = random_array(rng, tuple(ks), k.dtype)
            desc += f" (k reshaped to {tuple(ks)})"
        context = f"seed={seed} trial={trial}: signal.{fn_name}({desc}, mode={mode!r}, axes={axes})"
        expect_same(fn_name, x, k, context, mode=mode, axes=axes)


@pytest.mark.parametrize("fn_name", ["convolve2d", "correlate2d"])
def test_2d_boundary_sweep(fn_name):
    seed = sweep_seed(4003)
    rng = np.random.default_rng(seed)
    for trial in range(300):
        mode = str(rng.choice(["full", "same", "valid"]))
        boundary = str(rng.choice(["fill", "pad", "wrap", "circular", "symm", "symmetric"]))
        fillvalue = float(rng.integers(-3, 4)) if rng.random() < 0.5 else 0
        if rng.random() < 0.2:  # complex: scipy takes it for complex data only
            fillvalue = complex(rng.integers(-3, 4), rng.integers(-3, 4))
        x, k, desc = operands(rng, 2, mode)
        context = (f"seed={seed} trial={trial}: signal.{fn_name}({desc}, mode={mode!r}, boundary={boundary!r}, "
                   f"fillvalue={fillvalue})")
        expect_same(fn_name, x, k, context, mode=mode, boundary=boundary, fillvalue=fillvalue)


def test_correlation_lags_match_scipy():
    for n1 in range(1, 12):
        for n2 in range(1, 12):
            for mode in ("full", "same", "valid"):
                assert np.array_equal(fsig.correlation_lags(n1, n2, mode), ssig.correlation_lags(n1, n2, mode)), \
                    (n1, n2, mode)


def test_correlation_lags_index_correlate_output():
    rng = np.random.default_rng(sweep_seed(4004))
    x = rng.standard_normal(50)
    shifted = np.roll(x, 7)
    for mode in ("full", "same"):
        corr = fsig.correlate(shifted, x, mode=mode)
        assert fsig.correlation_lags(50, 50, mode)[np.argmax(corr)] == 7


def test_choose_conv_method():
    rng = np.random.default_rng(sweep_seed(4005))
    small = rng.standard_normal(100), rng.standard_normal(3)
    large = rng.standard_normal(100_000), rng.standard_normal(5_000)
    assert fsig.choose_conv_method(*small) == "direct"
    assert fsig.choose_conv_method(*large) == "fft"
    # integers that an FFT could not hold exactly stay direct, as in scipy
    huge = np.full(1000, 2**40, dtype=np.int64), np.full(1000, 2**20, dtype=np.int64)
    assert fsig.choose_conv_method(*huge) == ssig.choose_conv_method(*huge) == "direct"
    method, times = fsig.choose_conv_method(*small, measure=True)
    assert method in ("direct", "fft") and set(times) == {"direct", "fft"} and all(t > 0 for t in times.values())


def test_scalars_and_results_types():
    assert fsig.convolve(np.float32(2), np.float32(3)) == 6
    assert fsig.correlate(np.array(2 + 1j), np.array(1j)) == ssig.correlate(np.array(2 + 1j), np.array(1j))
    assert fsig.convolve([1, 2, 3], [1, 1]).dtype == ssig.convolve([1, 2, 3], [1, 1]).dtype
    assert fsig.convolve(np.ones(4, np.float32), np.ones(2, np.float32)).dtype == np.float32
    assert fsig.fftconvolve(np.ones(4, np.int32), np.ones(2, np.int32)).dtype == np.float64
    assert fsig.fftconvolve(np.ones(0), np.ones(3)).size == 0
