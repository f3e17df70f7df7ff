"""Run each source's contract, in dependency order: structure (structure.py), failing rows
per rule (failures.py), what they found (record.py), the row accounting (reconcile.py).

For every source it writes `valid.<source>` (the accepted rows, typed by the contract: what
staging reads), `quarantine.<source>` (failing rows as read, with rules and reasons),
`meta.validation_failures` (one row per row and rule), `meta.rules` (every rule, whether it was
checked and by which engine), `meta.contracts` and `meta.reconciliation` (rows read = accepted
+ quarantined, per source and file; the run fails if they do not add up).
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable
from typing import Any

import duckdb

from pipeline.catalogue import comments
from pipeline.catalogue.describe import contract_columns, texts
from pipeline.errors import ContractViolation, UserError
from pipeline.settings import Settings, Source
from pipeline.sqlutil import ident, literal
from pipeline.validate.contracts import Contract, load_contract
from pipeline.validate.failures import choose_engine, collect_failures
from pipeline.validate.reconcile import reconcile, record_alerts
from pipeline.validate.record import ensure_meta, record, record_contract_labels
from pipeline.validate.sql_rules import MUNICIPALITY_MAP
from pipeline.validate.structure import check_as_of, check_structure, raw_columns

MUNICIPALITY_SOURCES = ("municipality_changes", "municipality_codes")
MODELS_READ = (MUNICIPALITY_MAP,)  # transform models that rules read (built by the caller)


def validate_source(
    con: duckdb.DuckDBPyConnection, settings: Settings, source: Source, contract: Contract
) -> dict[str, Any]:
    ensure_meta(con)
    raw = raw_columns(con, source.name)
    check_structure(con, contract, source)
    check_as_of(con, contract, source)
    raw_table = ident("raw", source.name)
    for col in contract.columns.values():  # absent optional columns are read as empty
        if col.name not in raw:
            con.execute(f"alter table {raw_table} add column {ident(col.name)} varchar")
    zone = source.options.get("timezone")
    if zone:  # this source's timestamps were written in another zone than the config's
        con.execute(f"set TimeZone = {literal(zone)}")
    try:
        count = con.execute(f"select count(*) from {raw_table}").fetchall()[0]
        engine = choose_engine(settings, int(count[0]))
        record_contract_labels(con, source, contract)
        report = collect_failures(con, source, contract, engine)
    finally:
        if zone:
            con.execute(f"set TimeZone = {literal(settings.validation.timezone)}")
    comments.apply(con, "valid", source.name, contract.description,
                   texts(contract_columns(contract)))  # fmt: skip
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


REQUIRED_WHY = "the config weights this survey: [evaluation.survey_weights]"


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
        .with_date_format(src.options.get("date_format"))
        .with_required(src.required, REQUIRED_WHY)
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


def _deps(settings: Settings, contract: Contract) -> set[str]:
    deps = {r for r in contract.references if r in settings.sources}
    if contract.uses_municipality_codes:
        deps |= {m for m in MUNICIPALITY_SOURCES if m in settings.sources}
    return deps
