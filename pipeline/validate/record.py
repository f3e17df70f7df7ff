"""Write what the rules found: meta.validation_failures (one row per row and rule, with the value
shown), meta.rules, meta.contracts, meta.contract_labels and quarantine.<source>; accepted rows
stay in valid.<source>."""

from __future__ import annotations

import duckdb

from pipeline.settings import Source
from pipeline.sqlutil import ident
from pipeline.validate.contracts import Contract, Rule
from pipeline.validate.reasons_nb import norwegian
from pipeline.validate.sql_rules import (
    label_mismatches,
)


def ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""create table if not exists meta.validation_failures (
        source varchar, _source_file varchar, _source_row bigint, rule varchar,
        "column" varchar, severity varchar, reason varchar, value varchar)""")
    con.execute("""create table if not exists meta.rules (
        source varchar, rule varchar, kind varchar, "columns" varchar, severity varchar,
        reason varchar, engine varchar, checked boolean, note varchar, reason_nb varchar)""")
    con.execute("""create table if not exists meta.contracts (
        source varchar, contract varchar, version varchar, sha256 varchar, engine varchar)""")
    con.execute("""create table if not exists meta.contract_labels (
        source varchar, "column" varchar, value varchar, label varchar)""")
    con.execute("""create table if not exists meta.reconciliation (
        source varchar, file varchar, rows_in_file bigint, rows_read bigint,
        rows_accepted bigint, rows_quarantined bigint, balanced boolean)""")


def record(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    contract: Contract,
    report: list[tuple[Rule, str, str | None]],
    engine: str,
) -> None:
    name = source.name
    for table in ("validation_failures", "rules", "contracts"):
        con.execute(f"delete from {ident('meta', table)} where source = ?", [name])
    con.execute(
        "insert into meta.contracts values (?, ?, ?, ?, ?)",
        [name, contract.name, contract.version, contract.sha256, engine],
    )
    con.executemany(
        "insert into meta.rules values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (name, r.name, r.kind, ",".join(r.columns), r.severity, r.reason, eng, *notes)
            for r, eng, why in report
            for notes in [(why is None, why, norwegian(r, contract))]
        ],
    )
    for rule, _, why in report:
        if why is None:
            _record_failures(con, source, rule)
    q = ident("quarantine", name)
    con.execute(f"drop table if exists {q}")
    con.execute(
        f"create table {q} as select r.*, f._rules, f._reasons from {ident('raw', name)} r "
        "join (select _source_file, _source_row, string_agg(rule, ', ' order by rule) as _rules,"
        " string_agg(value || ': ' || reason, '; ' order by rule) as _reasons "
        "from meta.validation_failures where source = ? and severity = 'quarantine' "
        "group by all) f using (_source_file, _source_row) order by _source_file, _source_row",
        [name],
    )
    valid = ident("valid", name)
    con.execute(
        f"delete from {valid} v using {q} q "
        "where v._source_file = q._source_file and v._source_row = q._source_row"
    )


def record_contract_labels(
    con: duckdb.DuckDBPyConnection, source: Source, contract: Contract
) -> None:
    """meta.contract_labels: every allowed code and its label (the label rule reads them)."""
    con.execute("delete from meta.contract_labels where source = ?", [source.name])
    labels = [
        [source.name, r.columns[0], str(v), label]
        for r in contract.rules
        if r.kind == "allowed"
        for v, label in r.allowed
    ]
    if labels:
        con.executemany("insert into meta.contract_labels values (?, ?, ?, ?)", labels)


def _record_failures(con: duckdb.DuckDBPyConnection, source: Source, rule: Rule) -> None:
    """One meta.validation_failures row per failing row, with the value that failed shown."""
    base = [source.name, ",".join(rule.columns), rule.severity, rule.reason]
    insert = "insert into meta.validation_failures select ?, f._source_file, f._source_row, "
    if rule.kind == "read":
        con.execute(
            insert + "f.rule, ?, ?, ?, n.note from failures f join meta.read_notes n "
            "using (_source_file, _source_row, rule) where n.source = ? and f.rule = ?",
            [*base, source.name, rule.name],
        )
        return
    if rule.kind == "labels":
        valid = ident("valid", source.name)
        sql, params = label_mismatches(valid, rule.columns[0], source.name)
        con.execute(
            insert + f"f.rule, ?, ?, ?, ? || '=' || cast(v.{ident(rule.columns[0])} as varchar) "
            "|| ' (the file: «' || m.file_label || '», the contract: «' || m.contract_label || "
            f"'»)' from failures f join ({sql}) m using (_source_file, _source_row) "
            f"join {valid} v using (_source_file, _source_row) where f.rule = ?",
            [*base, rule.columns[0], *params, rule.name],
        )
        return
    cols = rule.columns or ("_parse_error",)
    shown = ", ".join(
        f"? || '=' || coalesce(cast(r.{ident(c)} as varchar), '(missing)')" for c in cols
    )
    con.execute(
        insert + f"f.rule, ?, ?, ?, concat_ws(', ', {shown}) from failures f "
        f"join {ident('raw', source.name)} r using (_source_file, _source_row) where f.rule = ?",
        [*base, *cols, rule.name],
    )
