"""The bad-input corpus: one case per defect, each with the exact outcome it must produce.

The cases (defect, source, file, expected outcome) are listed in cases.toml. `python -m
tests.corpus.cases` (re)writes the files under tests/corpus/files/ from the definitions below;
the files are committed so a reader can open them.
An outcome is either a stop (a one-message error naming file, row and/or column) or an exact
quarantine ({row: rules}) with exact reconciliation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.sample.pinned import FIXED, pin_xlsx, write_sav

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
    as_of: str = "2024-01-05"  # a register's export date, given in the config ("" = none)


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
PSFS_TAB = PSFS_HEADER.replace(";", "\t")
TEXT.update(
    {
        "psfs_unterminated_quote.csv": _lines(
            PSFS_HEADER,
            PSFS_OK,
            'P2;5530;1;2023-01-10;0=kan ikke utføre;"Gå tur;3;;',  # a quote never closed
            "P3;5530;1;2023-01-12;0=kan ikke utføre;Sykle;5;;",
            'P4;4602;1;2023-02-01;0=kan ikke utføre;"Handle, bære";5;;',
        ),
        "psfs_blank_lines_keep_line_numbers.csv": _lines(
            PSFS_HEADER,
            "",
            PSFS_OK,
            "",
            "",
            PSFS_OK.replace("P1;", "P2;").replace("01-10", "02-30"),
            PSFS_OK.replace("P1;", "P3;"),
        ),
        "psfs_old_mac_line_endings.csv": "\r".join(
            [
                PSFS_HEADER,
                PSFS_OK,
                PSFS_OK.replace("P1;", "P2;").replace(";3;", ";11;"),
                PSFS_OK.replace("P1;", "P3;"),
            ]
        )
        + "\r",
        "psfs_header_repeated_in_joined_files.csv": _lines(
            PSFS_HEADER, PSFS_OK, PSFS_HEADER, PSFS_OK.replace("P1;", "P2;")
        ),
        "psfs_trailing_delimiter.csv": _lines(
            PSFS_HEADER + ";", PSFS_OK + ";", PSFS_OK.replace("P1;", "P2;") + ";merknad"
        ),
        "psfs_timestamps_with_time_zone.csv": _lines(
            PSFS_HEADER,
            PSFS_OK.replace("2023-01-10", "2023-01-10T23:30:00+00:00"),
            PSFS_OK.replace("P1;", "P2;").replace("2023-01-10", "2023-06-30T22:30:00Z"),
            PSFS_OK.replace("P1;", "P3;").replace("2023-01-10", "2023-01-10 23:30:00"),
        ),
        "psfs_utf16_tab_separated.csv": _lines(
            PSFS_TAB,
            PSFS_OK.replace(";", "\t"),
            "P2\t4602\t1\t2023-02-01\t0=ingen vansker\tGå tur\t2\t\t",
        ),
        "psfs_tab_separated.csv": _lines(PSFS_TAB, PSFS_OK.replace(";", "\t")),
        "kuhr_folder/claims_2022.csv": _kuhr(*KUHR_OK),
    }
)
# files whose bytes are the defect (more than one encoding, a character cut in two)
BYTES: dict[str, bytes] = {
    "psfs_mixed_encodings.csv": (
        _lines(PSFS_HEADER, PSFS_OK).encode("utf-8")
        + (PSFS_OK.replace("P1;", "P2;") + "\n").encode("cp1252")
    ),
    "psfs_cut_inside_a_character.csv": (
        _lines(PSFS_HEADER, PSFS_OK) + "P2;5530;1;2023-01-10;0=kan ikke utføre;G"
    ).encode("utf-8")
    + "å".encode()[:1],
}
ENCODINGS = {
    "psfs_utf16_tab_separated.csv": "utf-16",
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


def _staff(
    path: Path,
    k_tid: list[float],
    missing: dict[str, list[Any]] | None,
    labels: dict[str, dict[float, str]] | None = None,
    extra: dict[str, list[float]] | None = None,
) -> None:
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
            **(extra or {}),
        }
    )
    write_sav(
        frame,
        path,
        variable_value_labels={
            "k_tid": {1: "I svært liten grad", 5: "I svært stor grad", 8: "Ikke svart"},
            **(labels or {}),
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
    _workbook(files / "team_register_no_export_date.xlsx", "Team", [TEAM_HEADER, _team_row("T1")])
    _workbook(
        files / "team_register_own_sector_names.xlsx",
        "Team",
        [
            TEAM_HEADER,
            _team_row("T1", **{"Koordinators sektor": "Psykisk helse og rus"}),
            _team_row("T2"),
        ],
    )
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
    _staff(  # the optional 2023 items (contract 1.2.0), with codes the contract does not know
        files / "survey_staff_optional_items_unknown_code.sav", [1.0, 2.0, 5.0], None,
        extra={"malgruppe": [1.0, 7.0, 2.0], "endret_nye_grupper": [1.0, 2.0, 5.0],
               "endret_arbeidsmaate": [9.0, 1.0, 2.0]},
    )  # fmt: skip
    whole = (files / "survey_staff_undeclared_code.sav").read_bytes()
    (files / "survey_staff_cut_off.sav").write_bytes(whole[: len(whole) // 3])


def _patched_zip(path: Path, changes: dict[str, Callable[[bytes], bytes]]) -> None:
    """Rewrite members of a zip (a workbook) in place, with fixed entry times."""
    with zipfile.ZipFile(path) as src:
        entries = [(i.filename, src.read(i)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            dst.writestr(zipfile.ZipInfo(name, date_time=FIXED), changes.get(name, bytes)(data))


def _zip(path: Path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=FIXED), text)


def _encrypted(plain: Path, path: Path) -> None:
    """A password-protected copy ('pw'), made the same on every run: the salts msoffcrypto
    draws at random come from a fixed counter, and its container's time stamp is fixed."""
    import msoffcrypto.format.ooxml as ooxml
    import msoffcrypto.method.container.ecma376_encrypted as container
    import msoffcrypto.method.ecma376_agile as agile

    class Fixed(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Fixed:
            return cls(*FIXED)

    counter = iter(range(1 << 30))
    saved = agile._random_buffer, container.datetime
    agile._random_buffer = lambda size: hashlib.sha256(str(next(counter)).encode()).digest()[:size]
    container.datetime = Fixed  # type: ignore[misc]
    try:
        with plain.open("rb") as src, path.open("wb") as dst:
            ooxml.OOXMLFile(src).encrypt("pw", dst)
    finally:
        agile._random_buffer, container.datetime = saved


def _awkward_workbooks(files: Path) -> None:
    """Workbooks whose rows a reader could lose or misread (the classes of issue 8)."""
    path = files / "team_register_dimension_smaller_than_data.xlsx"
    _workbook(path, "Team", [TEAM_HEADER, *(_team_row(f"T{i}") for i in range(1, 6))])
    _patched_zip(  # the stored dimension claims the sheet ends at row 3
        path,
        {"xl/worksheets/sheet1.xml": lambda x: re.sub(rb'<dimension ref="[^"]*"',
                                                     b'<dimension ref="A1:K3"', x)},
    )  # fmt: skip

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Team"
    ws.append(TEAM_HEADER)
    for team in ("T1", "T2", "T3"):
        ws.append(_team_row(team, Kommunenr="5530" if team == "T1" else None))
    ws.merge_cells("K2:K4")  # one municipality cell drawn over three teams
    _save(book, files / "team_register_merged_cells.xlsx")

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Team"
    for row in (TEAM_HEADER, _team_row("T1"), _team_row("T2"), _team_row("T3")):
        ws.append(row)
    for ref, error in (("I2", "#REF!"), ("E4", "#N/A")):
        ws[ref] = error
        ws[ref].data_type = "e"
    _save(book, files / "team_register_excel_error_cells.xlsx")

    _workbook(
        files / "team_register_formula_never_calculated.xlsx",
        "Team",
        [TEAM_HEADER, _team_row("T1"), _team_row("T2", Startdato="=DATE(2022,2,15)")],
    )

    book = openpyxl.Workbook()
    old = book.active
    assert old is not None
    old.title = "Gammel"
    old.append(["Team", "Merknad"])
    old.append(["T0", "gammel versjon"])
    old.sheet_state = "hidden"
    ws = book.create_sheet("Team")
    for row in (TEAM_HEADER, _team_row("T1"), _team_row("T2")):
        ws.append(row)
    _save(book, files / "team_register_hidden_first_sheet.xlsx")

    _encrypted(files / "team_register_title_rows_above_header.xlsx",
               files / "team_register_encrypted.xlsx")  # fmt: skip
    _zip(
        files / "team_register_binary_workbook.xlsx",
        {"[Content_Types].xml": "<Types/>", "xl/workbook.bin": "binary records"},
    )
    _zip(
        files / "team_register_opendocument.xlsx",
        {"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
         "content.xml": "<office:document-content/>"},
    )  # fmt: skip
    _staff(
        files / "survey_staff_labels_changed_meaning.sav",
        [1.0, 2.0, 5.0],
        None,
        labels={"involvert": {1: "Nei", 2: "Ja"}},  # the contract: 1 = Ja, 2 = Nei
    )
    episode = {"episode_id": 1, "lopenr": 1, "komnr": "5421", "alder": 70, "kjonn": 1,
               "hdiag": "I21", "omsorgsniva": 1, "innmateHast": 1}  # fmt: skip
    utc = pa.timestamp("us", tz="UTC")
    pq.write_table(
        pa.table(
            {
                **{k: [v] for k, v in episode.items()},
                # 23:30 UTC is 00:30 the next day in Oslo
                "inndato": pa.array([dt.datetime(2020, 3, 1, 23, 30, tzinfo=dt.UTC)], utc),
                "utdato": pa.array([dt.datetime(2020, 3, 4, 23, 30, tzinfo=dt.UTC)], utc),
            }
        ),
        files / "npr_timestamps_in_utc.parquet",
    )


def _save(book: Any, path: Path) -> None:
    book.save(path)
    pin_xlsx(path)


QDPX_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<Project name="corpus" xmlns="urn:QDA-XML:project:1.0">
  <Users><User guid="U-A" name="A"/></Users>
  <CodeBook><Codes>
    <Code guid="C-T" name="Tiltaket" isCodable="false">
      <Code guid="C-F" name="Fleksibilitet" isCodable="true"/>
      <Code guid="C-X" name="Ikke i kodeboka" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
"""
QDPX_CODINGS = (
    QDPX_HEAD
    + """  <Sources>
    <TextSource guid="S-1" name="INT-001">
      <PlainTextSelection guid="P-1" startPosition="0" endPosition="5" creatingUser="U-A">
        <Coding guid="K-1" creatingUser="U-A"><CodeRef targetGUID="C-F"/></Coding>
        <Coding guid="K-2" creatingUser="U-A"><CodeRef targetGUID="C-GONE"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="P-2" startPosition="x" endPosition="9" creatingUser="U-A">
        <Coding guid="K-3" creatingUser="U-A"><CodeRef targetGUID="C-F"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="P-3" startPosition="10" endPosition="12" creatingUser="U-Z">
        <Coding guid="K-4" creatingUser="U-Z"><CodeRef targetGUID="C-F"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="P-4" startPosition="20" endPosition="25" creatingUser="U-A">
        <Coding guid="K-5" creatingUser="U-A"><CodeRef targetGUID="C-X"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <PDFSource guid="S-2" name="INT-001">
      <PDFSelection guid="P-5" page="1" firstX="0" firstY="0" secondX="9" secondY="9">
        <Coding guid="K-6" creatingUser="U-A"><CodeRef targetGUID="C-F"/></Coding>
      </PDFSelection>
    </PDFSource>
  </Sources>
</Project>
"""
)
QDPX_MEMBERS = {
    "qdpx_codings_that_cannot_be_placed.qdpx": {"project.qde": QDPX_CODINGS},
    "qdpx_not_well_formed.qdpx": {"project.qde": QDPX_HEAD + "  <Sources>\n    <TextSource"},
    "qdpx_without_project_xml.qdpx": {"sources/INT-001.txt": "intervju"},
    "qdpx_code_without_guid.qdpx": {
        "project.qde": QDPX_HEAD.replace('guid="C-F" ', "") + "</Project>\n"
    },
    "qdpx_wrong_root.qdpx": {
        "project.qde": '<?xml version="1.0"?>\n<Codebook xmlns="urn:QDA-XML:codebook:1.0"/>\n'
    },
}


def build(files: Path = FILES) -> None:
    files.mkdir(parents=True, exist_ok=True)
    for name, text in TEXT.items():
        (files / name).parent.mkdir(exist_ok=True)
        (files / name).write_bytes(text.encode(ENCODINGS.get(name, "utf-8")))
    for name, data in BYTES.items():
        (files / name).write_bytes(data)
    _binary(files)
    _awkward_workbooks(files)
    for name, members in QDPX_MEMBERS.items():
        _zip(files / name, members)


SEGMENT_COLUMNS = {"Dokumentgruppe": "document_group", "Dokumentname": "document",
                   "Code": "code", "Anfang": "begin", "Ende": "end", "Coder": "coder"}  # fmt: skip
QDPX_CODING_COLUMNS = {"source": "document", "sets": "document_group", "code": "code",
                       "begin": "begin", "end": "end", "coder": "coder"}  # fmt: skip
COLUMN_PRESETS = {"team_register": TEAM_COLUMNS, "interview_segments": SEGMENT_COLUMNS,
                  "qdpx_codings": QDPX_CODING_COLUMNS}  # fmt: skip


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
