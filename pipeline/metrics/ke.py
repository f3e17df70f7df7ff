"""The KE process: days from referral to KE decision to team start, and the share of teams
started within 30 days of the referral, by municipality and by the quarter the team started."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline.metrics.definition import Definition, Part, unit_counts
from pipeline.metrics.tidy import frame, row
from pipeline.stats.means import median_ci
from pipeline.stats.proportions import wilson


def _days(numerator: str, column: str, flag: str) -> Part:
    return Part(
        "median", numerator, "team med begge datoene i riktig rekkefølge", value=column,
        numerator_flag=None, denominator_flag=flag,
    )  # fmt: skip


DEFINITION = Definition(
    table="ke_process",
    title="Koordinerende enhet: fra henvisning til vedtak og oppstart",
    units="marts.fct_ke_process",
    unit="et team (etter kvartalet teamet startet)",
    dims=("indicator", "kommune", "quarter"),
    part_by="indicator",
    filters="Godkjente rader i teamregistrene; team der en dato mangler eller rekkefølgen er "
    "umulig (flagget i datakvalitetsrapporten) holdes utenfor. «Alle» = samlet.",
    method="Median med ordensstatistikk-intervall (95 %), kvartiler i q1/q3; andel med "
    "Wilson-intervall (95 %).",
    parts={
        "dager_henvisning_vedtak": _days(
            "dager fra henvisning til KE-vedtak", "days_referral_decision", "has_referral_decision"
        ),
        "dager_vedtak_oppstart": _days(
            "dager fra KE-vedtak til teamstart", "days_decision_start", "has_decision_start"
        ),
        "dager_henvisning_oppstart": _days(
            "dager fra henvisning til teamstart", "days_referral_start", "has_referral_start"
        ),
        "andel_oppstart_innen_30_dager": Part(
            "share",
            "team startet innen 30 dager etter henvisningen",
            "team med henvisnings- og startdato i riktig rekkefølge",
            numerator_flag="is_within_30_days",
            denominator_flag="has_referral_start",
        ),
    },
    keys=("team_id", "person_id", "referral_date", "decision_date", "start_date"),
    totals={"kommune": "Alle", "quarter": "Alle"},
    groupings=(("kommune", "quarter"), ("kommune",), ("quarter",), ()),
)


def ke_process(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Median days (order-statistic CI, quartiles) and the 30-day share, per municipality and
    per start quarter."""
    rows = []
    for indicator, part in DEFINITION.parts.items():
        for r in unit_counts(con, DEFINITION, indicator).to_dict("records"):
            dims = {"indicator": indicator, "kommune": r["kommune"], "quarter": r["quarter"]}
            q1 = q3 = float("nan")
            if part.estimator == "median":
                values = np.asarray(r[part.value or ""], dtype=float)
                est = median_ci(values)
                if values.size:
                    q1, q3 = (float(q) for q in np.quantile(values, [0.25, 0.75]))
            else:
                est = wilson(int(r["hits"]), int(r["n"]))
            rows.append({**row(dims, est), "q1": q1, "q3": q3})
    return frame(rows, [*DEFINITION.dims, "q1", "q3"])
