"""faltung detect's reading of a CSV under libFuzzer (atheris), as the
command takes it before any score: read_series (with the default,
keep-going policies or the strict ones), --period auto, the frames a time
gap leaves and the note on stderr. Any bytes as the file: either a Series,
or faltung's UserError naming the problem; any other exception is a
finding.

    .venv/bin/python tests/fuzz/detect_csv_fuzz.py -max_total_time=10 tests/fuzz/corpus/detect_csv

(scripts/fuzz.sh runs it with the C++ targets; ctest fuzz_service)
"""
import os
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["faltung._csv", "faltung._detect_cli"]):
    from faltung._detect_cli import frames_of, period_rows, read_series, repairs_note
    from faltung._files import UserError

PATH = os.path.join(tempfile.mkdtemp(prefix="faltung-fuzz-"), "input.csv")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    strict = data[0] & 1  # the first byte picks the policies, the rest is the file
    with open(PATH, "wb") as f:
        f.write(data[1:])
    try:
        series = read_series(PATH, bad_values="error" if strict else "missing",
                             time_disorder="error" if strict else "keep")
        frames = frames_of(series, period_rows("auto", series))
        repairs_note(series, frames)
        if len(frames) != len(series.values):
            raise AssertionError(f"{len(frames)} frames for {len(series.values)} rows")
    except UserError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
