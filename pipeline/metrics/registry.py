"""Registry outcomes, pilot vs comparison municipalities: TWFE difference-in-differences on
the municipality-year panel (`marts.fct_registry_municipality_year`)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.metrics.definition import Definition, Part
from pipeline.metrics.tidy import frame
from pipeline.stats.did import DidResult, did_twfe

OUTCOMES = {  # outcome (a rate of the panel): its label and the event count it is made of
    "emergency_admissions_per_1000": (
        "Akutte innleggelser per 1 000 personår",
        "emergency_admissions",
    ),
    "gp_contacts_per_person_year": ("Fastlegekontakter per personår", "gp_contacts"),
}
PANEL = "marts.fct_registry_municipality_year"

DEFINITION = Definition(
    table="registry_did",
    title="Registerutfall: piloter mot sammenligningskommuner",
    units="marts.fct_registry_outcome_rows",
    unit="en registerrad (hendelse eller person-år) i en kommune og et år i panelet",
    dims=("outcome",),
    filters="Pilot- og sammenligningskommuner (konfigurasjonen), årene first_year–last_year; "
    "bosted harmonisert til konfigurert årgang. Akutte innleggelser: døgnopphold "
    "(omsorgsnivå 1) med hastegrad 1–3. Fastlegekontakter: regninger med minst én "
    "kontakttakst, tjenestetype fastlege.",
    method="Forskjell-i-forskjeller (TWFE) på kommune-år: raten regresseres på "
    "behandlingsindikatoren med kommune- og årseffekter, vektet med personår; klyngerobuste "
    "standardfeil (CR1) per kommune, t(G − 1)-intervall.",
    parts={
        "": Part(
            "did",
            "hendelser (innleggelser eller kontakter) i kommune-året",
            "personår i kommune-året (dager i live og bosatt / dager i året)",
            value="value",
        )
    },
    keys=("kommune", "year", "evaluation_group", "is_treated", "value"),
)


def _panel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "select * from marts.fct_registry_municipality_year order by kommune, year"
    ).df()  # fixed order: identical fits every run


def _fit(data: pd.DataFrame, outcome: str) -> DidResult:
    return did_twfe(data, outcome, "is_treated", "kommune", "year", weight="person_years")


def panel_estimate(
    con: duckdb.DuckDBPyConnection, outcome: str, traced: pd.DataFrame
) -> tuple[float, pd.DataFrame]:
    """The DiD estimate after checking that `traced` (events and person-years per kommune and
    year, summed from the traced source rows) is the panel the estimate was fitted on."""
    data = _panel(con)
    count = OUTCOMES[outcome][1]
    both = data.merge(traced, on=["kommune", "year"], how="outer", indicator=True)
    agree = (
        (both["_merge"] == "both")
        & (both[count] == both["events"].fillna(0))
        & np.isclose(both["person_years_x"], both["person_years_y"], rtol=1e-12, atol=0)
    )
    if not agree.all():
        raise RuntimeError(
            f"The traced rows do not add up to {PANEL} for {outcome}: "
            f"{int((~agree).sum())} municipality-year(s) differ"
        )
    panel = both.rename(columns={"person_years_x": "person_years"})
    panel = panel.assign(events=panel[count])
    return _fit(data, outcome).estimate, panel


def registry_did(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """TWFE DiD estimate per outcome, with CR1 cluster-robust SE and t(G − 1) CI."""
    data = _panel(con)
    rows = []
    for outcome, (label, _count) in OUTCOMES.items():
        res = _fit(data, outcome)
        rows.append(
            {
                "outcome": outcome,
                "label": label,
                "n_clusters": res.n_clusters,
                "n_treated_clusters": res.n_treated_clusters,
                "se": res.se,
                "p_value": res.p_value,
                "n": res.n_obs,
                "estimate": res.estimate,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "method": res.method,
            }
        )
    return frame(rows, ["outcome", "label", "n_clusters", "n_treated_clusters", "se", "p_value"])
