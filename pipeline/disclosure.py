"""Disclosure control for counts that leave the secure environment.

A two-way table of counts (e.g. municipality × age band) with its totals is protected with
Tau-Argus (pytauargus: the engine Statistics Norway and Eurostat use, with the HiGHS solver):
primary suppression of every non-zero cell below the threshold (rule FREQ(threshold, 0)) and
optimal secondary suppression, so that no hidden cell can be computed from the published cells
and totals. A zero is shown (it names nobody). The result keeps each cell's status so a report
can print «–» with a footnote, and so a test can audit it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

TOTAL = "Total"
STATUS = {"S": "safe", "U": "primary", "M": "secondary", "E": "zero", "P": "safe"}


def protect_counts(
    cells: pd.DataFrame, dims: Sequence[str], count: str, threshold: int
) -> pd.DataFrame:
    """Every cell of the table, with totals (dimension value «Total»): dims, count, status
    (safe | primary | secondary | zero) and shown (the count, or None when suppressed)."""
    import pytauargus

    rows_dim, cols_dim = dims
    data = cells[[rows_dim, cols_dim, count]].copy()
    data[count] = data[count].astype("int64")
    if (data[count] < 0).any():
        raise ValueError("counts must not be negative")
    data = data.astype({rows_dim: str, cols_dim: str})
    if data[count].sum() == 0:  # nothing to protect: every cell is zero
        out = with_totals(data, rows_dim, cols_dim, count)
        return out.assign(status="zero", shown=0)
    # Tau-Argus pads codes to one width: hand it fixed-width codes, and map them back
    codes = {d: {v: f"c{i:05d}" for i, v in enumerate(sorted(set(data[d])))} for d in dims}
    coded = data.assign(**{d: data[d].map(codes[d]) for d in dims})
    units = coded.loc[coded.index.repeat(coded[count])].assign(one=1.0)
    res = pytauargus.protect(
        units[[rows_dim, cols_dim, "one"]],
        [rows_dim, cols_dim],
        "one",
        safety_rules=f"FREQ({threshold},0)",
        suppress="OPT(1)",
    )
    table = res.tables[0].dataframe()
    for d in dims:
        back = {c: v for v, c in codes[d].items()} | {TOTAL: TOTAL}
        table[d] = table[d].astype(str).str.strip().map(back)
    table = table.rename(columns={"freq": count})[[rows_dim, cols_dim, count, "status"]]
    table["status"] = table["status"].map(STATUS).fillna("secondary")
    full = with_totals(data, rows_dim, cols_dim, count).merge(
        table[[rows_dim, cols_dim, "status"]], on=[rows_dim, cols_dim], how="left"
    )
    full["status"] = full["status"].fillna("zero")
    hidden = full["status"].isin(["primary", "secondary"])
    full["shown"] = full[count].astype("Int64").where(~hidden)
    return full


def with_totals(data: pd.DataFrame, rows_dim: str, cols_dim: str, count: str) -> pd.DataFrame:
    """The table's cells (zeros included) with row, column and grand totals."""
    cells = data.astype({rows_dim: str, cols_dim: str})
    by_row = cells.groupby(rows_dim, as_index=False)[count].sum().assign(**{cols_dim: TOTAL})
    by_col = cells.groupby(cols_dim, as_index=False)[count].sum().assign(**{rows_dim: TOTAL})
    grand = pd.DataFrame({rows_dim: [TOTAL], cols_dim: [TOTAL], count: [cells[count].sum()]})
    return pd.concat([cells, by_row, by_col, grand], ignore_index=True)
