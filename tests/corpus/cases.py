"""The bad-input corpus: one case per defect, each with the exact outcome it must produce.

The cases (defect, source, file, expected outcome) are listed in cases.toml. `python -m
tests.corpus.cases` (re)writes the files under tests/corpus/files/ from the definitions below;
the files are committed so a reader can open them.
An outcome is either a stop (a one-message error naming file, row and/or column) or an exact
quarantine ({row: rules}) with exact reconciliation.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.sample.pinned import pin_xlsx, write_sav

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


def _lines(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def _kuhr(*rows: str, header: str = KUHR_HEADER) -> str:
    return _lines(header, *rows)


KUHR_OK = ["1;1;2022-03-01;5530;fastlege;2ad", "1;1;2022-03-01;5530;fastlege;701a"]

# files written as text: name -> content (UTF-8 unless ENCODINGS says otherwise)
TEXT: dict[str, str] = {
    "psfs_cp1252_detected.csv": _lines(
        PSFS_HEADER, PSFS_OK, "P2;4602;1;2023-02-01;0=ingen vansker;Gå tur;2;;"
    ),
    "psfs_wrong_encoding_configured.csv": _lines(
        PSFS_HEADER, "P1;5530;1;2023-01-10;0=kan ikke utføre;Ski;3;;", PSFS_OK
    ),
    "psfs_utf8_bom_comma_delimited.csv": PSFS_HEADER.replace(";", ",")
    + "\n"
    + PSFS_OK.replace(";", ",")
    + "\n",
    "psfs_impossible_date.csv": _lines(
        PSFS_HEADER, PSFS_OK, PSFS_OK.replace("P1;", "P9;").replace("01-10", "02-30")
    ),
    "psfs_bad_kommunenummer.csv": _lines(PSFS_HEADER, PSFS_OK.replace("5530", "530")),
    "psfs_score_out_of_range.csv": _lines(
        PSFS_HEADER, PSFS_OK, PSFS_OK.replace("P1;", "P2;").replace(";3;", ";11;")
    ),
    "psfs_score_not_whole_number.csv": _lines(PSFS_HEADER, PSFS_OK.replace(";3;", ";7.5;")),
    "psfs_scale_missing_and_unknown.csv": _lines(
        PSFS_HEADER,
        PSFS_OK,
        PSFS_OK.replace("P1;", "P2;").replace("0=kan ikke utføre", ""),
        PSFS_OK.replace("P1;", "P3;").replace("0=kan ikke utføre", "10=best"),
    ),
    "psfs_without_optional_columns.csv": _lines(
        "person;kommunenr;samtale_nr;dato;skala;aktivitet_1;poeng_1",
        "P1;5530;1;2023-01-10;0=kan ikke utføre;Ski;3",
    ),
    "psfs_duplicate_conversation.csv": _lines(
        PSFS_HEADER, PSFS_OK, PSFS_OK.replace(";3;", ";5;"), PSFS_OK.replace("P1", "P2")
    ),
    "kuhr_empty_file.csv": "",
    "kuhr_header_only.csv": KUHR_HEADER + "\n",
    "kuhr_truncated_last_row.csv": _kuhr(*KUHR_OK, "2;2;2022-03-0").rstrip("\n"),
    "kuhr_stray_delimiter_in_row.csv": _kuhr(
        KUHR_OK[0], "2;2;2022-04-01;5530;fastlege;2ad;x", KUHR_OK[1]
    ),
    "kuhr_required_column_missing.csv": _kuhr(
        "1;1;2022-03-01;5530;fastlege", header="regning_id;lopenr;dato;komnr;tjenestetype"
    ),
    "kuhr_duplicate_fee_line.csv": _kuhr(*KUHR_OK, KUHR_OK[0]),
    "kuhr_unknown_municipality_code.csv": _kuhr(KUHR_OK[0], "2;2;2022-03-01;5599;fastlege;2ad"),
    "kuhr_split_municipality_code.csv": _kuhr(KUHR_OK[0], "2;2;2022-03-01;1613;legevakt;2ad"),
    "kuhr_claim_after_death.csv": _kuhr(
        KUHR_OK[0], "2;3;2020-07-15;5421;fastlege;2ad", "3;3;2020-06-01;5421;fastlege;2ad"
    ),
    "kuhr_bad_fee_code.csv": _kuhr(KUHR_OK[0], "2;2;2022-03-01;5530;fastlege;2ad-X!"),
    "kuhr_duplicate_header_name.csv": _kuhr(
        "1;1;2022-03-01;5530;fastlege;2ad", header=KUHR_HEADER.replace("takst", "dato")
    ),
    "kpr_decimal_comma.csv": _lines(
        "lopenr;komnr;tjeneste;fra_dato;til_dato;timer_per_uke;bistandsbehov",
        "1;5530;hjemmesykepleie;2021-01-01;2021-06-30;7,5;3",
        "2;5530;praktisk_bistand;2021-02-01;2021-01-01;1,5;2",
    ),
    "kuhr_glob_a.csv": _kuhr(*KUHR_OK),
    "kuhr_glob_b.csv": _kuhr(
        "5;5;2022-03-01;5530;fastlege", header="regning_id;lopenr;dato;komnr;tjenestetype"
    ),
    "team_register_not_really_excel.xlsx": "Team-ID;Startdato\nT1;2022-01-01\n",
    "segments_unknown_interview_and_code.csv": _lines(
        "Dokumentgruppe;Dokumentname;Code;Anfang;Ende;Coder",
        "Senja;INT-001;Tiltaket\\Fleksibilitet;1;2;A",
        "Senja;INT-999;Tiltaket\\Fleksibilitet;1;2;A",
        "Senja;INT-001;Tiltaket\\Finnes ikke;3;4;A",
        "Senja;INT-001;Tiltaket\\Fleksibilitet;9;4;B",
    ),
    "base_interviews.csv": _lines(
        "intervju_id;kommune;rolle;dato;modus", "INT-001;5530;Leder;2022-09-22;Video"
    ),
    "base_codebook.csv": "kode;tema;beskrivelse\nTiltaket\\Fleksibilitet;Tiltaket;Fleks\n",
    "municipality_codes_duplicate_code.csv": _lines(
        "code;name;first_year;last_year;code_2024;name_2024",
        "5530;Senja;;;5530;Senja",
        "4602;Kinn;;;4602;Kinn",
        "5530;Senja;;;5530;Senja",
    ),
}
ENCODINGS = {
    "psfs_cp1252_detected.csv": "cp1252",
    "psfs_wrong_encoding_configured.csv": "cp1252",
    "psfs_utf8_bom_comma_delimited.csv": "utf-8-sig",
}


def _workbook(path: Path, sheet: str, rows: list[list[Any]]) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    pin_xlsx(path)


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
    write_sav(
        frame,
        path,
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
    for name, text in TEXT.items():
        (files / name).write_bytes(text.encode(ENCODINGS.get(name, "utf-8")))
    _binary(files)


SEGMENT_COLUMNS = {"Dokumentgruppe": "document_group", "Dokumentname": "document",
                   "Code": "code", "Anfang": "begin", "Ende": "end", "Coder": "coder"}  # fmt: skip
COLUMN_PRESETS = {"team_register": TEAM_COLUMNS, "interview_segments": SEGMENT_COLUMNS}


def load_cases(path: Path = Path(__file__).parent / "cases.toml") -> list[Case]:
    """The corpus list lives in cases.toml (data, easy to read); this turns it into Cases."""
    cases = []
    for raw in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
        columns = raw.pop("columns", {})
        cases.append(
            Case(
                **raw
                | {
                    "columns": COLUMN_PRESETS[columns] if isinstance(columns, str) else columns,
                    "error": tuple(raw.get("error", ())),
                    "quarantined": {int(k): v for k, v in raw.get("quarantined", {}).items()},
                    "warnings": {int(k): v for k, v in raw.get("warnings", {}).items()},
                }
            )
        )
    return cases


CASES = load_cases()

# sources every case's project also has (the relations and kommunenummer checks read them)
COMPANIONS: dict[str, dict[str, Any]] = {
    "registry_persons": {"path": "base_registry_persons.parquet", "format": "parquet"},
    "interviews": {"path": "base_interviews.csv", "format": "csv"},
    "interview_codebook": {"path": "base_codebook.csv", "format": "csv"},
}

if __name__ == "__main__":
    build()
    print(f"wrote {len(list(FILES.iterdir()))} files to {FILES}")
