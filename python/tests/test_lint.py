"""ruff (pyproject.toml's [tool.ruff] rules: pyflakes, pycodestyle, import
order, bugbear, pyupgrade) over the package, its tests, the benchmarks and
the tools and the Python fuzz targets: a lint finding fails the suite like
any other test."""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing():
    ruff = pathlib.Path(sys.executable).parent / "ruff"
    done = subprocess.run([str(ruff), "check", "--output-format", "concise", "python", "bench", "tools", "tests/fuzz"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
