"""Config loading and the command line: clear one-line errors, self-explaining help."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
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


def _config(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "c.toml"
    config.write_text("[evaluation]\nintervention_date = 2018-09-01\n" + text, encoding="utf-8")
    return config


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("[sample]\nscael = 5\n", ["Unknown key 'scael' in [sample]", "line 4", "'scale'"]),
        (
            "[report]\nsuppresion_threshold = 1\n",
            ["'suppresion_threshold' in [report]", "line 4", "'suppression_threshold'"],
        ),
        ("[validaton]\nengine = 'sql'\n", ["Unknown key 'validaton'", "line 3", "'validation'"]),
        (
            '[sources.psfs_forms]\npath = "p.csv"\nformat = "csv"\noptions = { delimter = ";" }\n',
            ["'delimter' in [sources.psfs_forms.options]", "line 6", "'delimiter'"],
        ),
        ("[sample]\nenabled = 'yes'\n", ["'sample.enabled' has the wrong type", "true or false"]),
        ("[run]\nwait = 1\n", ["'run.wait' has the wrong type", "line 4"]),
        ("[validation]\ntimezone = 'Europe/Olso'\n", ["Unknown time zone", "'Europe/Olso'"]),
        ("[validation]\nmax_quarantine_share = 2\n", ["between 0 and 1"]),
        (
            "[duckdb]\nmemory_limit = '4 gigs'\n",
            ["duckdb.memory_limit is not an amount of memory", "line 4", '"4GB"'],
        ),
        ("[duckdb]\nthreads = 0\n", ["duckdb.threads must be 1 or more", "line 4"]),
        ("[duckdb]\nthreds = 2\n", ["Unknown key 'threds'", "'threads'"]),
        (
            '[sources.extra]\npath = "x.csv"\nformat = "csv"\n',
            ["Source 'extra' has no data contract", "line 3", "extra.yml", "psfs_forms"],
        ),
        (
            '[sources.psfs_forms]\npath = "p.csv"\nformat = "csv"\ncontract = "psfs"\n',
            ["Source 'psfs_forms' has no data contract", "line 6", "psfs.yml"],
        ),
        (
            '[sources.psfs_forms]\npath = "p.csv"\nformat = "csv"\n'
            'from_file_name = { kommune = "psfs_\\\\d+" }\n',
            ["must have exactly one group", "kommune"],
        ),
        (
            '[sources.psfs_forms]\npath = "p.csv"\nformat = "csv"\n'
            'options = { date_format = "%d.%m.%Y\'" }\n',
            ["date format", "%d.%m.%Y"],
        ),
        (
            '[sources.psfs_forms]\npath = "p.csv"\nformat = "csv"\n'
            'constants = { kommunenr = "5530" }\nfrom_file_name = { kommunenr = "(\\\\d+)" }\n',
            ["both a constant and taken from the file name", "kommunenr"],
        ),
    ],
)
def test_config_mistakes_name_the_line_and_the_fix(
    tmp_path: Path, text: str, parts: list[str]
) -> None:
    with pytest.raises(UserError) as info:
        load_settings(_config(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, (part, message)


def test_a_config_kept_anywhere_finds_the_projects_own_files(tmp_path: Path) -> None:
    """Contracts, SQL and the municipality lists come from the project, not the config's folder."""
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    shutil.copy(REPO / "ot-eval.toml", elsewhere / "mine.toml")
    settings = load_settings(elsewhere / "mine.toml")
    assert settings.contracts_dir == REPO / "data_contracts"
    assert settings.sql_dir == REPO / "sql"
    codes = settings.resolve(settings.sources["municipality_codes"].path)
    assert codes == REPO / "reference" / "kommuner_1994_2024.csv" and codes.is_file()
    assert settings.warehouse == elsewhere / "warehouse" / "ot_eval.duckdb"  # user data: beside it
    assert settings.sample.dir == elsewhere / "data" / "sample"


