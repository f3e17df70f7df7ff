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


def test_active_teams_on_the_date_edges_birthdays_and_export_date() -> None:
    """Hand-made register: start on D counts, end on D counts, end the day before does not;
    a birthday on D counts the new age; 29 February is reached on 1 March; nothing is counted
    after the register's export date; a person with two teams counts twice (teams)."""
    con = duckdb.connect()
    for schema in ("staging", "intermediate", "meta"):
        con.execute(f"create schema {schema}")
    con.execute(
        """create table staging.stg_teams__register as
        select kommune, team_id, person_id, birth_date::date as birth_date,
            start_date::date as start_date, end_date::date as end_date,
            as_of::date as register_as_of, 'team_register' as _source, 'r.xlsx' as _source_file,
            row_number() over () + 3 as _source_row
        from (values
            ('5530', 'T1', 'P1', '1950-06-01', '2021-03-01', '2021-03-01', '2024-01-01'),
            ('5530', 'T2', 'P2', '1950-06-01', '2021-03-01', '2021-02-28', '2024-01-01'),
            ('5530', 'T3', 'P3', '2004-03-01', '2021-01-01', null, '2024-01-01'),
            ('5530', 'T4', 'P4', '2004-02-29', '2021-01-01', null, '2024-01-01'),
            ('5530', 'T5', 'P5', '2004-02-29', '2021-01-01', null, '2024-01-01'),
            ('5530', 'T6', 'P6', '1990-01-01', '2021-01-01', null, '2021-02-01'),
            ('5530', 'T7', 'P7', '1990-01-01', '2021-01-01', null, '2024-01-01'),
            ('5530', 'T8', 'P7', '1990-01-01', '2021-01-01', null, '2024-01-01')
        ) t(kommune, team_id, person_id, birth_date, start_date, end_date, as_of)"""
    )
    con.execute(
        """create table intermediate.int_teams__count_dates as
        select '5530' as kommune, d::date as snapshot_date from (values
            ('2021-02-28'), ('2021-03-01')) t(d)"""
    )
    con.execute(
        """create table meta.cfg_age_bands as select * from (values
            (0, 16, '0-16', 0), (17, 66, '17-66', 1), (67, null, '67+', 2)
        ) t(age_from, age_to, label, sort_order)"""
    )
    _model(con, "intermediate", "int_teams__snapshot_status")
    got = con.execute(
        "select cast(snapshot_date as varchar), team_id, age_years, age_band "
        "from intermediate.int_teams__snapshot_status order by all"
    ).fetchall()
    assert got == [
        ("2021-02-28", "T3", 16, "0-16"),  # birthday tomorrow
        ("2021-02-28", "T4", 16, "0-16"),  # 29 February: not yet on 28 February
        ("2021-02-28", "T5", 16, "0-16"),
        ("2021-02-28", "T7", 31, "17-66"),
        ("2021-02-28", "T8", 31, "17-66"),  # the same person's second team
        ("2021-03-01", "T1", 70, "67+"),  # starts and ends on the date
        ("2021-03-01", "T3", 17, "17-66"),  # birthday on the date
        ("2021-03-01", "T4", 17, "17-66"),  # 29 February reached on 1 March
        ("2021-03-01", "T5", 17, "17-66"),
        ("2021-03-01", "T7", 31, "17-66"),
        ("2021-03-01", "T8", 31, "17-66"),
    ]  # T2 ended the day before; T6's register was exported 2021-02-01


def test_as_of_is_read_from_config_file_name_or_title() -> None:
    import datetime as dt
    from pathlib import Path

    from pipeline.ingest.as_of import find_as_of

    day = dt.date(2024, 1, 5)
    assert find_as_of(day, Path("x.xlsx"), "") == (day, "config")
    assert find_as_of({"a.xlsx": day}, Path("a.xlsx"), "") == (day, "config")
    assert find_as_of(None, Path("ke_senja_2024-01-05.xlsx"), "") == (day, "file name")
    title = "Oversikt oppfølgingsteam – Senja kommune, eksportert 05.01.2024"
    assert find_as_of(None, Path("ke.xlsx"), title) == (day, "text above the header")
    assert find_as_of(None, Path("ke.xlsx"), "Oversikt per 5.1.2024") == (
        day,
        "text above the header",
    )
    assert find_as_of(None, Path("ke.xlsx"), "Oversikt 2024") == (None, "")
    assert find_as_of({"b.xlsx": day}, Path("a.xlsx"), "eksportert 31.02.2024") == (None, "")
