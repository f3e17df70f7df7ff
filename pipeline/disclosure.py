"""Disclosure control for counts that leave the secure environment.

A table of counts (one dimension, e.g. age band; or two, e.g. municipality × age band) with
its totals is protected with Tau-Argus (pytauargus: the engine Statistics Norway and Eurostat
use, with the HiGHS solver): primary suppression of every non-zero cell below the threshold
(rule FREQ(threshold, 0)) and optimal secondary suppression, so that no hidden cell can be
computed from the published cells and totals. A zero is shown (it names nobody). The result
keeps each cell's status so a report can print «–» with a footnote, and so a test can audit it.

Tau-Argus reads the table as microdata (one record per counted unit) from files and writes its
logs into the working directory: both go to a private temporary folder that is removed
afterwards, so no record of the units is left on disk outside the warehouse.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence

import pandas as pd

TOTAL = "Total"
STATUS = {"S": "safe", "U": "primary", "M": "secondary", "E": "zero", "P": "safe"}


def protect_counts(
    cells: pd.DataFrame, dims: Sequence[str], count: str, threshold: int
) -> pd.DataFrame:
    """Every cell of the table, with totals (dimension value «Total»): dims, count, status
    (safe | primary | secondary | zero) and shown (the count, or None when suppressed)."""
    dims = list(dims)
    if len(dims) not in (1, 2):
        raise ValueError("protect_counts takes a table of one or two dimensions")
    data = cells[[*dims, count]].copy()
    data[count] = data[count].astype("int64")
    if (data[count] < 0).any():
        raise ValueError("counts must not be negative")
    data = data.astype(dict.fromkeys(dims, str))
    full = with_totals(data, dims, count)
    if data[count].sum() == 0:  # nothing to protect: every cell is zero
        return full.assign(status="zero", shown=pd.array([0] * len(full), dtype="Int64"))
    table = _tau_argus(data, dims, count, threshold)
    full = full.merge(table, on=dims, how="left")
    full["status"] = full["status"].fillna("zero")
    hidden = full["status"].isin(["primary", "secondary"])
    full["shown"] = full[count].astype("Int64").where(~hidden)
    return full


def _tau_argus(data: pd.DataFrame, dims: list[str], count: str, threshold: int) -> pd.DataFrame:
    """Cell statuses from Tau-Argus, run in a private temporary folder that is removed."""
    import pytauargus

    # Tau-Argus pads codes to one width: hand it fixed-width codes, and map them back
    codes = {d: {v: f"c{i:05d}" for i, v in enumerate(sorted(set(data[d])))} for d in dims}
    coded = data.assign(**{d: data[d].map(codes[d]) for d in dims})
    units = coded.loc[coded.index.repeat(coded[count])].assign(one=1.0)
    old_umask = os.umask(0o077)
    try:
        with tempfile.TemporaryDirectory(prefix="ot-eval-tau-") as tmp, contextlib.chdir(tmp):
            res = pytauargus.protect(
                units[[*dims, "one"]],
                dims,
                "one",
                safety_rules=f"FREQ({threshold},0)",
                suppress="OPT(1)",
                workdir=tmp,
            )
            table = res.tables[0].dataframe()
    finally:
        os.umask(old_umask)
    for d in dims:
        back = {c: v for v, c in codes[d].items()} | {TOTAL: TOTAL}
        table[d] = table[d].astype(str).str.strip().map(back)
    table["status"] = table["status"].map(STATUS).fillna("secondary")
    return table[[*dims, "status"]]


def with_totals(data: pd.DataFrame, dims: Sequence[str], count: str) -> pd.DataFrame:
    """The table's cells (zeros included) with every marginal and the grand total."""
    dims = list(dims)
    cells = data[[*dims, count]].astype(dict.fromkeys(dims, str))
    parts = [cells]
    if len(dims) == 2:
        for keep, total in ((dims[0], dims[1]), (dims[1], dims[0])):
            by = cells.groupby(keep, as_index=False)[count].sum().assign(**{total: TOTAL})
            parts.append(by)
    grand = pd.DataFrame({**{key: [TOTAL] for key in dims}, count: [cells[count].sum()]})
    parts.append(grand)
    return pd.concat(parts, ignore_index=True)[[*dims, count]]


def protect_by_row(
    cells: pd.DataFrame, dims: Sequence[str], count: str, threshold: int
) -> pd.DataFrame:
    """A rows × columns table protected row by row, so every row is hidden exactly as the
    one-way table of that row alone (a municipality's own report for the same date) is:
    publishing both reveals nothing more. A column total is shown only when nothing in its
    column is hidden, so no column equation links the rows' hidden cells; the grand total
    only when every row total is shown (it is their sum). Same output as `protect_counts`."""
    rows_dim, cols_dim = dims
    parts = []
    for value, part in cells.groupby(rows_dim, sort=True):
        one = protect_counts(part, [cols_dim], count, threshold)
        parts.append(one.assign(**{rows_dim: str(value)}))
    table = pd.concat(parts, ignore_index=True)
    inner = table[table[cols_dim] != TOTAL]
    columns = inner.groupby(cols_dim, as_index=False).agg(
        **{count: (count, "sum"), "hidden": ("shown", lambda s: bool(s.isna().any()))}
    )
    row_totals = table[table[cols_dim] == TOTAL]
    hidden_any = bool(row_totals["shown"].isna().any())  # else it is the sum of the shown
    grand = pd.DataFrame(
        {cols_dim: [TOTAL], count: [int(row_totals[count].sum())], "hidden": [hidden_any]}
    )
    totals = pd.concat([columns, grand], ignore_index=True).assign(**{rows_dim: TOTAL})
    totals["status"] = totals["hidden"].map({True: "secondary", False: "safe"})
    totals["shown"] = totals[count].astype("Int64").where(~totals["hidden"])
    out = pd.concat([table, totals.drop(columns="hidden")], ignore_index=True)
    return out[[rows_dim, cols_dim, count, "status", "shown"]]
