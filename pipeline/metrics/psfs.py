"""PSFS change: mean change in the mean activity score, first to last conversation, and the
share of persons whose mean improved by 2 or more (decided exactly in the mart), overall and
per municipality."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.metrics.definition import Definition, Part, unit_counts
from pipeline.metrics.tidy import frame, row
from pipeline.stats.means import mean_t
from pipeline.stats.proportions import wilson

PERSONS = "personer med PSFS-skår fra minst to samtaler"

DEFINITION = Definition(
    table="psfs_change",
    title="PSFS – «Hva er viktig for deg?»",
    units="marts.fct_psfs_person_change",
    unit="en person (første og siste samtale)",
    dims=("indicator", "kommune"),
    part_by="indicator",
    filters="Aktiviteter skåret både i første og siste samtale; skala snudd der 0 = ingen "
    "vansker, så 10 alltid er best. «Alle» = alle kommuner samlet.",
    method="Gjennomsnittlig endring med Student t-intervall (95 %); andel med Wilson-intervall "
    "(95 %).",
    parts={
        "gjennomsnittlig_endring": Part(
            "mean",
            "summen av personenes endring i gjennomsnittlig aktivitetsskår (siste − første)",
            PERSONS,
            value="mean_change",
            numerator_flag=None,
            denominator_flag=None,
        ),
        "andel_bedring_minst_2": Part(
            "share",
            "personer med bedring ≥ 2 i gjennomsnittlig skår (minste påvisbare endring, "
            "Stratford 1995), avgjort eksakt: sum(siste − første) ≥ 2 · antall aktiviteter",
            PERSONS,
            numerator_flag="is_improved_2",
            denominator_flag=None,
        ),
    },
    keys=("person_id", "n_activities", "sum_first", "sum_last", "mean_change"),
    totals={"kommune": "Alle"},
)


def psfs_change(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Mean PSFS change (t CI) and share improved by ≥ 2 (Wilson CI), overall and per
    municipality."""
    rows = []
    for indicator, part in DEFINITION.parts.items():
        for r in unit_counts(con, DEFINITION, indicator).to_dict("records"):
            dims = {"indicator": indicator, "kommune": r["kommune"]}
            est = (
                mean_t(np.asarray(r["mean_change"], dtype=float))
                if part.estimator == "mean"
                else wilson(int(r["hits"]), int(r["n"]))
            )
            rows.append(row(dims, est))
    return frame(rows, list(DEFINITION.dims))
