"""Seeded random sweeps: faltung.ndimage against scipy.ndimage itself, over
shapes, dtypes, modes (every ndimage name), origins, axes, cval, output
arguments and memory layouts."""
import numpy as np
import pytest
import scipy.ndimage as snd
from conftest import assert_matches, random_array, random_axes, random_layout, sweep_seed
from faltung import ndimage as fnd

MODES = ["reflect", "grid-mirror", "mirror", "nearest", "wrap", "grid-wrap", "constant", "grid-constant"]
DTYPES = ["float64", "float32", "complex128", "complex64"]


def compare(fn_name, x, k, context, *args, integer_slack=False, **kwargs):
    try:
        want = getattr(snd, fn_name)(x, *(() if k is None else (k,)), *args, **kwargs)
    except Exception as e:
        try:
            getattr(fnd, fn_name)(x, *(() if k is None else (k,)), *args, **kwargs)
        except type(e):
            return
        except Exception as other:
            pytest.fail(f"scipy raised {e!r}, faltung {other!r}: {context}")
        pytest.fail(f"scipy raised {e!r}, faltung did not: {context}")
    got = getattr(fnd, fn_name)(x, *(() if k is None else (k,)), *args, **kwargs)
    if integer_slack and want.dtype.kind in "iu":
        # truncating a float sum: 2.9999999 and 3.0000001 both round "right"
        assert got.dtype == want.dtype and got.shape == want.shape, context
        assert np.max(np.abs(got.astype(np.int64) - want.astype(np.int64)), initial=0) <= 1, context
        return
    assert_matches(got, want, x, np.ones(1) if k is None else k, context,
                   dtype=np.float32 if x.dtype in (np.float32, np.complex64) else None)


