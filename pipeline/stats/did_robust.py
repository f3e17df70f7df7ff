"""DiD estimators beside TWFE, from the `diff-diff` package: the imputation estimator
(Borusyak, Jaravel & Spiess 2024), right when effects differ between cohorts and over time,
and synthetic DiD (Arkhangelsky et al. 2021), which reweights comparison units and years to
match the treated units' past when they are few.

TWFE compares late-treated units with already-treated ones when adoption is staggered, and
with effects that grow over time that comparison can flip the sign of the estimate. The
imputation estimator fits unit and time effects on the untreated rows only (never-treated
units and the treated units' years before their start), imputes every treated row's
untreated outcome from them, and averages the differences. With one start date for every
treated unit on a balanced panel it equals TWFE (a test); on the registry panel it stands
beside TWFE as a check.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from pipeline.stats.did import COLUMNS, NotIdentified, coded_frame


def imputation(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treated: str,
    *,
    weights: str | None = None,
    cluster: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """The imputation estimate of the average effect on the treated rows, as one tidy row
    (the columns of `estimate`): BJS Theorem 3 standard error clustered by `cluster` (default
    `unit`), t(G − 1) interval.

    `treated` must be 0 or 1 and stay 1 once a unit has started (an absorbing treatment: a
    unit whose treatment ended is not a design this estimator covers); `NotIdentified` says
    so otherwise. The package needs weights constant within a unit, so a unit's rows are
    weighted by the mean of its `weights` (person-years vary little from year to year); the
    method text says when that changed anything."""
    from diff_diff import ImputationDiD, SurveyDesign

    data = coded_frame(frame, outcome, unit, time, treated, weights, cluster or unit)
    d = data["d"].to_numpy()
    if not np.isin(d, (0.0, 1.0)).all():
        raise NotIdentified(
            f"the imputation estimator needs {treated} to be 0 or 1 (a partly treated period "
            "is a fraction): use partial_years = drop"
        )
    if not (d == 1).any() or (d == 1).all():
        raise NotIdentified(f"{treated} must be 1 for some rows and 0 for others")
    period = pd.Series(frame[time].to_numpy()).rank(method="dense").astype(int).to_numpy()
    data["period"] = period  # 1, 2, …: 0 is the package's "never treated"
    first = data["period"].where(data["d"] == 1).groupby(data["u"]).transform("min")
    data["first_treat"] = first.fillna(0).astype(int)
    ended = (data["first_treat"] > 0) & (data["period"] >= data["first_treat"]) & (d == 0)
    if ended.any():
        raise NotIdentified(
            f"{treated} returns to 0 after a unit started ({int(ended.sum())} row(s)): the "
            "imputation estimator needs a treatment that stays on (use after_exit = drop)"
        )
    data["w_unit"] = data.groupby("u")["w"].transform("mean")
    averaged = bool(weights) and not np.allclose(data["w_unit"], data["w"], rtol=0, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ImputationDiD(alpha=1 - level, cluster="c").fit(
            data,
            outcome="y",
            unit="u",
            time="period",
            first_treat="first_treat",
            survey_design=SurveyDesign(weights="w_unit", psu="c") if weights else None,
        )
    low, high = (float(v) for v in fit.overall_conf_int)
    by = cluster or unit
    method = (
        "imputation DiD (Borusyak, Jaravel & Spiess 2024; diff-diff ImputationDiD): "
        f"{unit} and {time} effects fitted on untreated rows, effect = "
        f"{'weighted ' if weights else ''}mean of treated rows' observed − imputed; "
        f"Theorem 3 SE clustered by {by}, t(G − 1) {level:.0%} CI"
        + (f"; weights: each {unit}'s mean {weights}" if averaged else "")
    )
    values = (fit.overall_att, fit.overall_se, low, high, fit.overall_p_value)
    return tidy_row(values, len(data), int(data["c"].nunique()), method)


def tidy_row(values: tuple[Any, ...], n_obs: int, n_clusters: int, method: str) -> pd.DataFrame:
    """estimate, std_error, ci_low, ci_high, p_value as the one row `estimate` returns."""
    row = ["treated", *(float(v) for v in values), n_obs, n_clusters, method]
    return pd.DataFrame([row], columns=COLUMNS)


def complete_periods(frame: pd.DataFrame, unit: str, time: str) -> list[Any]:
    """The periods every unit has: the ones synthetic DiD uses (it needs a balanced panel)."""
    counts = frame.groupby(time)[unit].nunique()
    return sorted(counts[counts == frame[unit].nunique()].index)


def synthetic(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treated: str,
    *,
    level: float = 0.95,
    seed: int = 20180901,
    replications: int = 200,
) -> pd.DataFrame:
    """The synthetic DiD estimate as one tidy row (the columns of `estimate`): unit weights
    that make the comparison units' pre-period path match the treated units', time weights
    that make the pre-periods match the post-periods, then a weighted DiD; the standard error
    by the placebo method (`replications` placebo treated sets drawn with `seed`; normal
    interval). It needs a balanced panel with one treatment block, so only the periods every
    unit has are used (the method text lists them), and every treated unit must be untreated
    in the same periods and treated (1) in the others; `NotIdentified` says why otherwise.
    Unweighted: the estimator has no observation weights."""
    from diff_diff import SyntheticDiD

    data = coded_frame(frame, outcome, unit, time, treated, None, unit)
    data["period"] = frame[time].to_numpy()
    units = data["u"].nunique()
    kept = complete_periods(data, "u", "period")
    data = data[data["period"].isin(kept)]
    ever = data.groupby("u")["d"].transform("max") > 0
    on = data.loc[ever].groupby("period")["d"].agg(["min", "max"])
    if not np.isin(data["d"], (0.0, 1.0)).all() or (on["min"] != on["max"]).any():
        raise NotIdentified(
            f"synthetic DiD needs one treatment block ({treated} 0 or 1, every treated unit "
            "starting in the same period and staying on): use partial_years = drop"
        )
    post = [t for t in kept if on.loc[t, "max"] == 1]
    if not post or post == kept or ever.all():
        raise NotIdentified("synthetic DiD needs periods before and after, treated and not")
    if post != kept[kept.index(post[0]) :]:
        raise NotIdentified(
            f"synthetic DiD needs one treatment block: {treated} stops before the last period"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = SyntheticDiD(
            alpha=1 - level, variance_method="placebo", n_bootstrap=replications, seed=seed
        ).fit(
            data.assign(ever=ever.astype(int)),
            outcome="y",
            treatment="ever",
            unit="u",
            time="period",
            post_periods=post,
        )
    low, high = (float(v) for v in fit.conf_int)
    method = (
        "synthetic DiD (Arkhangelsky et al. 2021; diff-diff SyntheticDiD), unweighted, on the "
        f"{time}s every {unit} has ({', '.join(str(t) for t in kept)}); placebo SE "
        f"({replications} placebo draws, seed {seed}), normal {level:.0%} CI"
    )
    return tidy_row((fit.att, fit.se, low, high, fit.p_value), len(data), units, method)
