"""The shared shape of a metric table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.stats.proportions import Estimate

VALUE_COLUMNS = ["n", "estimate", "ci_low", "ci_high", "method"]


def row(dims: Mapping[str, Any], est: Estimate) -> dict[str, Any]:
    return {
        **dims,
        "n": est.n,
        "estimate": est.estimate,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "method": est.method,
    }


def frame(rows: list[dict[str, Any]], dims: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=[*dims, *VALUE_COLUMNS])
    return out.astype(
        {"n": "int64", "estimate": "float64", "ci_low": "float64", "ci_high": "float64"}
    )
