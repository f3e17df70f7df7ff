"""A KE's register in its own layout counts the same teams: no municipality column (taken
from the file name and recoded), dates typed as text in Norwegian form, and the register's own
names for coordinators' sectors (flagged, never a reason to drop a team)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from pipeline import stages
from pipeline.settings import load_settings
from tests.conftest import Run, make_project

pytestmark = pytest.mark.integration

OWN_SECTORS = ["Psykisk helse og rus", "Hjemmetjenesten", "Barn og unge"]


def _own_layout(src: Path, dst: Path) -> int:
    """Drop the municipality column, write dates as dd.mm.yyyy text, rename sectors."""
    book = openpyxl.load_workbook(src)
    sheet = book["Team"]
    header = [c.value for c in sheet[3]]
    sheet.delete_cols(header.index("Kommunenr") + 1)
    header = [c.value for c in sheet[3]]
    renamed = 0
    for i, row in enumerate(sheet.iter_rows(min_row=4)):
        for cell in row:
            if isinstance(cell.value, dt.datetime | dt.date):
                cell.value = cell.value.strftime("%d.%m.%Y")
        sector = row[header.index("Koordinators sektor")]
        if i % 2 == 0:  # half of the teams: the register's own sector names
            sector.value = OWN_SECTORS[i % len(OWN_SECTORS)]
            renamed += 1
    book.save(dst)
    return renamed


def test_own_layout_register_counts_the_same_teams(pipeline_run: Run, tmp_path: Path) -> None:
    own = tmp_path / "registers"
    own.mkdir()
    renamed = sum(
        _own_layout(p, own / p.name.replace("team_register_", "ke_"))
        for p in sorted(pipeline_run.settings.sample.dir.glob("team_register_*.xlsx"))
    )
    config = make_project(tmp_path / "p")
    sample = pipeline_run.settings.sample.dir
    text = config.read_text(encoding="utf-8")
    text = text.replace("enabled = true", "enabled = false")
    text = text.replace('"data/sample/', f'"{sample}/')
    text = text.replace(f'path = "{sample}/team_register_*.xlsx"', f'path = "{own}/ke_*.xlsx"')
    text = text.replace(', "Kommunenr" = "kommune" }', " }")
    text = text.replace(
        'options = { sheet = "Team", header_row = 3 }',
        'options = { sheet = "Team", header_row = 3, date_format = "%d.%m.%Y" }\n'
        'from_file_name = { kommune = "ke_(\\\\w+)\\\\.xlsx" }\n'
        'recode.kommune = { senja = "5530", kinn = "4602", bo = "1867", suldal = "1134", '
        'asker = "3203", steinkjer = "5006" }',
    )
    config.write_text(text, encoding="utf-8")
    settings = load_settings(config)
    assert settings.sources["team_register"].from_file_name
    result = stages.evaluate(settings, lambda _m: None)
    assert result.alerts == []
    query = "select * from metrics.team_counts order by all"
    with pipeline_run.connect() as con:
        expected = con.execute(query).df()
    import duckdb

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        got = con.execute(query).df()
        quarantined = con.execute("select count(*) from quarantine.team_register").fetchone()
        flagged = con.execute(
            "select count(*), min(severity) from meta.validation_failures "
            "where source = 'team_register' and rule = 'coordinator_sector.allowed'"
        ).fetchone()
        constant = con.execute(
            "select count(*) from meta.ingest_columns where source = 'team_register' "
            "and \"column\" = 'kommune' and column_in_file = '(config: file name)'"
        ).fetchone()
    assert got.equals(expected)
    assert quarantined == (0,)
    assert flagged == (renamed, "warn")
    assert constant == (6,)
    shutil.rmtree(own)
