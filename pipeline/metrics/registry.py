"""Registry outcomes, pilot vs comparison municipalities: TWFE difference-in-differences.

Outcomes per municipality-year (rates per person-year of the extract), weighted by
person-years, municipality and year fixed effects, SE clustered by municipality.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.tidy import frame
from pipeline.stats.did import did_twfe

OUTCOMES = {
    "emergency_admissions_per_1000": "Akutte innleggelser per 1 000 personår",
    "gp_contacts_per_person_year": "Fastlegekontakter per personår",
}


def registry_did(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    data = con.execute(
        "select * from marts.fct_registry_municipality_year order by kommune, year"
    ).df()  # fixed order: identical fits every run
    rows = []
    for outcome, label in OUTCOMES.items():
        res = did_twfe(data, outcome, "is_treated", "kommune", "year", weight="person_years")
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
