"""Load every configured source into `raw.<source>`: mapping and recoding applied, lineage kept.

Rows stream batch by batch from the reader into DuckDB; Parquet is read by DuckDB itself.
No file passes whole through pandas. Every file of a source (a glob may match several, e.g. one
per year) lands in the same table; a column one file lacks is empty for that file's rows.
"""

from __future__ import annotations

import glob
import hashlib
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline import progress
from pipeline.errors import UserError, first_line
from pipeline.ingest.as_of import find_as_of
from pipeline.ingest.readers import READERS, check_every_row_read
from pipeline.ingest.sniff import check_format
from pipeline.settings import PROJECT, Settings, Source
from pipeline.sqlutil import ident

LINEAGE = ("_source_file", "_source_row", "_parse_error")
BATCH_LINEAGE = ("_source_row", "_parse_error")  # what a reader adds; the file is a parameter
PARQUET = "read_parquet(?, file_row_number = true)"
PARQUET_DESCRIBE = f"describe select * from {PARQUET}"
PARQUET_ROWS = "select sum(num_rows) from parquet_file_metadata(?)"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_files(settings: Settings, source: Source) -> list[Path]:
    if source.files:  # named on the command line
        for path in source.files:
            if not path.is_file():
                raise UserError(f"No such file for source '{source.name}'", file=path)
        return sorted(source.files)
    pattern = settings.resolve(source.path)
    key = f"sources.{source.name}.path in {settings.config_file.name}"
    if pattern.is_dir():
        inside = sorted(p.name for p in pattern.iterdir() if p.is_file())[:5]
        raise UserError(
            f"The path of source '{source.name}' is a folder, not a file",
            file=pattern,
            expected="a file, or a pattern such as folder/*.csv",
            found="a folder holding " + (", ".join(inside) if inside else "no files"),
            hint=f"Set {key} to the file, or to a pattern that matches the files in the folder",
        )
    files = sorted(Path(p) for p in glob.glob(str(pattern)) if Path(p).is_file())
    if not files:
        raise UserError(
            f"No input file for source '{source.name}'",
            file=pattern,
            expected="a file (or files matching the pattern)",
            found="nothing",
            hint=f"Check {key} (paths are relative to the config file)",
        )
    return files


def display_path(settings: Settings, path: Path) -> str:
    """A file as reports and lineage name it: relative to the config's folder, a file the
    project ships (the municipality lists) relative to the project, else in full."""
    for base in (settings.root, PROJECT):
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


def _ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        create table if not exists meta.ingest_files (
            source varchar, file varchar, format varchar, sha256 varchar, bytes bigint,
            rows_in_file bigint, counted_by varchar, rows_read bigint, encoding varchar,
            delimiter varchar, sheet varchar, header_row varchar, as_of date,
            as_of_from varchar)""")
    con.execute("""
        create table if not exists meta.read_notes (
            source varchar, _source_file varchar, _source_row bigint, rule varchar,
            note varchar)""")
    con.execute("""
        create table if not exists meta.ingest_columns (
            source varchar, file varchar, "column" varchar, column_in_file varchar,
            position integer)""")
    con.execute("""
        create table if not exists meta.value_labels (
            source varchar, file varchar, "column" varchar, value varchar, label varchar)""")
    con.execute("""
        create table if not exists meta.declared_missing (
            source varchar, "column" varchar, value varchar, label varchar)""")


class _Sink:
    """Appends batches to raw.<source>, widening the table when a file brings a new column."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: str) -> None:
        self.con = con
        self.table = ident("raw", source)
        self.columns: dict[str, str] | None = None

    def _widen(self, schema: dict[str, str]) -> None:
        if self.columns is None:
            return
        for name, sql_type in schema.items():
            if name not in self.columns:
                self.con.execute(f"alter table {self.table} add column {ident(name)} {sql_type}")
                self.columns[name] = sql_type

    def arrow(self, batches: Iterator[pa.RecordBatch], file: str) -> int:
        """Append a reader's batches in one statement (DuckDB pulls them as a stream: a
        quarter less time than an insert per batch), `file` as every row's `_source_file`
        (a parameter, not a column of copies built in Python); return the rows appended. An
        error the reader raises mid-stream is raised here as itself, not as DuckDB's."""
        first = next(batches, None)
        if first is None:
            return 0
        schema = first.schema
        rows = 0
        failed: list[BaseException] = []

        def stream() -> Iterator[pa.RecordBatch]:
            nonlocal rows
            try:
                for batch in itertools.chain([first], batches):
                    rows += batch.num_rows
                    yield batch if batch.schema == schema else batch.cast(schema)
            except Exception as exc:  # handed back after DuckDB has stopped reading
                failed.append(exc)

        self.con.register("_ingest_stream", pa.RecordBatchReader.from_batches(schema, stream()))
        query = "select *, ?::varchar as _source_file from _ingest_stream"
        try:
            if self.columns is None:
                self.con.execute(f"create table {self.table} as {query}", [file])
                self.columns = dict.fromkeys([*schema.names, "_source_file"], "VARCHAR")
            else:
                self._widen(dict.fromkeys(schema.names, "VARCHAR"))
                self.con.execute(f"insert into {self.table} by name {query}", [file])
        finally:
            self.con.unregister("_ingest_stream")
        if failed:
            raise failed[0]
        return rows

    def parquet_schema(self, path: Path) -> dict[str, str]:
        try:
            schema = self.con.execute(PARQUET_DESCRIBE, [str(path)]).fetchall()
        except duckdb.Error as exc:
            raise UserError(
                f"The Parquet file cannot be read: {first_line(exc)}",
                file=path,
                expected="a complete Parquet file",
                hint="The file may be damaged or cut off: copy or export it again",
            ) from exc
        return {r[0]: r[1] for r in schema if r[0] != "file_row_number"}

    def parquet(
        self, path: Path, shown: str, names: dict[str, str], mapping: dict[str, str]
    ) -> int:
        select = ", ".join(f"{ident(n)} as {ident(mapping.get(n, n))}" for n in names)
        query = (
            f"select {select}, ? as _source_file, file_row_number + 1 as _source_row, "
            f"cast(null as varchar) as _parse_error from {PARQUET}"
        )
        try:
            if self.columns is None:
                sql = f"create table {self.table} as {query}"
                self.columns = {mapping.get(n, n): t for n, t in names.items()}
                self.columns.update(dict.fromkeys(LINEAGE, "VARCHAR"))
            else:
                self._widen({mapping.get(n, n): t for n, t in names.items()})
                sql = f"insert into {self.table} by name {query}"
            loaded = self.con.execute(sql, [shown, str(path)]).fetchone()  # rows written
        except duckdb.Error as exc:
            raise UserError(
                f"The Parquet file cannot be loaded: {first_line(exc)}",
                file=path,
                hint="The file may be damaged, or its column types differ from the source's "
                "other files",
            ) from exc
        return int(loaded[0]) if loaded else 0


