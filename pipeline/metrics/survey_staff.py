"""Anchoring (forankring) by role and sector, and coordinators' time, training and support.

Shares are among valid answers: 'Vet ikke' (9) and item non-response are left out of the
denominator, and their counts are kept in the marts for anyone who wants them.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.tidy import frame, row
from pipeline.sqlutil import ident
from pipeline.stats.proportions import wilson

# indicator: (item, answers that count, answers that are valid, label)
ANCHORING = {
    "ikke_involvert": ("involvert", (2,), (1, 2), "Ikke involvert/informert om piloten"),
    "godt_kjent_pilot": (
        "kjent_pilot",
        (4, 5),
        (1, 2, 3, 4, 5),
        "Godt/svært godt kjent med pilotprosjektet",
    ),
    "godt_kjent_ot": (
        "kjent_ot",
        (4, 5),
        (1, 2, 3, 4, 5),
        "Godt/svært godt kjent med oppfølgingsteam",
    ),
}
ADEQUACY = {
    "tilstrekkelig_tid": ("k_tid", "Tilstrekkelig tid til koordinatoroppgavene"),
    "tilstrekkelig_opplaering": ("k_opplaering", "Tilstrekkelig opplæring"),
    "tilstrekkelig_lederstotte": ("k_lederstotte", "Tilstrekkelig lederstøtte"),
    "trives_i_rollen": ("k_rolle", "Trives i koordinatorrollen"),
}
COORDINATOR_ROLE = 4


def _counts(
    con: duckdb.DuckDBPyConnection,
    item: str,
    hits: tuple[int, ...],
    valid: tuple[int, ...],
    by: str,
    role_code: int | None = None,
) -> pd.DataFrame:
    return con.execute(
        f"""select {ident(by)} as grp, count(*) as n, count(*) filter (answer in ?) as hits
        from marts.fct_survey_staff_answers
        where item = ? and answer in ? and (? is null or role_code = ?)
        group by grp order by grp""",
        [list(hits), item, list(valid), role_code, role_code],
    ).df()


def anchoring_by_role(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    rows = []
    for by, dim in (("role", "rolle"), ("sector", "sektor")):
        for key, (item, hits, valid, label) in ANCHORING.items():
            for r in _counts(con, item, hits, valid, by).to_dict("records"):
                rows.append(
                    row(
                        {"indicator": key, "label": label, "dimension": dim, "group": r["grp"]},
                        wilson(int(r["hits"]), int(r["n"])),
                    )
                )
    return frame(rows, ["indicator", "label", "dimension", "group"])


def coordinator_adequacy(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    rows = []
    for key, (item, label) in ADEQUACY.items():
        counts = con.execute(
            """select count(*) as n, count(*) filter (answer in (4, 5)) as hits
            from marts.fct_survey_staff_answers
            where item = ? and role_code = ? and answer between 1 and 5""",
            [item, COORDINATOR_ROLE],
        ).fetchone()
        assert counts is not None
        rows.append(
            row(
                {
                    "indicator": key,
                    "label": label,
                    "definition": "I stor / svært stor grad, blant gyldige svar",
                },
                wilson(int(counts[1]), int(counts[0])),
            )
        )
    return frame(rows, ["indicator", "label", "definition"])
