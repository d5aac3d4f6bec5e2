"""A labelled series: values, the labelled anomaly windows, and (for real
data) the timestamps."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._nab import probation_rows


@dataclass
class LabelledSeries:
    name: str
    values: np.ndarray
    anomalies: list = field(default_factory=list)  # start index of each anomaly
    windows: list = field(default_factory=list)    # (first, last) row of each labelled window
    times: np.ndarray | None = None                # seconds since the epoch, if known
    sample_seconds: float = 300.0                  # the sampling interval assumed without times

    @property
    def probation(self) -> int:
        return probation_rows(len(self.values))

    @property
    def category(self) -> str:
        """The part of the name before the first '/' (NAB's category)."""
        return self.name.split("/")[0]

    def days(self, rows: np.ndarray | None = None) -> float:
        """The time the given rows (default: all) span, in days: from the
        timestamps where known, else rows * sample_seconds."""
        if rows is None:
            rows = np.arange(len(self.values))
        if self.times is None or len(self.times) < 2:
            return len(rows) * self.sample_seconds / 86400.0
        step = float(np.median(np.diff(self.times)))
        return len(rows) * step / 86400.0
