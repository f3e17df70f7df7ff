"""Active teams per municipality, snapshot date and age band (a count: no CI)."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.tidy import frame


def team_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    data = con.execute(
        """select kommune, snapshot_date, age_band, age_band_order, active_teams
        from marts.fct_active_teams
        order by kommune, snapshot_date, age_band_order"""
    ).df()
    rows = [
        {
            "kommune": r["kommune"],
            "snapshot_date": pd.Timestamp(r["snapshot_date"]).date(),  # a DATE, not a timestamp
            "age_band": r["age_band"],
            "n": int(r["active_teams"]),
            "estimate": float(r["active_teams"]),
            "ci_low": None,
            "ci_high": None,
            "method": "count of teams with start <= date and (no end or end >= date)",
        }
        for r in data.to_dict("records")
    ]
    return frame(rows, ["kommune", "snapshot_date", "age_band"])
