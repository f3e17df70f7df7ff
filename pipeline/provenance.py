"""What a run was made from: input hashes, contract versions, code version, run time."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

import duckdb

import pipeline


def code_version(root: Path) -> str:
    """Package version plus the git commit (and '+dirty' for uncommitted changes)."""
    version = pipeline.__version__
    repo = Path(pipeline.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "status",
                "--porcelain",
                "--",
                "pipeline",
                "sql",
                "data_contracts",
            ],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return f"{version}+{commit}" + (".dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return version


def record_run(
    con: duckdb.DuckDBPyConnection,
    config_file: Path,
    stage_seconds: dict[str, float],
    started: dt.datetime,
) -> None:
    con.execute(
        """create or replace table meta.run as select
        ? as code_version, ? as config_file, ? as config_sha256, ? as started_at_utc,
        ? as stage_seconds""",
        [
            code_version(config_file.parent),
            config_file.name,
            hashlib.sha256(config_file.read_bytes()).hexdigest(),
            started.isoformat(timespec="seconds"),
            ", ".join(f"{k}: {v:.1f} s" for k, v in stage_seconds.items()),
        ],
    )
