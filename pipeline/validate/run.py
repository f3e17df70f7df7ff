"""Run each source's contract: structure, types (cast in DuckDB), values (GX).

Writes `quarantine.<source>` (failing rows as read, with rules and reasons),
`meta.validation_failures` (one row per row and rule), `meta.contracts` and
`meta.reconciliation` (rows read = accepted + quarantined, per source and file).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.errors import ContractViolation, UserError
from pipeline.settings import Settings, Source
from pipeline.sqlutil import ident
from pipeline.validate.contracts import TYPES, Column, Contract, load_contract
from pipeline.validate.gx_suite import INDEX, Failure, run_suite


def _ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""create table if not exists meta.validation_failures (
        source varchar, _source_file varchar, _source_row bigint, rule varchar,
        "column" varchar, severity varchar, reason varchar)""")
    con.execute("""create table if not exists meta.contracts (
        source varchar, contract varchar, version varchar, sha256 varchar)""")
    con.execute("""create table if not exists meta.contract_labels (
        source varchar, "column" varchar, value varchar, label varchar)""")
    con.execute("""create table if not exists meta.reconciliation (
        source varchar, file varchar, rows_read bigint, rows_accepted bigint,
        rows_quarantined bigint, balanced boolean)""")


def _raw_columns(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = ?",
        [source],
    ).fetchall()
    if not rows:
        raise UserError(f"raw.{source} does not exist", hint="Run `ot-eval ingest` first")
    return dict(rows)


def _typed_expr(col: Column, raw_type: str) -> str:
    name = ident(col.name)
    target = TYPES[col.type]
    if raw_type == target:
        return name
    if col.type == "date" and col.date_format:
        return f"try_strptime(cast({name} as varchar), '{_escape(col.date_format)}')::date"
    if col.type == "integer" and raw_type == "VARCHAR":
        # '3.0' is not an integer; 'x' is not a number: both fail
        return f"try_cast(trim({name}) as BIGINT)"
    return f"try_cast({name} as {target})"


def _escape(text: str) -> str:
    return text.replace("'", "''")


def check_structure(contract: Contract, raw: dict[str, str], first_file: str) -> None:
    missing = [c.name for c in contract.columns.values() if c.required and c.name not in raw]
    if missing:
        raise UserError(
            f"A required column is missing for contract '{contract.name}'",
            file=first_file,
            column=", ".join(missing),
            expected=f"columns {', '.join(contract.columns)}",
            found=", ".join(c for c in raw if not c.startswith("_")),
            hint="Map the file's column names to the contract's in the config "
            "(sources.<name>.columns)",
        )


def validate_source(con: duckdb.DuckDBPyConnection, settings: Settings, source: Source) -> dict:
    _ensure_meta(con)
    contract = load_contract(settings.contracts_dir / f"{source.contract}.yml")
    raw = _raw_columns(con, source.name)
    table = ident("raw", source.name)
    first_file = con.execute(f"select min(_source_file) from {table}").fetchone()[0]  # type: ignore[index]
    check_structure(contract, raw, first_file)
    present = [c for c in contract.columns.values() if c.name in raw]

    # 1) types: a value present in raw that does not cast is a failure of the column's type
    typed = ", ".join(f"{_typed_expr(c, raw[c.name])} as {ident(c.name)}" for c in present)
    con.execute(
        f"create or replace temp table typed as select _source_file, _source_row, "
        f"{typed} from {table}"
    )
    failures: list[Failure] = []
    for c in present:
        if TYPES[c.type] == raw[c.name]:
            continue
        rows = con.execute(
            f"select r._source_file, r._source_row, cast(r.{ident(c.name)} as varchar) "
            f"from {table} r join typed t using (_source_file, _source_row) "
            f"where r.{ident(c.name)} is not null and t.{ident(c.name)} is null"
        ).fetchall()
        fmt = f" in the format {c.date_format}" if c.date_format else ""
        failures += [
            Failure(
                f,
                r,
                f"{c.name}.type",
                c.name,
                c.severity,
                f"{c.name}={v!r}: not a valid {c.type}{fmt}",
            )
            for f, r, v in rows
        ]

    # 2) values: GX on the rows whose types are fine
    bad_type = {(f.source_file, f.source_row) for f in failures}
    frame = con.execute("select * from typed order by _source_file, _source_row").df()
    if bad_type:
        keys = pd.MultiIndex.from_frame(frame[INDEX])
        frame = frame[~keys.isin(list(bad_type))]
    for c in present:  # GX compares python values; give it plain objects for text
        if c.type == "varchar":
            frame[c.name] = frame[c.name].astype(object).where(frame[c.name].notna(), None)
    failures += run_suite(contract, frame)
    con.execute("drop table typed")
    _record(con, source, contract, failures)
    stops = [f for f in failures if f.severity == "stop"]
    if stops:
        f = stops[0]
        raise ContractViolation(
            f"Rule '{f.rule}' failed and stops the run: {f.reason}",
            file=f.source_file,
            row=f.source_row,
            column=f.column,
            hint=f"{len(stops)} row(s) in all; fix the source file",
        )
    return reconcile(con, source.name)


