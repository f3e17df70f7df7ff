"""Rows in the file = read = accepted + quarantined, per source and file (meta.reconciliation), and
the sources whose quarantine exceeds the allowed share (meta.quarantine_alerts)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import duckdb

from pipeline.sqlutil import ident


def reconcile(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Any]:
    """Rows in the file (counted without the reader) = rows read = rows accepted (valid) +
    rows quarantined, per file."""
    con.execute("delete from meta.reconciliation where source = ?", [source])
    con.execute(
        f"""
        insert into meta.reconciliation
        with raw_rows as (
            select _source_file as file, count(*) as n from {ident("raw", source)} group by 1),
        quarantined as (
            select _source_file as file, count(*) as n from {ident("quarantine", source)}
            group by 1),
        accepted as (
            select _source_file as file, count(*) as n from {ident("valid", source)}
            group by 1)
        select ?, i.file, i.rows_in_file, i.rows_read, coalesce(a.n, 0), coalesce(q.n, 0),
               i.rows_read = coalesce(a.n, 0) + coalesce(q.n, 0)
               and i.rows_read = coalesce(r.n, 0) and i.rows_in_file = i.rows_read
        from meta.ingest_files i
        left join raw_rows r on r.file = i.file
        left join accepted a on a.file = i.file
        left join quarantined q on q.file = i.file
        where i.source = ?""",
        [source, source],
    )
    rows = con.execute(
        "select file, rows_in_file, rows_read, rows_accepted, rows_quarantined, balanced "
        "from meta.reconciliation where source = ? order by file",
        [source],
    ).fetchall()
    for file, in_file, read, acc, quar, ok in rows:
        if not ok:
            raise RuntimeError(
                f"Reconciliation failed for {source} ({file}): in the file {in_file}, read "
                f"{read}, accepted {acc}, quarantined {quar}"
            )
    return {
        "source": source,
        "rows_read": sum(r[2] for r in rows),
        "rows_accepted": sum(r[3] for r in rows),
        "rows_quarantined": sum(r[4] for r in rows),
    }


def record_alerts(con: duckdb.DuckDBPyConnection, share: Fraction) -> None:
    """meta.quarantine_alerts: sources whose quarantined rows exceed the allowed share of the
    rows read (compared as integers: quarantined * den > read * num, no floating point)."""
    con.execute(
        """create or replace table meta.quarantine_alerts as
        with per_source as (
            select source, sum(rows_read) as rows_read, sum(rows_quarantined) as rows_quarantined
            from meta.reconciliation group by source),
        rules as (
            select source, string_agg(rule || ' (' || n || ')', ', ' order by n desc, rule) as rules
            from (select source, rule, count(distinct _source_file || ':' || _source_row) as n
                  from meta.validation_failures where severity = 'quarantine' group by all)
            group by source)
        select p.source, p.rows_read, p.rows_quarantined, ? as max_share_num,
               ? as max_share_den, r.rules
        from per_source p left join rules r using (source)
        where p.rows_quarantined * ? > p.rows_read * ?
        order by p.source""",
        [share.numerator, share.denominator, share.denominator, share.numerator],
    )