@pytest.mark.parametrize("fn_name", ["correlate", "convolve"])
def test_nd_sweep(fn_name):
    seed = sweep_seed(5001)
    rng = np.random.default_rng(seed)
    for trial in range(300):
        ndim = int(rng.integers(1, 4))
        xs = tuple(int(rng.integers(1, [50, 12, 7][ndim - 1])) for _ in range(ndim))
        axes = None
        conv_axes = list(range(ndim))
        if ndim > 1 and rng.random() < 0.3:
            conv_axes = random_axes(rng, ndim)
            axes = conv_axes
        ks = tuple(int(rng.integers(1, 6)) for _ in conv_axes)
        dx = str(rng.choice(DTYPES + ["int32", "uint8"]))
        dk = str(rng.choice(["float64", "float32", "complex128"])) if rng.random() < 0.3 else "float64"
        if dx in ("int32", "uint8"):
            dk = "int64"  # integer weights: exact sums, so truncation is deterministic
        x, lx = random_layout(rng, random_array(rng, xs, dx))
        k = random_array(rng, ks, dk)
        mode = str(rng.choice(MODES))
        origin = [int(rng.integers(-(m // 2), (m - 1) // 2 + 1)) for m in ks]
        if rng.random() < 0.05:
            origin = [ks[0]]  # out of range: scipy's ValueError
        cval = float(rng.integers(-2, 3))
        context = (f"seed={seed} trial={trial}: ndimage.{fn_name}(x={xs} {dx} {lx}, k={ks} {dk}, mode={mode!r}, "
                   f"origin={origin}, cval={cval}, axes={axes})")
        extra = {} if axes is None else {"axes": axes}  # scipy < 1.15 has no axes argument
        compare(fn_name, x, k, context, mode=mode, origin=origin, cval=cval, **extra)


@pytest.mark.parametrize("fn_name", ["correlate1d", "convolve1d"])
def test_1d_sweep(fn_name):
    seed = sweep_seed(5002)
    rng = np.random.default_rng(seed)
    for trial in range(300):
        ndim = int(rng.integers(1, 4))
        xs = tuple(int(rng.integers(1, 30)) for _ in range(ndim))
        m = int(rng.integers(1, 9))
        dx = str(rng.choice(DTYPES))
        x, lx = random_layout(rng, random_array(rng, xs, dx))
        k = random_array(rng, (m,), str(rng.choice(["float64", "complex128"])) if rng.random() < 0.2 else "float64")
        axis = int(rng.integers(-ndim, ndim))
        mode = str(rng.choice(MODES))
        origin = int(rng.integers(-(m // 2), (m - 1) // 2 + 1))
        context = (f"seed={seed} trial={trial}: ndimage.{fn_name}(x={xs} {dx} {lx}, k=({m},) {k.dtype}, axis={axis}, "
                   f"mode={mode!r}, origin={origin})")
        compare(fn_name, x, k, context, axis=axis, mode=mode, origin=origin, cval=1.5)


def test_uniform_filter_sweep():
    seed = sweep_seed(5003)
    rng = np.random.default_rng(seed)
    for trial in range(200):
        ndim = int(rng.integers(1, 4))
        xs = tuple(int(rng.integers(1, [60, 15, 8][ndim - 1])) for _ in range(ndim))
        dx = str(rng.choice(DTYPES + ["int32", "uint8", "int16"]))
        x, lx = random_layout(rng, random_array(rng, xs, dx, low=-50, high=50))
        size = int(rng.integers(1, 7)) if rng.random() < 0.5 else [int(rng.integers(1, 7)) for _ in range(ndim)]
        sizes = size if isinstance(size, list) else [size] * ndim
        origin = [int(rng.integers(-(s // 2), (s - 1) // 2 + 1)) for s in sizes]
        mode = str(rng.choice(MODES)) if rng.random() < 0.7 else [str(rng.choice(MODES)) for _ in range(ndim)]
        context = (f"seed={seed} trial={trial}: ndimage.uniform_filter(x={xs} {dx} {lx}, size={size}, "
                   f"mode={mode!r}, origin={origin})")
        compare("uniform_filter", x, None, context, size=size, mode=mode, origin=origin)


def test_gaussian_filter_sweep():
    seed = sweep_seed(5004)
    rng = np.random.default_rng(seed)
    for trial in range(200):
        ndim = int(rng.integers(1, 4))
        xs = tuple(int(rng.integers(1, [80, 20, 9][ndim - 1])) for _ in range(ndim))
        dx = str(rng.choice(["float64", "float32", "int32", "uint8"]))
        x, lx = random_layout(rng, random_array(rng, xs, dx, low=0, high=100))
        sigma = float(rng.uniform(0.3, 4)) if rng.random() < 0.6 else [float(rng.uniform(0, 3)) for _ in range(ndim)]
        order = 0 if rng.random() < 0.6 else [int(rng.integers(0, 4)) for _ in range(ndim)]
        extra = {}
        if rng.random() < 0.3:
            extra["radius"] = int(rng.integers(0, 6))
        elif rng.random() < 0.3:
            extra["truncate"] = float(rng.uniform(1, 5))
        if ndim > 1 and rng.random() < 0.3:
            extra["axes"] = random_axes(rng, ndim)
            n = len(extra["axes"])
            sigma = sigma[:n] if isinstance(sigma, list) else sigma
            order = order[:n] if isinstance(order, list) else order
        mode = str(rng.choice(MODES))
        output = None if rng.random() < 0.7 else str(rng.choice(["float64", "float32"]))
        context = (f"seed={seed} trial={trial}: ndimage.gaussian_filter(x={xs} {dx} {lx}, sigma={sigma}, "
                   f"order={order}, mode={mode!r}, output={output}, {extra})")
        compare("gaussian_filter", x, None, context, sigma, order=order, mode=mode, output=output,
                integer_slack=True, **extra)


def test_output_argument_is_written_and_returned():
    rng = np.random.default_rng(sweep_seed(5005))
    x = rng.standard_normal((20, 30))
    w = rng.standard_normal((3, 3))
    for fn, args in ((fnd.correlate, (w,)), (fnd.convolve1d, (w[0],)), (fnd.uniform_filter, ()),
                     (fnd.gaussian_filter, (1.5,))):
        out = np.empty_like(x)
        assert fn(x, *args, output=out) is out
        assert np.allclose(out, getattr(snd, fn.__name__)(x, *args))
        out32 = fn(x, *args, output=np.float32)
        assert out32.dtype == np.float32
    with pytest.raises(RuntimeError):
        fnd.correlate(x, w, output=np.empty((3, 3)))
