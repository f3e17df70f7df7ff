"""A DiD that stays right when effects differ between cohorts and over time: the imputation
estimator (Borusyak, Jaravel & Spiess 2024), from the `diff-diff` package.

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
    row = [
        "treated",
        float(fit.overall_att),
        float(fit.overall_se),
        low,
        high,
        float(fit.overall_p_value),
        len(data),
        int(data["c"].nunique()),
        method,
    ]
    return pd.DataFrame([row], columns=COLUMNS)
