"""Proportions with confidence intervals.

Wilson score intervals for one proportion (good coverage at small n and near 0/1, unlike the
Wald interval); Newcombe's hybrid score interval for a difference of two independent
proportions. Both delegate to statsmodels.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Compared:
    """A difference of two proportions with its test and effect size."""

    estimate: Estimate
    p_value: float
    effect_size: float  # Cohen's h


def change_test(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> Compared:
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
