"""Export one warehouse table to a file an analysis program reads.

Metric tables (`metrics.*`) are the products made to leave the secure environment: they go
through the reports' disclosure control (`pipeline.export.protect`). Every other table holds
person-level rows or counts no one has protected: it is refused unless the user says
`--allow-person-level`, and then written readable by its owner only, with a warning.

Parquet and CSV stream from DuckDB (any size); Excel, Stata and SPSS are written from memory
(pyreadstat, openpyxl). Stata and SPSS files carry each column's description as its variable
label (the warehouse's COMMENT) and the contract's value labels where the column holds a coded
source column unchanged. Names a format does not accept are made legal, and every rename is
reported. Every file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.catalogue.build import catalogue
from pipeline.catalogue.comments import SCHEMAS
from pipeline.errors import UserError
from pipeline.export.names import legal_names, renamed
from pipeline.export.protect import protect
from pipeline.settings import Settings
from pipeline.sqlutil import ident, literal
from pipeline.warehouse import private_files

FORMATS = ("parquet", "csv", "xlsx", "dta", "sav")
EXCEL_ROWS = 1_048_575  # a sheet's rows below its header
LABEL_LIMIT = {"dta": 80, "sav": 255}
ORIGIN = re.compile(r"^(valid|staging|intermediate|marts)\.(\w+)\.(\w+)$")
SUPPRESSED_LABEL = "Blanked by disclosure control, and why (empty: shown)"


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int
    renames: list[tuple[str, str]]
    person_level: bool
    suppressed: int


def export(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    table: str,
    fmt: str | None,
    out: Path,
    csv_style: str = "norwegian",
    allow_person_level: bool = False,
) -> Exported:
    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise UserError(
            f"Cannot tell which format to write: {out.name}",
            expected=f"--format {' | '.join(FORMATS)}, or a file name ending in one of them",
        )
    schema, name = _resolve(con, table)
    person_level = schema != "metrics"
    if person_level and not allow_person_level:
        raise UserError(
            f"{schema}.{name} is not a disclosure-controlled table: it holds person-level rows "
            "or counts no one has protected, and is not written for use outside the secure "
            "environment",
            hint="Export a metrics.* table (small cells suppressed as in the reports), or add "
            "--allow-person-level to write this one for use inside the secure environment "
            "(the file is readable by you only)",
        )
    labels = _labels(con, settings, schema, name)
    relation = ident(schema, name)
    suppressed = 0
    if not person_level:
        from pipeline.metrics.run import METRICS
        from pipeline.report.write import municipality_names

        frame = protect(
            con.execute(f"select * from {relation}").df(),
            METRICS[name].definition,
            settings.report.suppression_threshold,
            municipality_names(con),
        )
        suppressed = int(frame["suppressed"].notna().sum())
        labels.column["suppressed"] = SUPPRESSED_LABEL
        con.register("export_frame", frame)
        # back to the table's own types (pandas made dates timestamps, counts floats)
        typed = [
            f"cast({ident(c)} as {t}) as {ident(c)}"
            for c, t, *_ in con.execute(f"describe {relation}").fetchall()
        ]
        relation = f"(select {', '.join(typed)}, suppressed from export_frame)"
    columns = [(r[0], r[1]) for r in con.execute(f"describe select * from {relation}").fetchall()]
    names = legal_names([c for c, _ in columns], fmt)
    if out.is_dir():
        raise UserError("--out names a folder", file=out, expected="a file name")
    partial = out.with_name(f".{out.name}.partial")
    with private_files() if person_level else nullcontext():
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            rows = WRITERS[fmt](Job(con, relation, columns, names, labels, partial, csv_style))
            os.replace(partial, out)
        except OSError as exc:
            raise UserError(f"Cannot write the file: {exc.strerror or exc}", file=out) from exc
        finally:
            with contextlib.suppress(OSError):  # (a parent that is not a folder, say)
                partial.unlink(missing_ok=True)
    return Exported(out, rows, renamed(names), person_level, suppressed)


@dataclass
class Labels:
    table: str
    column: dict[str, str]
    values: dict[str, dict[int, str]]


@dataclass(frozen=True)
class Job:
    """One file to write: the relation's columns under their file names, and their labels."""

    con: duckdb.DuckDBPyConnection
    relation: str
    columns: list[tuple[str, str]]
    names: dict[str, str]
    labels: Labels
    path: Path
    csv_style: str


def _resolve(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, str]:
    """schema.name of the table (a bare name when one schema has it)."""
    rows = con.execute(
        "select distinct schema_name, table_name from duckdb_columns() where schema_name in ?",
        [list(SCHEMAS)],
    ).fetchall()
    known = {f"{s}.{t}": (s, t) for s, t in rows}
    if table in known:
        return known[table]
    bare = [v for k, v in known.items() if v[1] == table]
    if len(bare) == 1:
        return bare[0]
    close = sorted(k for k in known if table.split(".")[-1] in k)[:5]
    raise UserError(
        f"No table {table!r} in the warehouse",
        expected="schema.table in " + ", ".join(SCHEMAS),
        hint=("Did you mean " + ", ".join(close) + "?")
        if close
        else "`ot-eval catalogue` lists them all",
    )


