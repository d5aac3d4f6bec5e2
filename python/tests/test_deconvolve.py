"""faltung.deconvolve against scikit-image's wiener and richardson_lucy, and
on synthetic blurs with a known kernel (noise-free: exact; noisy: better
than the blurred input)."""
import faltung
import numpy as np
import pytest
from conftest import sweep_seed
from faltung import deconvolve
from skimage import restoration


def periodic_blur(x, psf):
    """x convolved with psf, centred at floor(size/2), on the circle (the
    model both Wiener implementations invert)."""
    padded = np.zeros_like(x)
    padded[tuple(slice(0, s) for s in psf.shape)] = psf
    padded = np.roll(padded, [-(s // 2) for s in psf.shape], axis=tuple(range(x.ndim)))
    return np.real(np.fft.ifftn(np.fft.fftn(x) * np.fft.fftn(padded)))


@pytest.mark.parametrize("shape,psf_shape,balance", [((64, 80), (5, 5), 0.1), ((63, 50), (4, 7), 1.0),
                                                      ((300,), (9,), 0.05), ((12, 14, 10), (3, 3, 3), 0.3)])
def test_wiener_matches_scikit_image(shape, psf_shape, balance):
    rng = np.random.default_rng(sweep_seed(8001) + len(shape))
    image = rng.random(shape)
    psf = rng.random(psf_shape)
    psf /= psf.sum()
    want = restoration.wiener(image, psf, balance)
    got = deconvolve.wiener(image, psf, balance)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.max(np.abs(got - want)) < 1e-12
    got32 = deconvolve.wiener(image.astype(np.float32), psf, balance)
    assert got32.dtype == np.float32 == restoration.wiener(image.astype(np.float32), psf, balance).dtype


@pytest.mark.parametrize("num_iter,filter_epsilon", [(1, None), (30, None), (10, 0.05)])
def test_richardson_lucy_matches_scikit_image(num_iter, filter_epsilon):
    rng = np.random.default_rng(sweep_seed(8002))
    image = rng.random((70, 60))
    psf = np.outer(np.hanning(7), np.hanning(5)) + 0.01
    psf /= psf.sum()
    blurred = faltung.convolve(image, psf, mode="same")
    want = restoration.richardson_lucy(blurred, psf, num_iter, filter_epsilon=filter_epsilon)
    got = deconvolve.richardson_lucy(blurred, psf, num_iter, filter_epsilon=filter_epsilon)
    assert np.max(np.abs(got - want)) < 1e-10


def test_noise_free_periodic_blur_is_inverted_exactly():
    rng = np.random.default_rng(sweep_seed(8003))
    x = rng.standard_normal((40, 36))
    psf = np.array([[0.05, 0.1, 0.05], [0.1, 0.4, 0.1], [0.05, 0.1, 0.05]])  # no zero in its spectrum
    y = periodic_blur(x, psf)
    back = deconvolve.wiener(y, psf, balance=0.0, reg="identity", clip=False)
    assert np.max(np.abs(back - x)) < 1e-12


def test_noisy_blur_is_restored_better_than_blurred():
    rng = np.random.default_rng(sweep_seed(8004))
    n = 1000
    t = np.arange(n)
    x = 0.5 * np.sin(2 * np.pi * 40 * t / n) + 0.3 * np.sin(2 * np.pi * 90 * t / n)  # attenuated, not erased
    psf = np.exp(-0.5 * (np.arange(-10, 11) / 2.0) ** 2)
    psf /= psf.sum()
    noisy = periodic_blur(x, psf) + 0.01 * rng.standard_normal(n)
    rmse = lambda a: np.sqrt(np.mean((a - x) ** 2))  # noqa: E731
    restored = deconvolve.wiener(noisy, psf, balance=1e-2, reg="identity")
    # stated error: the restored signal is within a third of the blurred one's error
    assert rmse(restored) < rmse(noisy) / 3, (rmse(restored), rmse(noisy))
    image = rng.random((48, 48)) * 0.5 + 0.25
    blurred = faltung.convolve(image, np.ones((3, 3)) / 9, mode="same")
    errors = [np.abs(deconvolve.richardson_lucy(blurred, np.ones((3, 3)) / 9, n) - image)[8:-8, 8:-8].mean()
              for n in (1, 10, 50)]
    assert errors[0] > errors[1] > errors[2], errors  # converges toward the image


def test_errors():
    with pytest.raises(ValueError, match="fit inside"):
        deconvolve.wiener(np.ones((5, 5)), np.ones((7, 3)))
    with pytest.raises(ValueError, match="same number of axes"):
        deconvolve.richardson_lucy(np.ones((5, 5)), np.ones(3))
    with pytest.raises(ValueError, match="not finite"):
        deconvolve.wiener(np.array([1.0, np.nan, 2.0]), np.ones(1))
    with pytest.raises(ValueError, match="balance"):
        deconvolve.wiener(np.ones(8), np.ones(3), balance=-1)
    with pytest.raises(ValueError, match="reg"):
        deconvolve.wiener(np.ones(8), np.ones(3), reg="tikhonov")
    with pytest.raises(ValueError, match="iterations"):
        deconvolve.richardson_lucy(np.ones(8), np.ones(3), num_iter=-1)
    with pytest.raises(TypeError):
        deconvolve.wiener(np.ones(8, complex), np.ones(3))


def convolution_matrix(x, taps):
    n = x.size
    X = np.zeros((n, taps))
    for j in range(taps):
        X[j:, j] = x[:n - j]
    return X


def test_impulse_response_exact_recovery_and_closed_forms():
    rng = np.random.default_rng(sweep_seed(8005))
    x = rng.standard_normal(1500)
    h = rng.standard_normal(25) * np.exp(-np.arange(25) / 6)
    y = np.convolve(x, h)[:x.size]
    for reg in ("gcv", "lcurve", 0.0):
        r = deconvolve.impulse_response(x, y, 25, reg=reg)
        assert r.lam == 0.0 and np.max(np.abs(r.h - h)) < 1e-12, reg
    noisy = y + 0.1 * rng.standard_normal(y.size)
    X = convolution_matrix(x, 25)
    lstsq = np.linalg.lstsq(X, noisy, rcond=None)[0]
    assert np.allclose(deconvolve.impulse_response(x, noisy, 25, reg=0.0).h, lstsq, atol=1e-10)
    for lam in (0.5, 50.0):
        tikhonov = np.linalg.solve(X.T @ X + lam * np.eye(25), X.T @ noisy)
        r = deconvolve.impulse_response(x, noisy, 25, reg=lam)
        assert np.allclose(r.h, tikhonov, atol=1e-10) and r.lam == lam
        assert r.residual_norm == pytest.approx(np.linalg.norm(X @ r.h - noisy))
        assert r.solution_norm == pytest.approx(np.linalg.norm(r.h))


def test_gcv_regularises_an_ill_conditioned_input():
    rng = np.random.default_rng(sweep_seed(8006))
    x = np.convolve(rng.standard_normal(3000), np.ones(15) / 15)[:3000]  # low-pass: X is ill-conditioned
    h = np.exp(-0.5 * ((np.arange(40) - 12) / 4.0) ** 2)
    h /= h.sum()
    y = np.convolve(x, h)[:3000] + 0.01 * rng.standard_normal(3000)
    error = lambda r: np.linalg.norm(r.h - h) / np.linalg.norm(h)  # noqa: E731
    gcv, plain = deconvolve.impulse_response(x, y, 40), deconvolve.impulse_response(x, y, 40, reg=0.0)
    assert gcv.lam > 0 and error(gcv) < 0.9 * error(plain), (error(gcv), error(plain))
    assert error(deconvolve.impulse_response(x, y, 40, reg="lcurve")) <= error(plain) * 1.01


def test_impulse_response_errors():
    with pytest.raises(ValueError, match="cannot determine"):
        deconvolve.impulse_response(np.ones(5), np.ones(5), 10)
    with pytest.raises(ValueError, match="one length"):
        deconvolve.impulse_response(np.ones(50), np.ones(40), 5)
    with pytest.raises(ValueError, match="zero"):
        deconvolve.impulse_response(np.zeros(50), np.ones(50), 5)
    with pytest.raises(ValueError, match="not finite"):
        deconvolve.impulse_response(np.r_[np.ones(49), np.nan], np.ones(50), 5)
    with pytest.raises(ValueError, match="reg"):
        deconvolve.impulse_response(np.ones(50), np.ones(50), 5, reg="aic")
    with pytest.raises(ValueError, match="lambda"):
        deconvolve.impulse_response(np.ones(50), np.ones(50), 5, reg=-1.0)


def test_cli_deconvolve_and_identify(tmp_path):
    import pathlib
    import subprocess
    import sys

    from PIL import Image
    faltung_cmd = str(pathlib.Path(sys.executable).parent / "faltung")
    rng = np.random.default_rng(sweep_seed(8007))
    image = rng.random((40, 50))
    psf = np.ones((3, 3)) / 9
    blurred = faltung.convolve(image, psf, mode="same")
    np.save(tmp_path / "b.npy", blurred)
    np.save(tmp_path / "psf.npy", psf)
    run = lambda *a: subprocess.run([faltung_cmd, *map(str, a)], capture_output=True, text=True, timeout=120)  # noqa: E731
    done = run("deconvolve", tmp_path / "b.npy", tmp_path / "psf.npy", "-o", tmp_path / "w.npy", "--balance", "0.05")
    assert done.returncode == 0, done.stderr
    assert np.allclose(np.load(tmp_path / "w.npy"), restoration.wiener(blurred, psf, 0.05, clip=False))
    done = run("deconvolve", tmp_path / "b.npy", "box:width=3,dims=2", "-o", tmp_path / "r.npy", "--method",
               "richardson-lucy", "--iterations", "5")
    assert done.returncode == 0, done.stderr
    assert np.allclose(np.load(tmp_path / "r.npy"), restoration.richardson_lucy(blurred, psf, 5, clip=False))
    Image.fromarray((blurred * 255).astype(np.uint8)).save(tmp_path / "b.png")
    assert run("deconvolve", tmp_path / "b.png", tmp_path / "psf.npy", "-o", tmp_path / "w.png").returncode == 0
    x = rng.standard_normal(600)
    h = np.array([0.5, 0.3, -0.2, 0.1])
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.convolve(x, h)[:600])
    done = run("identify", tmp_path / "x.npy", tmp_path / "y.npy", "--taps", "4", "-o", tmp_path / "h.npy")
    assert done.returncode == 0 and "lambda" in done.stderr, done.stderr
    assert np.allclose(np.load(tmp_path / "h.npy"), h, atol=1e-12)
    bad = run("identify", tmp_path / "x.npy", tmp_path / "b.npy", "--taps", "4", "-o", tmp_path / "h2.npy")
    assert bad.returncode == 2 and bad.stderr.startswith("faltung: error:") and "Traceback" not in bad.stderr
