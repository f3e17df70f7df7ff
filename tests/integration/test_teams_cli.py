"""`ot-eval teams --at DATE`: the seed's Senja table straight from the register files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import Run
from tests.runs import cli

pytestmark = pytest.mark.integration

HEADER = [
    "Team-ID", "Person (pseudonym)", "Fødselsdato", "Koordinator", "Koordinators sektor", "IP",
    "Henvist dato", "KE-vedtak dato", "Startdato", "Sluttdato", "Kommunenr",
]  # fmt: skip
SEED = {"2021-03-31": [11, 35, 3, 1], "2023-10-04": [33, 64, 4, 1]}  # DOMAIN.md


@pytest.mark.parametrize("day", list(SEED))
def test_teams_cli_gives_the_seed_table(pipeline_run: Run, day: str) -> None:
    config = pipeline_run.settings.config_file
    done = cli(config, "teams", "--at", day, "--kommune", "5530", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["age_band"] for r in rows] == ["0-17", "18-66", "67-79", "80+"]
    assert [int(r["active_teams"]) for r in rows] == SEED[day]
    assert {r["kommune_name"] for r in rows} == {"Senja"}


def test_teams_cli_reads_named_files_and_refuses_dates_after_export(pipeline_run: Run) -> None:
    config = pipeline_run.settings.config_file
    asker = pipeline_run.settings.sample.dir / "team_register_asker.xlsx"
    done = cli(config, "teams", "--at", "2023-10-04", "--register", str(asker))
    assert done.returncode == 0, done.stderr
    assert "exported 2021-12-20; rows 120 = counted 120 + held back 0" in done.stdout
    assert "– exported before 2023-10-04: no count" in done.stdout
    assert "Asker (3203)" not in done.stdout  # no count, not a zero
    done = cli(config, "teams", "--at", "2021-03-31", "--register", str(asker))
    assert "Asker (3203)" in done.stdout and "total" in done.stdout
    done = cli(config, "teams", "--at", "2021-03-31", "--register", str(asker) + ".missing")
    assert done.returncode == 2 and "does not exist" in done.stderr and ".missing" in done.stderr


def test_teams_cli_names_the_rows_it_holds_back(pipeline_run: Run, tmp_path: Path) -> None:
    """A register with an impossible birth date and a missing person: rows in the file (4,
    counted here by openpyxl) = counted 2 + held back 2, each named by file, row and column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Team"
    sheet.append(["Teamregister – eksportert 05.01.2024"])
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(["T1", "P1", dt.date(1950, 5, 1), "K1", "Helse", "Ja", None, None,
                  dt.date(2022, 2, 1), None, "5530"])  # fmt: skip
    sheet.append(["T2", "P2", "1960-02-31", "K1", "Helse", "Ja", None, None,
                  dt.date(2022, 3, 15), None, "5530"])  # fmt: skip
    sheet.append(["T3", None, dt.date(1970, 1, 1), "K2", "Omsorg", "Nei", None, None,
                  dt.date(2022, 3, 1), None, "5530"])  # fmt: skip
    sheet.append(["T4", "P4", dt.date(1980, 1, 1), "K2", "Omsorg", "Nei", None, None,
                  dt.date(2022, 4, 1), None, "5530"])  # fmt: skip
    path = tmp_path / "ke_broken.xlsx"
    book.save(path)
    rows = sum(1 for r in openpyxl.load_workbook(path).active.iter_rows(min_row=4) if r[0].value)
    config = pipeline_run.settings.config_file
    done = cli(config, "teams", "--at", "2022-06-30", "--register", str(path))
    assert done.returncode == 0, done.stderr
    assert f"rows {rows} = counted 2 + held back 2" in done.stdout
    assert "ke_broken.xlsx row 5, birth_date: birth_date=1960-02-31" in done.stdout
    assert "ke_broken.xlsx row 6, person_id: person_id=(missing)" in done.stdout
    assert "total         2" in done.stdout
