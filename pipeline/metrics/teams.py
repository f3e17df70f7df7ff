"""Active teams per municipality, snapshot date and age band (a count: no CI)."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.definition import Definition, Part
from pipeline.metrics.tidy import frame

DEFINITION = Definition(
    table="team_counts",
    title="Aktive oppfølgingsteam etter kommune, dato og aldersgruppe",
    units="intermediate.int_teams__snapshot_status",
    unit="et team som er aktivt på datoen",
    dims=("kommune", "snapshot_date", "age_band"),
    filters="Godkjente rader i teamregistrene; kommunenummer harmonisert til konfigurert "
    "årgang. Datoer: hvert kvartalsslutt fra første teamstart og de konfigurerte datoene, aldri "
    "etter datoen registeret ble eksportert. Alder i hele år på datoen (29. februar-barn fyller "
    "år 1. mars i år uten 29. februar).",
    method="Antall (ingen KI): team med startdato ≤ dato og ingen sluttdato eller sluttdato "
    "≥ dato. Celler uten team vises som 0.",
    parts={
        "": Part(
            "count",
            "team med startdato ≤ dato og (ingen sluttdato eller sluttdato ≥ dato)",
            "",
            numerator_flag=None,
            denominator_flag=None,
        )
    },
    keys=("team_id", "person_id", "start_date", "end_date", "age_years"),
)


def team_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Active teams on each snapshot date by municipality and age band (zeros included)."""
    data = con.execute(
        """select kommune, snapshot_date, age_band, active_teams
        from marts.fct_active_teams
        order by kommune, snapshot_date, age_band_order"""
    ).df()
    data = data.assign(
        snapshot_date=pd.to_datetime(data["snapshot_date"]).dt.date,  # a DATE, not a timestamp
        n=data["active_teams"].astype("int64"),
        estimate=data["active_teams"].astype(float),
        ci_low=None,
        ci_high=None,
        method=DEFINITION.method,
    )
    return frame(
        [{str(k): v for k, v in r.items()} for r in data.to_dict("records")], list(DEFINITION.dims)
    )
