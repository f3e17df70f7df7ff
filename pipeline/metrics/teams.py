"""Active teams per municipality, snapshot date and age band (a count: no CI)."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.definition import Definition, Part, unit_counts
from pipeline.metrics.tidy import frame, shares

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


FLOWS = Definition(
    table="team_flows",
    title="Team startet og avsluttet per kvartal",
    units="marts.fct_team_events",
    unit="en teamstart eller en teamavslutning",
    dims=("kommune", "quarter", "flow"),
    filters="Godkjente rader i teamregistrene; bare hele kvartaler før registeret ble "
    "eksportert (et kvartal som ikke var over ved eksport, telles ikke).",
    method="Antall (ingen KI).",
    parts={
        "": Part(
            "count",
            "team med startdato (startet) eller sluttdato (avsluttet) i kvartalet",
            "",
            numerator_flag=None,
            denominator_flag=None,
        )
    },
    keys=("team_id", "person_id", "event_date"),
)

IP_SHARE = Definition(
    table="team_ip_share",
    title="Aktive team der personen har individuell plan",
    units="intermediate.int_teams__snapshot_status",
    unit="et team som er aktivt på datoen",
    dims=("kommune", "snapshot_date"),
    filters="Aktive team på datoen (som i team_counts); team uten svar på IP (tomt eller "
    "ukjent verdi, flagget i datakvalitetsrapporten) holdes utenfor nevneren.",
    method="Andel med Wilson-intervall (95 %).",
    parts={
        "": Part(
            "share",
            "team der IP = «Ja»",
            "team med IP «Ja» eller «Nei»",
            numerator_flag="has_ip",
            denominator_flag="has_ip_answer",
        )
    },
    keys=("team_id", "person_id", "start_date", "end_date"),
)


def team_flows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Teams started and ended per municipality and complete quarter (counts)."""
    counts = unit_counts(con, FLOWS)
    rows = [
        {
            **{k: r[k] for k in FLOWS.dims},
            "n": int(r["n"]),
            "estimate": float(r["n"]),
            "ci_low": None,
            "ci_high": None,
            "method": FLOWS.method,
        }
        for r in counts.to_dict("records")
    ]
    return frame(rows, list(FLOWS.dims))


def team_ip_share(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Share of active teams whose person has an individual plan, per municipality and date."""
    return shares(con, IP_SHARE)
