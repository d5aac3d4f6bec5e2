"""The faltung command's one CSV reader, for every subcommand: convolve,
smooth, deconvolve, plot and identify read a CSV as detect does.

- A header row is optional: the first row is a header when a cell of it is
  not a number.
- A time column (named time, timestamp, date, datetime or ts, or whose
  first value is an ISO-8601 time) is carried along, never convolved.
- Blank rows are skipped; an empty file, or a header without rows, is
  refused in one plain line.
"""
from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from datetime import datetime

from ._files import UserError

MISSING = {"", "nan", "null", "none", "na", "n/a"}
TIME_NAMES = {"time", "timestamp", "date", "datetime", "ts"}


@dataclass
class Table:
    header: list | None   # the header row, or None
    rows: list            # the data rows, as text
    first_line: int       # the file line of rows[0] (1-based)
    time_column: int | None


def is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _is_iso_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text.strip())
        return True
    except ValueError:
        return False


def _time_column(header, rows):
    for i, name in enumerate(header or []):
        if name.strip().lower() in TIME_NAMES:
            return i
    for i, cell in enumerate(rows[0]):
        if not is_number(cell) and _is_iso_time(cell):
            return i
    return None


def read_table(path) -> Table:
    try:
        handle = sys.stdin if path == "-" else open(path, newline="")
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror}") from None
    with handle:
        try:
            lines = [(n, row) for n, row in enumerate(csv.reader(handle), start=1) if any(c.strip() for c in row)]
        except (csv.Error, UnicodeDecodeError) as e:
            raise UserError(f"{path}: not a CSV file: {e}") from None
    if not lines:
        raise UserError(f"{path} is empty: faltung reads rows of comma-separated numbers "
                        "(a header row first, and a time column, are allowed)")
    first = lines[0][1]
    has_header = any(not is_number(c) and c.strip().lower() not in MISSING for c in first)
    data = lines[1:] if has_header else lines
    if not data:
        raise UserError(f"{path} has a header row ({','.join(first)}) and no rows of data")
    header = first if has_header else None
    rows = [row for _, row in data]
    return Table(header, rows, data[0][0], _time_column(header, rows))
