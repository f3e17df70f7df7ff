"""Disclosure control for an exported metric table: the rules of the outward reports, applied
to every row of the table (the reports show some dates only).

- every row made of fewer units than `[report] suppression_threshold` (n from 1 to the
  threshold − 1) has its numbers blanked — its n, estimate, interval and every other number
  (a rate per 1,000 would give the count back); the evaluation report shows «–" for the same
  rows;
- a count table the reports draw as municipality × category (active teams by age band, flows,
  coordinators by sector) is protected as they protect it: row by row with Tau-Argus, primary
  and secondary suppression (`pipeline.disclosure.protect_by_row`), within each value of its
  other dimensions (each date), so the export and the reports together reveal nothing more.

Dimension columns are kept; `suppressed` says which rows were blanked and why.
"""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure import TOTAL, protect_by_row
from pipeline.metrics.definition import Definition
from pipeline.report.sections import EVALUATION

DISPLAY = {"kommune_navn": "kommune"}  # the reports pivot on the name; the table has the code


def pivots() -> dict[str, tuple[str, str]]:
    """The count tables the evaluation report protects as municipality × category."""
    found = {}
    for section in EVALUATION:
        for t in section.tables:
            if t.pivot:
                rows, cols = t.pivot
                found[t.metric] = (DISPLAY.get(rows, rows), DISPLAY.get(cols, cols))
    return found


def protect(
    frame: pd.DataFrame, definition: Definition, threshold: int, names: dict[str, str]
) -> pd.DataFrame:
    """The table as it may leave the secure environment, with a `suppressed` column. `names`
    are the municipality names the reports' tables are keyed by (the same input to Tau-Argus
    gives the same cells hidden)."""
    out = frame.reset_index(drop=True).copy()
    small = out["n"].between(1, threshold - 1)
    reason = pd.Series("", index=out.index, dtype="object")
    reason[small] = f"n under {threshold}"
    pivot = pivots().get(definition.table)
    if pivot and len(out):
        others = [d for d in definition.dims if d not in pivot]
        hidden = _secondary(out, others, pivot, (threshold, names))
        reason[hidden & ~small] = "secondary (Tau-Argus)"
    blanked = reason != ""
    numbers = [
        c for c in out.columns if c not in definition.dims and pd.api.types.is_numeric_dtype(out[c])
    ]
    for c in numbers:
        out[c] = out[c].astype("Float64" if out[c].dtype.kind == "f" else "Int64")
        out.loc[blanked, c] = pd.NA
    return out.assign(suppressed=reason.where(blanked, None))


def _secondary(
    out: pd.DataFrame, others: list[str], pivot: tuple[str, str], rule: tuple[int, dict[str, str]]
) -> pd.Series:
    """Cells hidden by the reports' row-by-row protection, in each value of the others."""
    rows, cols = pivot
    threshold, names = rule
    hidden = pd.Series(False, index=out.index)
    groups = out.groupby(others, sort=True, dropna=False) if others else [((), out)]
    for _key, part in groups:
        cells = part[[rows, cols, "n"]].astype({rows: str, cols: str})
        if rows == "kommune":  # keyed by name, as the reports' tables are
            cells[rows] = cells[rows].map(lambda k: names.get(k, k))
        table = protect_by_row(cells, [rows, cols], "n", threshold)
        inner = table[(table[rows] != TOTAL) & (table[cols] != TOTAL)]
        hidden_cells = inner[inner["shown"].isna()]
        gone = set(zip(hidden_cells[rows], hidden_cells[cols], strict=True))
        keys = zip(cells[rows], cells[cols], strict=True)
        hidden.loc[part.index] = pd.Series([k in gone for k in keys], index=part.index)
    return hidden