def _record(
    con: duckdb.DuckDBPyConnection, source: Source, contract: Contract, failures: list[Failure]
) -> None:
    con.execute("delete from meta.validation_failures where source = ?", [source.name])
    con.execute("delete from meta.contracts where source = ?", [source.name])
    con.execute(
        "insert into meta.contracts values (?, ?, ?, ?)",
        [source.name, contract.name, contract.version, contract.sha256],
    )
    con.execute("delete from meta.contract_labels where source = ?", [source.name])
    labels = [
        [source.name, c.name, str(v), label]
        for c in contract.columns.values()
        for v, label in (c.allowed or {}).items()
    ]
    if labels:
        con.executemany("insert into meta.contract_labels values (?, ?, ?, ?)", labels)
    frame = pd.DataFrame(
        [
            (source.name, f.source_file, f.source_row, f.rule, f.column, f.severity, f.reason)
            for f in failures
        ],
        columns=["source", "_source_file", "_source_row", "rule", "column", "severity", "reason"],
    ).astype({"_source_row": "int64"})
    con.register("failures_frame", frame)
    con.execute("insert into meta.validation_failures select * from failures_frame")
    con.unregister("failures_frame")
    q = ident("quarantine", source.name)
    con.execute(f"drop table if exists {q}")
    con.execute(
        f"create table {q} as select r.*, f._rules, f._reasons from {ident('raw', source.name)} r "
        "join (select _source_file, _source_row, string_agg(rule, ', ' order by rule) as _rules,"
        " string_agg(reason, '; ' order by rule) as _reasons from meta.validation_failures "
        "where source = ? and severity = 'quarantine' group by all) f "
        "using (_source_file, _source_row) order by _source_file, _source_row",
        [source.name],
    )


def reconcile(con: duckdb.DuckDBPyConnection, source: str) -> dict:
    """Rows read (ingest) = rows accepted + rows quarantined, per file; fail loudly if not."""
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
            select _source_file as file, count(*) as n
            from {ident("raw", source)} r
            anti join {ident("quarantine", source)} q using (_source_file, _source_row)
            group by 1)
        select ?, i.file, i.rows_read, coalesce(a.n, 0), coalesce(q.n, 0),
               i.rows_read = coalesce(a.n, 0) + coalesce(q.n, 0)
               and i.rows_read = coalesce(r.n, 0)
        from meta.ingest_files i
        left join raw_rows r on r.file = i.file
        left join accepted a on a.file = i.file
        left join quarantined q on q.file = i.file
        where i.source = ?""",
        [source, source],
    )
    rows = con.execute(
        "select file, rows_read, rows_accepted, rows_quarantined, balanced "
        "from meta.reconciliation where source = ? order by file",
        [source],
    ).fetchall()
    for file, read, acc, quar, ok in rows:
        if not ok:
            raise RuntimeError(
                f"Reconciliation failed for {source} ({file}): read {read}, "
                f"accepted {acc}, quarantined {quar}"
            )
    return {
        "source": source,
        "rows_read": sum(r[1] for r in rows),
        "rows_accepted": sum(r[2] for r in rows),
        "rows_quarantined": sum(r[3] for r in rows),
    }


def validate_all(
    con: duckdb.DuckDBPyConnection, settings: Settings, only: str | None = None
) -> list[dict]:
    names = [only] if only else list(settings.sources)
    for name in names:
        if name not in settings.sources:
            raise UserError(
                f"No source named '{name}' in the config",
                file=settings.config_file,
                hint=f"Sources are: {', '.join(settings.sources)}",
            )
    return [validate_source(con, settings, settings.sources[n]) for n in names]
