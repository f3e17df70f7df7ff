"""Anchoring (forankring) by role and sector, and coordinators' time, training and support.

Which answers count, and the labels, are stated in the marts (`fct_anchoring_answers`,
`fct_coordinator_adequacy_answers`) from the contract's labels; this module estimates.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.definition import Definition, Part
from pipeline.metrics.tidy import shares

VALID = "gyldige svar: «Vet ikke» og ubesvart holdt utenfor"

ANCHORING = Definition(
    table="anchoring_by_role",
    title="Forankring etter rolle og sektor",
    units="marts.fct_anchoring_answers",
    unit="en ansatts svar på ett spørsmål",
    dims=("indicator", "label", "dimension", "group"),
    filters="Ansatteundersøkelsen, alle runder samlet; rolle og sektor etter kontraktens "
    "etiketter.",
    method="Andel med Wilson-intervall (95 %).",
    parts={
        "": Part(
            "share",
            "svar som indikatoren teller (ikke involvert: «Nei»; godt kjent: «Godt kjent» eller "
            "«Svært godt kjent»)",
            VALID,
        )
    },
    keys=("respondent_id", "wave", "kommune", "answer_label"),
)

ADEQUACY = Definition(
    table="coordinator_adequacy",
    title="Koordinatorenes tid, opplæring og støtte",
    units="marts.fct_coordinator_adequacy_answers",
    unit="en koordinators svar på ett spørsmål",
    dims=("indicator", "label", "definition"),
    filters="Ansatteundersøkelsen, rolle «Koordinator», alle runder samlet.",
    method="Andel med Wilson-intervall (95 %).",
    parts={"": Part("share", "svar «I stor grad» eller «I svært stor grad»", VALID)},
    keys=("respondent_id", "wave", "kommune", "answer_label"),
)


def anchoring_by_role(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Share of staff not involved / well acquainted, by role and by sector (Wilson CI)."""
    return shares(con, ANCHORING)


def coordinator_adequacy(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Share of coordinators with enough time, training, support and role satisfaction."""
    return shares(con, ADEQUACY)
