"""An order-independent content checksum per warehouse table.

Two runs on the same inputs and config must give the same checksum for every table but
`meta.run` and `meta.ingest_files` (run id, times, file paths). The checksum is the row count
and the sum of DuckDB's hash of every row: row order does not change it, a changed, added or
duplicated row does. Hash values are DuckDB's, so compare checksums made by one DuckDB version.
"""

from __future__ import annotations

import duckdb

from pipeline.sqlutil import ident
from pipeline.warehouse import SCHEMAS

VARIES_BY_RUN = ("meta.run", "meta.ingest_files")


def table_checksums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """{schema.table: (rows, checksum)} for every table of the warehouse's schemas."""
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in (select unnest(?)) order by all",
        [list(SCHEMAS)],
    ).fetchall()
    out = {}
    for schema, table in tables:
        rows, total = con.execute(
            f"select count(*), coalesce(sum(hash(t)), 0) from {ident(schema, table)} t"
        ).fetchone() or (0, 0)
        out[f"{schema}.{table}"] = (int(rows), f"{int(total) % (1 << 128):032x}")
    return out


def as_text(sums: dict[str, tuple[int, str]]) -> str:
    width = max((len(t) for t in sums), default=0)
    return "\n".join(
        f"{table:<{width}}  {rows:>12,}  {checksum}"
        + ("  (varies by run)" if table in VARIES_BY_RUN else "")
        for table, (rows, checksum) in sums.items()
    )
