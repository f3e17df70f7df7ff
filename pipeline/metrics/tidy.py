"""The shared shape of a metric table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.stats.proportions import Estimate

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


def frame(rows: list[dict[str, Any]], dims: list[str]) -> pd.DataFrame:
    """The metric table: dimensions first, then n, estimate, ci_low, ci_high, method."""
    out = pd.DataFrame(rows, columns=[*dims, *VALUE_COLUMNS])
    return out.astype(
        {"n": "int64", "estimate": "float64", "ci_low": "float64", "ci_high": "float64"}
    )
