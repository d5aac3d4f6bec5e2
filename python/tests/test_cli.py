"""The faltung command end to end, in a subprocess, on real files of every
format; user errors give one line and exit status 2."""
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import scipy.ndimage as snd
import scipy.signal as ssig
import soundfile
from PIL import Image

FALTUNG = str(pathlib.Path(sys.executable).parent / "faltung")


def run(*args, ok=True):
    done = subprocess.run([FALTUNG, *map(str, args)], capture_output=True, text=True, timeout=300)
    if ok:
        assert done.returncode == 0, f"faltung {' '.join(map(str, args))} failed:\n{done.stderr}"
    return done


def test_help_lists_every_command():
    out = run("--help").stdout
    for command in ("convolve", "explain", "bench", "plot"):
        assert command in out
    assert "--boundary" in run("convolve", "--help").stdout


def test_npy_every_option(tmp_path):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 500))
    k = rng.standard_normal(21)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "k.npy", k)
    run("convolve", tmp_path / "x.npy", tmp_path / "k.npy", "-o", tmp_path / "y.npy", "--mode", "same")
    assert np.allclose(np.load(tmp_path / "y.npy"), ssig.convolve(x, k[None, :], mode="same"), atol=1e-10)
    run("convolve", tmp_path / "x.npy", tmp_path / "k.npy", "-o", tmp_path / "z.npy", "--op", "corr",
        "--family", "filter", "--boundary", "wrap", "--origin", "3", "--method", "fft", "--threads", "2")
    want = snd.correlate1d(x, k, axis=-1, mode="wrap", origin=3)
    assert np.allclose(np.load(tmp_path / "z.npy"), want, atol=1e-10)
    x[1, 100] = np.nan
    np.save(tmp_path / "xn.npy", x)
    run("convolve", tmp_path / "xn.npy", "1,1,1", "-o", tmp_path / "n.npy", "--mode", "same", "--nan", "fill",
        "--fill", "0", "--normalize")
    assert np.allclose(np.load(tmp_path / "n.npy"), ssig.convolve(np.nan_to_num(x), np.ones((1, 3)) / 3, "same"))
    done = run("convolve", tmp_path / "xn.npy", "1,1,1", "-o", tmp_path / "r.npy", "--nan", "raise", ok=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_csv_columns_are_series(tmp_path):
    data = np.arange(40.0).reshape(20, 2) ** 1.5
    np.savetxt(tmp_path / "x.csv", data, delimiter=",")
    run("convolve", tmp_path / "x.csv", "0.25,0.5,0.25", "-o", tmp_path / "y.csv", "--mode", "same")
    got = np.loadtxt(tmp_path / "y.csv", delimiter=",")
    want = np.stack([np.convolve(data[:, c], [0.25, 0.5, 0.25], "same") for c in range(2)], axis=1)
    assert np.allclose(got, want)


def test_wav_keeps_rate_and_channels(tmp_path):
    rate = 8000
    t = np.arange(4000) / rate
    stereo = np.stack([np.sin(2 * np.pi * 440 * t), np.sign(np.sin(2 * np.pi * 3 * t))], axis=1) * 0.5
    soundfile.write(tmp_path / "in.wav", stereo, rate, subtype="PCM_16")
    kernel = np.hanning(31) / np.hanning(31).sum()
    np.save(tmp_path / "k.npy", kernel)
    run("convolve", tmp_path / "in.wav", tmp_path / "k.npy", "-o", tmp_path / "out.wav", "--mode", "same")
    out, out_rate = soundfile.read(tmp_path / "out.wav")
    read_back, _ = soundfile.read(tmp_path / "in.wav")
    want = np.stack([np.convolve(read_back[:, c], kernel, "same") for c in range(2)], axis=1)
    assert out_rate == rate and out.shape == stereo.shape
    assert np.allclose(out, want, atol=1e-6)


def test_image_rgb_channels_and_grey(tmp_path):
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, size=(40, 50, 3)).astype(np.uint8)
    Image.fromarray(rgb).save(tmp_path / "in.png")
    box = np.ones((3, 3)) / 9
    np.save(tmp_path / "box.npy", box)
    run("convolve", tmp_path / "in.png", tmp_path / "box.npy", "-o", tmp_path / "out.png", "--family", "filter",
        "--boundary", "nearest")
    out = np.asarray(Image.open(tmp_path / "out.png"))
    want = np.clip(np.rint(snd.correlate(rgb.astype(float), box[:, :, None], mode="nearest")), 0, 255)
    assert out.shape == rgb.shape and np.max(np.abs(out.astype(int) - want.astype(int))) <= 1
    grey = rng.integers(0, 256, size=(30, 20)).astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "g.png")
    run("convolve", tmp_path / "g.png", "1,0,-1", "-o", tmp_path / "g.npy", "--mode", "same")
    assert np.allclose(np.load(tmp_path / "g.npy"), ssig.convolve(grey.astype(float), [[1, 0, -1]], "same"))


