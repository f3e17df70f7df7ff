"""How far the post-period effect survives a violation of parallel trends: the bounds of
Rambachan & Roth (2023, "A More Credible Approach to Parallel Trends"), computed by the
`diff-diff` package's `HonestDiD` from the event study of `pipeline.stats.did`.

The event study's pre-period coefficients show how the treated units drifted from the
comparison units before the start. Instead of testing them against 0 (a test with little
power when treated units are few), the bounds say what the average post-period effect can be
if the drift after the start is restricted by what was seen before:

- `smoothness` (Δ^SD, bound `M`): the differential trend's slope changes by at most `M`
  per period; `M = 0` continues a linear differential trend. Interval: the fixed-length
  confidence interval (Armstrong & Kolesár), the one the paper recommends for Δ^SD.
- `relative_magnitude` (Δ^RM, bound `M̄`): no post-period step of the drift is larger than
  `M̄` times the largest pre-period step. diff-diff 3.13 widens the identified set by the
  critical value × the SE (the paper's ARP conditional interval is not in the package yet);
  the method text says so.

`honest(event_fit(frame, outcome, unit, time, relative, ...), restriction=..., m=...)`.
Both need at least one event time before the reference and consecutive event times around
it (the restrictions are built position by position); `NotIdentified` says what is missing.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from pipeline.stats.did import EventFit, NotIdentified
from pipeline.stats.did_robust import tidy_row

RESTRICTIONS = {"smoothness": 0.0, "relative_magnitude": 1.0}  # restriction: its default M


def honest(
    fitted: EventFit,
    *,
    restriction: str = "smoothness",
    m: float | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """The average of the post-period coefficients of the event study `fitted` (from
    `did.event_fit`; event times after its reference) with its interval robust to the
    restricted violation, as one tidy row (the columns of `did.estimate`): `estimate` and
    `std_error` are the event study's (under parallel trends), `ci_low`/`ci_high` the robust
    interval, no p-value; the method text gives the identified set and, for Δ^RM, the
    breakdown value (the smallest bound at which the interval holds 0). Critical values
    from t(G − 1). One fit serves any number of restrictions and bounds."""
    from diff_diff.honest_did import HonestDiD

    if restriction not in RESTRICTIONS:
        raise ValueError(f"restriction must be one of {sorted(RESTRICTIONS)}, not {restriction!r}")
    bound = RESTRICTIONS[restriction] if m is None else float(m)
    reference, relative = fitted.reference, fitted.relative
    times = sorted(fitted.names)
    pre = [r for r in times if r < reference]
    post = [r for r in times if r > reference]
    if not pre:
        raise NotIdentified(
            f"no event time before the reference {reference}: the bounds extrapolate from "
            "the pre-period coefficients, and there are none"
        )
    if not post:
        raise NotIdentified(f"no event time after the reference {reference}")
    grid = range(times[0], times[-1] + 1)
    gaps = sorted(set(grid) - {*times, reference})
    if gaps:
        raise NotIdentified(
            f"event time(s) {gaps} missing: the restrictions are built period by period and "
            "need consecutive event times (a dropped partial first year leaves a gap; "
            "partial_years = exposure keeps it)"
        )
    clusters = int(fitted.data["c"].nunique())
    results = _as_results(fitted, pre, post, reference, clusters, level)
    name = "M" if restriction == "smoothness" else "M̄"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        method = HonestDiD(method=restriction, M=bound, alpha=1 - level)
        bounds = method.fit(results)
        # the breakdown search refits the bounds a dozen times: cheap for Δ^RM, seconds per
        # fit for the fixed-length interval of Δ^SD, so only Δ^RM reports it
        breakdown = method.breakdown_value(results, tol=0.01) if name == "M̄" else None
    if np.isnan(bounds.ci_lb) or np.isnan(bounds.ci_ub):
        raise NotIdentified(
            f"diff-diff's HonestDiD found no interval for {restriction} with bound {bound:g} "
            f"({'; '.join(str(w.message) for w in caught) or 'no reason given'})"
        )
    identified = (
        f"identified set {bounds.lb:.4g} to {bounds.ub:.4g}; "
        if np.isfinite(bounds.lb) and np.isfinite(bounds.ub)
        else ""
    )
    text = (
        f"HonestDiD (Rambachan & Roth 2023; diff-diff), {restriction} restriction, "
        f"{name} = {bound:g}, on the mean of event times {post[0]}…{post[-1]} of the event "
        f"study (reference {relative} = {reference}, {len(pre)} pre-period coefficient(s), "
        f"CR1 by {fitted.cluster}); {identified}"
        + (
            "fixed-length CI"
            if restriction == "smoothness"
            else "CI = identified set ± critical value × SE (not the paper's ARP interval)"
        )
        + f", t({clusters - 1}) {level:.0%}"
        + _breakdown(restriction, breakdown)
        + "".join(f"; diff-diff: {w.message}" for w in caught)
    )
    values = (
        bounds.original_estimate,
        bounds.original_se,
        bounds.ci_lb,
        bounds.ci_ub,
        float("nan"),
    )
    return tidy_row(values, len(fitted.data), clusters, text)


def _breakdown(restriction: str, value: float | None) -> str:
    """The breakdown value in words (Δ^RM only)."""
    if restriction != "relative_magnitude":
        return ""
    if value is None:
        return "; breakdown M̄: none found (the interval excludes 0 at every bound searched)"
    return f"; breakdown M̄ ≈ {value:.2f} (the smallest M̄ whose interval holds 0)"


def _as_results(
    fitted: EventFit, pre: list[int], post: list[int], reference: int, clusters: int, level: float
) -> Any:
    """The event study as diff-diff's MultiPeriodDiD results (what HonestDiD reads): the
    coefficients, their CR1 covariance, and the cluster count as a one-stratum design with
    G clusters, so that critical values come from t(G − 1)."""
    from diff_diff.results import MultiPeriodDiDResults, PeriodEffect
    from diff_diff.survey import SurveyMetadata

    times = [*pre, *post]
    coef, se = fitted.fit.coef(), fitted.fit.se()
    effects = {
        r: PeriodEffect(
            r, float(coef[fitted.names[r]]), float(se[fitted.names[r]]), 0.0, 1.0, (0.0, 0.0)
        )
        for r in times
    }
    nothing = float("nan")
    return MultiPeriodDiDResults(
        period_effects=effects,
        avg_att=nothing,
        avg_se=nothing,
        avg_t_stat=nothing,
        avg_p_value=nothing,
        avg_conf_int=(nothing, nothing),
        n_obs=len(fitted.data),
        n_treated=int(fitted.data.loc[fitted.data["d"] > 0, "u"].nunique()),
        n_control=int(fitted.data.loc[fitted.data["d"] == 0, "u"].nunique()),
        pre_periods=pre,
        post_periods=post,
        alpha=1 - level,
        vcov=fitted.covariance(times),
        interaction_indices={r: i for i, r in enumerate(times)},
        reference_period=reference,
        survey_metadata=SurveyMetadata(
            weight_type="cluster",
            effective_n=float(clusters),
            design_effect=1.0,
            sum_weights=float(clusters),
            n_psu=clusters,
            df_survey=clusters - 1,
        ),
    )
