"""`ot-eval teams --at DATE`: the seed's Senja table straight from the register files."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import Run
from tests.runs import cli

pytestmark = pytest.mark.integration

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
    assert "exported 2021-12-20 – exported before 2023-10-04: no count" in done.stdout
    assert "Asker (3203)" not in done.stdout  # no count, not a zero
    done = cli(config, "teams", "--at", "2021-03-31", "--register", str(asker))
    assert "Asker (3203)" in done.stdout and "total" in done.stdout
    done = cli(config, "teams", "--at", "2021-03-31", "--register", str(asker) + ".missing")
    assert done.returncode == 2 and "No such file" in done.stderr
