"""Config loading and the command line: clear one-line errors, self-explaining help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import UserError
from pipeline.settings import load_settings
from tests.conftest import REPO, make_project

VERBS = ["sample", "ingest", "validate", "transform", "metrics", "report", "evaluate"]


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p")
    settings = load_settings(config)
    assert settings.warehouse == tmp_path / "p" / "warehouse" / "ot_eval.duckdb"
    assert settings.resolve("data/sample/x.csv") == tmp_path / "p" / "data/sample/x.csv"
    assert settings.evaluation.municipality_vintage == 2024
    assert [p.code for p in settings.evaluation.pilots][:2] == ["5530", "4602"]


def test_missing_config_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_bad_format_names_the_choices(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        "[evaluation]\nintervention_date = 2018-09-01\n"
        '[sources.x]\npath = "x.csv"\nformat = "docx"\n'
    )
    with pytest.raises(UserError, match="unknown format") as info:
        load_settings(config)
    assert "csv or xlsx or sav or parquet" in str(info.value)


def test_cli_wrong_config_prints_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["evaluate", "--config", str(tmp_path / "missing.toml")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Config file not found" in err
    assert "Traceback" not in err


def test_cli_missing_source_file_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_project(tmp_path / "p")  # sample not generated: files are missing
    code = main(["ingest", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2
    assert "No input file for source" in err and "Traceback" not in err
    assert not (tmp_path / "p" / "warehouse" / "ot_eval.duckdb").exists()


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_explains_itself(verb: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", verb, "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--config" in out and len(out.splitlines()) > 4


def test_top_level_help_lists_verbs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for verb in VERBS:
        assert verb in out


def test_readme_worked_example_config_is_valid(tmp_path: Path) -> None:
    """The 'Your own files' example in README.md loads as a config (names, options, mapping)."""
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Your own files.*?```toml\n(.*?)```", text, re.S)
    assert block is not None
    config = tmp_path / "mine.toml"
    config.write_text(block.group(1) + "\n[evaluation]\nintervention_date = 2018-09-01\n")
    settings = load_settings(config)
    assert settings.sample.enabled is False
    psfs = settings.sources["psfs_forms"]
    assert psfs.options["encoding"] == "cp1252" and psfs.columns["Poeng 1"] == "poeng_1"
    assert settings.sources["team_register"].columns["Startdato"] == "start_date"
    assert settings.sources["survey_staff"].recode["kommune"]["1"] == "5530"
    assert settings.validation.engine == "auto"
