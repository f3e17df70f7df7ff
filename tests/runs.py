"""Helpers for tests that drive the real CLI in other processes: start, kill, check what is live.

A project here is a folder with its own config (the shipped one, changed by `overrides`), so
every test has its own warehouse, reports and sample.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import make_project

REPORTS = ("index.html", "evaluation.html", "data_quality.html")
FAST = {"scale": "0.3", "engine": '"sql"'}  # the same code paths, in a third of the time


def project(folder: Path, **overrides: str) -> Path:
    """A project whose config has each `key = value` line replaced (value as TOML text)."""
    config = make_project(folder)
    text = config.read_text(encoding="utf-8")
    for key, value in overrides.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
        assert n == 1, f"no single '{key} =' line in the config"
    config.write_text(text, encoding="utf-8")
    return config


def cli(
    config: Path, *args: str, prefix: tuple[str, ...] = (), **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run `ot-eval ARGS --config CONFIG` (after `prefix`, e.g. a command that drops rights)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "pipeline", *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,  # type: ignore[call-overload]
    )


def start(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args, "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )


def wait_for(proc: subprocess.Popen[str], pattern: str, timeout: float = 120) -> list[str]:
    """Read the process's output until a line matches (or it ends); return the lines read."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line)
        if re.search(pattern, line) or time.monotonic() > deadline:
            break
    return lines


def kill_at(config: Path, pattern: str | None, delay: float) -> bool:
    """Start `evaluate`; SIGKILL it `delay` s after a line matching `pattern` (or after start).
    Return whether it was still running when killed."""
    proc = start(config, "evaluate")
    if pattern is not None:
        wait_for(proc, pattern)
    time.sleep(delay)
    alive = proc.poll() is None
    proc.kill()
    proc.communicate()
    return alive


def live_run(folder: Path) -> str | None:
    """The run that is live in a project, after checking that warehouse and reports agree.

    One consistent run: the warehouse opens, names its run in meta.run, holds no WAL, and
    every report the user opens was made from it. None before the first run.
    """
    warehouse = folder / "warehouse" / "ot_eval.duckdb"
    if not warehouse.exists():
        assert not any((folder / "reports" / name).exists() for name in REPORTS)
        return None
    assert not list(warehouse.resolve().parent.glob("*.wal")), "a WAL travels with the run"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select run_id from meta.run").fetchone()
    assert row is not None
    for name in REPORTS:
        text = (folder / "reports" / name).read_text(encoding="utf-8")
        found = re.search(r'data-run-id="([^"]*)"', text)
        assert found and found.group(1) == row[0], f"{name} is from another run than the warehouse"
    return str(row[0])


def leftovers(folder: Path) -> list[str]:
    """Partial files a run should have removed (or the next run cleared)."""
    runs = folder / "warehouse" / "runs"
    found = [p.name for p in runs.glob("*.building")] if runs.is_dir() else []
    found += [p.name for p in (folder / "data").glob(".sample.*")]
    found += [p.name for p in (folder / "warehouse").glob(".*.link-*")]
    return found


def evaluated_copy(template: Path, folder: Path) -> Path:
    """A copy of an evaluated project (warehouse, reports, sample; links kept as links), so a
    test starts from a published run without running the pipeline again. Returns its config."""
    shutil.copytree(template, folder, symlinks=True)
    return folder / "ot-eval.toml"


def run_folders(folder: Path) -> list[str]:
    runs = folder / "warehouse" / "runs"
    return sorted(os.listdir(runs)) if runs.is_dir() else []