def test_a_source_path_that_is_a_folder_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "psfs").mkdir()
    (tmp_path / "psfs" / "psfs_2023.csv").write_text("x\n1\n")
    config = _config(tmp_path, '[sources.psfs_forms]\npath = "psfs"\nformat = "csv"\n')
    assert main(["ingest", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "is a folder, not a file" in err and "psfs_2023.csv" in err
    assert "sources.psfs_forms.path" in err and "folder/*.csv" in err


def test_the_sample_reads_dates_bands_and_pilots_from_the_settings(tmp_path: Path) -> None:
    """The sample has no copy of the snapshot dates, age bands or pilot codes: it follows the
    config, and says plainly when the config cannot hold the planted Senja table."""
    from pipeline.sample.teams import team_registers
    from tests.runs import project

    settings = load_settings(project(tmp_path / "a", team_snapshots="[2022-06-30, 2023-10-04]"))
    truth, teams = team_registers(np.random.default_rng(1), tmp_path, settings.evaluation)
    assert set(truth["senja_active_by_age_band"]) == {"2022-06-30", "2023-10-04"}
    assert set(truth["senja_active_by_age_band"]["2023-10-04"]) == {"0-17", "18-66", "67-79", "80+"}
    codes = dict(zip(teams["kommune_navn"], teams["Kommunenr"], strict=False))
    assert codes["Senja"] == settings.evaluation.pilot_code("Senja")
    three = load_settings(
        project(tmp_path / "b", team_snapshots="[2021-03-31, 2022-06-30, 2023-10-04]")
    )
    with pytest.raises(UserError, match="two \\[evaluation\\] team_snapshots"):
        team_registers(np.random.default_rng(1), tmp_path, three.evaluation)


def test_the_samples_pre_trend_comes_from_the_config_and_lands_in_the_truth(
    tmp_path: Path,
) -> None:
    """[sample] pre_trend_per_1000 reaches the generator (a differential trend for the
    pilots, in truth.json); a wrong type is named like any other key."""
    from pipeline.sample.swap import write_sample
    from tests.runs import project

    config = project(tmp_path / "a", scale="0.05")
    text = config.read_text(encoding="utf-8").replace(
        "[sample]\n", "[sample]\npre_trend_per_1000 = 7.5\n", 1
    )
    config.write_text(text, encoding="utf-8")
    settings = load_settings(config)
    assert settings.sample.pre_trend_per_1000 == 7.5
    truth = write_sample(settings, print, seed=None, out=tmp_path / "s")
    assert truth["registries"]["pilot_differential_trend_per_1000_per_year"] == 7.5
    config.write_text(text.replace("= 7.5", '= "steep"'), encoding="utf-8")
    with pytest.raises(UserError, match="pre_trend_per_1000"):
        load_settings(config)


def test_the_duckdb_section_sets_memory_threads_and_spill_folder(tmp_path: Path) -> None:
    """[duckdb] reaches the connection a run builds with (apply_resources is what
    warehouse.building calls); without it DuckDB's defaults stay."""
    import duckdb

    from pipeline.warehouse import apply_resources

    text = "[duckdb]\nmemory_limit = '1.5GiB'\nthreads = 1\ntemp_directory = 'spill'\n"
    settings = load_settings(_config(tmp_path, text))
    assert settings.duckdb.temp_directory == tmp_path / "spill"
    con = duckdb.connect()
    default_threads = con.execute("select current_setting('threads')").fetchall()[0][0]
    apply_resources(con, load_settings(make_project(tmp_path / "plain")))
    assert con.execute("select current_setting('threads')").fetchall()[0][0] == default_threads
    apply_resources(con, settings)
    got = con.execute(
        "select current_setting('memory_limit'), current_setting('threads'), "
        "current_setting('temp_directory')"
    ).fetchall()[0]
    assert got == ("1.5 GiB", 1, str(tmp_path / "spill"))
    assert (tmp_path / "spill").is_dir()


def test_a_read_only_connection_gets_the_config_too(tmp_path: Path) -> None:
    """`ot-eval sql`, export, notebooks: the same resources, time zone and (no) progress bar
    as a run's connection — DuckDB's default bar would print into their pipes."""
    import duckdb

    from pipeline import progress
    from pipeline.warehouse import connect_read_only

    text = "[duckdb]\nmemory_limit = '1.5GiB'\nthreads = 1\n"
    settings = load_settings(_config(tmp_path, text))
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(settings.warehouse)).close()
    progress.configure(quiet=True)
    with connect_read_only(settings) as con:
        got = con.execute(
            "select current_setting('memory_limit'), current_setting('threads'), "
            "current_setting('enable_progress_bar'), current_setting('TimeZone')"
        ).fetchall()[0]
    assert got == ("1.5 GiB", 1, False, settings.validation.timezone)


def test_a_signal_inside_a_finalizer_is_delivered_later_not_lost() -> None:
    """An exception raised in `__del__` is printed and ignored: a Ctrl-C or SIGTERM arriving
    there would let the run go on, so the handler sees it and delivers it again later."""
    from pipeline import cli

    seen: list[bool] = []

    class Probe:
        def __del__(self) -> None:
            seen.append(cli._in_finalizer(sys._getframe()))

    Probe()
    assert seen == [True]
    assert not cli._in_finalizer(sys._getframe())


def test_a_warehouse_file_is_copied_whole_by_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run's copy of the live warehouse (single-stage verbs): by copy_file_range (a clone
    where the file system can), else by shutil — byte-identical either way."""
    import errno
    import os

    from pipeline.warehouse import clone_or_copy

    source = tmp_path / "live.duckdb"
    source.write_bytes(os.urandom(3 << 20) + b"end")
    clone_or_copy(source, tmp_path / "a.duckdb")
    assert (tmp_path / "a.duckdb").read_bytes() == source.read_bytes()

    def refused(*_args: object) -> int:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refused)
    (tmp_path / "b.duckdb").write_bytes(b"stale and longer than nothing")
    clone_or_copy(source, tmp_path / "b.duckdb")
    assert (tmp_path / "b.duckdb").read_bytes() == source.read_bytes()
