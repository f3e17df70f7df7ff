"""Run each source's contract: structure, types, values (GX or SQL), relations (SQL).

For every source it writes `valid.<source>` (the accepted rows, typed by the contract: what
staging reads), `quarantine.<source>` (failing rows as read, with rules and reasons),
`meta.validation_failures` (one row per row and rule), `meta.rules` (every rule, whether it was
checked and by which engine), `meta.contracts` and `meta.reconciliation` (rows read = accepted
+ quarantined, per source and file; the run fails if they do not add up).
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.errors import ContractViolation, UserError
from pipeline.ingest.readers import DELIMITERS, MERGED_RULE, show_delimiter
from pipeline.settings import Settings, Source
from pipeline.sqlutil import ident, literal, table_exists
from pipeline.validate.contracts import Contract, Rule, load_contract
from pipeline.validate.gx_suite import run_suite
from pipeline.validate.sql_rules import (
    MUNICIPALITY_MAP,
    label_mismatches,
    rule_query,
    type_failures,
    typed_expr,
)

MUNICIPALITY_SOURCES = ("municipality_changes", "municipality_codes")
MODELS_READ = (MUNICIPALITY_MAP,)  # transform models that rules read (built by the caller)
PARSE_RULE = Rule(
    "row.parse",
    "parse",
    (),
    "quarantine",
    "the row cannot be read faithfully (see the value: wrong number of fields, a quote never "
    "closed, an Excel error or an uncalculated formula)",
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


def _ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""create table if not exists meta.validation_failures (
        source varchar, _source_file varchar, _source_row bigint, rule varchar,
        "column" varchar, severity varchar, reason varchar, value varchar)""")
    con.execute("""create table if not exists meta.rules (
        source varchar, rule varchar, kind varchar, "columns" varchar, severity varchar,
        reason varchar, engine varchar, checked boolean, note varchar)""")
    con.execute("""create table if not exists meta.contracts (
        source varchar, contract varchar, version varchar, sha256 varchar, engine varchar)""")
    con.execute("""create table if not exists meta.contract_labels (
        source varchar, "column" varchar, value varchar, label varchar)""")
    con.execute("""create table if not exists meta.reconciliation (
        source varchar, file varchar, rows_in_file bigint, rows_read bigint,
        rows_accepted bigint, rows_quarantined bigint, balanced boolean)""")


