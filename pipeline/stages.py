"""The stages as functions of the settings, and `evaluate`, which runs them all.

A full run builds a fresh warehouse beside the live one and swaps it in only when every
stage succeeded; single stages re-run on a copy of the live warehouse, swapped in the same way.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from pipeline.errors import UserError
from pipeline.ingest import ingest_all
from pipeline.metrics import run_metrics
from pipeline.provenance import record_run
from pipeline.settings import Settings
from pipeline.transform import run_models
from pipeline.validate import validate_all
from pipeline.validate.summary import as_text, summarise
from pipeline.warehouse import building, connect_read_only

Log = Callable[[str], None]


def sample(
    settings: Settings, log: Log, seed: int | None = None, out: Path | None = None
) -> dict[str, Any]:
    from pipeline.sample import generate

    target = out or settings.sample.dir
    changes = settings.sources.get("municipality_changes")
    if changes is None:
        raise UserError(
            "The sample needs the source 'municipality_changes' in the config",
            file=settings.config_file,
        )
    truth = generate(
        target,
        seed if seed is not None else settings.sample.seed,
        settings.sample.scale,
        settings.resolve(changes.path),
    )
    log(f"sample written to {target} (truth in {target / 'truth.json'})")
    return truth


def _ingest(con: duckdb.DuckDBPyConnection, settings: Settings, log: Log) -> None:
    for name, rows in ingest_all(con, settings).items():
        log(f"  raw.{name}: {rows:,} rows")


def _validate(
    con: duckdb.DuckDBPyConnection, settings: Settings, log: Log, only: str | None = None
) -> None:
    validate_all(con, settings, only)
    log(as_text(summarise(con, only)))


def _transform(con: duckdb.DuckDBPyConnection, settings: Settings, log: Log) -> None:
    log(f"  built {len(run_models(con, settings))} SQL models")


def _metrics(con: duckdb.DuckDBPyConnection, settings: Settings, log: Log) -> None:
    for name, rows in run_metrics(con).items():
        log(f"  metrics.{name}: {rows} rows")


STAGES: dict[str, Callable[..., None]] = {
    "ingest": _ingest,
    "validate": _validate,
    "transform": _transform,
    "metrics": _metrics,
}


def run_stage(settings: Settings, stage: str, log: Log, **kwargs: Any) -> None:
    with building(settings.warehouse, fresh=stage == "ingest") as con:
        STAGES[stage](con, settings, log, **kwargs)


def report(settings: Settings, log: Log) -> list[Path]:
    from pipeline.report import write_reports

    con = connect_read_only(settings.warehouse)
    try:
        written = write_reports(con, settings)
    finally:
        con.close()
    for path in written:
        log(f"  {path}")
    return written


def evaluate(settings: Settings, log: Log) -> dict[str, float]:
    started = dt.datetime.now(dt.UTC)
    seconds: dict[str, float] = {}
    if settings.sample.enabled:
        t = time.perf_counter()
        sample(settings, log)
        seconds["sample"] = time.perf_counter() - t
    with building(settings.warehouse, fresh=True) as con:
        for stage, fn in STAGES.items():
            log(f"{stage} …")
            t = time.perf_counter()
            fn(con, settings, log)
            seconds[stage] = time.perf_counter() - t
        record_run(con, settings.config_file, seconds, started)
    log("report …")
    t = time.perf_counter()
    report(settings, log)
    seconds["report"] = time.perf_counter() - t
    log("done: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
    return seconds


def clean_reports(settings: Settings) -> None:
    for path in settings.reports_dir.glob("*.html"):
        path.unlink()
    shutil.rmtree(settings.reports_dir / "_tmp", ignore_errors=True)
