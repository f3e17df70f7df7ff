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
