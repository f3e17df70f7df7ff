"""What a run was made from: input hashes, contract versions, code version, run time."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path
from typing import Any

import duckdb

import pipeline
from pipeline.settings import Settings


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes ("" when there is no such file): how reports name the
    config they were made with."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


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


def standalone(
    verb: str, run_id: str, settings: Settings | None = None, **given: Any
) -> dict[str, Any]:
    """Provenance of a page made outside a warehouse run (validate-stats, a quarterly report
    from a municipality's own files, the bench page): the keys of a run's provenance, the
    config's name and hash and the code version from `settings` when there is one, what
    does not apply empty; `given` overrides any of them (and only them)."""
    prov: dict[str, Any] = {
        "code_version": pipeline.__version__, "config_file": "", "config_sha256": "",
        "run_id": run_id, "verb": verb,
        "started_at_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "stage_seconds": "", "files": [], "contracts": [], "alerts": [],
    }  # fmt: skip
    if settings is not None:
        config = settings.config_file
        prov |= {"code_version": code_version(config.parent), "config_file": str(config),
                 "config_sha256": file_sha256(config)}  # fmt: skip
    unknown = set(given) - set(prov)
    if unknown:
        raise TypeError(f"not provenance keys: {sorted(unknown)}")
    return prov | given


def record_run(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    run_id: str,
    verb: str,
    stage_seconds: dict[str, float],
    started: dt.datetime,
    based_on: str | None = None,
) -> None:
    """meta.run: which run wrote this warehouse, from what config and code, how long each
    stage took and the process's peak memory so far (one row)."""
    config = settings.config_file
    con.execute(
        """create or replace table meta.run as select
        ? as run_id, ? as verb, cast(? as varchar) as based_on_run, ? as code_version,
        ? as config_file, ? as config_sha256, ? as started_at_utc, ? as stage_seconds,
        cast(? as integer) as peak_rss_mb""",
        [
            run_id,
            verb,
            based_on,
            code_version(config.parent),
            config.name,
            file_sha256(config),
            started.isoformat(timespec="seconds"),
            ", ".join(f"{k}: {v:.1f} s" for k, v in stage_seconds.items()),
            peak_rss_mb(),
        ],
    )


def peak_rss_mb() -> int:
    """The largest resident memory this process has used so far, in MB (DuckDB runs in it)."""
    import resource

    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return round(kilobytes / 1024)
