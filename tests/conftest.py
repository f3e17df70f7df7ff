"""Shared fixtures: a project copy in a temp folder and one whole-pipeline run on the sample."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline import stages
from pipeline.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent


def make_project(folder: Path) -> Path:
    """A runnable project in `folder`: the default config beside the shared contracts/SQL."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("data_contracts", "sql", "reference"):
        link = folder / name
        if not link.exists():
            link.symlink_to(REPO / name)
    shutil.copy(REPO / "ot-eval.toml", folder / "ot-eval.toml")
    return folder / "ot-eval.toml"


class Run:
    def __init__(self, settings: Settings, seconds: dict[str, float]) -> None:
        self.settings = settings
        self.seconds = seconds
        self.truth: dict[str, Any] = json.loads(
            (settings.sample.dir / "truth.json").read_text(encoding="utf-8")
        )

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.settings.warehouse), read_only=True)


@pytest.fixture(scope="session")
def evaluated_fast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project evaluated once through the CLI at scale 0.3 with the SQL engine (the same code
    paths, faster): tests that need a published run start from a copy of it."""
    from tests.runs import FAST, cli, project

    folder = tmp_path_factory.mktemp("evaluated") / "p"
    done = cli(project(folder, **FAST), "evaluate")
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    config = make_project(tmp_path_factory.mktemp("project"))
    settings = load_settings(config)
    result = stages.evaluate(settings, lambda _msg: None)
    return Run(settings, result.seconds)


@pytest.fixture(scope="session")
def notebooks_run(evaluated_fast: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the evaluated project after `ot-eval notebooks`: its config."""
    from tests.runs import cli, evaluated_copy

    config = evaluated_copy(evaluated_fast, tmp_path_factory.mktemp("notebooks") / "p")
    done = cli(config, "notebooks")
    assert done.returncode == 0, done.stderr
    # nothing on stderr: the kernel talks over private Unix sockets, so no TCP warning either
    assert done.stderr == "" and done.stdout.count("wrote ") >= 4, done.stderr
    return config
