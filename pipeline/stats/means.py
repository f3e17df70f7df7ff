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


def mean_bootstrap(
    values: np.ndarray | list[float], level: float = 0.95, resamples: int = 9999, seed: int = 0
) -> Estimate:
    """Mean with a bias-corrected and accelerated (BCa) bootstrap interval (scipy), seeded so
    the same data give the same interval; no normality assumed (PSFS changes are bounded)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2 or np.all(x == x[0]):
        mean = float(x.mean()) if x.size else float("nan")
        return Estimate(int(x.size), mean, float("nan"), float("nan"), "bootstrap")
    res = stats.bootstrap(
        (x,),
        np.mean,
        confidence_level=level,
        n_resamples=resamples,
        method="BCa",
        rng=np.random.default_rng(seed),
    )
    low, high = res.confidence_interval
    return Estimate(
        int(x.size),
        float(x.mean()),
        float(low),
        float(high),
        f"BCa bootstrap {level:.0%} ({resamples} resamples, seed {seed})",
    )


def wilcoxon_signed_rank(changes: np.ndarray | list[float]) -> float:
    """Two-sided p of the paired Wilcoxon signed-rank test that the median change is 0 (scipy;
    zero changes dropped, exact distribution for small n without ties)."""
    x = np.asarray(changes, dtype=float)
    x = x[~np.isnan(x)]
    if np.count_nonzero(x) == 0:
        return float("nan")
    return float(stats.wilcoxon(x).pvalue)
