"""The stages as functions of the settings, and `evaluate`, which runs them all.

Every verb that writes takes the warehouse's run lock first, before anything is written (the
sample included), and clears what a killed run left behind. A run builds its own folder
(warehouse and reports) and publishes both together, or nothing (see `warehouse.building`).
Single stages re-run on a copy of the live warehouse and are published the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline.errors import MachineFault, environment_fault
from pipeline.ingest import ingest_all
from pipeline.metrics import run_metrics
from pipeline.provenance import peak_rss_mb, record_run
from pipeline.runlock import run_lock
from pipeline.sample.swap import recover_sample, write_sample
from pipeline.settings import Settings
from pipeline.transform import run_models, when_ready
from pipeline.validate import MODELS_READ, gx_suite, validate_all
from pipeline.validate.summary import alert_line, alerts, as_text, summarise
from pipeline.warehouse import (
    Build,
    Mode,
    building,
    guard_writers,
    layout,
    note_status,
    recover,
    status,
)

Log = Callable[[str], None]


@dataclass
class RunResult:
    """What a publishing verb did: its run id, the time each stage took, and the sources whose
    quarantine exceeded the allowed share (the run is published all the same)."""

    run_id: str
    seconds: dict[str, float] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)


def check_writable(settings: Settings, sample: bool) -> None:
    """Every folder the run will write must be writable now, not after an hour of work."""
    folders = [
        (settings.warehouse.parent, "[paths] warehouse"),
        (settings.reports_dir, "[paths] reports"),
    ]
    if sample:
        folders.append((settings.sample.dir.parent, "[sample] dir"))
    for folder, key in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fault = environment_fault(exc)
            if fault is None:
                raise
            fault.hint = f"{fault.hint} (the folder is set by {key})"
            raise fault from exc
        if not os.access(folder, os.W_OK | os.X_OK):
            if os.statvfs(folder).f_flag & os.ST_RDONLY:
                raise MachineFault(
                    "The file system is read-only",
                    file=folder,
                    hint=f"Set {key} in the config to a folder on a writable disk",
                )
            raise MachineFault(
                "Permission denied: ot-eval cannot write in this folder",
                file=folder,
                hint=f"Give your user write access to it, or set {key} in the config to a "
                "folder you can write",
            )


@contextlib.contextmanager
def locked(settings: Settings, verb: str, log: Log, wait: bool | None = None) -> Iterator[None]:
    """Hold the run lock, clear a dead run's leftovers, and refuse early if a read-write
    session holds the live warehouse (publishing would fail after all the work)."""
    writes_sample = verb == "sample" or (verb == "evaluate" and settings.sample.enabled)
    lay = layout(settings)
    try:
        check_writable(settings, sample=writes_sample)
        waiting = settings.run.wait if wait is None else wait
        with run_lock(settings.warehouse, verb, waiting, log) as died:
            if died is not None:
                log(f"  the previous run, {died.describe()}, ended without finishing")
            recover(lay, log)
            recover_sample(settings.sample.dir)
            with guard_writers(lay):
                pass
            yield
    except BaseException as exc:
        note_status(exc, f"Nothing was replaced: {status(lay)}")
        raise


def sample(
    settings: Settings,
    log: Log,
    seed: int | None = None,
    out: Path | None = None,
    wait: bool | None = None,
) -> dict[str, Any]:
    with locked(settings, "sample", log, wait):
        return write_sample(settings, log, seed, out)


def _ingest(con: duckdb.DuckDBPyConnection, settings: Settings, log: Log) -> None:
    for name, rows in ingest_all(con, settings).items():
        log(f"  raw.{name}: {rows:,} rows")


def _validate(
    con: duckdb.DuckDBPyConnection, settings: Settings, log: Log, only: str | None = None
) -> None:
    validate_all(con, settings, only, on_valid=when_ready(con, settings, MODELS_READ))
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


def _reports(run: Build, settings: Settings, log: Log) -> None:
    from pipeline.report import write_reports

    for path in write_reports(run.con, settings, run.reports):
        log(f"  {settings.reports_dir / path.relative_to(run.reports)}")


def _publishing(
    settings: Settings,
    verb: str,
    mode: Mode,
    log: Log,
    work: Callable[[Build, dict[str, float]], None],
    based_on: str | None = None,
) -> RunResult:
    """Build a run (work + reports) and publish it; the caller holds the lock."""
    started = dt.datetime.now(dt.UTC)
    seconds: dict[str, float] = {}
    with building(settings, mode, log) as run:
        work(run, seconds)
        if mode != "link":
            record_run(run.con, settings, run.id, verb, seconds, started, based_on)
        found = [alert_line(a) for a in alerts(run.con)]
        log("report …")
        t = time.perf_counter()
        _reports(run, settings, log)
        seconds["report"] = time.perf_counter() - t
    log(f"published run {run.id}")
    return RunResult(run.id, seconds, found)


def _timed(stage: str, fn: Callable[..., None], **kwargs: Any) -> Callable[..., None]:
    """The stage as run work that logs its start and records its time."""

    def work(run: Build, seconds: dict[str, float]) -> None:
        kwargs["log"](f"{stage} …")
        t = time.perf_counter()
        fn(run.con, **kwargs)
        seconds[stage] = time.perf_counter() - t

    return work


def run_stage(
    settings: Settings, stage: str, log: Log, wait: bool | None = None, **kwargs: Any
) -> RunResult:
    with locked(settings, stage, log, wait):
        based_on = layout(settings).live_run()
        step = _timed(stage, STAGES[stage], settings=settings, log=log, **kwargs)
        mode: Mode = "fresh" if stage == "ingest" else "copy"
        return _publishing(settings, stage, mode, log, step, based_on)


def report(settings: Settings, log: Log, wait: bool | None = None) -> RunResult:
    """Render the reports again from the live warehouse (which is not changed)."""
    with locked(settings, "report", log, wait):
        return _publishing(settings, "report", "link", log, lambda _run, _s: None)


def evaluate(settings: Settings, log: Log, wait: bool | None = None) -> RunResult:
    with locked(settings, "evaluate", log, wait):
        sample_seconds: dict[str, float] = {}
        if settings.sample.enabled:
            t = time.perf_counter()
            write_sample(settings, log, None, None)
            sample_seconds["sample"] = time.perf_counter() - t

        def work(run: Build, seconds: dict[str, float]) -> None:
            seconds.update(sample_seconds)
            warming = gx_suite.warm()  # not during the sample: Python, it would wait for it
            try:
                for stage, fn in STAGES.items():
                    _timed(stage, fn, settings=settings, log=log)(run, seconds)
            finally:
                warming.join()

        try:
            result = _publishing(settings, "evaluate", "fresh", log, work)
        except BaseException as exc:
            if sample_seconds:  # the inputs were replaced, though no result was
                exc.add_note(f"The sample in {settings.sample.dir} was written anew.")
            raise
    times = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    log(f"done: {times}; peak memory {peak_rss_mb()} MB")
    return result
