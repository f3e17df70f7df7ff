"""Tests of independence in a contingency table, with Cramér's V and its confidence interval.

Pearson's chi-square is scipy's. The CI for V inverts the noncentral chi-square distribution
(Smithson 2003): the noncentrality values at which the observed statistic is the upper and
lower 2.5 % point, converted as V = sqrt(lambda / (n (k - 1))), k = min(rows, columns), as
Bonett's statpsych (ci.cramer) and the `effectsize` R package do; tested against statpsych's
published example.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from pipeline.stats.proportions import Estimate


@dataclass(frozen=True)
class Independence:
    estimate: Estimate  # Cramér's V with its CI
    statistic: float  # Pearson's X²
    df: int
    p_value: float


def crosstab(rows: Sequence[Any], columns: Sequence[Any]) -> pd.DataFrame:
    """Counts of each (row value, column value) pair; only values that occur."""
    return pd.crosstab(pd.Series(list(rows), name="row"), pd.Series(list(columns), name="col"))


def _noncentrality(statistic: float, df: int, tail: float) -> float:
    """The noncentrality at which P(X² <= statistic) = tail (0 when even 0 gives less)."""

    def gap(lam: float) -> float:
        return float(stats.ncx2.cdf(statistic, df, lam)) - tail

    if gap(0.0) <= 0:
        return 0.0
    high = max(1.0, statistic)
    while gap(high) > 0:
        high *= 2
    return float(optimize.brentq(gap, 0.0, high, xtol=1e-10))


def independence(table: pd.DataFrame | np.ndarray, level: float = 0.95) -> Independence:
    """Pearson's chi-square test (no continuity correction) and Cramér's V with its CI.

    A table with fewer than two rows or columns holding answers has nothing to test (NaN).
    """
    counts = np.asarray(table, dtype=float)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    n = int(counts.sum())
    if counts.ndim != 2 or min(counts.shape) < 2:
        nan = float("nan")
        return Independence(Estimate(n, nan, nan, nan, "Cramérs V: ingenting å teste"), nan, 0, nan)
    statistic, p_value, df, _ = stats.chi2_contingency(counts, correction=False)
    rows, cols = counts.shape
    v = cramers_v(float(statistic), n, rows, cols, level=level)
    return Independence(v, float(statistic), int(df), float(p_value))


def cramers_v(statistic: float, n: int, rows: int, cols: int, level: float = 0.95) -> Estimate:
    """Cramér's V of a rows × cols table's X² over n units, with the noncentral CI."""
    df = (rows - 1) * (cols - 1)
    scale = n * (min(rows, cols) - 1)
    low = _noncentrality(statistic, df, 0.5 + level / 2)
    high = _noncentrality(statistic, df, 0.5 - level / 2)
    v = float(np.sqrt(statistic / scale))
    # a statistic below the central distribution's lower tail point gives an upper limit of 0:
    # the interval is widened to hold its own estimate
    return Estimate(
        n, v, float(np.sqrt(low / scale)), max(v, float(np.sqrt(high / scale))),
        f"Cramérs V, khikvadrattest, {level:.0%} KI (ikke-sentral khikvadrat)",
    )  # fmt: skip
