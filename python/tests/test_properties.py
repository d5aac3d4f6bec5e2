"""Property tests (hypothesis): arbitrary arrays, including the shrunk corner
cases hypothesis finds, against numpy and scipy. A failure prints the
falsifying arrays. derandomize: the same examples on every run, so CI
cannot flake (run hypothesis with --hypothesis-seed to explore others)."""
import faltung
import numpy as np
import scipy.signal as ssig
from conftest import normwise_bound
from faltung import signal as fsig
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

settings.register_profile("faltung", derandomize=True, deadline=None)
settings.load_profile("faltung")

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)
vectors = hnp.arrays(np.float64, st.integers(1, 120), elements=finite)
kernels = hnp.arrays(np.float64, st.integers(1, 40), elements=finite)


@settings(max_examples=150)
@given(x=vectors, k=kernels, mode=st.sampled_from(["full", "same", "valid"]),
       method=st.sampled_from(["auto", "direct", "fft"]))
def test_signal_convolve_matches_scipy(x, k, mode, method):
    want = ssig.convolve(x, k, mode=mode, method="direct")
    got = fsig.convolve(x, k, mode=mode, method=method)
    assert got.shape == want.shape
    assert np.max(np.abs(got - want), initial=0) <= normwise_bound(x, k, np.float64)


@settings(max_examples=150)
@given(x=vectors, k=kernels)
def test_correlate_is_convolve_with_the_reversed_kernel(x, k):
    a = faltung.correlate(x, k, method="direct")
    b = faltung.convolve(x, k[::-1], method="direct")
    assert np.array_equal(a, b)  # the direct method sums in one order: bit-identical


@settings(max_examples=100)
@given(x=hnp.arrays(np.float32, st.tuples(st.integers(1, 30), st.integers(1, 30)),
                    elements=st.floats(-100, 100, width=32)),
       threads=st.sampled_from([1, 2, 0]))
def test_threads_do_not_change_bits(x, threads):
    k = np.arange(1, 10, dtype=np.float32).reshape(3, 3)
    assert np.array_equal(faltung.convolve(x, k, mode="same", threads=threads),
                          faltung.convolve(x, k, mode="same", threads=1))