def _raw_columns(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
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


def collect_failures(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    contract: Contract,
    engine: str,
) -> list[tuple[Rule, str, str | None]]:
    """Fill temp table `failures` (file, row, rule); return (rule, engine, note) for every rule."""
    raw_table, valid = ident("raw", source.name), ident("valid", source.name)
    missing = declared_missing(con, source.name)
    con.execute(
        "create or replace temp table failures "
        "(_source_file varchar, _source_row bigint, rule varchar)"
    )

    def add(sql: str, params: list[Any], rule: Rule) -> None:
        con.execute(
            f"insert into failures select q.*, n.rule from ({sql}) q "
            "cross join (select ? as rule) n",
            [*params, rule.name],
        )

    add(
        f"select _source_file, _source_row from {raw_table} where _parse_error is not null",
        [],
        PARSE_RULE,
    )
    report: list[tuple[Rule, str, str | None]] = [(PARSE_RULE, "sql", None)]
    noted = con.execute(
        "select distinct rule from meta.read_notes where source = ? order by 1", [source.name]
    ).fetchall()
    for (name,) in noted:
        add(
            "select _source_file, _source_row from meta.read_notes where source = ? and rule = ?",
            [source.name, name],
            READ_RULES[name],
        )
        report.append((READ_RULES[name], "read", None))
    raw_types = _raw_columns(con, source.name)
    decimal = str(source.options.get("decimal", "auto"))
    value_rules = []
    for rule in contract.rules:
        if rule.kind == "labels" and source.format != "sav":
            continue  # only SPSS files carry value labels to compare
        if rule.kind == "type":
            col = contract.columns[rule.columns[0]]
            add(
                type_failures(raw_table, col, typed_expr(col, raw_types[col.name], decimal)),
                [],
                rule,
            )
            report.append((rule, "sql", None))
        elif rule.engine_neutral:
            value_rules.append(rule)
        else:
            why = _unavailable(con, rule, source)
            if why is None:
                query = rule_query(rule, valid, contract.columns, [], source.name)
                assert query is not None
                add(*query, rule)
            report.append((rule, "sql", why))
    if engine == "gx":
        frame = con.execute(f"select * from {valid} order by _source_file, _source_row").df()
        for c in contract.columns.values():  # GX compares python values; plain objects for text
            if c.type == "varchar":
                frame[c.name] = frame[c.name].astype(object).where(frame[c.name].notna(), None)
        found = run_suite(contract, value_rules, frame, missing)
        if found:  # one Arrow insert, not a statement per failing row
            files, rows, rules = zip(*found, strict=True)
            con.register("gx_found", pa.table({"f": files, "r": rows, "rule": rules}))
            con.execute("insert into failures select f, r, rule from gx_found")
            con.unregister("gx_found")
    else:
        for rule in value_rules:
            query = rule_query(rule, valid, contract.columns, missing.get(rule.columns[0], []))
            assert query is not None
            add(*query, rule)
    report += [(rule, engine, None) for rule in value_rules]
    _drop_consequential(con, contract)
    return report


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
        "insert into meta.rules values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [name, r.name, r.kind, ",".join(r.columns), r.severity, r.reason, eng, why is None, why]
            for r, eng, why in report
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


def _record_contract_labels(
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


def validate_source(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: Source, contract: Contract
) -> dict[str, Any]:
    _ensure_meta(con)
    raw = _raw_columns(con, source.name)
    check_structure(con, contract, source)
    raw_table = ident("raw", source.name)
    for col in contract.columns.values():  # absent optional columns are read as empty
        if col.name not in raw:
            con.execute(f"alter table {raw_table} add column {ident(col.name)} varchar")
            raw[col.name] = "VARCHAR"
    decimal = str(source.options.get("decimal", "auto"))
    typed = ", ".join(
        f"{typed_expr(c, raw[c.name], decimal)} as {ident(c.name)}"
        for c in contract.columns.values()
    )
    valid = ident("valid", source.name)
    zone = source.options.get("timezone")
    if zone:  # this source's timestamps were written in another zone than the config's
        con.execute(f"set TimeZone = {literal(zone)}")
    try:
        con.execute(
            f"create or replace table {valid} as select _source_file, _source_row, {typed} "
            f"from {raw_table} order by _source_file, _source_row"
        )
        count = con.execute(f"select count(*) from {raw_table}").fetchone()
        engine = choose_engine(settings, int(count[0]) if count else 0)
        _record_contract_labels(con, source, contract)
        report = collect_failures(con, source, contract, engine)
    finally:
        if zone:
            con.execute(f"set TimeZone = {literal(settings.validation.timezone)}")
    record(con, source, contract, report, engine)
    stop = con.execute(
        'select _source_file, _source_row, rule, "column", value, reason, count(*) over () '
        "from meta.validation_failures where source = ? and severity = 'stop' "
        "order by _source_file, _source_row, rule limit 1",
        [source.name],
    ).fetchone()
    if stop:
        file, row, rule, column, value, reason, n = stop
        raise ContractViolation(
            f"Rule '{rule}' of contract {contract.name} {contract.version} failed and stops "
            f"the run: {value}: {reason}",
            file=file,
            row=row,
            column=column or None,
            hint=f"{n} failure(s) of stopping rules in all; correct the file and run again",
        )
    return reconcile(con, source.name)


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


def validation_order(settings: Settings, contracts: dict[str, Contract]) -> list[str]:
    """Sources in an order where every source comes after the sources its relations read."""
    graph = {name: _deps(settings, c) - {name} for name, c in contracts.items()}
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise UserError(
            f"Contracts refer to each other in a circle: {exc.args[1]}",
            hint="A relation may only read a source that does not read this one",
        ) from exc


def validate_all(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    only: str | None = None,
    on_valid: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Validate the sources in dependency order. `on_valid(source)` runs after each one: the
    caller builds there the models later rules read (MODELS_READ: the municipality map), so
    this stage never runs the transform itself."""
    if only is not None and only not in settings.sources:
        raise UserError(
            f"No source named '{only}' in the config",
            file=settings.config_file,
            hint=f"Sources are: {', '.join(settings.sources)}",
        )
    contracts = {
        name: load_contract(settings.contracts_dir / f"{src.contract}.yml")
        for name, src in settings.sources.items()
    }
    order = validation_order(settings, contracts)
    if only is not None:  # the source and what its relations read
        needed, todo = set(), [only]
        while todo:
            name = todo.pop()
            if name not in needed:
                needed.add(name)
                todo += [d for d in order if d in _deps(settings, contracts[name])]
        order = [n for n in order if n in needed]
    results: list[dict[str, Any]] = []
    for name in order:
        results.append(validate_source(con, settings, settings.sources[name], contracts[name]))
        if on_valid is not None:
            on_valid(name)
    record_alerts(con, settings.validation.max_quarantine_share)
    return results


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


def _deps(settings: Settings, contract: Contract) -> set[str]:
    deps = {r for r in contract.references if r in settings.sources}
    if contract.uses_municipality_codes:
        deps |= {m for m in MUNICIPALITY_SOURCES if m in settings.sources}
    return deps
