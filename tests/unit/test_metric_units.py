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


def _built(
    con: duckdb.DuckDBPyConnection, layer: str, name: str, columns: str, order: str
) -> list[tuple]:
    """Build one model on the hand-made rows and read the given columns back, in order."""
    _model(con, layer, name)
    return con.execute(f"select {columns} from {layer}.{name} order by {order}").fetchall()


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
        ("P1", "a", 2, False),
        ("P1", "b", 2, False),
        ("P1", "c", 2, False),
        ("P2", "a", 4, True),
    ]
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
    got = _built(
        con,
        "intermediate",
        "int_teams__snapshot_status",
        "cast(snapshot_date as varchar), team_id, age_years, age_band",
        "all",
    )
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


def _staging(con: duckdb.DuckDBPyConnection, name: str, columns: str, rows: str) -> None:
    """A staging table of hand-made rows, with the lineage columns every model carries."""
    con.execute("create schema if not exists staging")
    con.execute(
        f"create table staging.{name} as select *, 'src' as _source, 'f.csv' as _source_file, "
        f"row_number() over () + 1 as _source_row from (values {rows}) t({columns})"
    )


def test_readmissions_67_follow_the_fhi_window_and_join_transfers() -> None:
    con = duckdb.connect()
    _staging(
        con,
        "stg_npr__episodes",
        "episode_id, person_id, admission_date, discharge_date, kommune, age, care_level, urgency",
        # person 10: stay 1 is transferred on to stay 2 the same day (one hospital episode:
        # only 2 is a primary stay); stay 3, acute, 13 days after 2 ends, readmits it; stay 4
        # comes 38 days after 3: no readmission. Person 11: 5 is 66 years old (not primary);
        # 6, planned, is primary and is readmitted by 8 (acute, day 30), not by 7 (day care).
        "(1, 10, date '2020-01-01', date '2020-01-05', '5530', 70, 1, 4),"
        "(2, 10, date '2020-01-05', date '2020-01-07', '5530', 70, 1, 1),"
        "(3, 10, date '2020-01-20', date '2020-01-22', '5530', 70, 1, 2),"
        "(4, 10, date '2020-03-01', date '2020-03-02', '5530', 70, 1, 1),"
        "(5, 11, date '2020-06-01', date '2020-06-10', '5530', 66, 1, 1),"
        "(6, 11, date '2020-06-20', date '2020-06-21', '5530', 67, 1, 4),"
        "(7, 11, date '2020-07-21', date '2020-07-22', '5530', 67, 2, 1),"
        "(8, 11, date '2020-07-21', date '2020-07-23', '5530', 67, 1, 3),"
        "(9, 11, date '2020-07-24', date '2020-07-25', '5530', 67, 1, 1)",
    )
    got = _built(
        con,
        "intermediate",
        "int_npr__readmissions_67",
        "episode_id, is_readmitted, readmission_episode_id",
        "episode_id",
    )
    # 8 is followed by 9 one day later: 9 readmits 8 (day 1 is in the window)
    assert got == [
        (2, True, 3),
        (3, False, None),
        (4, False, None),
        (6, True, 8),
        (8, True, 9),
        (9, False, None),
    ]


def test_a_claim_with_several_contact_types_counts_once_as_the_first_ranked() -> None:
    con = duckdb.connect()
    _staging(
        con,
        "stg_kuhr__claims",
        "claim_id, person_id, kommune, contact_date, service_type, fee_code",
        # claim 1: a letter and a physical consultation → fysisk; claim 2: simple contact and
        # e-consultation → e-konsultasjon (alphabetical order would give «e-konsultasjon»
        # too, so claim 3 tells them apart: home visit beats physical, «fysisk» < «sykebesøk»);
        # claim 4: no contact code at all → not a contact; claim 5: two codes of one type →
        # not mixed, no list
        "(1, 1, '5530', date '2020-01-01', 'fastlege', '1bd'),"
        "(1, 1, '5530', date '2020-01-01', 'fastlege', '2ad'),"
        "(2, 1, '5530', date '2020-02-01', 'fastlege', '1ad'),"
        "(2, 1, '5530', date '2020-02-01', 'fastlege', '2ae'),"
        "(3, 2, '5530', date '2020-03-01', 'legevakt', '2ad'),"
        "(3, 2, '5530', date '2020-03-01', 'legevakt', '11ad'),"
        "(4, 2, '5530', date '2020-04-01', 'fastlege', 'zz9'),"
        "(5, 2, '5530', date '2020-05-01', 'fastlege', '2ad'),"
        "(5, 2, '5530', date '2020-05-01', 'fastlege', '2ak')",
    )
    got = _built(
        con,
        "intermediate",
        "int_kuhr__gp_contacts",
        "claim_id, contact_type, contact_types, is_mixed",
        "claim_id",
    )
    assert got == [
        (1, "fysisk", ["brev/telefon", "fysisk"], True),
        (2, "e-konsultasjon", ["e-konsultasjon", "enkel"], True),
        (3, "sykebesøk", ["fysisk", "sykebesøk"], True),
        (5, "fysisk", None, False),
    ]


def test_kpr_service_years_split_decisions_by_year_and_stop_at_death() -> None:
    con = duckdb.connect()
    con.execute("create schema meta")
    con.execute("create table meta.cfg_parameters as select 2019 as first_year, 2021 as last_year")
    _staging(
        con,
        "stg_kpr__services",
        "person_id, kommune, service, from_date, to_date, hours_per_week",
        # 1: home nursing 2019-12-02 → 2020-01-31, 7 h/week: 30 days in 2019, 31 in 2020;
        # 2: practical help, open (no to-date), 3.5 h/week, the person dies 2021-03-01;
        # 3: a long-term stay 2021-06-01 → open: days to the end of the last year
        "(1, '5530', 'hjemmesykepleie', date '2019-12-02', date '2020-01-31', 7.0),"
        "(2, '5530', 'praktisk_bistand', date '2020-07-01', null, 3.5),"
        "(3, '5530', 'langtidsopphold', date '2021-06-01', null, null)",
    )
    _staging(
        con,
        "stg_registry__persons",
        "person_id, death_date",
        "(1, null::date), (2, date '2021-03-01'), (3, null::date)",
    )
    got = _built(
        con,
        "intermediate",
        "int_kpr__service_years",
        "person_id, year, days, hour_days",
        "person_id, year",
    )
    assert got == [
        (1, 2019, 30, 210.0),
        (1, 2020, 31, 217.0),
        (2, 2020, 184, 644.0),  # 1 July to 31 December
        (2, 2021, 60, 210.0),  # to the day of death
        (3, 2021, 214, 0.0),  # 1 June to 31 December: institution days, no home-care hours
    ]
