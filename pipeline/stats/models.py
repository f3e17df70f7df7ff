"""Adjusted comparisons of two groups (statsmodels): a logistic regression's average marginal
effect of the exposure (the adjusted difference of two shares, comparable with Newcombe's
unadjusted one) and a proportional-odds model's odds ratio (statsmodels' OrderedModel) for
an answer on an ordered scale. Covariates are categorical; one that does not vary is left
out, and the method text says which were used. A model that cannot be fitted gives NaN with
the reason, never an exception in the middle of a run."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

from pipeline.stats.proportions import Estimate


@dataclass(frozen=True)
class Adjusted:
    estimate: Estimate
    p_value: float


def _design(
    data: pd.DataFrame, exposure: str, covariates: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    """The exposure (0/1) and each varying covariate as dummies (first level left out)."""
    used = [c for c in covariates if data[c].nunique(dropna=False) > 1]
    dummies = [
        pd.get_dummies(data[c].astype(str), prefix=c, drop_first=True, dtype=float) for c in used
    ]
    x = pd.concat([data[[exposure]].astype(float), *dummies], axis=1)
    return x, used


def _failed(n: int, what: str, why: str) -> Adjusted:
    nan = float("nan")
    return Adjusted(Estimate(n, nan, nan, nan, f"{what}: could not be fitted ({why})"), nan)


def _adjusted_for(used: list[str], covariates: Sequence[str]) -> str:
    dropped = [c for c in covariates if c not in used]
    text = "adjusted for " + (", ".join(used) or "nothing")
    return text + (f" ({', '.join(dropped)}: one value only, left out)" if dropped else "")


def _fitted(what: str, n: int, fit: Callable[[], Any]) -> Any | Adjusted:
    """The fit's result, or a no-number result saying why (a warning counts: perfect
    separation or no convergence gives no estimate, rather than a wrong one)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return fit()
    except (Warning, np.linalg.LinAlgError, ValueError) as exc:
        return _failed(n, what, str(exc).splitlines()[0])


def adjusted_difference(
    data: pd.DataFrame,
    outcome: str,
    exposure: str,
    covariates: Sequence[str],
    level: float = 0.95,
) -> Adjusted:
    """Average marginal effect of a 0/1 exposure on a 0/1 outcome from a logistic regression
    with the covariates: the mean over the units of P(y | exposed) − P(y | not), each at its
    own covariates; delta-method CI (statsmodels' get_margeff, dummy=True)."""
    what = "Logistic regression, average marginal effect"
    x, used = _design(data, exposure, covariates)
    n = len(data)
    model = sm.Logit(data[outcome].astype(float), sm.add_constant(x, has_constant="add"))
    res = _fitted(what, n, lambda: model.fit(disp=0, maxiter=200))
    if isinstance(res, Adjusted):
        return res
    margins = _fitted(what, n, lambda: res.get_margeff(at="overall", method="dydx", dummy=True))
    if isinstance(margins, Adjusted):
        return margins
    effect = float(margins.margeff[0])
    se = float(margins.margeff_se[0])
    z = float(stats.norm.ppf(0.5 + level / 2))
    method = (
        f"{what} (discrete change), {level:.0%} delta-method CI, {_adjusted_for(used, covariates)}"
    )
    return Adjusted(
        Estimate(n, effect, effect - z * se, effect + z * se, method),
        float(res.pvalues[exposure]),
    )


def ordinal_odds_ratio(
    data: pd.DataFrame,
    outcome: str,
    exposure: str,
    covariates: Sequence[str],
    level: float = 0.95,
) -> Adjusted:
    """Odds ratio of a higher answer for the exposed, from a proportional-odds (cumulative
    logit) model with the covariates: exp(β) with a Wald CI on the log scale."""
    what = "Proportional-odds model (OrderedModel, logit), odds ratio"
    x, used = _design(data, exposure, covariates)
    n = len(data)
    levels = sorted(data[outcome].dropna().unique())
    if len(levels) < 2:
        return _failed(n, what, "the answers take one value only")
    y = pd.Series(pd.Categorical(data[outcome], categories=levels, ordered=True))
    model = OrderedModel(y, x, distr="logit")
    res = _fitted(what, n, lambda: model.fit(method="bfgs", disp=0, maxiter=1000))
    if isinstance(res, Adjusted):
        return res
    if not res.mle_retvals.get("converged", True):
        return _failed(n, what, "the optimiser did not converge")
    beta, se = float(res.params[exposure]), float(res.bse[exposure])
    z = float(stats.norm.ppf(0.5 + level / 2))
    method = f"{what}, Wald {level:.0%} CI, {_adjusted_for(used, covariates)}"
    return Adjusted(
        Estimate(n, np.exp(beta), np.exp(beta - z * se), np.exp(beta + z * se), method),
        float(res.pvalues[exposure]),
    )
