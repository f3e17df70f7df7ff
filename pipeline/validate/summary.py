"""The data-quality summary: per source and file rows in / accepted / quarantined, and failures
by rule with counts. Aggregates only (no values from the data), so the same summary can be
printed by `ot-eval validate` and written to reports/data_quality.html.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import duckdb

from pipeline.sqlutil import table_exists


@dataclass(frozen=True)
class Summary:
    files: list[dict[str, Any]]
    rules: list[dict[str, Any]]  # rules that failed on at least one row, or were not checked
    alerts: list[dict[str, Any]]  # sources whose quarantine exceeds the allowed share


def summarise(con: duckdb.DuckDBPyConnection, source: str | None = None) -> Summary:
    cursor = con.execute(
        """select r.source, r.file, i.format, i.encoding, i.delimiter, i.sheet, i.header_row,
               r.rows_in_file, i.counted_by, r.rows_read, r.rows_accepted, r.rows_quarantined,
               r.balanced,
               c.contract, c.version, c.engine
        from meta.reconciliation r
        join meta.ingest_files i using (source, file)
        join meta.contracts c using (source)
        where ? is null or r.source = ?
        order by r.source, r.file""",
        [source, source],
    )
    files = _records(cursor)
    cursor = con.execute(
        """select r.source, r.rule, r.severity, r.reason, r.reason_nb, r.engine, r.checked, r.note,
               count(distinct f._source_file || ':' || f._source_row) as rows_failing
        from meta.rules r
        left join meta.validation_failures f using (source, rule)
        where ? is null or r.source = ?
        group by all
        having rows_failing > 0 or not r.checked
        order by r.source, rows_failing desc, r.rule""",
        [source, source],
    )
    rules = _records(cursor)
    return Summary(files, rules, alerts(con, source))


def alerts(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[dict[str, Any]]:
    """The quarantine alerts, with the shares as exact fractions and as text for people."""
    if not table_exists(con, "meta", "quarantine_alerts"):
        return []
    cursor = con.execute(
        "select * from meta.quarantine_alerts where ? is null or source = ? order by source",
        [source, source],
    )
    out = _records(cursor)
    for a in out:
        a["share_text"] = percent(Fraction(a["rows_quarantined"], a["rows_read"]))
        a["max_text"] = percent(Fraction(a["max_share_num"], a["max_share_den"]))
    return out


def percent(share: Fraction) -> str:
    """A share as a percentage for reading (display only; comparisons use the fraction)."""
    return f"{float(share * 100):.3g} %"


def alert_line(a: dict[str, Any]) -> str:
    return (
        f"{a['source']}: {a['rows_quarantined']:,} of {a['rows_read']:,} rows quarantined "
        f"({a['share_text']}, more than the allowed {a['max_text']}); rules: {a['rules']}"
    )


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Rows as dicts with SQL NULL as None (pandas would turn it into a truthy NaN)."""
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


SEVERITY_TEXT = {"quarantine": "quarantined", "warn": "warning only", "stop": "stops the run"}


def as_text(summary: Summary) -> str:
    """The summary as terminal text (English, like the rest of the CLI)."""
    lines = []
    for f in summary.files:
        mark = "" if f["balanced"] else "   NOT BALANCED"
        lines.append(
            f"  {f['source']} ({f['contract']} {f['version']}, {f['engine']}) {f['file']}: "
            f"in the file {f['rows_in_file']:,} = read {f['rows_read']:,} = accepted "
            f"{f['rows_accepted']:,} + quarantined {f['rows_quarantined']:,}{mark}"
        )
    failing = [r for r in summary.rules if r["checked"]]
    if failing:
        lines.append("  failures by rule:")
        for r in failing:
            lines.append(
                f"    {r['source']}.{r['rule']}: {r['rows_failing']:,} row(s), "
                f"{SEVERITY_TEXT[r['severity']]} – {r['reason']}"
            )
    skipped = [r for r in summary.rules if not r["checked"]]
    for r in skipped:
        lines.append(f"  {r['source']}.{r['rule']}: {r['note']}")
    for a in summary.alerts:
        lines.append(f"  QUARANTINE ABOVE THE ALLOWED SHARE – {alert_line(a)}")
    return "\n".join(lines)