def test_progress_bar(tmp_path):
    x = np.random.default_rng(4).standard_normal((4, 200_000))
    np.save(tmp_path / "x.npy", x)
    kernel = np.random.default_rng(5).standard_normal(1001)
    np.save(tmp_path / "k.npy", kernel)
    done = run("convolve", tmp_path / "x.npy", tmp_path / "k.npy", "-o", tmp_path / "y.npy", "--progress",
               "--method", "direct")
    assert "convolving" in done.stderr and "100%" in done.stderr and "estimated" in done.stderr
    assert np.allclose(np.load(tmp_path / "y.npy"), ssig.convolve(x, kernel[None, :]), atol=1e-9)
    failed = run("convolve", tmp_path / "x.npy", "1,nan", "-o", tmp_path / "z.npy", "--progress", ok=False)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr and "faltung: error:" in failed.stderr


def test_explain_and_bench(tmp_path):
    out = run("explain", "op=corr dtype=f32 x=1080x1920 k=11x11 mode=same").stdout
    assert out.startswith("problem: op=corr dtype=f32 x=1080x1920 k=11x11 mode=same") and "candidates:" in out
    grid = {"about": "tiny", "1d": [{"n": 1000, "m": 3, "dtype": "float64", "mode": "same"}],
            "2d": [{"H": 64, "W": 80, "kh": 3, "kw": 3, "dtype": "float32"}],
            "batched": [{"series": 4, "length": 500, "m": 5, "dtype": "float32"}]}
    (tmp_path / "grid.json").write_text(json.dumps(grid))
    lines = run("bench", "--grid", tmp_path / "grid.json", "--budget", "0.01").stdout.strip().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["case"] for r in rows] == ["1d n=1000 m=3 float64 same", "2d 64x80 k=3x3 float32 same",
                                         "batched 4x500 m=5 float32 same"]
    assert all(r["seconds"] > 0 and r["gflops"] > 0 and r["system"].startswith("faltung") for r in rows)


def test_plot_writes_a_png(tmp_path):
    np.save(tmp_path / "x.npy", np.random.default_rng(5).standard_normal(300))
    run("plot", tmp_path / "x.npy", "1,1,1,1", "-o", tmp_path / "p.png", "--normalize", "--mode", "same")
    with Image.open(tmp_path / "p.png") as img:
        assert img.format == "PNG" and img.size[0] > 300