def _mapped(source: Source, path: Path, columns: list[str]) -> list[str]:
    renamed = [source.columns.get(c, c) for c in columns]
    for name in set(renamed):
        if renamed.count(name) > 1 or name in LINEAGE:
            raise UserError(
                "Two columns get the same name after the config's column mapping",
                file=path,
                column=name,
                hint=f"Check sources.{source.name}.columns",
            )
    return renamed


def ingest_file(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: Source, path: Path, sink: _Sink
) -> int:
    """Load one file; return rows read (after checking them against the file's own count)."""
    shown = display_path(settings, path)
    dialect: dict[str, str] = {}
    digest = None
    if source.format == "parquet":
        check_format(path, "parquet")
        names = sink.parquet_schema(path)
        in_file = list(names)
        _mapped(source, path, in_file)
        rows = sink.parquet(path, shown, names, source.columns)
        counted = con.execute(PARQUET_ROWS, [str(path)]).fetchone()
        rows_in_file = int(counted[0]) if counted and counted[0] is not None else 0
        counted_by = "rows stated in the Parquet metadata"
        hint = "The file may be damaged: copy or export it again"
        check_every_row_read(path, rows_in_file, counted_by, rows, hint)
    else:
        result = READERS[source.format](path, source.options)
        in_file, dialect = result.columns, result.dialect
        renamed = _mapped(source, path, in_file)
        with progress.rows(f"{source.name}: {path.name}", result.expected) as advance:

            def with_lineage() -> Iterator[pa.RecordBatch]:
                for batch in result.batches:
                    advance(batch.num_rows)
                    yield pa.RecordBatch.from_arrays(batch.columns, [*renamed, *BATCH_LINEAGE])

            rows = sink.arrow(with_lineage(), shown)
        rows_in_file = result.rows_in_file if result.rows_in_file is not None else rows
        counted_by, digest = result.counted_by, result.sha256
        _labels(con, source, shown, result.value_labels, result.declared_missing)
        if result.notes:
            con.executemany(
                "insert into meta.read_notes values (?, ?, ?, ?, ?)",
                [[source.name, shown, row, rule, note] for row, rule, note in result.notes],
            )
    con.executemany(
        "insert into meta.ingest_columns values (?, ?, ?, ?, ?)",
        [[source.name, shown, source.columns.get(c, c), c, i + 1] for i, c in enumerate(in_file)],
    )
    as_of, as_of_from = find_as_of(source.as_of, path, dialect.get("preamble", ""))
    con.execute(
        "insert into meta.ingest_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            source.name,
            shown,
            source.format,
            digest or sha256(path),
            path.stat().st_size,
            rows_in_file,
            counted_by,
            rows,
            dialect.get("encoding"),
            dialect.get("delimiter"),
            dialect.get("sheet"),
            dialect.get("header_row"),
            as_of,
            as_of_from or None,
        ],
    )
    return rows


