"""A broken PSFS file: failing rows are quarantined with rule and reason; nothing is lost."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline import stages
from pipeline.errors import UserError
from pipeline.settings import load_settings
from tests.conftest import REPO

BROKEN = (
    "person;kommunenr;samtale_nr;dato;skala;aktivitet_1;poeng_1\n"
    "P1;5530;1;2020-01-01;0=kan ikke utføre;Gå;4\n"
    "P1;5530;2;2020-13-01;0=kan ikke utføre;Gå;4\n"
    "P2;55;1;2020-01-01;feil;Gå;3\n"
    "P3;5530;1;2020-01-01;0=ingen vansker;Gå;11\n"
)


def _project(tmp_path: Path, csv_text: str) -> Path:
    (tmp_path / "psfs.csv").write_text(csv_text, encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(
        f'[paths]\ncontracts = "{REPO / "data_contracts"}"\nsql = "{REPO / "sql"}"\n'
        "[evaluation]\nintervention_date = 2018-09-01\n"
        '[sources.psfs_forms]\npath = "psfs.csv"\nformat = "csv"\n',
        encoding="utf-8",
    )
    return config


def test_broken_rows_are_quarantined_with_reasons(tmp_path: Path) -> None:
    settings = load_settings(_project(tmp_path, BROKEN))
    stages.run_stage(settings, "ingest", lambda _m: None)
    stages.run_stage(settings, "validate", lambda _m: None)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        q = dict(con.execute("select _source_row, _rules from quarantine.psfs_forms").fetchall())
        rec = con.execute(
            "select rows_read, rows_accepted, rows_quarantined, balanced from meta.reconciliation "
            "where source = 'psfs_forms'"
        ).fetchone()
        reasons = con.execute(
            "select string_agg(_reasons, ' | ') from quarantine.psfs_forms"
        ).fetchone()[0]
    # _source_row is the CSV line (header = line 1)
    assert q == {3: "dato.type", 4: "kommunenr.pattern, skala.allowed", 5: "poeng_1.range"}
    assert rec == (4, 1, 3, True)
    assert (
        "dato=2020-13-01: not a valid date" in reasons
        and "poeng_1=11: outside the range 0..10" in reasons
    )


def test_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    settings = load_settings(_project(tmp_path, "person;kommunenr\nP1;5530\n"))
    stages.run_stage(settings, "ingest", lambda _m: None)
    with pytest.raises(UserError) as info:
        stages.run_stage(settings, "validate", lambda _m: None)
    text = str(info.value)
    assert "psfs.csv" in text and "samtale_nr" in text and "required column" in text
