"""`ot-eval teams --at DATE`: active teams by municipality and age band straight from the team
register files, without a full run and without touching the warehouse.

The files go through the same reader, contract and SQL models as in `make evaluate` (in an
in-memory DuckDB, SQL engine), so the numbers are the pipeline's own. A register exported
before DATE gives no count for it, and says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.errors import UserError
from pipeline.scoped import build, source_with_files
from pipeline.settings import Settings

SOURCE = "team_register"
MAX_HELD = 20  # rows held back listed in the terminal


def count_at(
    settings: Settings, at: dt.date, kommune: str | None = None, files: Sequence[Path] = ()
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(active teams on `at` by municipality and age band; every register file with its export
    date, whether it can count `at`, and rows in the file = accepted + held back; the rows held
    back with file, row, column and reason)."""
    register = source_with_files(settings, SOURCE, files, "--register")
    if register is None:
        raise UserError(
            f"The config has no [sources.{SOURCE}] and no --register file was given",
            file=settings.config_file,
            hint="Name the register files: ot-eval teams --at 2023-12-31 --register "
            "team_register.xlsx (laid out as `ot-eval template team-register` writes it)",
        )
    evaluation = dataclasses.replace(settings.evaluation, team_snapshots=(at,))
    con = build(dataclasses.replace(settings, evaluation=evaluation), {SOURCE: register})
    counts = con.execute(
        """select t.kommune, m.kommune_name, t.age_band, t.active_teams
        from marts.fct_active_teams t
        left join staging.stg_municipality__map m using (kommune)
        where t.snapshot_date = ? and (? is null or t.kommune = ?)
        order by t.kommune, t.age_band_order""",
        [at, kommune, kommune],
    ).df()
    registers = con.execute(
        """select i.file, i.as_of as register_as_of, i.as_of >= ? as counts_the_date,
            r.rows_in_file, r.rows_accepted, r.rows_quarantined
        from meta.ingest_files i
        join meta.reconciliation r using (source, file)
        where i.source = ? and (? is null or i.file in (
            select _source_file from staging.stg_teams__register where kommune = ?))
        order by i.file""",
        [at, SOURCE, kommune, kommune],
    ).df()
    held = con.execute(
        """select _source_file as file, _source_row as row, "column", value, reason
        from meta.validation_failures
        where source = ? and severity = 'quarantine' order by file, row, rule""",
        [SOURCE],
    ).df()
    con.close()
    return counts, registers, held[held["file"].isin(registers["file"])]


def as_text(counts: pd.DataFrame, registers: pd.DataFrame, held: pd.DataFrame, at: dt.date) -> str:
    lines = [f"Active teams on {at.isoformat()} (start ≤ date, no end or end ≥ date)"]
    for (code, name), g in counts.groupby(["kommune", "kommune_name"], sort=True, dropna=False):
        lines.append(f"  {name} ({code})")
        lines += [
            f"    {band:<8} {int(n):>6}"
            for band, n in zip(g["age_band"], g["active_teams"], strict=True)
        ]
        lines.append(f"    {'total':<8} {int(g['active_teams'].sum()):>6}")
    for r in registers.to_dict("records"):
        note = "" if r["counts_the_date"] else f" – exported before {at.isoformat()}: no count"
        day = pd.Timestamp(r["register_as_of"]).date().isoformat()
        lines.append(
            f"  register {r['file']}: exported {day}; rows {r['rows_in_file']} = counted "
            f"{r['rows_accepted']} + held back {r['rows_quarantined']}{note}"
        )
    if len(held):
        lines.append("  rows held back (not counted):")
        lines += [
            f"    {r['file']} row {r['row']}, {r['column']}: {r['value']} – {r['reason']}"
            for r in held.head(MAX_HELD).to_dict("records")
        ]
        if len(held) > MAX_HELD:
            lines.append(f"    … and {len(held) - MAX_HELD} more (ot-eval validate lists all)")
    return "\n".join(lines)
