"""faltung plot: one PNG with the signal, the kernel and the result."""
from __future__ import annotations

import numpy as np


def _show(ax, a, title):
    a = np.real(a) if np.iscomplexobj(a) else a
    if a.ndim == 1 or (a.ndim == 2 and a.shape[1] <= 8 and a.shape[0] > 8 * a.shape[1]):
        # a signal, or a few series side by side (a .wav's channels, a .csv's columns)
        ax.plot(np.arange(a.shape[0]), a, lw=0.8, marker="." if a.shape[0] <= 64 else None)
        ax.set_xlim(0, max(a.shape[0] - 1, 1))
    elif a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4)):
        shown = a if a.ndim == 2 else np.clip(a / max(a.max(), 1e-300), 0, 1)
        im = ax.imshow(shown, cmap="gray" if a.ndim == 2 else None, aspect="auto")
        if a.ndim == 2:
            ax.figure.colorbar(im, ax=ax, shrink=0.8)
    else:  # channels: one line per channel of the first axis's series
        flat = a.reshape(a.shape[0], -1)
        ax.plot(flat[:, : min(flat.shape[1], 8)], lw=0.8)
    ax.set_title(f"{title} {a.shape}", fontsize=9)


def plot(x: np.ndarray, kernel: np.ndarray, y: np.ndarray, path: str, title: str = "") -> None:
    import matplotlib
    matplotlib.use("Agg")  # files only, no display needed
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), constrained_layout=True)
    _show(axes[0], x, "signal")
    _show(axes[1], kernel, "kernel")
    _show(axes[2], y, "result")
    fig.suptitle(title, fontsize=10)
    fig.savefig(path, dpi=100)
    plt.close(fig)
