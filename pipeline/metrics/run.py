"""Compute every metric and write it to `metrics.<name>`."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from pipeline.metrics.interviews import interview_agreement, interview_themes
from pipeline.metrics.psfs import psfs_change
from pipeline.metrics.registry import registry_did
from pipeline.metrics.survey_staff import anchoring_by_role, coordinator_adequacy
from pipeline.metrics.survey_users import user_benefit
from pipeline.metrics.teams import team_counts
from pipeline.sqlutil import ident

METRICS: dict[str, Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]] = {
    "anchoring_by_role": anchoring_by_role,
    "coordinator_adequacy": coordinator_adequacy,
    "team_counts": team_counts,
    "psfs_change": psfs_change,
    "user_benefit": user_benefit,
    "registry_did": registry_did,
    "interview_themes": interview_themes,
    "interview_agreement": interview_agreement,
}


def run_metrics(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    out = {}
    for name, compute in METRICS.items():
        result = compute(con)
        con.execute(f"create or replace table {ident('metrics', name)} as select * from result")
        out[name] = len(result)
    return out
