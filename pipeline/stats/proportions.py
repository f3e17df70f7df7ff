"""Proportions with confidence intervals.

Wilson score intervals for one proportion (good coverage at small n and near 0/1, unlike the
Wald interval); Newcombe's hybrid score interval for a difference of two independent
proportions. Both delegate to statsmodels.
"""

from __future__ import annotations

from dataclasses import dataclass

from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint


@dataclass(frozen=True)
class Estimate:
    n: int
    estimate: float
    ci_low: float
    ci_high: float
    method: str


def wilson(successes: int, n: int, level: float = 0.95) -> Estimate:
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
    return Estimate(n, successes / n, float(low), float(high), f"Wilson score {level:.0%}")


def difference_newcombe(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> Estimate:
    """p1 - p2 with Newcombe's hybrid score interval (method 10 in Newcombe 1998)."""
    if n1 <= 0 or n2 <= 0:
        return Estimate(n1 + n2, float("nan"), float("nan"), float("nan"), "newcombe")
    low, high = confint_proportions_2indep(
        x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - level
    )
    return Estimate(
        n1 + n2, x1 / n1 - x2 / n2, float(low), float(high), f"Newcombe hybrid score {level:.0%}"
    )
