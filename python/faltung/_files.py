"""Reading and writing the faltung command's files: .npy, .csv, .wav and
images, each by a well-kept library (numpy, soundfile, Pillow)."""
from __future__ import annotations

import dataclasses
import os
import pathlib

import numpy as np

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif", ".webp", ".pgm", ".ppm"}
SUFFIXES = {".npy", ".csv", ".wav"} | IMAGE_SUFFIXES


class UserError(Exception):
    """A problem with what the user asked for: printed as one line."""


@dataclasses.dataclass
class Signal:
    """An array read from a file, with what is needed to write one like it."""
    data: np.ndarray
    kind: str                   # "npy", "csv", "wav" or "image"
    samplerate: int | None = None
    image_mode: str | None = None
    # Axes that carry the signal (time, or height and width); the others are
    # channels. None: the native default (the last kernel-rank axes).
    signal_axes: tuple | None = None
    # A CSV's header (of its value columns) and time column (name, cells),
    # written back around a result with as many rows.
    csv_header: list | None = None
    csv_time: tuple | None = None


def kind_of(path) -> str:
    suffix = pathlib.Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(f"{path}: unknown format '{suffix or '(none)'}'; faltung reads and writes "
                        f".npy, .csv, .wav and images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return "image" if suffix in IMAGE_SUFFIXES else suffix[1:]


def read(path) -> Signal:
    path = os.fspath(path)
    kind = kind_of(path)
    if not os.path.exists(path):
        raise UserError(f"{path}: no such file")
    try:
        if kind == "npy":
            data = np.load(path, allow_pickle=False)
            if data.dtype.kind not in "biufc":
                raise UserError(f"{path}: holds {data.dtype} values; faltung needs numbers")
            return Signal(data, kind)
        if kind == "csv":
            return _read_csv(path)
        if kind == "wav":
            import soundfile
            data, rate = soundfile.read(path, dtype="float64", always_2d=False)
            return Signal(data, kind, samplerate=rate, signal_axes=(0,))
        from PIL import Image
        with Image.open(path) as img:
            mode = img.mode
            if mode not in ("L", "RGB", "RGBA", "I", "F", "I;16"):
                img = img.convert("RGB")
                mode = "RGB"
            data = np.asarray(img, dtype=np.float64)
        return Signal(data, "image", image_mode=mode, signal_axes=(0, 1))
    except UserError:
        raise
    except (ValueError, OSError, RuntimeError) as e:
        raise UserError(f"{path}: cannot read it as {kind}: {e}") from None


def _read_csv(path) -> Signal:
    """The value columns of a CSV (the time column apart): one column is a
    signal; several are series in time order down the file. A blank or
    missing cell is NaN (--nan says what it does)."""
    from ._csv import MISSING, read_table
    table = read_table(path)
    width = len(table.header) if table.header else max(len(r) for r in table.rows)
    columns = [i for i in range(width) if i != table.time_column]
    if not columns:
        raise UserError(f"{path} has a time column and no value column")
    name = (lambda i: table.header[i]) if table.header else (lambda i: f"column {i + 1}")
    data = np.empty((len(table.rows), len(columns)))
    for n, row in enumerate(table.rows):
        for k, i in enumerate(columns):
            cell = row[i].strip() if i < len(row) else ""
            if cell.lower() in MISSING:
                data[n, k] = np.nan
                continue
            try:
                data[n, k] = float(cell)
            except ValueError:
                raise UserError(f"{path}:{table.first_line + n}: '{cell}' in {name(i)} is not a number "
                                "(leave it empty for a missing sample)") from None
    if len(columns) == 1:
        data = data[:, 0]
    header = [table.header[i] for i in columns] if table.header else None
    time = None
    if table.time_column is not None:
        cells = [row[table.time_column] if table.time_column < len(row) else "" for row in table.rows]
        time = (table.header[table.time_column] if table.header else "time", cells)
    return Signal(data, "csv", signal_axes=(0,) if data.ndim == 2 else None, csv_header=header, csv_time=time)


def _write_csv(path, y: np.ndarray, like: Signal) -> None:
    """Values as %.17g; the input's header and time column around them when
    the result has the input's columns and rows (same, filter, smooth)."""
    import csv
    table = y.reshape(-1, 1) if y.ndim == 1 else y
    if y.dtype.kind == "c":
        def text(v):
            return f"{v.real:.17g}{v.imag:+.17g}j"
    else:
        fmt = "%.17g" if y.dtype.kind == "f" else "%d"

        def text(v):
            return fmt % v
    time = like.csv_time if like.csv_time and len(like.csv_time[1]) == table.shape[0] else None
    with open(path, "w", newline="") as handle:
        w = csv.writer(handle, lineterminator="\n")
        if like.csv_header is not None:
            same_columns = len(like.csv_header) == table.shape[1]
            names = like.csv_header if same_columns else [f"column {i + 1}" for i in range(table.shape[1])]
            w.writerow(([time[0]] if time else []) + names)
        for n, values in enumerate(table):
            w.writerow(([time[1][n]] if time else []) + [text(v) for v in values])


def read_kernel(text: str) -> np.ndarray:
    """A kernel file, a named kernel ("gaussian:sigma=4", see
    faltung.kernels), or values inline: "1,2,1" (1-D) or "1,2,1;2,4,2;1,2,1"
    (rows of a 2-D kernel)."""
    if os.path.exists(text) or pathlib.Path(text).suffix.lower() in SUFFIXES:
        return read(text).data
    if text[:1].isalpha():
        from . import kernels
        try:
            return kernels.make(text).values
        except ValueError as e:
            raise UserError(f"kernel '{text}' is neither a file nor a known kernel: {e}") from None
    try:
        rows = [[float(v) for v in row.split(",")] for row in text.split(";")]
    except ValueError:
        raise UserError(f"kernel '{text}' is neither a file nor comma-separated numbers") from None
    if len({len(r) for r in rows}) != 1:
        raise UserError(f"kernel '{text}': every row needs the same number of values")
    kernel = np.array(rows)
    return kernel[0] if len(rows) == 1 else kernel


def write(path, y: np.ndarray, like: Signal) -> None:
    path = os.fspath(path)
    kind = kind_of(path)
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UserError(f"{path}: the directory {parent} does not exist")
    try:
        if kind == "npy":
            np.save(path, y)
        elif kind == "csv":
            if y.ndim > 2:
                raise UserError(f"{path}: a {y.ndim}-D result does not fit a CSV file; write .npy")
            _write_csv(path, y, like)
        elif kind == "wav":
            import soundfile
            if like.samplerate is None:
                raise UserError(f"{path}: a .wav output needs a sample rate; give --samplerate")
            if y.ndim > 2 or np.iscomplexobj(y):
                raise UserError(f"{path}: only real 1-D or (samples, channels) results can be written as .wav")
            # float samples: a filtered signal may leave [-1, 1]; nothing is clipped
            soundfile.write(path, y, like.samplerate, subtype="FLOAT")
        else:
            _write_image(path, y, like)
    except UserError:
        raise
    except (ValueError, OSError, RuntimeError, TypeError) as e:
        raise UserError(f"{path}: cannot write it: {e}") from None


def _write_image(path, y, like: Signal):
    from PIL import Image
    if np.iscomplexobj(y):
        raise UserError(f"{path}: a complex result cannot be an image; write .npy")
    if y.ndim == 3 and y.shape[2] in (3, 4):
        mode = "RGB" if y.shape[2] == 3 else "RGBA"
    elif y.ndim == 2:
        mode = "L"
    else:
        raise UserError(f"{path}: a result of shape {y.shape} is not an image; write .npy")
    if like.image_mode in ("I", "I;16", "F") and mode == "L" and path.lower().endswith((".tif", ".tiff")):
        Image.fromarray(y.astype(np.float32)).save(path)
        return
    # 8-bit images: round and clip to 0..255 (a filter can overshoot)
    Image.fromarray(np.clip(np.rint(y), 0, 255).astype(np.uint8)).save(path)
