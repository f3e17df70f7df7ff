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
    zero changes dropped, exact distribution for small n without ties).

    With ties or zeros among at most 13 changes scipy's choice is an exact sign-flip
    permutation test that ranks each of the 2^n flipped samples anew (0.3 s a call, most of
    the PSFS metric's time); |change|, and so every rank, is the same under any flip, so the
    same permutation test runs here on the ranks computed once: the same p-value (tested)."""
    x = np.asarray(changes, dtype=float)
    x = x[~np.isnan(x)]
    nonzero = x != 0
    if not nonzero.any():
        return float("nan")
    tied = np.unique(np.abs(x[nonzero])).size < nonzero.sum()
    if x.size > _EXACT_FLIPS or not (tied or not nonzero.all()):
        return float(stats.wilcoxon(x).pvalue)
    ranks = np.zeros(x.size)
    ranks[nonzero] = stats.rankdata(np.abs(x[nonzero]))

    def rank_sum_positive(d: np.ndarray, axis: int) -> np.ndarray:
        return np.sum((d > 0) * ranks, axis=axis)

    test = stats.permutation_test(
        (x,), rank_sum_positive, permutation_type="samples", vectorized=True
    )
    return float(test.pvalue)


_EXACT_FLIPS = 13  # scipy's limit for the exact permutation test (2^13 < 9,999 resamples)


def median_ci(values: np.ndarray | list[float], level: float = 0.95) -> Estimate:
    """Median with the distribution-free interval from order statistics: (x_(k), x_(n-k+1))
    with k the binomial(n, ½) lower α/2 quantile, so coverage is at least `level` (Conover,
    Practical Nonparametric Statistics; for n = 20 at 95 %: x_(6) to x_(15))."""
    x = np.sort(np.asarray(values, dtype=float)[~np.isnan(np.asarray(values, dtype=float))])
    n = x.size
    if n == 0:
        return Estimate(0, float("nan"), float("nan"), float("nan"), "median")
    k = int(stats.binom.ppf((1 - level) / 2, n, 0.5))
    low, high = (float(x[k - 1]), float(x[n - k])) if k >= 1 else (float("nan"), float("nan"))
    return Estimate(n, float(np.median(x)), low, high, f"median, order-statistic {level:.0%} CI")
