"""faltung.deconvolve against scikit-image's wiener and richardson_lucy, and
on synthetic blurs with a known kernel (noise-free: exact; noisy: better
than the blurred input)."""
import numpy as np
import pytest
from skimage import restoration

import faltung
from faltung import deconvolve

from conftest import sweep_seed


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
