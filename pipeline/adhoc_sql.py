"""Ad hoc SQL on the published warehouse, read-only: `ot-eval sql -c/-f` for scripts (an
aligned table, CSV or Parquet) and `ot-eval sql` alone for an interactive session (harlequin).

A read-only connection holds DuckDB's shared lock on the file it opened. A run builds its
warehouse in a folder of its own and publishes it by one rename (`warehouse.py`), so a
session neither blocks a run nor loses its file to one: it keeps reading the run it opened
until it reconnects.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.errors import UserError, first_line

FORMATS = ("table", "csv", "parquet")
MAX_TABLE_ROWS = 1000  # an aligned table beyond this is cut (and says so): use --out
ROWS = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.PRAGMA}


@dataclass(frozen=True)
class Script:
    """SQL and where it came from (the file, or the -c text), for messages."""

    text: str
    source: str


def run(
    con: duckdb.DuckDBPyConnection,
    script: Script,
    fmt: str,
    out: Path | None,
    log: Callable[[str], None],
) -> None:
    """Run every statement of `script`; print each result as a table (or CSV), and with
    `out` write the last statement's result to that file in `fmt`."""
    statements = _statements(con, script)
    for number, statement in enumerate(statements, start=1):
        last = number == len(statements)
        try:
            if statement.type not in ROWS:
                con.execute(statement.query)
                continue
            relation = con.sql(statement.query)
            if out is not None and last:
                rows = _write(relation, fmt, out)
                log(f"wrote {out} ({rows} rows)")
            elif fmt == "csv":
                log(_csv_text(relation).rstrip("\n"))
            else:
                log(aligned(relation))
        except duckdb.Error as exc:
            raise _failure(script, number, len(statements), exc) from exc


def _statements(con: duckdb.DuckDBPyConnection, script: Script) -> list[duckdb.Statement]:
    try:
        statements = con.extract_statements(script.text)
    except duckdb.Error as exc:
        raise _failure(script, None, None, exc) from exc
    if not statements:
        raise UserError("There is no SQL statement to run", file=script.source)
    return list(statements)


def _failure(script: Script, number: int | None, total: int | None, exc: duckdb.Error) -> UserError:
    """A DuckDB error as one line: where, what DuckDB said, and what to do."""
    where = f"statement {number} of {total}" if number and total and total > 1 else None
    said = first_line(exc)
    read_only = "read-only" in said.lower() or "read only" in said.lower()
    hint = (
        "The warehouse is opened read-only: ad hoc SQL never changes it (the pipeline "
        "rebuilds it); write results with --out, or to a database of your own"
        if read_only
        else "duckdb_columns() lists every table and column; sql/examples/ has worked questions"
    )
    message = f"DuckDB could not run the SQL{f' ({where})' if where else ''}: {said}"
    file = None if script.source in ("-c", "standard input") else script.source
    return UserError(message, file=file, hint=hint)


def aligned(relation: duckdb.DuckDBPyRelation, max_rows: int = MAX_TABLE_ROWS) -> str:
    """The result as an aligned text table, cut at `max_rows` rows with a line that says so."""
    head = relation.limit(max_rows + 1).df()
    cut = len(head) > max_rows
    head = head.head(max_rows)
    if head.empty:
        return "(no rows) columns: " + ", ".join(relation.columns)
    nullable = [
        c for c in head.columns if isinstance(head[c].dtype, pd.api.extensions.ExtensionDtype)
    ]
    head[nullable] = head[nullable].astype(object).fillna("NULL")  # <NA> shown as NULL too
    text = head.to_string(index=False, na_rep="NULL", max_colwidth=60)
    if cut:
        total = relation.aggregate("count(*)").fetchall()[0][0]
        text += f"\n… {total - max_rows} more rows (of {total}): use --out FILE for all of them"
    return text


def _csv_text(relation: duckdb.DuckDBPyRelation) -> str:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(relation.to_arrow_table(), sink)
    return sink.getvalue().to_pybytes().decode("utf-8")


def _write(relation: duckdb.DuckDBPyRelation, fmt: str, out: Path) -> int:
    """Stream the result into `out` (CSV or Parquet; a table goes to CSV) batch by batch,
    through a temporary name renamed at the end: a failed write leaves no half file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    reader = relation.to_arrow_reader(batch_size=65536)
    rows = 0
    try:
        writer: pq.ParquetWriter | pacsv.CSVWriter
        if fmt == "parquet":
            writer = pq.ParquetWriter(partial, reader.schema)
        else:
            writer = pacsv.CSVWriter(partial, reader.schema)
        with writer:
            for batch in reader:
                writer.write_table(pa.Table.from_batches([batch]))
                rows += batch.num_rows
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def output_format(fmt: str | None, out: Path | None) -> str:
    """--format, or with --out alone the file's suffix (.csv, .parquet)."""
    if fmt is None:
        if out is None:
            return "table"
        suffix = out.suffix.lower().lstrip(".")
        if suffix not in ("csv", "parquet"):
            raise UserError(
                "Cannot tell the output format from the file name",
                file=out,
                expected="a name ending .csv or .parquet, or --format csv|parquet",
            )
        return suffix
    if fmt == "table" and out is not None:
        raise UserError(
            "--format table prints to the terminal", hint="With --out use --format csv or parquet"
        )
    return fmt


def read_script(command: str | None, file: Path | None) -> Script:
    """The SQL of -c or -f (`-f -` reads standard input)."""
    if command is not None:
        return Script(command, "-c")
    assert file is not None
    if str(file) == "-":
        return Script(sys.stdin.read(), "standard input")
    try:
        return Script(file.read_text(encoding="utf-8"), str(file))
    except FileNotFoundError as exc:
        raise UserError("The SQL file does not exist", file=file) from exc
    except UnicodeDecodeError as exc:
        raise UserError("The SQL file is not UTF-8 text", file=file, found=str(exc)) from exc


def session(path: Path) -> Any:
    """The interactive session on `path`: harlequin with its DuckDB adapter, read-only (a
    Textual app: `.run()` in a terminal, `.run_test()` in the tests)."""
    from harlequin import Harlequin
    from harlequin_duckdb import DuckDbAdapter

    return Harlequin(adapter=DuckDbAdapter((str(path),), read_only=True), record_history=False)


def interactive(path: Path) -> None:
    """Run the interactive session in this terminal until the user quits."""
    if not sys.stdin.isatty():
        raise UserError(
            "The interactive SQL session needs a terminal",
            hint='Use `ot-eval sql -c "select …"` or `-f file.sql` in scripts',
        )
    session(path).run()