@pytest.mark.parametrize("args,message", [
    (["convolve", "missing.npy", "1,2", "-o", "y.npy"], "no such file"),
    (["convolve", "{x}", "1,2", "-o", "y.xyz"], "unknown format"),
    (["convolve", "{x}", "1,2", "-o", "y.npy", "--mode", "middle"], "invalid choice"),
    (["convolve", "{x}", "1,2;3", "-o", "y.npy"], "same number of values"),
    (["convolve", "{x}", "1,2;3,4", "-o", "y.npy"], "axes"),
    (["convolve", "{x}", "{x}", "-o", "y.npy", "--mode", "same", "--origin", "9"], "origin"),
    (["convolve", "{x}", "a,b", "-o", "y.npy"], "neither a file nor"),
    (["convolve", "{x}", "1,2", "-o", "/no/such/dir/y.npy"], "does not exist"),
    (["convolve", "{x}", "1,2", "-o", "y.wav"], "sample rate"),
    (["explain", "op=conv x=10 k=3 colour=blue"], "colour"),
    (["plot", "{x}", "1,2", "-o", "p.jpg"], "PNG"),
    ([], None),
])
def test_user_errors_are_one_line(tmp_path, args, message):
    np.save(tmp_path / "x.npy", np.arange(10.0))
    args = [a.replace("{x}", str(tmp_path / "x.npy")) if isinstance(a, str) else a for a in args]
    done = subprocess.run([FALTUNG, *args], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    if message is not None:
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("faltung: error:") and message in lines[0], done.stderr


def _timestamped_csv(path, values, blank_row=None):
    lines = ["timestamp,load"]
    for i, v in enumerate(values):
        cell = "" if i == blank_row else repr(float(v))
        lines.append(f"2026-01-01T00:{i // 60:02d}:{i % 60:02d},{cell}")
    path.write_text("\n".join(lines) + "\n")


def test_every_subcommand_reads_the_csv_detect_reads(tmp_path):
    values = np.sin(np.arange(80) / 5.0) * 10 + np.arange(80) * 0.1
    _timestamped_csv(tmp_path / "m.csv", values)
    run("detect", tmp_path / "m.csv", "-o", tmp_path / "d.csv")
    run("smooth", tmp_path / "m.csv", "box:width=5", "-o", tmp_path / "s.csv")
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[0] == "timestamp,load"
    assert [line.split(",")[0] for line in lines[1:]] == [
        line.split(",")[0] for line in (tmp_path / "m.csv").read_text().splitlines()[1:]]
    got = np.array([float(line.split(",")[1]) for line in lines[1:]])
    assert np.allclose(got, snd.convolve1d(values, np.full(5, 0.2), mode="nearest"), rtol=1e-12, atol=1e-12)
    run("convolve", tmp_path / "m.csv", "1,2,1", "-o", tmp_path / "c.csv", "--mode", "full")
    full = np.loadtxt(tmp_path / "c.csv", delimiter=",", skiprows=1)  # no time column: 82 rows for 80 times
    assert np.allclose(full, np.convolve(values, [1, 2, 1]))
    # a blank cell is a missing sample, which --nan decides about
    _timestamped_csv(tmp_path / "b.csv", values, blank_row=10)
    run("smooth", tmp_path / "b.csv", "box:width=3", "-o", tmp_path / "bs.csv", "--nan", "ignore")
    smoothed = np.loadtxt(tmp_path / "bs.csv", delimiter=",", skiprows=1, usecols=1)
    assert np.isfinite(smoothed).all()
    assert smoothed[10] == pytest.approx((values[9] + values[11]) / 2)


@pytest.mark.parametrize("text,message", [
    ("", "is empty"),
    ("\n\n", "is empty"),
    ("timestamp,load\n", "a header row (timestamp,load) and no rows of data"),
    ("timestamp,load\n2026-01-01T00:00:00,abc\n", "'abc' in load is not a number"),
])
def test_messy_csv_gets_a_plain_message(tmp_path, text, message):
    (tmp_path / "x.csv").write_text(text)
    for command in (["convolve", "1,1"], ["smooth", "box:width=3"]):
        done = run(command[0], tmp_path / "x.csv", command[1], "-o", tmp_path / "y.csv", ok=False)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1 and message in lines[0], done.stderr
        assert "Warning" not in done.stderr and "invalid problem" not in done.stderr


@pytest.mark.parametrize("flags,message", [
    (["--mode", "valid", "--family", "filter"], "--mode valid is for --family signal"),
    (["--origin", "1"], "--origin shifts the window of --mode same or of --family filter"),
    (["--fill", "2"], "--fill 2 needs --nan fill"),
])
def test_conflicting_flags_are_refused(tmp_path, flags, message):
    np.save(tmp_path / "x.npy", np.arange(10.0))
    done = run("convolve", tmp_path / "x.npy", "1,2,1", "-o", tmp_path / "y.npy", *flags, ok=False)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "y.npy").exists()


