"""Interview themes: share of interviews where each code occurs (primary coder), and
agreement between coders on the double-coded subset (Cohen's kappa)."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.metrics.tidy import frame, row
from pipeline.stats.agreement import cohens_kappa
from pipeline.stats.proportions import wilson


def primary_coder(con: duckdb.DuckDBPyConnection) -> str:
    """The coder of most interviews (ties: first by name): the one whose coding counts."""
    found = con.execute("""select coder from marts.fct_interview_codes
        group by coder order by count(distinct interview_id) desc, coder limit 1""").fetchone()
    return str(found[0]) if found else ""


def interview_themes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    coder = primary_coder(con)
    data = con.execute(
        """select theme, code_label, code_path, count(*) as n,
            count(*) filter (is_coded) as hits
        from marts.fct_interview_codes where coder = ?
        group by all order by theme, code_path""",
        [coder],
    ).df()
    rows = [
        row(
            {"theme": r["theme"], "code": r["code_label"], "coder": coder},
            wilson(int(r["hits"]), int(r["n"])),
        )
        for r in data.to_dict("records")
    ]
    themes = con.execute(
        """select theme, count(*) as n, count(*) filter (any_coded) as hits
        from (select interview_id, theme, bool_or(is_coded) as any_coded
              from marts.fct_interview_codes where coder = ? group by all)
        group by theme order by theme""",
        [coder],
    ).df()
    rows += [
        row(
            {"theme": r["theme"], "code": "(hele temaet)", "coder": coder},
            wilson(int(r["hits"]), int(r["n"])),
        )
        for r in themes.to_dict("records")
    ]
    return frame(rows, ["theme", "code", "coder"])


def interview_agreement(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    pairs = con.execute("""
        with coders as (select distinct coder from marts.fct_interview_codes),
        pair as (select a.coder as coder_a, b.coder as coder_b
                 from coders a join coders b on a.coder < b.coder)
        select p.coder_a, p.coder_b, a.code_path, a.code_label, a.is_coded as a_coded,
               b.is_coded as b_coded
        from pair p
        join marts.fct_interview_codes a on a.coder = p.coder_a
        join marts.fct_interview_codes b
            on b.coder = p.coder_b and b.interview_id = a.interview_id
            and b.code_path = a.code_path
        order by all""").df()
    rows = []
    for (ca, cb), g in pairs.groupby(["coder_a", "coder_b"], sort=True):
        rows.append(
            row(
                {"coders": f"{ca}–{cb}", "code": "(alle koder samlet)"},
                cohens_kappa(g["a_coded"].to_numpy(), g["b_coded"].to_numpy()),
            )
        )
        for label, gc in g.groupby("code_label", sort=True):
            if gc["a_coded"].nunique() + gc["b_coded"].nunique() > 2:
                rows.append(
                    row(
                        {"coders": f"{ca}–{cb}", "code": label},
                        cohens_kappa(gc["a_coded"].to_numpy(), gc["b_coded"].to_numpy()),
                    )
                )
    return frame(rows, ["coders", "code"])
