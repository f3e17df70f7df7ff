"""Compile contract rules to DuckDB SQL: each rule becomes one query for its failing rows.

This is the engine for registry-size tables (nothing passes through pandas) and for the rules
GX cannot express (types, relations to other sources, municipality codes). Every query returns
(_source_file, _source_row) of the failing rows of `valid.<source>` (the typed table); a rule's
parameters are bound, and identifiers are quoted by `ident`.
"""

from __future__ import annotations

from typing import Any

from pipeline.sqlutil import ident
from pipeline.validate.contracts import KOMMUNENUMMER, TYPES, Column, Rule

MUNICIPALITY_MAP = ("staging", "stg_municipality__map")
KEYS = "_source_file, _source_row"


def typed_value(column: Column, value: Any) -> Any:
    """A contract value (from YAML) as the column's type, so `1` matches '1' in a text column."""
    if value is None:
        return None
    if column.type == "varchar":
        return str(value)
    if column.type == "integer":
        return int(value)
    if column.type == "double":
        return float(value)
    return value


def allowed_values(rule: Rule, column: Column, declared_missing: list[Any]) -> list[Any]:
    """The rule's values plus codes the file itself declares missing (SPSS user-missing)."""
    values = [typed_value(column, v) for v, _ in rule.allowed]
    for v in declared_missing:
        try:
            typed = typed_value(column, v)
        except ValueError:
            continue
        if typed not in values:
            values.append(typed)
    return values


def typed_expr(column: Column, raw_type: str, decimal: str) -> str:
    """SQL that turns the raw value into the contract type, NULL if it cannot.

    Text from CSV/Excel is trimmed; integers must be whole ('3.0' and 'x' fail); doubles accept
    a decimal comma unless the source says decimal = '.'; dates use the contract's date_format.
    """
    name = ident(column.name)
    target = TYPES[column.type]
    if raw_type == target:
        return name
    text = f"nullif(trim(cast({name} as varchar)), '')"
    if column.type == "date" and column.date_format:
        # strptime needs a constant format; contracts.DATE_FORMAT admits no quote. A real date
        # cell (Excel) arrives as ISO text, which is unambiguous: accepted beside the format.
        return (
            f"coalesce(try_strptime({text}, '{column.date_format}')::date, "
            f"case when regexp_matches({text}, '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$') "
            f"then try_cast({text} as DATE) end)"
        )
    if column.type == "date" and raw_type == "VARCHAR":
        # a timestamp's date in the session's time zone (the config's, never the machine's):
        # DuckDB's DATE cast would drop a '+00:00' offset and keep the UTC date
        return (
            f"case when regexp_matches({text}, '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$') "
            f"then try_cast({text} as DATE) else try_cast(try_cast({text} as TIMESTAMPTZ) "
            "as DATE) end"
        )
    if column.type == "double" and raw_type == "VARCHAR" and decimal != ".":
        return (
            f"try_cast(case when {text} like '%,%' and {text} not like '%.%' "
            f"then replace({text}, ',', '.') else {text} end as DOUBLE)"
        )
    if column.type == "integer" and raw_type == "VARCHAR":
        # DuckDB would round '3.5' to 4: only whole numbers written as such are integers
        return (
            f"case when regexp_matches({text}, '^[+-]?[0-9]+$') then try_cast({text} as BIGINT) end"
        )
    numeric = raw_type in ("DOUBLE", "FLOAT") or raw_type.startswith("DECIMAL")
    if column.type == "integer" and numeric:
        return f"case when {name} = round({name}) then try_cast({name} as BIGINT) end"
    if column.type == "boolean" and raw_type == "VARCHAR":
        return f"try_cast(lower({text}) as BOOLEAN)"
    if raw_type == "VARCHAR" or column.type == "varchar":
        return f"try_cast({text} as {target})"
    return f"try_cast({name} as {target})"


LABEL = "lower(regexp_replace(trim({}), '\\s+', ' ', 'g'))"  # compared without case or spacing


def label_mismatches(table: str, column: str, source: str) -> tuple[str, list[Any]]:
    """Rows whose code the file labels differently from the contract: file, row, the file's
    label and the contract's (the query behind a `labels` rule, and its shown value)."""
    return (
        f"select t._source_file, t._source_row, f.label as file_label, k.label as contract_label "
        f"from {table} t join meta.value_labels f on f.source = ? and f.file = t._source_file "
        f'and f."column" = ? and f.value = cast(t.{ident(column)} as varchar) '
        'join meta.contract_labels k on k.source = f.source and k."column" = f."column" '
        f"and k.value = f.value where {LABEL.format('f.label')} <> {LABEL.format('k.label')}",
        [source, column],
    )


