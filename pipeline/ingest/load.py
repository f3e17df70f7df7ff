"""Load every configured source into `raw.<source>`: mapping and recoding applied, lineage kept.

rows are streamed batch by batch from the reader into DuckDB; no file passes whole through
pandas (except Excel and SPSS, which their libraries read whole).
"""

from __future__ import annotations

import glob
import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import UserError
from pipeline.ingest.readers import READERS
from pipeline.settings import Settings, Source
from pipeline.sqlutil import ident


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_files(settings: Settings, source: Source) -> list[Path]:
    pattern = settings.resolve(source.path)
    files = sorted(Path(p) for p in glob.glob(str(pattern)))
    if not files:
        raise UserError(
            f"No input file for source '{source.name}'",
            file=pattern,
            hint=f"Check sources.{source.name}.path in {settings.config_file.name}"
            " (paths are relative to the config file)",
        )
    return files


def display_path(settings: Settings, path: Path) -> str:
    try:
        return str(path.relative_to(settings.root))
    except ValueError:
        return str(path)


def _ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        create table if not exists meta.ingest_files (
            source varchar, file varchar, format varchar, sha256 varchar, bytes bigint,
            rows_read bigint)""")
    con.execute("""
        create table if not exists meta.value_labels (
            source varchar, "column" varchar, value varchar, label varchar)""")


def ingest_source(con: duckdb.DuckDBPyConnection, settings: Settings, source: Source) -> int:
    """Load one source (all its files) into raw.<name>; return rows read."""
    _ensure_meta(con)
    table = ident("raw", source.name)
    con.execute(f"drop table if exists {table}")
    con.execute("delete from meta.ingest_files where source = ?", [source.name])
    con.execute("delete from meta.value_labels where source = ?", [source.name])
    total = 0
    columns: list[str] | None = None
    for path in source_files(settings, source):
        shown = display_path(settings, path)
        result = READERS[source.format](path, source.options)
        rows = 0
        for batch in result.batches:
            renamed = [source.columns.get(n, n) for n in batch.schema.names]
            arrays = [*batch.columns, pa.array([shown] * batch.num_rows, pa.string())]
            data = pa.Table.from_arrays(arrays, [*renamed, "_source_file"])
            if columns is None:
                columns = list(data.schema.names)
                con.execute(f"create table {table} as select * from data")
            else:
                missing = set(columns) - set(data.schema.names)
                if missing:
                    raise UserError(
                        "The file lacks columns the first file had",
                        file=path,
                        column=", ".join(sorted(missing)),
                        hint="All files of one source must share their columns",
                    )
                con.execute(f"insert into {table} by name select * from data")
            rows += batch.num_rows
        if columns is None:  # a file without data rows still defines the columns
            raise UserError(
                f"The file has no data rows for source '{source.name}'",
                file=path,
                hint="Check that the export finished",
            )
        for column, labels in result.value_labels.items():
            con.executemany(
                "insert into meta.value_labels values (?, ?, ?, ?)",
                [
                    [source.name, source.columns.get(column, column), v, lab]
                    for v, lab in labels.items()
                ],
            )
        con.execute(
            "insert into meta.ingest_files values (?, ?, ?, ?, ?, ?)",
            [source.name, shown, source.format, sha256(path), path.stat().st_size, rows],
        )
        total += rows
    _recode(con, source)
    return total


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
                hint=f"Columns are: {', '.join(sorted(present))}",
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
