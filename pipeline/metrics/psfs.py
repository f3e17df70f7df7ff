"""PSFS change: mean change in the mean activity score, first to last conversation.

Also the share of persons whose mean improved by 2 or more (minimal detectable change at
90 %, Stratford 1995), overall and per municipality.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.tidy import frame, row
from pipeline.stats.means import mean_t
from pipeline.stats.proportions import wilson

MEANINGFUL_CHANGE = 2.0


def psfs_change(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    data = con.execute(
        "select kommune, mean_change from marts.fct_psfs_person_change order by kommune, person_id"
    ).df()  # fixed order: same sums every run
    rows = []
    groups = [("Alle", data), *((k, g) for k, g in data.groupby("kommune", sort=True))]
    for name, g in groups:
        change = g["mean_change"].to_numpy()
        rows.append(row({"indicator": "gjennomsnittlig_endring", "kommune": name}, mean_t(change)))
        rows.append(
            row(
                {"indicator": "andel_bedring_minst_2", "kommune": name},
                wilson(int((change >= MEANINGFUL_CHANGE).sum()), len(change)),
            )
        )
    return frame(rows, ["indicator", "kommune"])