ROW_KINDS = ("not_null", "allowed", "range", "pattern", "compare")  # decided by the row alone


def row_condition(
    rule: Rule, columns: dict[str, Column], declared_missing: list[Any]
) -> tuple[str, list[Any]]:
    """(condition, params): true where a row fails a rule of ROW_KINDS, read from the typed
    columns by their own names. The per-rule query and the one-pass select (one_pass.py)
    both use it, so the two cannot disagree."""
    c = [ident(x) for x in rule.columns]
    if rule.kind == "not_null":
        return f"{c[0]} is null", []
    if rule.kind == "allowed":
        values = allowed_values(rule, columns[rule.columns[0]], declared_missing)
        return f"{c[0]} is not null and not list_contains(?, {c[0]})", [values]
    if rule.kind == "range":
        tests, params = [], []
        if rule.min is not None:
            tests.append(f"{c[0]} < ?")
            params.append(rule.min)
        if rule.max is not None:
            tests.append(f"{c[0]} > ?")
            params.append(rule.max)
        return f"({' or '.join(tests)})", params
    if rule.kind == "pattern":
        return (
            f"{c[0]} is not null and not regexp_matches(cast({c[0]} as varchar), ?)",
            [rule.pattern],
        )
    if rule.kind == "compare":
        a, b = c
        return f"{a} is not null and {b} is not null and not ({a} {_op(rule)} {b})", []
    raise ValueError(f"rule {rule.name} ({rule.kind}) is not decided by the row alone")


def rule_query(
    rule: Rule,
    table: str,
    columns: dict[str, Column],
    declared_missing: list[Any],
    source: str = "",
) -> tuple[str, list[Any]] | None:
    """(sql, params) selecting the failing rows of `table` for one value or relation rule."""
    c = [ident(x) for x in rule.columns]
    if rule.kind == "labels":
        sql, params = label_mismatches(table, rule.columns[0], source)
        return f"select _source_file, _source_row from ({sql})", params
    if rule.kind in ROW_KINDS:
        condition, params = row_condition(rule, columns, declared_missing)
        return f"select {KEYS} from {table} where {condition}", params
    if rule.kind in ("unique", "key"):
        # the values held more than once, then their rows (a semi join). The values are found
        # in two steps: the hashes held more than once (an aggregation on one 64-bit number,
        # a third less time than on the values at 10⁸ rows), then, among the few rows with
        # such a hash, the values held more than once — exact, a hash collision cannot
        # make a duplicate
        cols = ", ".join(c)
        present = "not (" + " and ".join(f"{x} is null" for x in c) + ")"
        same = " and ".join(f"t.{x} is not distinct from d.{x}" for x in c)
        return (
            f"select t._source_file, t._source_row from {table} t semi join "
            f"(select {cols} from {table} where {present} and hash({cols}) in "
            f"(select hash({cols}) from {table} where {present} group by all "
            f"having count(*) > 1) group by all having count(*) > 1) d on {same}",
            [],
        )
    if rule.kind == "exists":
        assert rule.references is not None
        mine, theirs = rule.on[0]
        other = ident("valid", rule.references)
        return (
            f"select t._source_file, t._source_row from {table} t "
            f"where t.{ident(mine)} is not null and cast(t.{ident(mine)} as varchar) not in "
            f"(select cast({ident(theirs)} as varchar) from {other} "
            f"where {ident(theirs)} is not null)",
            [],
        )
    if rule.kind == "relation":
        assert rule.references is not None and rule.other is not None
        other = ident("valid", rule.references)
        join = " and ".join(f"t.{ident(m)} = o.{ident(o)}" for m, o in rule.on)
        a, b = f"t.{c[0]}", f"o.{ident(rule.other)}"
        return (
            f"select distinct t._source_file, t._source_row from {table} t join {other} o "
            f"on {join} where {a} is not null and {b} is not null and not ({a} {_op(rule)} {b})",
            [],
        )
    if rule.kind == "kommunenummer_known":
        known = ident(*MUNICIPALITY_MAP)
        return (
            f"select t._source_file, t._source_row from {table} t where t.{c[0]} is not null "
            f"and regexp_matches(t.{c[0]}, ?) "
            f"and t.{c[0]} not in (select kommune from {known})",
            [KOMMUNENUMMER],
        )
    if rule.kind == "kommunenummer_split":
        known = ident(*MUNICIPALITY_MAP)
        return (
            f"select t._source_file, t._source_row from {table} t "
            f"where t.{c[0]} in (select kommune from {known} where is_split)",
            [],
        )
    return None


def _op(rule: Rule) -> str:
    # the operator comes from contracts.OPERATORS, checked when the contract was loaded
    assert rule.op in ("<", "<=", ">", ">=", "=")
    return rule.op
