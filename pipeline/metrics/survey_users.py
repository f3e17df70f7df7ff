"""User benefit: high benefit by whether the user has OT/coordinator/IP, and the difference.

Also the share who do not know whether they have coordination, and the share who get too
little information about available services.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.tidy import frame, row
from pipeline.sqlutil import ident
from pipeline.stats.proportions import difference_newcombe, wilson

HIGH = ("I stor grad", "I svært stor grad")
OUTCOMES = {
    "utbytte": "Stort/svært stort utbytte av tjenestene",
    "fornoyd_behov": "Fornøyd med hvordan behovene dekkes (stor/svært stor grad)",
    "medvirkning": "Medvirkning i stor/svært stor grad",
}


def user_benefit(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    rows = []
    for outcome, label in OUTCOMES.items():
        counts = {
            grp: (int(n), int(hits))
            for grp, n, hits in con.execute(
                f"""select har_koordinering, count(*), count(*) filter ({ident(outcome)} in ?)
                from staging.stg_survey__users
                where {ident(outcome)} is not null and har_koordinering is not null
                group by 1 order by 1""",
                [list(HIGH)],
            ).fetchall()
        }
        for grp, (n, hits) in counts.items():
            rows.append(row({"indicator": outcome, "label": label, "group": grp}, wilson(hits, n)))
        if "Ja" in counts and "Nei" in counts:
            (n1, x1), (n2, x2) = counts["Ja"], counts["Nei"]
            rows.append(
                row(
                    {"indicator": outcome, "label": label, "group": "Forskjell Ja − Nei"},
                    difference_newcombe(x1, n1, x2, n2),
                )
            )
    for indicator, column, value, label in (
        (
            "vet_ikke_om_koordinering",
            "har_koordinering",
            "Vet ikke",
            "Vet ikke om de har oppfølgingsteam/koordinator/IP",
        ),
        (
            "for_lite_informasjon",
            "informasjon",
            "For lite",
            "For lite informasjon om tilgjengelige tjenester",
        ),
    ):
        n, hits = con.execute(
            f"select count(*), count(*) filter ({ident(column)} = ?) "
            f"from staging.stg_survey__users where {ident(column)} is not null",
            [value],
        ).fetchone() or (0, 0)
        rows.append(
            row(
                {"indicator": indicator, "label": label, "group": "Alle"}, wilson(int(hits), int(n))
            )
        )
    return frame(rows, ["indicator", "label", "group"])
