"""The SQL models are plain SQL: sqlglot transpiles every one from DuckDB's dialect to Spark
SQL with nothing it would have to drop (unsupported_level=RAISE), the Spark text parses as
Spark SQL again, and it reads the same tables. Syntax only — no Spark runs here; what a
cluster would need besides is in bench/README.md."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from pipeline.transform import discover
from tests.conftest import REPO

MODELS = discover(REPO / "sql")


def _tables(tree: exp.Expr) -> set[str]:
    ctes = {c.alias for c in tree.find_all(exp.CTE)}
    return {f"{t.db}.{t.name}" for t in tree.find_all(exp.Table) if t.db and t.name not in ctes}


@pytest.mark.parametrize("model", MODELS, ids=[m.relation for m in MODELS])
def test_every_model_transpiles_to_spark_sql(model) -> None:  # type: ignore[no-untyped-def]
    (spark,) = sqlglot.transpile(
        model.sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE
    )
    again = sqlglot.parse_one(spark, read="spark")
    original = sqlglot.parse_one(model.sql, read="duckdb")
    assert _tables(again) == _tables(original)
    assert _tables(original)  # every model reads something


def test_there_are_models_to_transpile() -> None:
    assert len(MODELS) >= 40