def _labels(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    file: str,
    labels: dict[str, dict[str, str]],
    missing: dict[str, list[str]],
) -> None:
    """Value labels and declared-missing codes, per file: waves may label a code differently."""
    if labels:
        con.executemany(
            "insert into meta.value_labels values (?, ?, ?, ?, ?)",
            [
                [source.name, file, source.columns.get(col, col), value, label]
                for col, items in labels.items()
                for value, label in items.items()
            ],
        )
    if missing:
        con.executemany(
            "insert into meta.declared_missing values (?, ?, ?, ?)",
            [
                [source.name, source.columns.get(col, col), v, labels.get(col, {}).get(v, "")]
                for col, values in missing.items()
                for v in values
            ],
        )


def ingest_source(con: duckdb.DuckDBPyConnection, settings: Settings, source: Source) -> int:
    """Load one source (all its files) into raw.<name>; return rows read."""
    _ensure_meta(con)
    table = ident("raw", source.name)
    con.execute(f"drop table if exists {table}")
    for meta in ("ingest_files", "ingest_columns", "value_labels", "declared_missing",
                 "read_notes"):  # fmt: skip
        con.execute(f"delete from {ident('meta', meta)} where source = ?", [source.name])
    sink = _Sink(con, source.name)
    total = 0
    for path in source_files(settings, source):
        total += ingest_file(con, settings, source, path, sink)
    _set_columns(con, source)
    _recode(con, source)
    return total


def _set_columns(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Columns the config supplies ([sources.X] constants / from_file_name), recorded in
    meta.ingest_columns as such, so the structure check counts them present in every file."""
    if not (source.constants or source.from_file_name):
        return
    table = ident("raw", source.name)
    files = [
        r[0]
        for r in con.execute(
            "select file from meta.ingest_files where source = ? order by file", [source.name]
        ).fetchall()
    ]
    present = con.execute(
        'select distinct "column" from meta.ingest_columns where source = ?', [source.name]
    ).fetchall()
    for column in [*source.constants, *source.from_file_name]:
        if (column,) in present:
            raise UserError(
                f"The config sets a column the file already has (source '{source.name}')",
                column=column,
                hint=f"Remove '{column}' from sources.{source.name}.constants/from_file_name, "
                "or drop the column from the file",
            )
        con.execute(f"alter table {table} add column {ident(column)} varchar")
    for file in files:
        values = dict(source.constants)
        for column, pattern in source.from_file_name.items():
            found = re.search(pattern, Path(file).name)
            if found is None:
                raise UserError(
                    f"The file name does not match the pattern for '{column}'",
                    file=file,
                    expected=f"a name matching {pattern!r} (sources.{source.name}.from_file_name)",
                    found=Path(file).name,
                )
            values[column] = found.group(1)
        for column, value in values.items():
            con.execute(
                f"update {table} set {ident(column)} = ? where _source_file = ?", [value, file]
            )
            how = "(config: constant)" if column in source.constants else "(config: file name)"
            con.execute(
                "insert into meta.ingest_columns select ?, ?, ?, ?, coalesce(max(position), 0) + 1 "
                "from meta.ingest_columns where source = ? and file = ?",
                [source.name, file, column, how, source.name, file],
            )


def _recode(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Apply the config's value recoding (matched on the value as text; others kept)."""
    table = ident("raw", source.name)
    present = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [source.name],
        ).fetchall()
    }
    for column, mapping in source.recode.items():
        if column not in present:
            raise UserError(
                f"Recoding names a column the source does not have (source '{source.name}')",
                column=column,
                hint=f"Columns are: {', '.join(sorted(present - set(LINEAGE)))}",
            )
        col = ident(column)
        con.execute(f"alter table {table} alter {col} set data type varchar")
        recode = pa.table(
            {
                "src": [str(k) for k in mapping],
                "dst": [None if v is None else str(v) for v in mapping.values()],
            }
        )
        con.register("recode_map", recode)
        con.execute(
            f"update {table} set {col} = m.dst from recode_map m where {table}.{col} = m.src"
        )
        con.unregister("recode_map")


def ingest_all(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, int]:
    if not settings.sources:
        raise UserError(
            "The config names no sources",
            file=settings.config_file,
            hint="Add [sources.<name>] tables",
        )
    return {name: ingest_source(con, settings, src) for name, src in settings.sources.items()}
