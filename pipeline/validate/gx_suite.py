"""Turn a contract into a Great Expectations suite and run it on a pandas frame.

Each expectation carries the contract rule it came from in `meta`, so a failing row can be
quarantined under the rule's name with a reason a person can read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.validate.contracts import Contract

INDEX = ["_source_file", "_source_row"]


@dataclass(frozen=True)
class Failure:
    source_file: str
    source_row: int
    rule: str
    column: str
    severity: str
    reason: str


def _labels(allowed: dict[Any, str]) -> str:
    items = [f"{v}" if str(v) == label else f"{v} ({label})" for v, label in allowed.items()]
    return ", ".join(items)


def build_suite(contract: Contract, present: set[str]) -> list[tuple[Any, dict[str, str]]]:
    """(expectation, meta) pairs for every value rule of the contract on present columns."""
    import great_expectations as gx

    E = gx.expectations
    out: list[tuple[Any, dict[str, str]]] = []
    for col in contract.columns.values():
        if col.name not in present:
            continue

        def add(exp: Any, rule: str, reason: str, col: Any = col) -> None:
            meta = {
                "rule": f"{col.name}.{rule}",
                "column": col.name,
                "severity": col.severity,
                "reason": f"{reason}" + (f" ({col.reason})" if col.reason else ""),
            }
            out.append((exp, meta))

        if col.not_null:
            add(E.ExpectColumnValuesToNotBeNull(column=col.name), "not_null", "value is missing")
        if col.allowed is not None:
            add(
                E.ExpectColumnValuesToBeInSet(column=col.name, value_set=list(col.allowed)),
                "allowed",
                f"not one of the allowed values: {_labels(col.allowed)}",
            )
        if col.min is not None or col.max is not None:
            add(
                E.ExpectColumnValuesToBeBetween(
                    column=col.name, min_value=col.min, max_value=col.max
                ),
                "range",
                f"outside the range {col.min} to {col.max}",
            )
        if col.pattern is not None:
            add(
                E.ExpectColumnValuesToMatchRegex(column=col.name, regex=col.pattern),
                "pattern",
                f"does not match the pattern {col.pattern}",
            )
        if col.unique:
            add(
                E.ExpectColumnValuesToBeUnique(column=col.name),
                "unique",
                "the value occurs on more than one row",
            )
    for key in contract.keys:
        if set(key) <= present:
            out.append(
                (
                    E.ExpectCompoundColumnsToBeUnique(column_list=list(key)),
                    {
                        "rule": "key:" + "+".join(key),
                        "column": ",".join(key),
                        "severity": "quarantine",
                        "reason": f"duplicate key ({', '.join(key)}): the row occurs more "
                        "than once",
                    },
                )
            )
    for rule in contract.rules:
        if {rule.column_a, rule.column_b} <= present:
            out.append(
                (
                    E.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A=rule.column_a,
                        column_B=rule.column_b,
                        or_equal=rule.op == ">=",
                        ignore_row_if="either_value_is_missing",
                    ),
                    {
                        "rule": rule.name,
                        "column": f"{rule.column_a},{rule.column_b}",
                        "severity": rule.severity,
                        "reason": f"{rule.column_a} {rule.op} {rule.column_b} does not hold"
                        + (f" ({rule.reason})" if rule.reason else ""),
                    },
                )
            )
    return out


def run_suite(contract: Contract, frame: pd.DataFrame) -> list[Failure]:
    """Validate `frame` (which has the INDEX columns) and return one Failure per failing row."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    pairs = build_suite(contract, set(frame.columns))
    if not pairs or frame.empty:
        return []
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        ctx.data_sources.add_pandas("ot_eval")
        .add_dataframe_asset(contract.name)
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = ctx.suites.add(gx.ExpectationSuite(name=f"{contract.name}@{contract.version}"))
    for exp, meta in pairs:
        exp.meta = meta
        suite.add_expectation(exp)
    result = batch.validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": INDEX}
    )
    failures = []
    for res in result.results:
        if res.success:
            continue
        assert res.expectation_config is not None
        meta = res.expectation_config.meta
        if "exception_info" in res and res.exception_info.get("raised_exception"):
            raise RuntimeError(f"GX could not run {meta['rule']}: {res.exception_info}")
        for item in res.result.get("unexpected_index_list") or []:
            found = {k: v for k, v in item.items() if k not in INDEX}
            value = ", ".join(f"{k}={_show(v)}" for k, v in found.items())
            failures.append(
                Failure(
                    str(item["_source_file"]),
                    int(item["_source_row"]),
                    meta["rule"],
                    meta["column"],
                    meta["severity"],
                    f"{value}: {meta['reason']}",
                )
            )
    return failures


def _show(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "(missing)"
    if isinstance(value, pd.Timestamp):
        return repr(value.date().isoformat())
    return repr(value.item() if hasattr(value, "item") else value)
