"""Proportions with confidence intervals.

Wilson score intervals for one proportion (good coverage at small n and near 0/1, unlike the
Wald interval); Newcombe's hybrid score interval for a difference of two independent
proportions. Both delegate to statsmodels.

Under design weights (`Share` with weight sums) the share is the ratio estimator
p = Σw·y / Σw and its variance the linearised (Taylor) one for a single-stage design with
replacement, v = n/(n−1) · Σw²(y−p)² / (Σw)² — what R's `survey::svymean` gives for a
weights-only design and statsmodels' WLS intercept with HC1 errors gives (tests check both).
The intervals are the same score intervals at the effective sample size n_eff = p(1−p)/v
(Kish's (Σw)²/Σw² where v = 0, a share of 0 or 1), the approach of Korn & Graubard (1998).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    test_proportions_2indep,
)


@dataclass(frozen=True)
class Estimate:
    n: int
    estimate: float
    ci_low: float
    ci_high: float
    method: str


def wilson(successes: float, n: float, level: float = 0.95) -> Estimate:
    """Share successes/n with a Wilson score interval.

    >>> e = wilson(8, 20)
    >>> round(e.estimate, 2), round(e.ci_low, 4), round(e.ci_high, 4)
    (0.4, 0.2188, 0.6134)
    """
    if n <= 0:
        return Estimate(0, float("nan"), float("nan"), float("nan"), "wilson")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in 0..n, got {successes} of {n}")
    low, high = proportion_confint(successes, n, alpha=1 - level, method="wilson")
    return Estimate(int(n), successes / n, float(low), float(high), f"Wilson score {level:.0%}")


def difference_newcombe(
    x1: float, n1: float, x2: float, n2: float, level: float = 0.95
) -> Estimate:
    """p1 - p2 with Newcombe's hybrid score interval (method 10 in Newcombe 1998)."""
    if n1 <= 0 or n2 <= 0:
        return Estimate(int(n1 + n2), float("nan"), float("nan"), float("nan"), "newcombe")
    low, high = confint_proportions_2indep(
        x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - level
    )
    method = f"Newcombe hybrid score {level:.0%}"
    return Estimate(int(n1 + n2), x1 / n1 - x2 / n2, float(low), float(high), method)


@dataclass(frozen=True)
class Compared:
    """A difference of two proportions with its test and effect size."""

    estimate: Estimate
    p_value: float
    effect_size: float  # Cohen's h


def change_test(x1: float, n1: float, x2: float, n2: float, level: float = 0.95) -> Compared:
    """p1 - p2 with Newcombe's interval, the score test's p-value (Miettinen & Nurminen 1985)
    and Cohen's h = 2 asin(sqrt p1) - 2 asin(sqrt p2)."""
    estimate = difference_newcombe(x1, n1, x2, n2, level)
    if n1 <= 0 or n2 <= 0:
        return Compared(estimate, float("nan"), float("nan"))
    p1, p2 = x1 / n1, x2 / n2
    if x1 + x2 in (0, n1 + n2):  # both shares 0 or both 1: no difference to test
        p_value = 1.0
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # ratio/odds of a 0 share
            p_value = float(test_proportions_2indep(x1, n1, x2, n2, method="score").pvalue)
    return Compared(estimate, p_value, float(proportion_effectsize(p1, p2)))


WEIGHTED = ", design-weighted (effective n)"
SUMS = ("sw", "swy", "sw2", "sw2y")


@dataclass(frozen=True)
class Share:
    """The units of one share: `hits` among `n`, and, when they carry design weights, the
    sums Σw, Σw·y, Σw² and Σw²·y (y = 1 for a unit in the numerator); unweighted when `sw`
    is None."""

    hits: int
    n: int
    sw: float | None = None
    swy: float | None = None
    sw2: float | None = None
    sw2y: float | None = None

    @property
    def weighted(self) -> bool:
        return self.sw is not None

    @classmethod
    def pooled(cls, shares: Sequence[Share]) -> Share:
        """The units of several shares together (weighted if all of them are)."""
        hits, n = sum(s.hits for s in shares), sum(s.n for s in shares)
        if not shares or not all(s.weighted for s in shares):
            return cls(hits, n)
        sums = [sum(float(getattr(s, k) or 0.0) for s in shares) for k in SUMS]
        return cls(hits, n, *sums)

    def variance(self) -> float:
        """The linearised variance of the weighted share (module docstring)."""
        sw, swy, sw2, sw2y = (float(v or 0.0) for v in (self.sw, self.swy, self.sw2, self.sw2y))
        if self.n < 2 or sw <= 0:
            return float("nan")
        p = swy / sw
        squares = sw2y * (1 - 2 * p) + p * p * sw2  # Σw²(y−p)², as y² = y
        return self.n / (self.n - 1) * max(squares, 0.0) / (sw * sw)

    def effective(self) -> tuple[float, float]:
        """(x, n) for a score interval: the counts, or under weights p·n_eff and n_eff."""
        if not self.weighted:
            return float(self.hits), float(self.n)
        sw, swy, sw2 = float(self.sw or 0.0), float(self.swy or 0.0), float(self.sw2 or 0.0)
        if self.n == 0 or sw <= 0:
            return 0.0, 0.0
        p, v = swy / sw, self.variance()
        n_eff = p * (1 - p) / v if v > 0 else sw * sw / sw2  # Kish at a share of 0 or 1
        return p * n_eff, n_eff


def share(s: Share, level: float = 0.95) -> Estimate:
    """The share with a Wilson interval: on the counts, or weighted at the effective n."""
    if not s.weighted:
        return wilson(s.hits, s.n, level)
    x, n_eff = s.effective()
    if n_eff <= 0:
        return Estimate(s.n, float("nan"), float("nan"), float("nan"), "wilson" + WEIGHTED)
    e = wilson(min(max(x, 0.0), n_eff), n_eff, level)
    return Estimate(s.n, e.estimate, e.ci_low, e.ci_high, e.method + WEIGHTED)


def share_change(later: Share, earlier: Share, level: float = 0.95) -> Compared:
    """later − earlier with `change_test`, on effective counts when either share is weighted
    (Newcombe's interval then combines the two design-based Wilson intervals)."""
    if not (later.weighted or earlier.weighted):
        return change_test(later.hits, later.n, earlier.hits, earlier.n, level)
    (x1, n1), (x2, n2) = later.effective(), earlier.effective()
    c = change_test(x1, n1, x2, n2, level)
    e = c.estimate
    return Compared(
        Estimate(later.n + earlier.n, e.estimate, e.ci_low, e.ci_high, e.method + WEIGHTED),
        c.p_value,
        c.effect_size,
    )
