"""What method=measure learned, kept across processes (a versioned text file
keyed by problem, CPU target and threads; see docs/semantics.md)."""
from __future__ import annotations

import os
import warnings

from . import _core


def save_wisdom(path) -> None:
    """Writes every remembered choice to `path`."""
    _core.wisdom_save(os.fspath(path))


def load_wisdom(path) -> list[str]:
    """Merges the choices in `path` into this process's wisdom. Lines that do
    not apply (corrupt, another version or CPU) are skipped, each with a
    warning; the warnings are also returned."""
    found = _core.wisdom_load(os.fspath(path))
    for w in found:
        warnings.warn(w, RuntimeWarning, stacklevel=2)
    return found


def export_wisdom() -> str:
    return _core.wisdom_export()


def import_wisdom(text: str) -> list[str]:
    found = _core.wisdom_import(text)
    for w in found:
        warnings.warn(w, RuntimeWarning, stacklevel=2)
    return found


def forget_wisdom() -> None:
    _core.wisdom_forget()
