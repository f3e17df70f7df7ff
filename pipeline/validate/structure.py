"""Structural checks before any rule runs: every required column is present in every file, and
every column the config maps exists (a typo would hide a column)."""

from __future__ import annotations

import duckdb

from pipeline.errors import UserError
from pipeline.ingest.readers import DELIMITERS, show_delimiter
from pipeline.settings import Source
from pipeline.validate.contracts import Contract


def raw_columns(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [source],
    ).fetchall()
    if not rows:
        raise UserError(f"raw.{source} does not exist", hint="Run `ot-eval ingest` first")
    return dict(rows)


def check_structure(con: duckdb.DuckDBPyConnection, contract: Contract, source: Source) -> None:
    """Every file of the source must hold every required column (named after mapping), and
    every column the config maps must exist in some file (a typo would hide a column)."""
    files = con.execute(
        'select file, list("column" order by position), '
        "list(column_in_file order by position) from meta.ingest_columns "
        "where source = ? group by file order by file",
        [source.name],
    ).fetchall()
    required = [c.name for c in contract.columns.values() if c.required]
    wanted = {v: k for k, v in source.columns.items()}  # contract name -> name in file
    for file, present, in_file in files:
        missing = [c for c in required if c not in present]
        if missing:
            shown = [
                f"{c} (mapped from '{wanted[c]}' in the config)" if c in wanted else c
                for c in missing
            ]
            hint = (
                "Rename the column in the file, or map the file's name to the contract's "
                f"in the config: [sources.{source.name}] columns = "
                f'{{ "<name in file>" = "{missing[0]}" }}'
            )
            glued = [d for d in DELIMITERS if len(in_file) == 1 and d in in_file[0]]
            if glued:  # the whole header came in as one column
                hint = (
                    f"The header reads as one column containing {show_delimiter(glued[0])}: "
                    f"the delimiter is probably {show_delimiter(glued[0])} (remove "
                    "options.delimiter to let ot-eval detect it)"
                )
            raise UserError(
                f"A required column is missing for source '{source.name}' "
                f"(contract {contract.name} {contract.version})",
                file=file,
                column=", ".join(shown),
                expected=f"the columns {', '.join(required)}",
                found="the columns " + (", ".join(in_file) or "none"),
                hint=hint,
            )
    in_files = {c for f in files for c in f[2]}
    unused = sorted(set(source.columns) - in_files)
    if unused:
        raise UserError(
            f"The config maps a column that no file of source '{source.name}' has",
            column=", ".join(unused),
            found="the columns " + ", ".join(sorted(in_files)),
            hint=f"Correct sources.{source.name}.columns (names are case-sensitive)",
        )


def check_as_of(con: duckdb.DuckDBPyConnection, contract: Contract, source: Source) -> None:
    """A register must say when it was exported: counts after that day would be guesses."""
    if not contract.as_of:
        return
    missing = con.execute(
        "select file from meta.ingest_files where source = ? and as_of is null order by file",
        [source.name],
    ).fetchall()
    if missing:
        raise UserError(
            f"The file does not say when it was exported (source '{source.name}', contract "
            f"{contract.name} {contract.version}): counts after that day cannot be made",
            file=missing[0][0],
            expected="an export date",
            hint=f"Set [sources.{source.name}] as_of = YYYY-MM-DD (or a table of file name = "
            "date), put the date in the file name (…_2024-01-05.xlsx), or write "
            "«eksportert 05.01.2024» in a title row above the header",
        )
