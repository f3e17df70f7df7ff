"""Writing and reading the COMMENTs the warehouse carries.

A relation's comments are set right after the stage that builds it (a column passed through
from upstream reads the upstream column's comment from the warehouse at that moment, so the
text lives in one place only). DuckDB cannot bind a COMMENT's text as a parameter: it goes
through `literal`, the one quoting function.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from pipeline.sqlutil import ident, literal

SCHEMAS = ("valid", "staging", "intermediate", "marts", "metrics")

# the lineage columns, defined by ingest (file, row) and by the models that carry them
LINEAGE = {
    "_source_file": "The file this row was read from (path as the config named it).",
    "_source_row": "The row as the file's own viewer shows it: the line in a CSV (header = "
    "line 1), the sheet row in Excel, the case number in SPSS, the 1-based row in Parquet, the "
    "element's number among its kind in a REFI-QDA project.",
    "_source": "The source (its name in the config) whose validated rows this row comes "
    "from; with _source_file and _source_row it names the raw row.",
    "_lineage": "The raw rows this row is made of: a list of (_source, _source_file, "
    "_source_row); `ot-eval trace` unnests it.",
}


def apply(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    text: str,
    columns: Mapping[str, str],
) -> None:
    """Comment the relation and each of the named columns it has (a view takes COMMENT ON
    VIEW)."""
    kind = con.execute(
        "select table_type from information_schema.tables "
        "where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    if not kind:
        return
    what = "view" if kind[0][0] == "VIEW" else "table"
    target = ident(schema, table)
    if text:
        con.execute(f"comment on {what} {target} is {literal(' '.join(text.split()))}")
    for name in present(con, schema, table):
        if columns.get(name):
            column = ident(schema, table, name)
            con.execute(f"comment on column {column} is {literal(columns[name])}")


def present(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    """The relation's columns, in order."""
    rows = con.execute(
        "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
        "order by column_index",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


def column_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    """The comment each column of the relation carries now (uncommented ones left out)."""
    rows = con.execute(
        "select column_name, comment from duckdb_columns() "
        "where schema_name = ? and table_name = ? and comment is not null",
        [schema, table],
    ).fetchall()
    return {name: text for name, text in rows}


def header(sql: str) -> str:
    """A model's description: its leading `--` comment lines, joined (the materialisation
    marker left out)."""
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        text = line[2:].strip()
        if not text.startswith("materialize:"):
            lines.append(text)
    return " ".join(" ".join(lines).split())


def record_origins(
    con: duckdb.DuckDBPyConnection, relation: str, origins: Mapping[str, str]
) -> None:
    """meta.column_origins: where each column's description of a model came from, written
    when the model is built, so the catalogue need not work it out again (sqlglot over every
    model: about a second of every run)."""
    con.execute(
        "create table if not exists meta.column_origins "
        '(relation varchar, "column" varchar, origin varchar)'
    )
    con.execute("delete from meta.column_origins where relation = ?", [relation])
    con.execute(  # one statement (executemany is a statement per row)
        "insert into meta.column_origins select ?, unnest(?::varchar[]), unnest(?::varchar[])",
        [relation, list(origins), list(origins.values())],
    )


def recorded_origins(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """What `record_origins` wrote: relation -> column -> origin (empty before any build)."""
    if not con.execute(
        "select 1 from duckdb_tables() where schema_name = 'meta' and table_name = 'column_origins'"
    ).fetchall():
        return {}
    out: dict[str, dict[str, str]] = {}
    for relation, column, origin in con.execute(
        'select relation, "column", origin from meta.column_origins order by all'
    ).fetchall():
        out.setdefault(relation, {})[column] = origin
    return out
