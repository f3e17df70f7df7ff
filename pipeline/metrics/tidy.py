"""The shared shape of a metric table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.stats.proportions import Estimate, Share, share

if TYPE_CHECKING:
    import duckdb

    from pipeline.metrics.definition import Definition

VALUE_COLUMNS = ["n", "estimate", "ci_low", "ci_high", "method"]

# What the result columns of the metric tables hold, declared once (the warehouse's COMMENTs
# and the catalogue read it). A dimension matched on the metric's units relation is described
# there instead; what a row estimates is the table's definition (its comment).
COLUMNS = {
    "n": "Units the estimate rests on (the denominator of a share, the persons of a mean, "
    "the teams counted, the person-years or municipality-years of a model).",
    "estimate": "The estimate: a share (0-1), a count, a mean, a difference or a model "
    "coefficient, as the table's definition and `method` say.",
    "ci_low": "Lower end of the 95 % confidence interval (NULL for a count or where none "
    "can be computed).",
    "ci_high": "Upper end of the 95 % confidence interval (NULL for a count or where none "
    "can be computed).",
    "method": "How the estimate and its interval were computed, in words.",
    "indicator": "Which indicator of the table the row is.",
    "label": "The indicator's or outcome's name as the reports show it.",
    "p_value": "Two-sided p-value of the row's test (NULL where the row has none).",
    "p_holm": "The p-value adjusted for multiple tests within its family (Holm).",
    "effect_size": "Cohen's h for the change between two shares.",
    "statistic": "The test statistic (Pearson's chi-square; the Wald statistic of the joint "
    "pre-trend test).",
    "df": "Degrees of freedom of the test statistic.",
    "q1": "First quartile of the days.",
    "q3": "Third quartile of the days.",
    "population_year": "The year of the population count used (the last year up to the "
    "count date's year).",
    "population": "Residents in the municipality and age band that year.",
    "per_1000": "Active teams per 1,000 residents of the age band.",
    "model": "Which adjusted model the row comes from.",
    "estimator": "The DiD estimator (twfe, imputation, synthetic, honest).",
    "estimator_label": "The estimator's name as the reports show it.",
    "inference": "How its uncertainty is computed (cluster, wild, ri, bjs, placebo, "
    "smoothness, relative_magnitude).",
    "inference_label": "The inference method's name as the reports show it.",
    "n_clusters": "Municipalities (clusters) in the estimation.",
    "n_treated_clusters": "Pilot municipalities among them.",
    "events": "Events of the outcome (admissions, contacts, ...) in the municipality-years "
    "this estimator used.",
    "se": "Standard error of the estimate.",
    "after_exit_estimate": "Effect in the years after a pilot left the programme (the "
    "config's separate after-exit term; NULL where it is not estimated).",
    "after_exit_ci_low": "Lower end of the 95 % CI of the after-exit effect.",
    "after_exit_ci_high": "Upper end of the 95 % CI of the after-exit effect.",
    "after_exit_p_value": "p-value of the after-exit effect.",
    "relative_year": "Year relative to the pilot's start (-1 = the reference year); the row "
    "'førperiode (samlet test)' is the joint test of all pre-period coefficients.",
    "p_cr1": "p-value of the joint pre-trend test with CR1 and F(q, G-1), which rejects too "
    "often with few pilots (kept for comparison).",
}


def row(dims: Mapping[str, Any], est: Estimate) -> dict[str, Any]:
    """One metric row: its dimension values and the estimate's n, value, CI and method."""
    return {
        **dims,
        "n": est.n,
        "estimate": est.estimate,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "method": est.method,
    }


def count_row(dims: Mapping[str, Any], n: int, method: str) -> dict[str, Any]:
    """One metric row of a count: the count is the estimate, with no CI."""
    return {**dims, "n": int(n), "estimate": float(n), "ci_low": None, "ci_high": None,
            "method": method}  # fmt: skip


def frame(rows: list[dict[str, Any]], dims: list[str], extra: Sequence[str] = ()) -> pd.DataFrame:
    """The metric table: dimensions first, then n, estimate, ci_low, ci_high, method, then
    any test statistics (`extra`, numbers: missing where a row has none)."""
    out = pd.DataFrame(rows, columns=[*dims, *VALUE_COLUMNS, *extra])
    numbers = {c: "float64" for c in ("estimate", "ci_low", "ci_high", *extra)}
    return out.astype({"n": "int64", **numbers})


def _plain(value: Any) -> Any:
    """A dimension value as the metric table stores it (a date, not a timestamp)."""
    return value.date() if isinstance(value, pd.Timestamp) else value


WEIGHT_SUMS = ("sum_w", "sum_wy", "sum_w2", "sum_w2y")


def share_of(r: Mapping[Any, Any] | pd.Series) -> Share:
    """One row of unit counts as a share: hits among n, with its weight sums when the units
    were weighted (`sum_w` present and not missing; a missing other sum is no unit, 0)."""
    sums = [r.get(c) for c in WEIGHT_SUMS]
    if sums[0] is None or pd.isna(sums[0]):
        return Share(int(r["hits"]), int(r["n"]))
    sw, swy, sw2, sw2y = (0.0 if v is None or pd.isna(v) else float(v) for v in sums)
    return Share(int(r["hits"]), int(r["n"]), sw, swy, sw2, sw2y)


def share_rows(counts: pd.DataFrame, dims: Sequence[str]) -> list[dict[str, Any]]:
    """A Wilson share row (design-weighted where the units carry weights) for every row of
    unit counts."""
    return [
        row({k: _plain(r[k]) for k in dims}, share(share_of(r))) for r in counts.to_dict("records")
    ]


def shares(con: duckdb.DuckDBPyConnection, d: Definition) -> pd.DataFrame:
    """A Wilson share for every combination of the definition's dimensions."""
    from pipeline.metrics.definition import unit_counts

    return frame(share_rows(unit_counts(con, d), d.dims), list(d.dims))


def resampling(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """[evaluation] bootstrap_replications and seed, as the run was configured: every
    resampling (bootstrap, randomisation inference) starts here."""
    found = con.execute("select bootstrap_replications, seed from meta.cfg_parameters").fetchone()
    assert found is not None
    return int(found[0]), int(found[1])
