"""Turn a contract's value rules into a Great Expectations suite and run it on a pandas frame.

Used for sources small enough for pandas. Each expectation carries its rule's name in `meta`,
so failing rows come back as (file, row, rule) exactly as the SQL engine returns them; a test
checks that the two engines flag the same rows.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
from typing import Any

import pandas as pd

from pipeline.validate.contracts import Column, Contract, Rule
from pipeline.validate.sql_rules import allowed_values

INDEX = ["_source_file", "_source_row"]


def warm() -> threading.Thread:
    """Import GX in a background thread, so that the seconds its import takes pass while
    ingest works (mostly in DuckDB, Arrow and numpy, which release the GIL). A failed import
    is left to the import that needs GX, which reports it. The caller joins the thread before
    its run ends: an import still running at interpreter shutdown can crash it."""

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module("great_expectations")

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    return thread


def expectation(rule: Rule, columns: dict[str, Column], declared_missing: list[Any]) -> Any:
    """The GX expectation for one value rule (None for rules GX cannot express)."""
    import great_expectations as gx

    E = gx.expectations
    col = rule.columns[0]
    if rule.kind == "not_null":
        return E.ExpectColumnValuesToNotBeNull(column=col)
    if rule.kind == "allowed":
        values = allowed_values(rule, columns[col], declared_missing)
        return E.ExpectColumnValuesToBeInSet(column=col, value_set=values)
    if rule.kind == "range":
        return E.ExpectColumnValuesToBeBetween(column=col, min_value=rule.min, max_value=rule.max)
    if rule.kind == "pattern":
        return E.ExpectColumnValuesToMatchRegex(column=col, regex=rule.pattern or "")
    if rule.kind == "unique":
        return E.ExpectColumnValuesToBeUnique(column=col)
    if rule.kind == "key":
        return E.ExpectCompoundColumnsToBeUnique(
            column_list=list(rule.columns), ignore_row_if="all_values_are_missing"
        )
    if rule.kind == "compare":
        a, b = rule.columns
        if rule.op == "=":
            return E.ExpectColumnPairValuesToBeEqual(
                column_A=a, column_B=b, ignore_row_if="either_value_is_missing"
            )
        if rule.op in ("<", "<="):  # a < b  is  b > a
            a, b = b, a
        return E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=a,
            column_B=b,
            or_equal=rule.op in ("<=", ">="),
            ignore_row_if="either_value_is_missing",
        )
    return None


def run_suite(
    contract: Contract,
    rules: list[Rule],
    frame: pd.DataFrame,
    declared_missing: dict[str, list[Any]],
) -> list[tuple[str, int, str]]:
    """Validate `frame` (typed, with the INDEX columns); (file, row, rule) per failing row."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    if frame.empty or not rules:
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
    for rule in rules:
        exp = expectation(rule, contract.columns, declared_missing.get(rule.columns[0], []))
        if exp is None:
            raise ValueError(f"rule {rule.name} ({rule.kind}) has no GX expectation")
        exp.meta = {"rule": rule.name}
        suite.add_expectation(exp)
    result = batch.validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": INDEX}
    )
    failures = []
    for res in result.results:
        if res.success:
            continue
        assert res.expectation_config is not None
        name = res.expectation_config.meta["rule"]
        if "exception_info" in res and res.exception_info.get("raised_exception"):
            raise RuntimeError(f"GX could not run {name}: {res.exception_info}")
        for item in res.result.get("unexpected_index_list") or []:
            failures.append((str(item["_source_file"]), int(item["_source_row"]), name))
    return failures
