"""Interview themes: share of the primary coder's interviews where each code (and each theme)
occurs; agreement between coders on the interviews both coded (Cohen's kappa). Which coder is
primary, and what "occurs" means, is stated in the marts."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.metrics.definition import Definition, Part, unit_counts
from pipeline.metrics.tidy import frame, row, shares
from pipeline.stats.agreement import cohens_kappa

THEMES = Definition(
    table="interview_themes",
    title="Intervjuer: tema",
    units="marts.fct_interview_theme_units",
    unit="et intervju kodet av hovedkoderen, for én kode eller ett tema",
    dims=("theme", "code", "coder"),
    filters="Intervjuene hovedkoderen (den som kodet flest intervjuer) har kodet; «(hele "
    "temaet)» = minst én av temaets koder.",
    method="Andel med Wilson-intervall (95 %).",
    parts={
        "": Part(
            "share",
            "intervjuer der koden (temaet) er satt på minst ett segment",
            "intervjuer kodet av hovedkoderen",
        )
    },
    keys=("interview_id", "informant_role", "kommune"),
)

AGREEMENT = Definition(
    table="interview_agreement",
    title="Intervjuer: samsvar mellom kodere",
    units="marts.fct_interview_coder_pairs",
    unit="et intervju begge kodere har kodet, for én kode",
    dims=("coders", "code"),
    filters="Intervjuer kodet av begge kodere; «(alle koder samlet)» = alle kode × "
    "intervju-par. Koder der begge kodere gir samme svar overalt, har ingen kappa.",
    method="Cohens kappa med asymptotisk 95 % KI (Fleiss, Cohen & Everitt 1969).",
    parts={
        "": Part(
            "kappa",
            "par der kodene er enige (begge satt eller begge ikke satt)",
            "alle kode × intervju-par for kodeparet",
            value="a_coded,b_coded",
            numerator_flag="is_agreed",
            denominator_flag=None,
        )
    },
    keys=("interview_id", "code_path", "a_coded", "b_coded"),
)


def interview_themes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Share of the primary coder's interviews where each code and theme occurs (Wilson CI)."""
    return shares(con, THEMES)


def interview_agreement(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Cohen's kappa per coder pair, over all codes and per code (where it is defined)."""
    counts = unit_counts(con, AGREEMENT)
    rows = []
    for r in counts.to_dict("records"):
        a = np.asarray(r["a_coded"], dtype=bool)
        b = np.asarray(r["b_coded"], dtype=bool)
        if len(np.unique(a)) + len(np.unique(b)) > 2 or r["code"] == "(alle koder samlet)":
            rows.append(row({"coders": r["coders"], "code": r["code"]}, cohens_kappa(a, b)))
    return frame(rows, list(AGREEMENT.dims))