def _labels(con: duckdb.DuckDBPyConnection, settings: Settings, schema: str, name: str) -> Labels:
    """Variable labels (the columns' comments) and value labels (the contract's labels of the
    source column a column holds unchanged, followed through the catalogue's lineage)."""
    tables = {t.relation: t for t in catalogue(con, settings)}
    me = tables[f"{schema}.{name}"]
    origin = {(t.relation, c.name): c.origin for t in tables.values() for c in t.columns}
    coded = con.execute(
        'select source, "column", value, label from meta.contract_labels where value <> label'
    ).fetchall()
    by_column: dict[tuple[str, str], dict[int, str]] = {}
    for source, column, value, label in coded:
        if re.fullmatch(r"-?\d+", str(value)):
            by_column.setdefault((source, column), {})[int(value)] = label
    values = {}
    for c in me.columns:
        relation, column = me.relation, c.name
        for _ in range(10):  # valid <- staging <- intermediate <- marts <- metrics
            if relation.startswith("valid."):
                break
            found = ORIGIN.match(origin.get((relation, column), ""))
            if not found:
                break
            relation, column = f"{found[1]}.{found[2]}", found[3]
        key = (relation.removeprefix("valid."), column)
        if relation.startswith("valid.") and key in by_column:
            values[c.name] = by_column[key]
    return Labels(me.text, {c.name: c.text for c in me.columns}, values)


def _select(columns: list[tuple[str, str]], names: dict[str, str], text: bool) -> str:
    """The columns under their file names; nested values (lists, structs) as JSON text, and
    with `text` decimals with a comma (the Norwegian CSV)."""
    parts = []
    for column, kind in columns:
        expr = ident(column)
        if "[]" in kind or kind.startswith(("STRUCT", "MAP", "UNION")):
            expr = f"to_json({expr})"
        elif text and kind.startswith(("DOUBLE", "FLOAT", "DECIMAL", "REAL")):
            expr = f"replace(cast({expr} as varchar), '.', ',')"
        parts.append(f"{expr} as {ident(names[column])}")
    return ", ".join(parts)


def _count(job: Job) -> int:
    return int(job.con.execute(f"select count(*) from {job.relation}").fetchall()[0][0])


def _parquet(job: Job) -> int:
    query = f"select {_select(job.columns, job.names, text=False)} from {job.relation}"
    job.con.execute(f"copy ({query}) to {literal(str(job.path))} (format parquet)")
    return _count(job)


def _csv(job: Job) -> int:
    """Norwegian (default): semicolons, decimal commas, UTF-8 with a byte-order mark so Excel
    reads æøå; international: commas and points, no mark."""
    norwegian = job.csv_style == "norwegian"
    query = f"select {_select(job.columns, job.names, text=norwegian)} from {job.relation}"
    delimiter = ";" if norwegian else ","
    body = job.path.with_name(job.path.name + ".body")
    try:
        job.con.execute(
            f"copy ({query}) to {literal(str(body))} (format csv, header, delimiter '{delimiter}')"
        )
        with job.path.open("wb") as target, body.open("rb") as source:
            if norwegian:
                target.write("\ufeff".encode())
            for chunk in iter(lambda: source.read(1 << 20), b""):
                target.write(chunk)
    finally:
        body.unlink(missing_ok=True)
    return _count(job)


def _frame(job: Job) -> pd.DataFrame:
    query = f"select {_select(job.columns, job.names, text=False)} from {job.relation}"
    return job.con.execute(query).df()


def _xlsx(job: Job) -> int:
    rows = _count(job)
    if rows > EXCEL_ROWS:
        raise UserError(
            f"{rows:,} rows do not fit in an Excel sheet ({EXCEL_ROWS:,} at most)",
            hint="Export as Parquet or CSV",
        )
    frame = _frame(job)
    about = pd.DataFrame(
        {
            "kolonne": [job.names[c] for c, _ in job.columns],
            "beskrivelse": [job.labels.column.get(c, "") for c, _ in job.columns],
        }
    )
    with pd.ExcelWriter(job.path, engine="openpyxl") as book:
        frame.to_excel(book, sheet_name="data", index=False)
        about.to_excel(book, sheet_name="kolonner", index=False)
    return rows


def _readstat_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Types Stata and SPSS take: booleans as 0/1, nullable integers as numbers with missing."""
    out = frame.copy()
    for c in out.columns:
        kind = out[c].dtype
        if pd.api.types.is_bool_dtype(kind):
            out[c] = out[c].astype("Float64").astype("float64")
        elif str(kind) in ("Int8", "Int16", "Int32", "Int64", "Float64") or (
            kind.kind == "i" and out[c].isna().any()
        ):
            out[c] = out[c].astype("float64")
    return out


def _readstat(fmt: str) -> Callable[[Job], int]:
    def write(job: Job) -> int:
        import pyreadstat

        frame = _readstat_frame(_frame(job))
        limit = LABEL_LIMIT[fmt]
        labels, names = job.labels, job.names
        column_labels: list[str | None] = [
            _cut(labels.column.get(c, ""), limit) for c, _ in job.columns
        ]
        value_labels: dict[str, dict[int | float, str]] = {
            names[c]: {k: _cut(v, limit) for k, v in labels.values[c].items()}
            for c, _ in job.columns
            if c in labels.values and pd.api.types.is_numeric_dtype(frame[names[c]])
        }
        writer = pyreadstat.write_dta if fmt == "dta" else pyreadstat.write_sav
        writer(
            frame,
            str(job.path),
            file_label=_cut(labels.table, limit),
            column_labels=column_labels,
            variable_value_labels=value_labels,
        )
        return len(frame)

    return write


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


WRITERS: dict[str, Callable[[Job], int]] = {
    "parquet": _parquet,
    "csv": _csv,
    "xlsx": _xlsx,
    "dta": _readstat("dta"),
    "sav": _readstat("sav"),
}
