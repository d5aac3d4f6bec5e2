"""faltung.StreamFilter: chunk invariance against numpy and the batch engine,
save/restore (also into a fresh process) and pickling, NaN bursts, errors."""
import pickle
import subprocess
import sys
import textwrap

import faltung
import numpy as np
import pytest
from conftest import normwise_bound, sweep_seed


def chunks(rng, total):
    sizes = []
    while sum(sizes) < total:
        sizes.append(int(rng.choice([0, 1, 2, 3, 5, 7, 13, 61, 127, int(rng.integers(0, 3000))])))
    sizes[-1] -= sum(sizes) - total
    return sizes


def feed(f, x, sizes):
    out, at = [], 0
    for n in sizes:
        out.append(f.process(x[at:at + n]))
        at += n
    return np.concatenate(out)


@pytest.mark.parametrize("taps,channels,dtype,method", [
    (1, 1, np.float64, "auto"), (7, 1, np.float32, "direct"), (31, 3, np.float64, "direct"),
    (33, 40, np.float32, "direct"), (300, 2, np.float64, "overlap_save"), (1023, 1, np.float32, "auto"),
    (5000, 1, np.float64, "auto"),
])
def test_chunkings_concatenate_to_the_full_convolution(taps, channels, dtype, method):
    seed = sweep_seed(7001) + taps + channels
    rng = np.random.default_rng(seed)
    n = 3 * taps + 4000
    x = rng.standard_normal((n, channels)).astype(dtype)
    k = rng.standard_normal(taps).astype(dtype)
    f = faltung.StreamFilter(k, channels=channels, method=method, dtype=dtype)
    stream_in = x[:, 0] if channels == 1 else x
    y1 = feed(f, stream_in, chunks(rng, n))
    f.reset()
    y2 = feed(f, stream_in, chunks(rng, n))
    context = f"seed={seed} taps={taps} channels={channels} {np.dtype(dtype).name} method={f.method}"
    assert np.array_equal(y1, y2), f"two chunkings differ: {context}"
    assert y1.dtype == dtype and y1.shape == stream_in.shape
    y = y1.reshape(n, channels)
    for c in range(channels):
        want = np.convolve(x[:, c].astype(np.float64), k.astype(np.float64))[:n]
        assert np.max(np.abs(y[:, c] - want)) <= normwise_bound(x[:, c], k, dtype), context
        if f.method == "direct":  # the direct path is the batch direct method, bit for bit
            assert np.array_equal(y[:, c], faltung.convolve(x[:, c], k, method="direct")[:n]), context


def test_kernel_per_channel():
    rng = np.random.default_rng(sweep_seed(7002))
    x = rng.standard_normal((500, 3))
    k = rng.standard_normal((3, 9))
    y = faltung.StreamFilter(k).process(x)
    for c in range(3):
        assert np.allclose(y[:, c], np.convolve(x[:, c], k[c])[:500])


def test_save_restore_and_pickle_continue_bit_identically():
    rng = np.random.default_rng(sweep_seed(7003))
    for taps, method in ((40, "direct"), (3000, "overlap_save")):
        x = rng.standard_normal(20000)
        k = rng.standard_normal(taps)
        whole = faltung.StreamFilter(k, method=method).process(x)
        f = faltung.StreamFilter(k, method=method)
        first = f.process(x[:7777])
        g = faltung.StreamFilter.restore(f.save())
        h = pickle.loads(pickle.dumps(f))
        assert g.samples_processed == h.samples_processed == 7777
        assert np.array_equal(np.concatenate([first, g.process(x[7777:])]), whole)
        assert np.array_equal(np.concatenate([first, h.process(x[7777:])]), whole)


def test_restore_in_a_fresh_process(tmp_path):
    rng = np.random.default_rng(sweep_seed(7004))
    x = rng.standard_normal(30000)
    k = rng.standard_normal(2000)
    f = faltung.StreamFilter(k)
    head = f.process(x[:12345])
    (tmp_path / "state.bin").write_bytes(f.save())
    np.save(tmp_path / "rest.npy", x[12345:])
    script = textwrap.dedent(f"""
        import numpy as np, faltung, pathlib
        d = pathlib.Path({str(tmp_path)!r})
        f = faltung.StreamFilter.restore((d / "state.bin").read_bytes())
        np.save(d / "out.npy", f.process(np.load(d / "rest.npy")))
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    rest = np.load(tmp_path / "out.npy")
    assert np.array_equal(np.concatenate([head, rest]), faltung.StreamFilter(k).process(x))


def test_nan_burst_spoils_only_its_windows():
    rng = np.random.default_rng(sweep_seed(7005))
    for taps in (16, 2000):
        x = rng.standard_normal(3 * taps + 5000)
        k = rng.standard_normal(taps)
        x[1000:1050] = np.nan
        y = feed(faltung.StreamFilter(k), x, chunks(rng, x.size))
        touched = np.convolve(np.isnan(x), np.ones(taps))[:x.size] > 0
        assert np.array_equal(~np.isfinite(y), touched)
        clean = np.convolve(np.nan_to_num(x), k)[:x.size]
        assert np.max(np.abs(y[~touched] - clean[~touched])) <= normwise_bound(np.nan_to_num(x), k, np.float64)
        assert np.isfinite(y[1050 + taps:]).all(), "the filter must recover after the burst"


def test_errors():
    with pytest.raises(ValueError, match="raise"):
        faltung.StreamFilter(np.ones(3), nan="raise")
    with pytest.raises(ValueError, match="nan"):
        faltung.StreamFilter(np.ones(3), nan="skip")
    with pytest.raises(ValueError, match="shape"):
        faltung.StreamFilter(np.ones(3), channels=2).process(np.ones(10))
    with pytest.raises(ValueError, match="not a saved stream filter|truncated"):
        faltung.StreamFilter.restore(b"hello, this is not a filter")
    f = faltung.StreamFilter(np.ones(3))
    with pytest.raises(ValueError, match="taps"):
        faltung.StreamFilter(np.ones(4)).load_state(f.save())
    with pytest.raises(ValueError, match="finite"):
        faltung.StreamFilter(np.array([1.0, np.nan]))
    assert f.process(np.ones(0)).shape == (0,)
