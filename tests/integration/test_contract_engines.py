"""The two validation engines (GX on pandas, contract compiled to DuckDB SQL) flag the same rows.

The sample is clean, so the test first damages every source the same, deterministic way (bad
values in every contract column, duplicated keys), then validates everything once with each
engine and compares (source, file, row, rule) sets.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from pipeline import stages
from pipeline.ingest import ingest_all
from pipeline.settings import Settings, load_settings
from pipeline.sqlutil import ident
from pipeline.transform import when_ready
from pipeline.validate import MODELS_READ, validate_all
from pipeline.validate.contracts import load_contract
from pipeline.warehouse import SCHEMAS
from tests.conftest import make_project

BAD_TEXT = [
    "x1",
    "-5",
    "99999",
    "2021-02-30",
    "ukjent",
    "12",
    "9999",
    "1507",
    None,
    "3,5",
    "3.5",
    "1900-01-01",
    "2099-12-31",
]
BAD_NUMBER = [-5, 99999, None]
BAD_DATE = [None, "1900-01-01", "2099-12-31"]


def _damage(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    for name, source in settings.sources.items():
        if name.startswith("municipality_"):
            continue  # the reference lists stop the run when damaged (tested in the corpus)
        contract = load_contract(settings.contracts_dir / f"{source.contract}.yml")
        table = ident("raw", name)
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ?",
                [name],
            ).fetchall()
        )
        for i, col in enumerate(c for c in contract.columns if c in types):
            raw_type = types[col]
            bad = (
                BAD_TEXT
                if raw_type == "VARCHAR"
                else BAD_DATE
                if raw_type in ("DATE", "TIMESTAMP")
                else BAD_NUMBER
            )
            for j, value in enumerate(bad):
                con.execute(
                    f"update {table} set {ident(col)} = ? where hash(_source_row, ?) % 397 = ?",
                    [value, i, j],
                )
        for rule in contract.rules:
            if rule.kind in ("key", "unique"):
                for col in rule.columns:
                    con.execute(
                        f"update {table} set {ident(col)} = (select {ident(col)} from {table} "
                        f"order by _source_file, _source_row limit 1) "
                        "where hash(_source_row, 'dup') % 211 = 0"
                    )


def _failures(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, int, str]]:
    return set(
        con.execute(
            "select source, _source_file, _source_row, rule from meta.validation_failures"
        ).fetchall()
    )


@pytest.mark.slow
def test_gx_and_sql_engines_flag_exactly_the_same_rows(tmp_path: Path) -> None:
    settings = load_settings(make_project(tmp_path))
    stages.sample(settings, lambda _m: None)
    con = duckdb.connect(str(tmp_path / "engines.duckdb"))
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {ident(schema)}")
    ingest_all(con, settings)
    _damage(con, settings)
    found = {}
    for engine in ("gx", "sql"):
        chosen = dataclasses.replace(
            settings,
            validation=dataclasses.replace(settings.validation, engine=engine, gx_max_rows=0),
        )
        validate_all(con, chosen, on_valid=when_ready(con, chosen, MODELS_READ))
        found[engine] = _failures(con)
        engines = {
            r[0] for r in con.execute("select distinct engine from meta.contracts").fetchall()
        }
        assert engines == {engine}
    con.close()
    assert found["gx"] == found["sql"]
    kinds_hit = {rule.split(".")[-1] for _, _, _, rule in found["sql"]}
    # every kind of value rule was exercised, not just a few
    assert {"not_null", "allowed", "range", "pattern", "type"} <= kinds_hit
    assert any(rule.startswith("key:") for *_, rule in found["sql"])
    assert any(rule.endswith(".unique") for *_, rule in found["sql"])
    assert {"end_after_start", "discharge_after_admission"} <= kinds_hit
    assert len(found["sql"]) > 2_000
