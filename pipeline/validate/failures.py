"""Collect the failing rows of every rule of one source into temp table `failures` (file, row,
rule), with the engine chosen for the value rules (GX or SQL)."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from pipeline.ingest.readers import MERGED_RULE
from pipeline.settings import Settings, Source
from pipeline.sqlutil import ident, table_exists
from pipeline.validate.contracts import Contract, Rule
from pipeline.validate.gx_suite import run_suite
from pipeline.validate.one_pass import write_valid
from pipeline.validate.sql_rules import MUNICIPALITY_MAP, ROW_KINDS, rule_query
from pipeline.validate.structure import raw_columns

PARSE_RULE = Rule(
    "row.parse",
    "parse",
    (),
    "quarantine",
    "the row cannot be read faithfully (see the value: wrong number of fields, a quote never "
    "closed, an Excel error or an uncalculated formula, a REFI-QDA coding that cannot be "
    "placed)",
)


READ_RULES = {  # warnings the readers leave in meta.read_notes
    MERGED_RULE: Rule(
        MERGED_RULE,
        "read",
        (),
        "warn",
        "a merged cell in the sheet: the value of the merged range's first cell was copied "
        "into this row",
    )
}


def declared_missing(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, list[Any]]:
    rows = con.execute(
        'select "column", list(value order by value) from meta.declared_missing '
        "where source = ? group by 1",
        [source],
    ).fetchall()
    return {c: list(v) for c, v in rows}


def _unavailable(con: duckdb.DuckDBPyConnection, rule: Rule, source: Source) -> str | None:
    """Why a relation or label rule cannot run here (None if it can)."""
    if rule.kind == "labels":
        if rule.columns[0] in source.recode:
            return (
                "not checked: the column is recoded in the config, so the file's labels "
                "name other codes"
            )
        labelled = con.execute(
            'select count(*) from meta.value_labels where source = ? and "column" = ?',
            [source.name, rule.columns[0]],
        ).fetchone()
        if not labelled or not labelled[0]:
            return "not checked: the file has no value labels for this column"
    elif rule.kind.startswith("kommunenummer_"):
        if not table_exists(con, *MUNICIPALITY_MAP):
            return (
                "not checked: the sources municipality_changes and municipality_codes "
                "are not configured"
            )
    elif rule.references and not table_exists(con, "valid", rule.references):
        return f"not checked: the source {rule.references} is not configured"
    return None


def choose_engine(settings: Settings, rows: int) -> str:
    engine = settings.validation.engine
    if engine == "auto":
        return "gx" if rows <= settings.validation.gx_max_rows else "sql"
    return engine


Report = list[tuple[Rule, str, str | None]]  # (rule, engine, why it was not checked)


def _add(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any], rule: Rule) -> None:
    """Append the (file, row) pairs `sql` returns to `failures`, under the rule's name."""
    con.execute(
        f"insert into failures select q.*, n.rule from ({sql}) q cross join (select ? as rule) n",
        [*params, rule.name],
    )


def _reader_failures(con: duckdb.DuckDBPyConnection, source: Source) -> Report:
    """Rows the reader could not read faithfully, and the warnings it left (merged cells)."""
    raw_table = ident("raw", source.name)
    _add(
        con,
        f"select _source_file, _source_row from {raw_table} where _parse_error is not null",
        [],
        PARSE_RULE,
    )
    report: Report = [(PARSE_RULE, "sql", None)]
    noted = con.execute(
        "select distinct rule from meta.read_notes where source = ? order by 1", [source.name]
    ).fetchall()
    for (name,) in noted:
        _add(
            con,
            "select _source_file, _source_row from meta.read_notes where source = ? and rule = ?",
            [source.name, name],
            READ_RULES[name],
        )
        report.append((READ_RULES[name], "read", None))
    return report


def _gx_failures(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    rules: list[Rule],
    valid: str,
    missing: dict[str, list[Any]],
) -> None:
    """The value rules through the GX suite on the typed rows (one Arrow insert of the rows
    that fail, not a statement per row)."""
    frame = con.execute(f"select * from {valid} order by _source_file, _source_row").df()
    for c in contract.columns.values():  # GX compares python values; plain objects for text
        if c.type == "varchar":
            frame[c.name] = frame[c.name].astype(object).where(frame[c.name].notna(), None)
    found = run_suite(contract, rules, frame, missing)
    if found:
        files, rows, names = zip(*found, strict=True)
        con.register("gx_found", pa.table({"f": files, "r": rows, "rule": names}))
        con.execute("insert into failures select f, r, rule from gx_found")
        con.unregister("gx_found")


def collect_failures(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    contract: Contract,
    engine: str,
) -> Report:
    """Write valid.<source> (typed rows), fill temp table `failures` (file, row, rule) and
    return (rule, engine, note) for every rule.

    Types, and with the SQL engine every rule the row alone decides, are checked in the one
    pass that types the rows (one_pass.py); keys and relations run as queries of their own;
    with the GX engine the value rules run in the GX suite."""
    valid = ident("valid", source.name)
    missing = declared_missing(con, source.name)
    con.execute(
        "create or replace temp table failures "
        "(_source_file varchar, _source_row bigint, rule varchar)"
    )
    report = _reader_failures(con, source)
    in_pass, value_rules, other = [], [], []
    for rule in contract.rules:
        if rule.kind == "labels" and source.format != "sav":
            continue  # only SPSS files carry value labels to compare
        if rule.kind == "type" or (engine == "sql" and rule.kind in ROW_KINDS):
            in_pass.append(rule)
        elif rule.engine_neutral:
            value_rules.append(rule)
        else:
            other.append(rule)
    decimal = str(source.options.get("decimal", "auto"))
    write_valid(con, source.name, contract, raw_columns(con, source.name), decimal, in_pass,
                missing)  # fmt: skip
    report += [(rule, "sql" if rule.kind == "type" else engine, None) for rule in in_pass]
    for rule in other:
        why = _unavailable(con, rule, source)
        if why is None:
            query = rule_query(rule, valid, contract.columns, [], source.name)
            assert query is not None
            _add(con, *query, rule)
        report.append((rule, "sql", why))
    if engine == "gx":
        _gx_failures(con, contract, value_rules, valid, missing)
    else:
        for rule in value_rules:
            query = rule_query(rule, valid, contract.columns, missing.get(rule.columns[0], []))
            assert query is not None
            _add(con, *query, rule)
    report += [(rule, engine, None) for rule in value_rules]
    _drop_consequential(con, contract)
    place = {rule.name: i for i, rule in enumerate(contract.rules)}  # the contract's order
    return sorted(report, key=lambda entry: place.get(entry[0].name, -1))


def _drop_consequential(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """A value that fails its type is NULL once typed: do not also call it missing. A row that
    could not be parsed is reported once, as such."""
    for col in contract.columns:
        con.execute(
            "delete from failures f using (select _source_file, _source_row from failures "
            "where rule = ?) t where f._source_file = t._source_file "
            "and f._source_row = t._source_row and f.rule = ?",
            [f"{col}.type", f"{col}.not_null"],
        )
    con.execute(
        "delete from failures f using (select _source_file, _source_row from failures "
        "where rule = ?) t where f._source_file = t._source_file "
        "and f._source_row = t._source_row and f.rule <> ?",
        [PARSE_RULE.name, PARSE_RULE.name],
    )
