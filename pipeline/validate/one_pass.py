"""valid.<source> in one pass over raw.<source>: every value typed by the contract and, in the
same select, every rule that the row alone decides (types, and for the SQL engine not_null,
allowed, range, pattern, compare) evaluated, the names of the rules a row fails kept in a list.

One scan of a registry extract instead of one per rule: at 10⁷ KUHR rows the per-rule scans
cost more than typing the rows. Rules that need other rows (keys, relations, municipality
codes) still run as queries of their own (sql_rules.rule_query). Rows stay in the order they
were read (raw's insertion order, which DuckDB preserves), so no sort of the whole table.
"""

from __future__ import annotations

from typing import Any

import duckdb

from pipeline.sqlutil import ident
from pipeline.validate.contracts import Contract, Rule
from pipeline.validate.sql_rules import row_condition, typed_expr

FAILED = "_failed"  # the list column, dropped once its names are in `failures`


def write_valid(
    con: duckdb.DuckDBPyConnection,
    source: str,
    contract: Contract,
    raw_types: dict[str, str],
    decimal: str,
    rules: list[Rule],
    missing: dict[str, list[Any]],
) -> None:
    """Create valid.<source> (typed rows) and append to temp table `failures` the (file, row,
    rule) of every row failing one of `rules` (type rules and ROW_KINDS rules only)."""
    present, checks, params = [], [], []
    names = list(contract.columns)
    for rule in rules:
        if rule.kind == "type":
            i = names.index(rule.columns[0])
            column = f"r.{ident(rule.columns[0])}"
            present.append(
                f"nullif(trim(cast({column} as varchar)), '') is not null as _present_{i}"
            )
            checks.append(f"case when _present_{i} and {ident(rule.columns[0])} is null then ?")
        else:
            condition, bound = row_condition(
                rule, contract.columns, missing.get(rule.columns[0], [])
            )
            params += bound
            checks.append(f"case when {condition} then ?")
        params.append(rule.name)
    typed = [
        f"{typed_expr(c, raw_types[c.name], decimal)} as {ident(c.name)}"
        for c in contract.columns.values()
    ]
    inner = ", ".join(["r._source_file", "r._source_row", *typed, *present])
    failed = "cast([" + ", ".join(f"{c} end" for c in checks) + "] as varchar[])"
    con.execute(
        f"create or replace table {ident('valid', source)} as "
        f"select _source_file, _source_row, {', '.join(ident(n) for n in names)}, "
        f"list_filter({failed}, lambda x: x is not null) as {FAILED} "
        f"from (select {inner} from {ident('raw', source)} r)",
        params,
    )
    valid = ident("valid", source)
    con.execute(
        f"insert into failures select _source_file, _source_row, unnest({FAILED}) "
        f"from {valid} where len({FAILED}) > 0"
    )
    con.execute(f"alter table {valid} drop column {FAILED}")
