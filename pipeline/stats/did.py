"""Difference-in-differences with two-way fixed effects (unit and time), cluster-robust SE.

With few treated clusters, conventional cluster-robust inference over-rejects; this thin
version states its method so readers can judge it, and a wild cluster bootstrap is the
planned next step (see README).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats


@dataclass(frozen=True)
class DidResult:
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_obs: int
    n_clusters: int
    n_treated_clusters: int
    method: str


def did_twfe(
    frame: pd.DataFrame,
    outcome: str,
    treated: str,
    unit: str,
    time: str,
    weight: str | None = None,
    level: float = 0.95,
) -> DidResult:
    """OLS/WLS of outcome on treated + unit FE + time FE; SE clustered by unit (CR1).

    The CI uses t with G-1 degrees of freedom (G = clusters), as Stata's regress does.
    """
    data = frame[[outcome, treated, unit, time] + ([weight] if weight else [])].dropna()
    data = data.assign(_d=data[treated].astype(float))
    formula = f"Q('{outcome}') ~ _d + C(Q('{unit}')) + C(Q('{time}'))"
    groups = pd.factorize(data[unit])[0]
    model = smf.wls(formula, data, weights=data[weight]) if weight else smf.ols(formula, data)
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": True})
    n_clusters = int(np.unique(groups).size)
    est, se = float(fit.params["_d"]), float(fit.bse["_d"])
    t_crit = stats.t.ppf(0.5 + level / 2, n_clusters - 1)
    p = float(2 * stats.t.sf(abs(est / se), n_clusters - 1)) if se > 0 else float("nan")
    treated_units = int(data.loc[data["_d"] > 0, unit].nunique())
    how = "WLS" if weight else "OLS"
    return DidResult(
        est,
        se,
        est - t_crit * se,
        est + t_crit * se,
        p,
        len(data),
        n_clusters,
        treated_units,
        f"TWFE DiD ({how}, unit+year FE), CR1 cluster-robust SE by "
        f"{unit}, t({n_clusters - 1}) {level:.0%} CI",
    )
