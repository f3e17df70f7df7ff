"""Single SQL models and the shared unit counting, on in-memory DuckDB with hand-made rows."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.metrics.definition import Definition, Part, unit_counts, unit_filter
from pipeline.transform import AGE_YEARS
from tests.conftest import REPO


def _model(con: duckdb.DuckDBPyConnection, layer: str, name: str) -> None:
    sql = (REPO / "sql" / layer / f"{name}.sql").read_text(encoding="utf-8")
    con.execute(f"create schema if not exists {layer}")
    con.execute(f"create table {layer}.{name} as {sql}")


def _psfs_chain(con: duckdb.DuckDBPyConnection, forms: str) -> None:
    """The PSFS models from staging forms (hand-made rows) to the marts."""
    for schema in ("staging", "intermediate", "marts", "meta"):
        con.execute(f"create schema if not exists {schema}")
    con.execute(AGE_YEARS)
    con.execute(
        f"""create table staging.stg_psfs__forms as select person_id, '5530' as kommune,
            conversation_no, conversation_date::date as conversation_date, is_reversed_scale,
            activity_1, score_1, activity_2, score_2, activity_3, score_3,
            null::varchar as activity_4, null::bigint as score_4,
            null::varchar as activity_5, null::bigint as score_5,
            'psfs_forms' as _source, 'f.csv' as _source_file,
            row_number() over () + 1 as _source_row
        from (values {forms}) t(person_id, conversation_no, conversation_date,
            is_reversed_scale, activity_1, score_1, activity_2, score_2, activity_3, score_3)"""
    )
    con.execute(
        "create table staging.stg_teams__register as select 'P1' as person_id, "
        "date '2000-02-29' as birth_date"
    )
    con.execute(
        "create table meta.cfg_age_bands as select * from (values (0, 17, '0-17', 0), "
        "(18, null, '18+', 1)) t(age_from, age_to, label, sort_order)"
    )
    for layer, name in (
        ("intermediate", "int_psfs__activity_scores"),
        ("intermediate", "int_psfs__persons"),
        ("intermediate", "int_psfs__activity_pairs"),
        ("marts", "fct_psfs_activity_change"),
        ("marts", "fct_psfs_person_change"),
        ("marts", "fct_psfs_step_change"),
    ):
        _model(con, layer, name)


def test_psfs_hand_cases() -> None:
    """P1: a change of exactly 2 (1.9999999999999998 as avg(last) - avg(first) in floating
    point) counts; an activity added at conversation 3 has no baseline. P2: a reversed-scale
    form (0 = no difficulty) is turned before the change. P3: one conversation only, no change.
    """
    con = duckdb.connect()
    _psfs_chain(
        con,
        """('P1', 1, '2021-01-10', false, 'a', 0, 'b', 0, 'c', 5),
           ('P1', 2, '2021-03-10', false, 'a', 1, 'b', 1, 'c', 6),
           ('P1', 3, '2021-06-10', false, 'a', 2, 'b', 2, 'c', 7),
           ('P2', 1, '2021-01-10', true, 'a', 9, null, null, null, null),
           ('P2', 2, '2022-01-10', true, 'a', 5, 'x', 3, null, null),
           ('P3', 1, '2021-01-10', false, 'a', 3, null, null, null, null)""",
    )
    assert (2 + 2 + 7) / 3 - (0 + 0 + 5) / 3 < 2  # the float trap this guards against
    people = con.execute(
        "select person_id, n_activities, sum_last - sum_first, is_improved_2, mid_category, "
        "age_band, period from marts.fct_psfs_person_change order by person_id"
    ).fetchall()
    assert people == [
        ("P1", 3, 6, True, "liten", "18+", "2021"),  # 2.0: small MID; 20 years on 2021-01-10
        ("P2", 1, 4, True, "stor", "ukjent", "2022"),  # 10-9=1 -> 10-5=5: +4; x added later
    ]
    activities = con.execute(
        "select person_id, activity, change, is_improved_3 from marts.fct_psfs_activity_change "
        "order by all"
    ).fetchall()
    assert activities == [
        ("P1", "a", 2, False), ("P1", "b", 2, False), ("P1", "c", 2, False), ("P2", "a", 4, True)
    ]  # fmt: skip
    steps = con.execute(
        "select person_id, conversation_no, n_activities, mean_change "
        "from marts.fct_psfs_step_change order by all"
    ).fetchall()
    assert steps == [("P1", 2, 3, 1.0), ("P1", 3, 3, 1.0), ("P2", 2, 1, 4.0)]


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
    con.execute(AGE_YEARS)
    con.execute(
        """create table staging.stg_teams__register as
        select kommune, team_id, person_id, birth_date::date as birth_date,
            start_date::date as start_date, end_date::date as end_date,
            as_of::date as register_as_of, true as has_ip, 'K1' as coordinator_id,
            'Helse' as coordinator_sector, 'team_register' as _source, 'r.xlsx' as _source_file,
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
