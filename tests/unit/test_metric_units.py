"""Single SQL models and the shared unit counting, on in-memory DuckDB with hand-made rows."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.metrics.definition import Definition, Part, unit_counts, unit_filter
from tests.conftest import REPO


def _model(con: duckdb.DuckDBPyConnection, layer: str, name: str) -> None:
    sql = (REPO / "sql" / layer / f"{name}.sql").read_text(encoding="utf-8")
    con.execute(f"create schema if not exists {layer}")
    con.execute(f"create table {layer}.{name} as {sql}")


def test_psfs_improvement_of_exactly_two_counts() -> None:
    """Mean change 2 computed as avg(last) - avg(first) is 1.9999999999999998 in floating
    point for these scores; the mart decides on integer sums, so the person counts."""
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute(
        """create table intermediate.int_psfs__activity_scores as
        select * from (values
            ('P1', '5530', 1, 'a', 0), ('P1', '5530', 1, 'b', 0), ('P1', '5530', 1, 'c', 5),
            ('P1', '5530', 2, 'a', 2), ('P1', '5530', 2, 'b', 2), ('P1', '5530', 2, 'c', 7),
            ('P2', '5530', 1, 'a', 3), ('P2', '5530', 2, 'a', 4),
            ('P3', '5530', 1, 'a', 3)
        ) t(person_id, kommune, conversation_no, activity, score)"""
    )
    con.execute(
        "alter table intermediate.int_psfs__activity_scores add column _source varchar "
        "default 'psfs_forms'"
    )
    con.execute(
        "alter table intermediate.int_psfs__activity_scores add column _source_file varchar "
        "default 'f.csv'"
    )
    con.execute(
        "alter table intermediate.int_psfs__activity_scores add column _source_row bigint default 2"
    )
    assert (2 + 2 + 7) / 3 - (0 + 0 + 5) / 3 < 2  # the float trap this guards against
    _model(con, "marts", "fct_psfs_person_change")
    rows = con.execute(
        "select person_id, n_activities, sum_last - sum_first, is_improved_2 "
        "from marts.fct_psfs_person_change order by person_id"
    ).fetchall()
    assert rows == [("P1", 3, 6, True), ("P2", 1, 1, False)]  # P3: one conversation only


DEF = Definition(
    table="t",
    title="t",
    units="main.units",
    unit="u",
    dims=("indicator", "kommune", "group"),
    filters="",
    method="",
    parts={"": Part("share", "n", "d")},
    keys=("id",),
    totals={"kommune": "Alle"},
    derived={"group": {"Ja-Nei": ("Ja", "Nei")}},
)


@pytest.fixture
def units() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """create table units as select * from (values
            (1, 'x', 'A', 'Ja', true, true), (2, 'x', 'A', 'Ja', true, false),
            (3, 'x', 'B', 'Ja', true, true), (4, 'x', 'B', 'Nei', true, false),
            (5, 'x', 'B', 'Nei', false, false)
        ) t(id, indicator, kommune, "group", is_denominator, is_numerator)"""
    )
    return con


def test_unit_counts_by_group_and_total(units: duckdb.DuckDBPyConnection) -> None:
    got = unit_counts(units, DEF)
    by = {(r["kommune"], r["group"]): (r["n"], r["hits"]) for r in got.to_dict("records")}
    assert by == {
        ("A", "Ja"): (2, 1),
        ("B", "Ja"): (1, 1),
        ("B", "Nei"): (1, 0),  # id 5 is outside the denominator
        ("Alle", "Ja"): (3, 2),
        ("Alle", "Nei"): (1, 0),
    }


def test_unit_filter_reads_totals_and_derived_values(units: duckdb.DuckDBPyConnection) -> None:
    where, params = unit_filter(DEF, {"indicator": "x", "kommune": "Alle", "group": "Ja-Nei"})
    ids = units.execute(f"select id from units where {where} order by id", params).fetchall()
    assert ids == [(1,), (2,), (3,), (4,), (5,)]
    where, params = unit_filter(DEF, {"indicator": "x", "kommune": "B", "group": "Nei"})
    ids = units.execute(f"select id from units where {where} order by id", params).fetchall()
    assert ids == [(4,), (5,)]
