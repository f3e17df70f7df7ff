"""Means with t-based confidence intervals."""

from __future__ import annotations

import numpy as np
from scipy import stats

from pipeline.stats.proportions import Estimate


def mean_t(values: np.ndarray | list[float], level: float = 0.95) -> Estimate:
    """Mean with a Student t interval (mean ± t · s/√n).

    >>> e = mean_t([1.0, 2.0, 3.0, 4.0])
    >>> round(e.estimate, 2), round(e.ci_low, 4), round(e.ci_high, 4)
    (2.5, 0.4457, 4.5543)
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n < 2:
        return Estimate(
            n, float(x.mean()) if n else float("nan"), float("nan"), float("nan"), "t interval"
        )
    low, high = stats.t.interval(level, n - 1, loc=x.mean(), scale=stats.sem(x))
    return Estimate(n, float(x.mean()), float(low), float(high), f"Student t {level:.0%}")
