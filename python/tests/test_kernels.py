"""faltung.kernels: coefficients against scipy and closed forms, the spec
syntax and its errors, versions (content hashes), and the CLI's use of them."""
import pathlib
import subprocess
import sys

import faltung
import numpy as np
import pytest
import scipy.ndimage as snd
import scipy.signal as ssig
from faltung import kernels

FALTUNG = str(pathlib.Path(sys.executable).parent / "faltung")


def impulse_response_ndimage(sigma, order=0, **kw):
    """scipy.ndimage's Gaussian (derivative) kernel, read off an impulse."""
    r = 80
    d = np.zeros(2 * r + 1)
    d[r] = 1
    y = snd.gaussian_filter1d(d, sigma, order=order, mode="constant", **kw)
    return y


@pytest.mark.parametrize("sigma,extra", [(0.7, ""), (4, ""), (2.5, ",truncate=2.5"), (3, ",radius=5")])
def test_gaussian_matches_scipy_ndimage(sigma, extra):
    k = kernels.make(f"gaussian:sigma={sigma}{extra}")
    kw = {"truncate": 2.5} if "truncate" in extra else {"radius": 5} if "radius" in extra else {}
    full = impulse_response_ndimage(sigma, **kw)
    r = (k.values.size - 1) // 2
    assert np.allclose(k.values, full[80 - r:80 + r + 1], atol=1e-15, rtol=1e-12)
    assert abs(full.sum() - k.values.sum()) < 1e-12  # nothing outside the radius
    assert k.values.sum() == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_gaussian_derivative_filters_like_ndimage(order):
    rng = np.random.default_rng(11)
    x = rng.standard_normal(300)
    k = kernels.make(f"gaussian-derivative:sigma=2.5,order={order}")
    got = faltung.convolve(x, k.values, mode="same", boundary="symmetric")
    assert np.allclose(got, snd.gaussian_filter1d(x, 2.5, order=order), atol=1e-12)


@pytest.mark.parametrize("window,order,deriv", [(5, 2, 0), (11, 3, 0), (11, 3, 1), (10, 4, 0), (21, 6, 2), (7, 2, 3)])
def test_savgol_matches_scipy(window, order, deriv):
    k = kernels.make(f"savgol:window={window},order={order},deriv={deriv}")
    assert np.allclose(k.values, ssig.savgol_coeffs(window, order, deriv=deriv), atol=1e-12)


@pytest.mark.parametrize("width", [1, 3, 4, 9, 16])
def test_windows_match_scipy(width):
    tri = ssig.windows.triang(width)
    assert np.allclose(kernels.make(f"triangle:width={width}").values, tri / tri.sum())
    if width != 2:
        h = ssig.windows.hann(width)
        assert np.allclose(kernels.make(f"hann:width={width}").values, h / h.sum())
    assert np.allclose(kernels.make(f"box:width={width}").values, np.full(width, 1 / width))


def test_closed_forms():
    e = kernels.make("exponential:halflife=10")
    assert e.values.size == int(np.ceil(10 * np.log2(1000)))
    assert e.values[10] / e.values[0] == pytest.approx(0.5) and e.values.sum() == pytest.approx(1)
    assert kernels.make("exponential:halflife=3,taps=5").values.size == 5
    # matched templates, applied causally (newest sample first): unit responses
    t = np.arange(200.0)
    step = (t >= 100).astype(float)
    y = np.convolve(step, kernels.make("step:width=10").values)[:200]
    assert y[104] == pytest.approx(1.0) and abs(y[90]) < 1e-12 and y.max() == pytest.approx(1.0)
    spike = np.zeros(200)
    spike[100] = 1
    s = kernels.make("spike:width=7").values
    assert np.convolve(spike + 3.0, s)[103] == pytest.approx(1.0)  # constant level ignored
    ramp = kernels.make("ramp:width=9").values
    assert np.convolve(0.25 * t + 7, ramp)[50] == pytest.approx(0.25)
    g2 = kernels.make("gaussian:sigma=1.5,dims=2")
    g1 = kernels.make("gaussian:sigma=1.5").values
    assert g2.values.shape == (g1.size, g1.size) and np.allclose(g2.values, np.outer(g1, g1))


