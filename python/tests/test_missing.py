"""faltung.missing: interpolate_replace_nans against astropy, normalised
convolution with weights against the formula computed by scipy."""
import faltung
import numpy as np
import pytest
import scipy.signal as ssig
from astropy.convolution import interpolate_replace_nans as astropy_interpolate
from conftest import sweep_seed
from faltung import missing


@pytest.mark.parametrize("boundary", ["fill", "extend", "wrap"])
@pytest.mark.parametrize("shape,kshape", [((300,), (9,)), ((40, 50), (5, 7))])
def test_interpolate_replace_nans_matches_astropy(boundary, shape, kshape):
    rng = np.random.default_rng(sweep_seed(9101) + len(shape))
    x = rng.standard_normal(shape)
    x[rng.random(shape) < 0.15] = np.nan
    x.flat[:3] = np.nan  # gaps at the edge too
    k = rng.random(kshape) + 0.05
    want = astropy_interpolate(x, k, boundary=boundary, fill_value=0.5 if boundary == "fill" else 0.0)
    got = missing.interpolate_replace_nans(x, k, boundary=boundary, fill_value=0.5 if boundary == "fill" else 0.0)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.nanmax(np.abs(got - want)) < 1e-12
    kept = ~np.isnan(x)
    assert np.array_equal(got[kept], x[kept]), "valid samples are kept as they are"


@pytest.mark.parametrize("boundary,pad_mode", [("constant", "constant"), ("nearest", "edge"), ("wrap", "wrap")])
def test_normalized_convolve_with_weights(boundary, pad_mode):
    rng = np.random.default_rng(sweep_seed(9102))
    x = rng.standard_normal((30, 40))
    x[rng.random(x.shape) < 0.1] = np.nan
    w = rng.random(x.shape)
    k = rng.random((5, 3)) + 0.1
    clean, weight = np.nan_to_num(x), np.where(np.isnan(x), 0.0, w)
    pad = ((2, 2), (1, 1))
    # the boundary supplies values; a constant one (value 0.7) counts with weight 1
    values = np.pad(weight * clean, pad, mode=pad_mode, **({"constant_values": 0.7} if pad_mode == "constant" else {}))
    weights = np.pad(weight, pad, mode=pad_mode, **({"constant_values": 1.0} if pad_mode == "constant" else {}))
    want = ssig.convolve(values, k, "valid") / ssig.convolve(weights, k, "valid") * k.sum()
    got = missing.normalized_convolve(x, k, weights=w, boundary=boundary, cval=0.7)
    assert np.max(np.abs(got - want)) < 1e-12


def test_normalized_convolve_special_cases():
    rng = np.random.default_rng(sweep_seed(9103))
    x = rng.standard_normal(200)
    k = np.array([0.25, 0.5, 0.25])
    # full weight, no gaps: the plain convolution
    assert np.allclose(missing.normalized_convolve(x, k), faltung.convolve(x, k, mode="same"), atol=1e-14)
    # a gap wider than the kernel leaves no weight: NaN there, and only there
    x[50:60] = np.nan
    y = missing.normalized_convolve(x, k)
    assert np.array_equal(np.isnan(y), np.r_[np.zeros(51, bool), np.ones(8, bool), np.zeros(141, bool)])
    with pytest.raises(ValueError, match="outside"):
        missing.normalized_convolve(x, k, weights=np.full(200, 1.5))
    with pytest.raises(ValueError, match="shape"):
        missing.normalized_convolve(x, k, weights=np.ones(10))
    with pytest.raises(ValueError, match="sums to 0"):
        missing.normalized_convolve(x, np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="odd"):
        missing.interpolate_replace_nans(x, np.ones(4))
    with pytest.raises(ValueError, match="boundary"):
        missing.interpolate_replace_nans(x, k, boundary="mirror")