def test_deconvolve_takes_the_1d_named_kernel_convolve_takes(tmp_path):
    rng = np.random.default_rng(8)
    sharp = np.zeros((48, 64))
    sharp[10:30, 20:40] = 200.0
    sharp += rng.uniform(0, 20, sharp.shape)
    Image.fromarray(sharp.astype(np.uint8)).save(tmp_path / "sharp.png")
    run("convolve", tmp_path / "sharp.png", "gaussian:sigma=2", "-o", tmp_path / "blurred.npy", "--mode", "same")
    blurred = np.load(tmp_path / "blurred.npy")
    original = np.asarray(Image.open(tmp_path / "sharp.png"), dtype=float)
    # the oracle: convolve applied the 1-D kernel along the width, as scipy does with a 1xM kernel
    from faltung import kernels
    k = kernels.make("gaussian:sigma=2").values
    assert np.allclose(blurred, ssig.convolve(original, k[None, :], "same"), atol=1e-9)
    np.save(tmp_path / "blurred01.npy", blurred / 255.0)
    done = run("deconvolve", tmp_path / "blurred01.npy", "gaussian:sigma=2", "-o", tmp_path / "restored.npy",
               "--method", "richardson-lucy", "--iterations", "50")
    assert "runs along the last axis" in done.stderr
    restored = np.load(tmp_path / "restored.npy") * 255.0
    inner = (slice(8, -8), slice(8, -8))
    assert np.abs(restored - original)[inner].mean() < 0.8 * np.abs(blurred - original)[inner].mean()


def test_the_progress_bar_says_what_it_estimates(capsys):
    import time

    from faltung._job import run_in_thread_with_bar
    assert run_in_thread_with_bar(lambda: (time.sleep(0.3), 7)[1], "working", 0.2) == 7
    assert "(estimated 0.2 s)" in capsys.readouterr().err
    assert run_in_thread_with_bar(lambda: (time.sleep(0.3), 8)[1], "deconvolving") == 8
    err = capsys.readouterr().err
    assert "deconvolving: 00:00" in err and "estimated" not in err
    run_in_thread_with_bar(lambda: 9, "quick", delay=5.0)
    assert capsys.readouterr().err == ""  # a short job shows no bar


def test_detect_in_chunks_under_a_bar_scores_the_same(monkeypatch):
    from faltung import _job, cli
    from faltung._detect import Detector
    x = np.random.default_rng(9).standard_normal(600_000)
    x[400_000] += 40
    whole = Detector("surprise").process(x)
    monkeypatch.setattr(_job, "show_progress_on_terminal", lambda: True)
    chunked = cli._detect_with_progress(Detector("surprise"), x)
    assert np.array_equal(whole[0], chunked[0]) and np.array_equal(whole[1], chunked[1])


def test_python_dash_m_dispatches_every_command(tmp_path):
    # the dispatch table is built when main() runs: every command must be
    # defined by then (the __main__ block used to come before _detect)
    done = subprocess.run([sys.executable, "-m", "faltung.cli", "kernels"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "gaussian" in done.stdout, done.stderr
    (tmp_path / "x.csv").write_text("t,v\n" + "".join(f"{i},{i % 7}\n" for i in range(50)))
    done = subprocess.run([sys.executable, "-m", "faltung.cli", "detect", str(tmp_path / "x.csv"), "-o",
                           str(tmp_path / "y.csv")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