def test_canonical_spec_and_versions():
    a = kernels.make("gaussian:sigma=4")
    b = kernels.make(" gaussian : sigma = 4.0 , truncate = 4 ")
    assert a.spec == b.spec == "gaussian:sigma=4,truncate=4"
    assert a.version == b.version and len(a.version) == 16 and a.id == f"{a.spec}@{a.version}"
    assert kernels.make("gaussian:sigma=4.01").version != a.version
    assert kernels.make("box:width=5").version != kernels.make("box:width=5,dims=2").version
    # the version hashes the values: defaults spelled out change nothing,
    # and values equal to the last bit under another name share it
    assert kernels.make("box:width=5,dims=1").version == kernels.make("box:width=5").version
    assert kernels.make("gaussian:sigma=2,radius=8").version == kernels.make("gaussian:sigma=2").version
    with pytest.raises(ValueError):
        a.values[0] = 1  # read-only: a versioned kernel cannot change under its version


@pytest.mark.parametrize("spec,words", [
    ("gauss:sigma=1", "unknown kernel"), ("gaussian", "needs sigma"), ("gaussian:sigma=0", "sigma must be"),
    ("gaussian:sigma=2,truncate=3,radius=4", "not both"), ("box:width=3,foo=1", "no parameter 'foo'"),
    ("box:width=x", "not an integer"), ("box:width=0", ">= 1"), ("savgol:window=5,order=5", "order must be"),
    ("hann:width=2", "all zeros"), ("box:width=3,dims=3", "dims"), ("box:width", "key=value"),
    ("savgol:window=5,order=2,dims=2", "no parameter 'dims'"), ("gaussian:sigma=1,sigma=2", "twice"),
    # sizes past any kernel's are refused before a value is computed
    ("gaussian:sigma=1e7", "80000001 taps, more than the 1048576"), ("gaussian:sigma=1e300", "more than the 1048576"),
    ("gaussian:sigma=1,radius=9223372036854775807", "more than the 1048576"),
    ("exponential:halflife=1e300", "more than the 1048576"), ("box:width=2000000", "more than the 1048576"),
    ("box:width=10000,dims=2", "10000x10000 taps with dims=2"),
])
def test_spec_errors_name_the_problem(spec, words):
    with pytest.raises(ValueError, match=words):
        kernels.make(spec)


def test_catalogue_lists_every_kernel():
    names = [line.split(":")[0] for line in kernels.catalogue()]
    assert names == ["box", "triangle", "hann", "gaussian", "gaussian-derivative", "exponential", "savgol", "step",
                     "spike", "ramp"]
    for name in names:
        spec = {"gaussian": "gaussian:sigma=2", "gaussian-derivative": "gaussian-derivative:sigma=2",
                "exponential": "exponential:halflife=4",
                "savgol": "savgol:window=7,order=2"}.get(name, f"{name}:width=5")
        assert kernels.make(spec).values.size > 0


def test_cli_smooth_and_named_kernels(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(500)
    np.save(tmp_path / "x.npy", x)
    done = subprocess.run([FALTUNG, "smooth", tmp_path / "x.npy", "gaussian:sigma=3", "-o", tmp_path / "y.npy"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    k = kernels.make("gaussian:sigma=3")
    assert k.id in done.stderr
    assert np.allclose(np.load(tmp_path / "y.npy"), faltung.convolve(x, k.values, mode="same", boundary="nearest"))
    done = subprocess.run([FALTUNG, "smooth", tmp_path / "x.npy", "exponential:halflife=5", "--causal", "-o",
                           tmp_path / "c.npy"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    e = kernels.make("exponential:halflife=5").values
    assert np.allclose(np.load(tmp_path / "c.npy"), np.convolve(x, e)[:500])
    done = subprocess.run([FALTUNG, "convolve", tmp_path / "x.npy", "box:width=5", "-o", tmp_path / "b.npy",
                           "--mode", "same"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and np.allclose(np.load(tmp_path / "b.npy"), np.convolve(x, np.ones(5) / 5, "same"))
    done = subprocess.run([FALTUNG, "smooth", tmp_path / "x.npy", "gaussian:sigma=-1", "-o", tmp_path / "z.npy"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip().startswith("faltung: error:") and "Traceback" not in done.stderr
    listing = subprocess.run([FALTUNG, "kernels"], capture_output=True, text=True, timeout=60).stdout
    assert "savgol" in listing and "gaussian" in listing
