"""Registry outcomes, pilot vs comparison municipalities: TWFE difference-in-differences on
the municipality-year panel (`marts.fct_registry_municipality_year`)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.metrics.definition import Definition, Part
from pipeline.metrics.tidy import frame, resampling
from pipeline.stats.did import estimate

OUTCOMES = {  # outcome (a rate of the panel): its label and the event count it is made of
    "emergency_admissions_per_1000": (
        "Akutte innleggelser per 1 000 personår",
        "emergency_admissions",
    ),
    "gp_contacts_per_person_year": ("Fastlegekontakter per personår", "gp_contacts"),
}
PANEL = "marts.fct_registry_municipality_year"
# the inference each estimate is shown with: few treated municipalities (6 of 30, Asker with
# most of the treated weight) make the conventional cluster-robust interval too narrow, so
# the wild cluster bootstrap and randomisation inference stand beside it
INFERENCE = {
    "cluster": "Klyngerobust (CR1), t(G − 1)",
    "wild": "Wild cluster bootstrap (WCR, Webb-vekter)",
    "ri": "Randomiseringsinferens (placebo blant sammenligningskommuner)",
}
PART = Part(
    "did",
    "hendelser (innleggelser eller kontakter) i kommune-året",
    "personår i kommune-året (dager i live og bosatt / dager i året)",
    value="value",
)

DEFINITION = Definition(
    table="registry_did",
    title="Registerutfall: piloter mot sammenligningskommuner",
    units="marts.fct_registry_outcome_rows",
    unit="en registerrad (hendelse eller person-år) i en kommune og et år i panelet",
    dims=("outcome", "inference"),
    filters="Pilot- og sammenligningskommuner (konfigurasjonen), årene first_year–last_year; "
    "bosted harmonisert til konfigurert årgang. Akutte innleggelser: døgnopphold "
    "(omsorgsnivå 1) med hastegrad 1–3. Fastlegekontakter: regninger med minst én "
    "kontakttakst, tjenestetype fastlege.",
    method="Forskjell-i-forskjeller (TWFE, pyfixest) på kommune-år: raten regresseres på "
    "behandlingsindikatoren med kommune- og årseffekter, vektet med personår. Samme estimat "
    "med tre slags inferens (`inference`): klyngerobuste standardfeil (CR1) per kommune med "
    "t(G − 1)-intervall; wild cluster bootstrap med nullhypotesen pålagt (Webb-vekter, p-verdi "
    "og intervall ved testinversjon); randomiseringsinferens der pilotenes behandlingsforløp "
    "gis til like mange sammenligningskommuner (RI-t, p-verdi og intervall β̂ ± q·SE). "
    "Antall trekk og frø: [evaluation] bootstrap_replications og seed.",
    parts=dict.fromkeys(INFERENCE, PART),
    part_by="inference",
    keys=("kommune", "year", "evaluation_group", "is_treated", "value"),
)


def _panel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "select * from marts.fct_registry_municipality_year order by kommune, year"
    ).df()  # fixed order: identical fits every run


def _fit(
    data: pd.DataFrame, outcome: str, inference: str = "cluster", seed: int = 0, reps: int = 2000
) -> pd.Series:
    """One outcome's estimate with one kind of inference (a row of `estimate`)."""
    return estimate(
        data,
        outcome,
        "kommune",
        "year",
        "is_treated",
        weights="person_years",
        inference=inference,
        seed=seed,
        replications=reps,
        bootstrap_weights="webb",
    ).iloc[0]


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
    return float(_fit(data, outcome)["estimate"]), panel


def registry_did(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """TWFE DiD estimate per outcome, with CR1, wild-bootstrap and randomisation inference."""
    data = _panel(con)
    replications, seed = resampling(con)
    treated = int(data.loc[data["is_treated"] > 0, "kommune"].nunique())
    rows = []
    for outcome, (label, _count) in OUTCOMES.items():
        for inference, inference_label in INFERENCE.items():
            res = _fit(data, outcome, inference, seed, replications)
            rows.append(
                {
                    "outcome": outcome,
                    "inference": inference,
                    "label": label,
                    "inference_label": inference_label,
                    "n_clusters": int(res["n_clusters"]),
                    "n_treated_clusters": treated,
                    "se": res["std_error"],
                    "p_value": res["p_value"],
                    "n": int(res["n_obs"]),
                    "estimate": res["estimate"],
                    "ci_low": res["ci_low"],
                    "ci_high": res["ci_high"],
                    "method": res["method"],
                }
            )
    columns = ["outcome", "inference", "label", "inference_label", "n_clusters"]
    return frame(rows, [*columns, "n_treated_clusters", "se", "p_value"])
