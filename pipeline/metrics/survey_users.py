"""User benefit: high benefit by whether the user has OT/coordinator/IP, and the difference
Ja − Nei; the share who do not know whether they have coordination, and the share who get too
little information. Which answers count is stated in `marts.fct_user_benefit_answers`."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.definition import Definition, Part, unit_counts
from pipeline.metrics.tidy import frame, row
from pipeline.stats.proportions import difference_newcombe, wilson

DIFFERENCE = "Forskjell Ja − Nei"

DEFINITION = Definition(
    table="user_benefit",
    title="Brukere og pårørende",
    units="marts.fct_user_benefit_answers",
    unit="en brukers eller pårørendes svar på ett spørsmål",
    dims=("wave", "indicator", "label", "group"),
    filters="Brukerundersøkelsen, hvert år (`wave`) og alle år samlet («Alle»). Utbytte, behov "
    "og medvirkning etter om respondenten har oppfølgingsteam/koordinator/IP (ubesvart holdt "
    "utenfor); «Alle» i `group` = alle respondenter.",
    method="Andel med Wilson-intervall (95 %); forskjellen Ja − Nei med Newcombes hybride "
    "score-intervall (95 %).",
    parts={
        "": Part(
            "share",
            "svar «I stor grad» eller «I svært stor grad» (utbytte, behov, medvirkning); «Vet "
            "ikke» (koordinering); «For lite» (informasjon)",
            "besvarte spørsmål",
        )
    },
    keys=("respondent_id", "wave", "kommune", "answer"),
    derived={"group": {DIFFERENCE: ("Ja", "Nei")}},
    totals={"wave": "Alle"},
)


def user_benefit(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Wilson shares per indicator and group, and Newcombe's difference Ja − Nei."""
    counts = unit_counts(con, DEFINITION)
    rows = []
    for (wave, indicator, label), g in counts.groupby(["wave", "indicator", "label"], sort=False):
        by_group = {r["group"]: (int(r["hits"]), int(r["n"])) for r in g.to_dict("records")}
        dims = {"wave": wave, "indicator": indicator, "label": label}
        for grp, (hits, n) in by_group.items():
            rows.append(row({**dims, "group": grp}, wilson(hits, n)))
        if "Ja" in by_group and "Nei" in by_group:
            (x1, n1), (x2, n2) = by_group["Ja"], by_group["Nei"]
            rows.append(row({**dims, "group": DIFFERENCE}, difference_newcombe(x1, n1, x2, n2)))
    return frame(rows, list(DEFINITION.dims))
