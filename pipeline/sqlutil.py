"""Small helpers for building DuckDB statements safely.

Values always travel as bound parameters. Identifiers (schema, table, column names) cannot be
bound in SQL, so they pass through `ident`, which quotes them.
"""

from __future__ import annotations

from typing import Any


def ident(*parts: str) -> str:
    """Quote a (possibly qualified) identifier: ident('raw', 'x') -> "raw"."x"."""
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def literal(value: str) -> str:
    """A SQL string literal, for the few statements that cannot bind a parameter (SET)."""
    return "'" + value.replace("'", "''") + "'"


def table_exists(con: Any, schema: str, name: str) -> bool:
    """Whether the warehouse has the table (a stage may not have built it yet)."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])
