"""The bad-input corpus: one case per defect, each with the exact outcome it must produce.

`python -m tests.corpus.cases` (re)writes the files under tests/corpus/files/ from the
definitions below, deterministically; the files are committed so a reader can open them.
An outcome is either a stop (a one-message error naming file, row and/or column) or an exact
quarantine ({row: rules}) with exact reconciliation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

FILES = Path(__file__).parent / "files"


@dataclass(frozen=True)
class Case:
    name: str  # the defect, and the file's name
    source: str
    file: str  # under files/ (may be a glob)
    format: str
    options: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    error: tuple[str, ...] = ()  # substrings the one-line message must contain
    quarantined: dict[int, str] = field(default_factory=dict)  # row -> rules (", "-joined)
    accepted: int | None = None
    warnings: dict[int, str] = field(default_factory=dict)  # row -> warn-only rules
    check: str | None = None  # SQL returning one true value, run on the warehouse


PSFS_HEADER = "person;kommunenr;samtale_nr;dato;skala;aktivitet_1;poeng_1;aktivitet_2;poeng_2"
PSFS_OK = "P1;5530;1;2023-01-10;0=kan ikke utføre;Gå på ski;3;Handle;4"
KUHR_HEADER = "regning_id;lopenr;dato;komnr;tjenestetype;takst"
TEAM_HEADER = [
    "Team-ID", "Person (pseudonym)", "Fødselsdato", "Koordinator", "Koordinators sektor", "IP",
    "Henvist dato", "KE-vedtak dato", "Startdato", "Sluttdato", "Kommunenr",
]  # fmt: skip
TEAM_COLUMNS = {
    "Team-ID": "team_id", "Person (pseudonym)": "person_id", "Fødselsdato": "birth_date",
    "Koordinator": "coordinator_id", "Koordinators sektor": "coordinator_sector", "IP": "has_ip",
    "Henvist dato": "referral_date", "KE-vedtak dato": "decision_date",
    "Startdato": "start_date", "Sluttdato": "end_date", "Kommunenr": "kommune",
}  # fmt: skip


def _team_row(team: str, **over: Any) -> list[Any]:
    row = {
        "Team-ID": team, "Person (pseudonym)": f"P-{team}", "Fødselsdato": dt.date(1950, 5, 1),
        "Koordinator": "K1", "Koordinators sektor": "Helse", "IP": "Ja",
        "Henvist dato": dt.date(2022, 1, 10), "KE-vedtak dato": dt.date(2022, 2, 1),
        "Startdato": dt.date(2022, 2, 15), "Sluttdato": None, "Kommunenr": "5530",
    }  # fmt: skip
    row.update(over)
    return [row[h] for h in TEAM_HEADER]


def _kuhr(*rows: str, header: str = KUHR_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


KUHR_OK = ["1;1;2022-03-01;5530;fastlege;2ad", "1;1;2022-03-01;5530;fastlege;701a"]

# files written as text: name -> (content, encoding)
TEXT: dict[str, tuple[str, str]] = {
    "psfs_cp1252_detected.csv": (
        "\n".join([PSFS_HEADER, PSFS_OK, "P2;4602;1;2023-02-01;0=ingen vansker;Gå tur;2;;"]) + "\n",
        "cp1252",
    ),
    "psfs_wrong_encoding_configured.csv": (
        "\n".join([PSFS_HEADER, "P1;5530;1;2023-01-10;0=kan ikke utføre;Ski;3;;", PSFS_OK]) + "\n",
        "cp1252",
    ),
    "psfs_utf8_bom_comma_delimited.csv": (
        PSFS_HEADER.replace(";", ",") + "\n" + PSFS_OK.replace(";", ",") + "\n",
        "utf-8-sig",
    ),
    "psfs_impossible_date.csv": (
        "\n".join([PSFS_HEADER, PSFS_OK, PSFS_OK.replace("P1;", "P9;").replace("01-10", "02-30")])
        + "\n",
        "utf-8",
    ),
    "psfs_bad_kommunenummer.csv": (
        "\n".join([PSFS_HEADER, PSFS_OK.replace("5530", "530")]) + "\n",
        "utf-8",
    ),
    "psfs_score_out_of_range.csv": (
        "\n".join([PSFS_HEADER, PSFS_OK, PSFS_OK.replace("P1;", "P2;").replace(";3;", ";11;")])
        + "\n",
        "utf-8",
    ),
    "psfs_score_not_whole_number.csv": (
        "\n".join([PSFS_HEADER, PSFS_OK.replace(";3;", ";7.5;")]) + "\n",
        "utf-8",
    ),
    "psfs_scale_missing_and_unknown.csv": (
        "\n".join(
            [
                PSFS_HEADER,
                PSFS_OK,
                PSFS_OK.replace("P1;", "P2;").replace("0=kan ikke utføre", ""),
                PSFS_OK.replace("P1;", "P3;").replace("0=kan ikke utføre", "10=best"),
            ]
        )
        + "\n",
        "utf-8",
    ),
    "psfs_without_optional_columns.csv": (
        "person;kommunenr;samtale_nr;dato;skala;aktivitet_1;poeng_1\n"
        "P1;5530;1;2023-01-10;0=kan ikke utføre;Ski;3\n",
        "utf-8",
    ),
    "psfs_duplicate_conversation.csv": (
        "\n".join(
            [PSFS_HEADER, PSFS_OK, PSFS_OK.replace(";3;", ";5;"), PSFS_OK.replace("P1", "P2")]
        )
        + "\n",
        "utf-8",
    ),
    "kuhr_empty_file.csv": ("", "utf-8"),
    "kuhr_header_only.csv": (KUHR_HEADER + "\n", "utf-8"),
    "kuhr_truncated_last_row.csv": (_kuhr(*KUHR_OK, "2;2;2022-03-0").rstrip("\n"), "utf-8"),
    "kuhr_stray_delimiter_in_row.csv": (
        _kuhr(KUHR_OK[0], "2;2;2022-04-01;5530;fastlege;2ad;x", KUHR_OK[1]),
        "utf-8",
    ),
    "kuhr_required_column_missing.csv": (
        _kuhr("1;1;2022-03-01;5530;fastlege", header="regning_id;lopenr;dato;komnr;tjenestetype"),
        "utf-8",
    ),
    "kuhr_duplicate_fee_line.csv": (_kuhr(*KUHR_OK, KUHR_OK[0]), "utf-8"),
    "kuhr_unknown_municipality_code.csv": (
        _kuhr(KUHR_OK[0], "2;2;2022-03-01;9999;fastlege;2ad"),
        "utf-8",
    ),
    "kuhr_split_municipality_code.csv": (
        _kuhr(KUHR_OK[0], "2;2;2022-03-01;1507;legevakt;2ad"),
        "utf-8",
    ),
    "kuhr_claim_after_death.csv": (
        _kuhr(KUHR_OK[0], "2;3;2020-07-15;5421;fastlege;2ad", "3;3;2020-06-01;5421;fastlege;2ad"),
        "utf-8",
    ),
    "kuhr_bad_fee_code.csv": (_kuhr(KUHR_OK[0], "2;2;2022-03-01;5530;fastlege;2ad-X!"), "utf-8"),
    "kuhr_duplicate_header_name.csv": (
        _kuhr("1;1;2022-03-01;5530;fastlege;2ad", header=KUHR_HEADER.replace("takst", "dato")),
        "utf-8",
    ),
    "kpr_decimal_comma.csv": (
        "lopenr;komnr;tjeneste;fra_dato;til_dato;timer_per_uke;bistandsbehov\n"
        "1;5530;hjemmesykepleie;2021-01-01;2021-06-30;7,5;3\n"
        "2;5530;praktisk_bistand;2021-02-01;2021-01-01;1,5;2\n",
        "utf-8",
    ),
    "kuhr_glob_a.csv": (_kuhr(*KUHR_OK), "utf-8"),
    "kuhr_glob_b.csv": (
        _kuhr("5;5;2022-03-01;5530;fastlege", header="regning_id;lopenr;dato;komnr;tjenestetype"),
        "utf-8",
    ),
    "team_register_not_really_excel.xlsx": ("Team-ID;Startdato\nT1;2022-01-01\n", "utf-8"),
    "segments_unknown_interview_and_code.csv": (
        "Dokumentgruppe;Dokumentname;Code;Anfang;Ende;Coder\n"
        "Senja;INT-001;Tiltaket\\Fleksibilitet;1;2;A\n"
        "Senja;INT-999;Tiltaket\\Fleksibilitet;1;2;A\n"
        "Senja;INT-001;Tiltaket\\Finnes ikke;3;4;A\n"
        "Senja;INT-001;Tiltaket\\Fleksibilitet;9;4;B\n",
        "utf-8",
    ),
    "base_interviews.csv": (
        "intervju_id;kommune;rolle;dato;modus\nINT-001;5530;Leder;2022-09-22;Video\n",
        "utf-8",
    ),
    "base_codebook.csv": (
        "kode;tema;beskrivelse\nTiltaket\\Fleksibilitet;Tiltaket;Fleks\n",
        "utf-8",
    ),
    "municipality_codes_duplicate_code.csv": (
        '"code";"name"\n"5530";"Senja"\n"4602";"Kinn"\n"5530";"Senja"\n',
        "utf-8",
    ),
}


def _workbook(path: Path, sheet: str, rows: list[list[Any]]) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)


def _persons(path: Path, rows: list[dict[str, Any]]) -> None:
    pq.write_table(pa.Table.from_pylist(rows), path)


PERSON = {"lopenr": 1, "aar": 2020, "fodselsaar": 1950, "kjonn": 1, "komnr": "5421",
          "dodsdato": None}  # fmt: skip


def _person(**over: Any) -> dict[str, Any]:
    return {**PERSON, **over}


def _staff(path: Path, k_tid: list[float], missing: dict[str, list[Any]] | None) -> None:
    items = ["sektor", "involvert", "kjent_pilot", "kjent_ot", "ny_arbeidsmaate",
             "stotter_videreforing", "k_opplaering", "k_lederstotte", "k_rolle",
             "l_rekruttering", "l_aktive_grep"]  # fmt: skip
    frame = pd.DataFrame(
        {
            "respid": [1.0, 2.0, 3.0],
            "wave": [2021.0, 2021.0, 2021.0],
            "kommune": ["5530", "5530", "4602"],
            "rolle": [4.0, 4.0, 7.0],
            "k_tid": k_tid,
            **{item: [1.0, 2.0, float("nan")] for item in items},
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "k_tid": {1: "I svært liten grad", 5: "I svært stor grad", 8: "Ikke svart"}
        },
        missing_ranges=missing,
    )


def _binary(files: Path) -> None:
    title = [["Teamregister Senja – eksportert 2023-10-04"], [], [None]]
    _workbook(
        files / "team_register_title_rows_above_header.xlsx",
        "Team",
        [*title, TEAM_HEADER, _team_row("T1"), [], _team_row("T2")],
    )
    _workbook(files / "team_register_wrong_sheet.xlsx", "Ark1", [TEAM_HEADER, _team_row("T1")])
    _workbook(
        files / "team_register_end_before_start.xlsx",
        "Team",
        [TEAM_HEADER, _team_row("T1"), _team_row("T2", Sluttdato=dt.date(2022, 1, 1))],
    )
    _workbook(
        files / "team_register_decision_before_referral.xlsx",
        "Team",
        [TEAM_HEADER, _team_row("T1", **{"KE-vedtak dato": dt.date(2021, 12, 1)})],
    )
    _workbook(
        files / "team_register_start_column_missing.xlsx",
        "Team",
        [TEAM_HEADER[:8] + TEAM_HEADER[9:], _team_row("T1")[:8] + _team_row("T1")[9:]],
    )
    _workbook(
        files / "team_register_cells_right_of_header.xlsx",
        "Team",
        [TEAM_HEADER, _team_row("T1"), [*_team_row("T2"), None, "merknad"]],
    )
    _workbook(
        files / "team_register_duplicate_team_id.xlsx",
        "Team",
        [TEAM_HEADER, _team_row("T1"), _team_row("T1"), _team_row("T3")],
    )
    _workbook(files / "team_register_empty_sheet.xlsx", "Team", [])
    _persons(
        files / "base_registry_persons.parquet",
        [_person(), _person(lopenr=3, dodsdato=dt.date(2020, 6, 30))],
    )
    _persons(
        files / "registry_persons_duplicate_person_year.parquet",
        [_person(), _person(), _person(lopenr=2)],
    )
    _persons(
        files / "registry_persons_resident_before_birth.parquet",
        [_person(), _person(lopenr=2, aar=2017, fodselsaar=2019)],
    )
    _persons(
        files / "registry_persons_text_in_integer_column.parquet",
        [{**_person(), "lopenr": "1"}, {**_person(), "lopenr": "abc"}],
    )
    whole = (files / "base_registry_persons.parquet").read_bytes()
    (files / "registry_persons_cut_off.parquet").write_bytes(whole[: len(whole) // 2])
    episode = {"episode_id": 1, "lopenr": 1, "inndato": dt.date(2020, 3, 1),
               "utdato": dt.date(2020, 3, 4), "komnr": "5421", "alder": 70, "kjonn": 1,
               "hdiag": "I21", "omsorgsniva": 1, "innmateHast": 1}  # fmt: skip
    pq.write_table(
        pa.Table.from_pylist(
            [
                episode,
                {**episode, "episode_id": 2, "utdato": dt.date(2020, 2, 1)},
                {
                    **episode,
                    "episode_id": 3,
                    "lopenr": 3,
                    "inndato": dt.date(2020, 8, 1),
                    "utdato": dt.date(2020, 8, 2),
                },
            ]
        ),
        files / "npr_discharge_before_admission_and_after_death.parquet",
    )
    _staff(files / "survey_staff_declared_missing_code.sav", [1.0, 8.0, 5.0], {"k_tid": [8]})
    _staff(files / "survey_staff_undeclared_code.sav", [1.0, 8.0, 5.0], None)
    whole = (files / "survey_staff_undeclared_code.sav").read_bytes()
    (files / "survey_staff_cut_off.sav").write_bytes(whole[: len(whole) // 3])


def build(files: Path = FILES) -> None:
    files.mkdir(parents=True, exist_ok=True)
    for name, (text, encoding) in TEXT.items():
        (files / name).write_bytes(text.encode(encoding))
    _binary(files)


TEAM = {"columns": TEAM_COLUMNS, "format": "xlsx"}
CASES: list[Case] = [
    # --- CSV: encodings, delimiters, structure -------------------------------------------------
    Case(
        "psfs_cp1252_detected",
        "psfs_forms",
        "psfs_cp1252_detected.csv",
        "csv",
        accepted=2,
        check="select encoding = 'cp1252' and (select aktivitet_1 from valid.psfs_forms "
        "where person = 'P2') = 'Gå tur' from meta.ingest_files where source = 'psfs_forms'",
    ),
    Case(
        "psfs_wrong_encoding_configured",
        "psfs_forms",
        "psfs_wrong_encoding_configured.csv",
        "csv",
        options={"encoding": "utf-8"},
        error=(
            "cannot be read as utf-8",
            "psfs_wrong_encoding_configured.csv",
            "row 2",
            "0xf8",
            "cp1252",
        ),
    ),
    Case(
        "psfs_utf8_bom_comma_delimited",
        "psfs_forms",
        "psfs_utf8_bom_comma_delimited.csv",
        "csv",
        accepted=1,
        check="select encoding = 'utf-8-sig' and delimiter = ',' from meta.ingest_files "
        "where source = 'psfs_forms'",
    ),
    Case(
        "psfs_impossible_date",
        "psfs_forms",
        "psfs_impossible_date.csv",
        "csv",
        quarantined={3: "dato.type"},
        accepted=1,
    ),
    Case(
        "psfs_bad_kommunenummer",
        "psfs_forms",
        "psfs_bad_kommunenummer.csv",
        "csv",
        quarantined={2: "kommunenr.pattern"},
        accepted=0,
    ),
    Case(
        "psfs_score_out_of_range",
        "psfs_forms",
        "psfs_score_out_of_range.csv",
        "csv",
        quarantined={3: "poeng_1.range"},
        accepted=1,
    ),
    Case(
        "psfs_score_not_whole_number",
        "psfs_forms",
        "psfs_score_not_whole_number.csv",
        "csv",
        quarantined={2: "poeng_1.type"},
        accepted=0,
    ),
    Case(
        "psfs_scale_missing_and_unknown",
        "psfs_forms",
        "psfs_scale_missing_and_unknown.csv",
        "csv",
        quarantined={3: "skala.not_null", 4: "skala.allowed"},
        accepted=1,
    ),
    Case(
        "psfs_without_optional_columns",
        "psfs_forms",
        "psfs_without_optional_columns.csv",
        "csv",
        accepted=1,
        check="select poeng_5 is null and poeng_1 = 3 from valid.psfs_forms",
    ),
    Case(
        "psfs_duplicate_conversation",
        "psfs_forms",
        "psfs_duplicate_conversation.csv",
        "csv",
        quarantined={2: "key:person+samtale_nr", 3: "key:person+samtale_nr"},
        accepted=1,
    ),
    Case(
        "kuhr_empty_file",
        "kuhr_claims",
        "kuhr_empty_file.csv",
        "csv",
        error=("The file is empty (0 bytes)", "kuhr_empty_file.csv"),
    ),
    Case(
        "kuhr_header_only",
        "kuhr_claims",
        "kuhr_header_only.csv",
        "csv",
        error=("header but no data rows", "kuhr_header_only.csv", "row 2"),
    ),
    Case(
        "kuhr_truncated_last_row",
        "kuhr_claims",
        "kuhr_truncated_last_row.csv",
        "csv",
        error=(
            "ends in the middle of a row",
            "kuhr_truncated_last_row.csv",
            "row 4",
            "expected 6 fields",
        ),
    ),
    Case(
        "kuhr_stray_delimiter_in_row",
        "kuhr_claims",
        "kuhr_stray_delimiter_in_row.csv",
        "csv",
        quarantined={3: "row.parse"},
        accepted=2,
    ),
    Case(
        "kuhr_required_column_missing",
        "kuhr_claims",
        "kuhr_required_column_missing.csv",
        "csv",
        error=("required column is missing", "kuhr_required_column_missing.csv", "column 'takst'"),
    ),
    Case(
        "kuhr_duplicate_header_name",
        "kuhr_claims",
        "kuhr_duplicate_header_name.csv",
        "csv",
        error=("same name in the header", "row 1", "column 'dato'"),
    ),
    Case(
        "kuhr_duplicate_fee_line",
        "kuhr_claims",
        "kuhr_duplicate_fee_line.csv",
        "csv",
        quarantined={2: "key:regning_id+takst", 4: "key:regning_id+takst"},
        accepted=1,
    ),
    Case(
        "kuhr_unknown_municipality_code",
        "kuhr_claims",
        "kuhr_unknown_municipality_code.csv",
        "csv",
        quarantined={3: "komnr.kommunenummer_known"},
        accepted=1,
    ),
    Case(
        "kuhr_split_municipality_code",
        "kuhr_claims",
        "kuhr_split_municipality_code.csv",
        "csv",
        accepted=2,
        warnings={3: "komnr.kommunenummer_split"},
    ),
    Case(
        "kuhr_claim_after_death",
        "kuhr_claims",
        "kuhr_claim_after_death.csv",
        "csv",
        quarantined={3: "no_service_after_death"},
        accepted=2,
    ),
    Case(
        "kuhr_bad_fee_code",
        "kuhr_claims",
        "kuhr_bad_fee_code.csv",
        "csv",
        quarantined={3: "takst.pattern"},
        accepted=1,
    ),
    Case(
        "kuhr_glob_second_file_lacks_column",
        "kuhr_claims",
        "kuhr_glob_*.csv",
        "csv",
        error=("required column is missing", "kuhr_glob_b.csv", "column 'takst'"),
    ),
    Case(
        "kuhr_file_missing",
        "kuhr_claims",
        "kuhr_claims_2031.csv",
        "csv",
        error=("No input file for source 'kuhr_claims'", "kuhr_claims_2031.csv"),
    ),
    Case(
        "kpr_decimal_comma",
        "kpr_services",
        "kpr_decimal_comma.csv",
        "csv",
        quarantined={3: "service_from_before_to"},
        accepted=1,
        check="select timer_per_uke = 7.5 from valid.kpr_services",
    ),
    Case(
        "municipality_codes_duplicate_code",
        "municipality_codes",
        "municipality_codes_duplicate_code.csv",
        "csv",
        error=("code.unique", "stops the run", "municipality_codes_duplicate_code.csv", "row 2"),
    ),
    Case(
        "segments_unknown_interview_and_code",
        "interview_segments",
        "segments_unknown_interview_and_code.csv",
        "csv",
        columns={
            "Dokumentgruppe": "document_group",
            "Dokumentname": "document",
            "Code": "code",
            "Anfang": "begin",
            "Ende": "end",
            "Coder": "coder",
        },
        quarantined={
            3: "segment_interview_exists",
            4: "segment_code_in_codebook",
            5: "segment_end_after_begin",
        },
        accepted=1,
    ),
    # --- Excel ---------------------------------------------------------------------------------
    Case(
        "team_register_title_rows_above_header",
        "team_register",
        "team_register_title_rows_above_header.xlsx",
        **TEAM,
        accepted=2,
        check="select header_row = '4' and (select list(_source_row order by _source_row) "
        "from valid.team_register) = [5, 7] from meta.ingest_files "
        "where source = 'team_register'",
    ),
    Case(
        "team_register_wrong_sheet",
        "team_register",
        "team_register_wrong_sheet.xlsx",
        **TEAM,
        options={"sheet": "Team"},
        error=("no sheet with that name", "team_register_wrong_sheet.xlsx", "'Ark1'"),
    ),
    Case(
        "team_register_empty_sheet",
        "team_register",
        "team_register_empty_sheet.xlsx",
        **TEAM,
        error=("The sheet is empty", "team_register_empty_sheet.xlsx"),
    ),
    Case(
        "team_register_not_really_excel",
        "team_register",
        "team_register_not_really_excel.xlsx",
        **TEAM,
        error=("not a xlsx file", "found csv", "team_register_not_really_excel.xlsx"),
    ),
    Case(
        "team_register_end_before_start",
        "team_register",
        "team_register_end_before_start.xlsx",
        **TEAM,
        quarantined={3: "end_after_start"},
        accepted=1,
    ),
    Case(
        "team_register_decision_before_referral",
        "team_register",
        "team_register_decision_before_referral.xlsx",
        **TEAM,
        quarantined={2: "decision_after_referral"},
        accepted=0,
    ),
    Case(
        "team_register_start_column_missing",
        "team_register",
        "team_register_start_column_missing.xlsx",
        **TEAM,
        error=(
            "required column is missing",
            "start_date (mapped from 'Startdato' in the config)",
            "team_register_start_column_missing.xlsx",
        ),
    ),
    Case(
        "team_register_cells_right_of_header",
        "team_register",
        "team_register_cells_right_of_header.xlsx",
        **TEAM,
        quarantined={3: "row.parse"},
        accepted=1,
    ),
    Case(
        "team_register_duplicate_team_id",
        "team_register",
        "team_register_duplicate_team_id.xlsx",
        **TEAM,
        quarantined={2: "key:kommune+team_id", 3: "key:kommune+team_id"},
        accepted=1,
    ),
    # --- SPSS ----------------------------------------------------------------------------------
    Case(
        "survey_staff_declared_missing_code",
        "survey_staff",
        "survey_staff_declared_missing_code.sav",
        "sav",
        quarantined={3: "rolle.allowed"},
        accepted=2,
        check="select count(*) = 1 from meta.declared_missing where \"column\" = 'k_tid' "
        "and value = '8' and label = 'Ikke svart'",
    ),
    Case(
        "survey_staff_undeclared_code",
        "survey_staff",
        "survey_staff_undeclared_code.sav",
        "sav",
        quarantined={2: "k_tid.allowed", 3: "rolle.allowed"},
        accepted=1,
    ),
    Case(
        "survey_staff_cut_off",
        "survey_staff",
        "survey_staff_cut_off.sav",
        "sav",
        error=("SPSS file cannot be read", "survey_staff_cut_off.sav"),
    ),
    # --- Parquet -------------------------------------------------------------------------------
    Case(
        "registry_persons_duplicate_person_year",
        "registry_persons",
        "registry_persons_duplicate_person_year.parquet",
        "parquet",
        quarantined={1: "key:lopenr+aar", 2: "key:lopenr+aar"},
        accepted=1,
    ),
    Case(
        "registry_persons_resident_before_birth",
        "registry_persons",
        "registry_persons_resident_before_birth.parquet",
        "parquet",
        quarantined={2: "born_before_year"},
        accepted=1,
    ),
    Case(
        "registry_persons_text_in_integer_column",
        "registry_persons",
        "registry_persons_text_in_integer_column.parquet",
        "parquet",
        quarantined={2: "lopenr.type"},
        accepted=1,
    ),
    Case(
        "registry_persons_cut_off",
        "registry_persons",
        "registry_persons_cut_off.parquet",
        "parquet",
        error=("Parquet file cannot be read", "registry_persons_cut_off.parquet"),
    ),
    Case(
        "registry_persons_given_as_csv",
        "registry_persons",
        "kuhr_glob_a.csv",
        "parquet",
        error=("not a parquet file", "found csv"),
    ),
    Case(
        "npr_discharge_before_admission_and_after_death",
        "npr_episodes",
        "npr_discharge_before_admission_and_after_death.parquet",
        "parquet",
        quarantined={2: "discharge_after_admission", 3: "no_service_after_death"},
        accepted=1,
    ),
]

# sources every case's project also has (the relations and kommunenummer checks read them)
COMPANIONS: dict[str, dict[str, Any]] = {
    "registry_persons": {"path": "base_registry_persons.parquet", "format": "parquet"},
    "interviews": {"path": "base_interviews.csv", "format": "csv"},
    "interview_codebook": {"path": "base_codebook.csv", "format": "csv"},
}

if __name__ == "__main__":
    build()
    print(f"wrote {len(list(FILES.iterdir()))} files to {FILES}")
