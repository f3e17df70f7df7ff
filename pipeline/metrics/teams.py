"""Teams from the KE registers: active teams per municipality, date and age band (with the rate
per 1,000 residents where a population source exists), teams started and ended per quarter,
the share with an individual plan, and the coordinators (teams per coordinator, sectors)."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.definition import Definition, Part, counted, unit_counts
from pipeline.metrics.tidy import count_row, frame, shares
from pipeline.sqlutil import table_exists

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
    "≥ dato. Celler uten team vises som 0. per_1000: team per 1 000 innbyggere i "
    "aldersgruppen (registry_population, siste år til og med datoens år: population_year).",
    parts={"": counted("team med startdato ≤ dato og (ingen sluttdato eller sluttdato ≥ dato)")},
    keys=("team_id", "person_id", "start_date", "end_date", "age_years"),
)


def team_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Active teams on each count date by municipality and age band (zeros included), with
    the residents in the band and the rate per 1,000 when a population source is configured."""
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
    out = frame(
        [{str(k): v for k, v in r.items()} for r in data.to_dict("records")], list(DEFINITION.dims)
    )
    population = pd.DataFrame(
        columns=["kommune", "snapshot_date", "age_band", "population_year", "population"]
    )
    if table_exists(con, "marts", "fct_team_population"):
        population = con.execute("select * from marts.fct_team_population").df()
        population["snapshot_date"] = pd.to_datetime(population["snapshot_date"]).dt.date
    out = out.merge(population, on=list(DEFINITION.dims), how="left")
    out = out.astype({"population_year": "Int64", "population": "Int64"})
    rate = 1000 * out["n"] / out["population"].astype("Float64")
    out["per_1000"] = rate.where(out["population"] > 0).astype("float64")
    return out


FLOWS = Definition(
    table="team_flows",
    title="Team startet og avsluttet per kvartal",
    units="marts.fct_team_events",
    unit="en teamstart eller en teamavslutning",
    dims=("kommune", "quarter", "flow"),
    filters="Godkjente rader i teamregistrene; bare hele kvartaler før registeret ble "
    "eksportert (et kvartal som ikke var over ved eksport, telles ikke).",
    method="Antall (ingen KI).",
    parts={"": counted("team med startdato (startet) eller sluttdato (avsluttet) i kvartalet")},
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
    """Teams started and ended per municipality and complete quarter (counts; a quarter with
    none is a 0, not a missing row)."""
    counts = {
        (r["kommune"], r["quarter"], r["flow"]): int(r["n"])
        for r in unit_counts(con, FLOWS).to_dict("records")
    }
    quarters = con.execute(
        """select kommune, strftime(snapshot_date, '%Y') || 'Q' || quarter(snapshot_date)
        from intermediate.int_teams__count_dates
        where snapshot_date = last_day(date_trunc('quarter', snapshot_date) + interval 2 month)
        order by all"""
    ).fetchall()
    rows = [
        count_row(
            {"kommune": kommune, "quarter": quarter, "flow": flow},
            counts.get((kommune, quarter, flow), 0),
            FLOWS.method,
        )
        for kommune, quarter in quarters
        for flow in ("avsluttet", "startet")
    ]
    return frame(rows, list(FLOWS.dims))


def team_ip_share(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Share of active teams whose person has an individual plan, per municipality and date."""
    return shares(con, IP_SHARE)


COORDINATORS = Definition(
    table="team_coordinators",
    title="Koordinatorer: antall og team per koordinator",
    units="marts.fct_coordinator_load",
    unit="en koordinator med minst ett aktivt team på datoen",
    dims=("indicator", "kommune", "snapshot_date"),
    part_by="indicator",
    filters="Aktive team på datoen (som i team_counts) med en koordinator oppgitt; team uten "
    "koordinator er ikke med.",
    method="Antall koordinatorer; team per koordinator = gjennomsnitt over koordinatorene "
    "(alle koordinatorene i registeret, ikke et utvalg: ingen KI).",
    parts={
        "koordinatorer": counted("koordinatorer med minst ett aktivt team"),
        "team_per_koordinator": Part(
            "mean",
            "aktive team per koordinator",
            "koordinatorer med minst ett aktivt team",
            value="active_teams",
            numerator_flag=None,
            denominator_flag=None,
        ),
    },
    keys=("coordinator_id", "coordinator_sector", "active_teams"),
)

SECTORS = Definition(
    table="coordinator_sectors",
    title="Koordinatorer etter sektor",
    units="marts.fct_coordinator_load",
    unit="en koordinator med minst ett aktivt team på datoen",
    dims=("kommune", "snapshot_date", "coordinator_sector"),
    filters="Som team_coordinators. Sektor: den som står på flest av koordinatorens aktive "
    "team; en verdi kontrakten ikke kjenner (flagget i datakvalitetsrapporten) telles som "
    "«ukjent».",
    method="Antall (ingen KI).",
    parts={"": counted("koordinatorer i sektoren")},
    keys=("coordinator_id", "coordinator_sector", "active_teams"),
)


def team_coordinators(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Coordinators with active teams, and active teams per coordinator, per municipality and
    count date (the whole register: a count and a mean without CI)."""
    rows = []
    for indicator, part in COORDINATORS.parts.items():
        for r in unit_counts(con, COORDINATORS, indicator).to_dict("records"):
            dims = {"indicator": indicator, "kommune": r["kommune"],
                    "snapshot_date": r["snapshot_date"]}  # fmt: skip
            one = count_row(dims, int(r["n"]), COORDINATORS.method)
            if part.estimator == "mean":  # every coordinator: a mean without CI
                one["estimate"] = float(sum(r["active_teams"]) / int(r["n"]))
            rows.append(one)
    out = frame(rows, list(COORDINATORS.dims))
    out["snapshot_date"] = pd.to_datetime(out["snapshot_date"]).dt.date
    return out


def coordinator_sectors(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Coordinators by sector per municipality and count date (counts)."""
    rows = [
        count_row({k: r[k] for k in SECTORS.dims}, r["n"], SECTORS.method)
        for r in unit_counts(con, SECTORS).to_dict("records")
    ]
    out = frame(rows, list(SECTORS.dims))
    out["snapshot_date"] = pd.to_datetime(out["snapshot_date"]).dt.date
    return out
