"""The warehouse folder: one folder per run, published together with its reports by one rename.

    warehouse/runs/<run_id>/ot_eval.duckdb     a run's warehouse (mode 0600, checkpointed)
    warehouse/runs/<run_id>/reports/*.html     the reports made from that warehouse
    warehouse/current -> runs/<run_id>         the published run
    warehouse/ot_eval.duckdb -> current/ot_eval.duckdb
    reports/<name>.html -> ../warehouse/current/reports/<name>.html

A run builds `runs/<run_id>.building/`. Only when every stage and every report has succeeded is
the folder renamed and `current` replaced by a new link in one atomic rename: a reader sees the
old run or the new one, never a warehouse from one run beside reports from another. The paths
users open (the warehouse file, each report) are fixed links through `current`.

An open session keeps the file it opened, even after its run's folder is removed. DuckDB keeps
a session's WAL beside the real file, inside its run folder, so a WAL never meets another run's
file. A read-write session on the live warehouse blocks publishing (its changes would be lost);
during the switch a read-only connection holds DuckDB's shared lock, so none can start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from pipeline import progress
from pipeline.errors import Busy, UserError, environment_fault
from pipeline.settings import Settings
from pipeline.sqlutil import literal

SCHEMAS = ("raw", "quarantine", "valid", "staging", "intermediate", "marts", "metrics", "meta")
BUILDING = ".building"
Log = Callable[[str], None]
Mode = Literal["fresh", "copy", "link"]
_ACTIVE: list[duckdb.DuckDBPyConnection] = []  # the run's connection, for a signal to stop


def interrupt_active() -> None:
    """Stop the running query of the run being built (DuckDB would finish it first)."""
    for con in list(_ACTIVE):
        with contextlib.suppress(duckdb.Error):
            con.interrupt()


@dataclass(frozen=True)
class Layout:
    live: Path  # the warehouse path users open: a link through `current`
    reports: Path  # the folder users open reports in: links through `current`

    @property
    def folder(self) -> Path:
        return self.live.parent

    @property
    def runs(self) -> Path:
        return self.folder / "runs"

    @property
    def current(self) -> Path:
        return self.folder / "current"

    def live_db(self) -> Path | None:
        """The published warehouse file (resolved), or None before the first run."""
        if self.current.is_symlink():
            db = self.current.resolve() / self.live.name
            return db if db.is_file() else None
        if self.live.is_file() and not self.live.is_symlink():  # written by ot-eval 0.1
            return self.live
        return None

    def live_run(self) -> str | None:
        return self.current.resolve().name if self.current.is_symlink() else None


def layout(settings: Settings) -> Layout:
    return Layout(settings.warehouse, settings.reports_dir)


@contextlib.contextmanager
def private_files() -> Iterator[None]:
    """Files created inside are readable by their owner only (0600; folders 0700)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def apply_resources(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The config's [duckdb] memory limit, threads and spill folder (DuckDB's defaults where
    it sets none)."""
    res = settings.duckdb
    if res.memory_limit is not None:
        con.execute(f"set memory_limit = {literal(res.memory_limit)}")
    if res.threads is not None:
        con.execute(f"set threads = {int(res.threads)}")
    if res.temp_directory is not None:
        res.temp_directory.mkdir(parents=True, exist_ok=True)
        con.execute(f"set temp_directory = {literal(str(res.temp_directory))}")


def clone_or_copy(source: Path, target: Path) -> None:
    """Copy a warehouse file for a run to change: by copy_file_range, which clones the file
    (no data copied, whatever its size) where the file system can (XFS with reflink — RHEL's
    default — and btrfs) and copies inside the kernel elsewhere; shutil's copy where the call
    is refused (another file system, an old kernel)."""
    try:
        with source.open("rb") as src, target.open("wb") as dst:
            left = os.fstat(src.fileno()).st_size
            while left > 0:
                done = os.copy_file_range(src.fileno(), dst.fileno(), left)
                if done == 0:
                    break
                left -= done
        if left == 0:
            return
    except OSError:
        pass
    shutil.copyfile(source, target)


def configured(con: duckdb.DuckDBPyConnection, settings: Settings) -> duckdb.DuckDBPyConnection:
    """Every connection a command opens, as the config and the command want it: the time
    zone dates are read in, the [duckdb] resources, and DuckDB's progress bar only where
    progress is shown (left to its default it prints into pipes and logs)."""
    con.execute(f"set TimeZone = {literal(settings.validation.timezone)}")
    apply_resources(con, settings)
    progress.on_queries(con)
    return con


def connect_read_only(settings: Settings) -> duckdb.DuckDBPyConnection:
    path = settings.warehouse
    if not path.exists():
        raise UserError(
            "The warehouse does not exist yet",
            file=path,
            hint="Run `ot-eval evaluate` (or `make evaluate`) first",
        )
    return configured(duckdb.connect(str(path), read_only=True), settings)


def note_status(exc: BaseException, text: str) -> None:
    """Add what is live now to a failure, once (the innermost place that knows says it)."""
    if not getattr(exc, "_ot_status", False):
        exc.add_note(text)
        exc._ot_status = True  # type: ignore[attr-defined]


def status(lay: Layout) -> str:
    """What is live now, in words, for every failure message."""
    run = lay.live_run()
    if run:
        return f"the live warehouse and reports are still those of run {run}"
    if lay.live_db():
        return "the live warehouse and reports are still those of the earlier run"
    return "there is still no published warehouse"


@contextlib.contextmanager
def guard_writers(lay: Layout) -> Iterator[None]:
    """Refuse while a read-write session holds the live warehouse or left unsaved changes;
    hold DuckDB's shared lock meanwhile, so no read-write session can start."""
    db = lay.live_db()
    if db is None:
        yield
        return
    try:
        guard = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        fault = environment_fault(exc)
        if isinstance(fault, Busy):
            raise Busy(
                "A read-write session has the live warehouse open; replacing the warehouse "
                "now would lose that session's changes",
                file=db,
                found=fault.found,
                hint="Close that session and run again (open the warehouse read-only to "
                "explore it: `duckdb.connect(path, read_only=True)`)",
            ) from exc
        raise
    try:
        wal = db.with_name(db.name + ".wal")
        if wal.exists():
            raise Busy(
                "The live warehouse holds unsaved changes of a read-write session that "
                "ended without closing; this run would replace them",
                file=wal,
                hint="Export what you need from those changes and delete the .wal file (or "
                "open the warehouse read-write once and close it to fold them in), then run "
                "again",
            )
        yield
    finally:
        guard.close()


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link(path: Path, target: Path) -> None:
    """Make `path` a relative link to `target` atomically (replacing whatever is there)."""
    rel = os.path.relpath(target, path.parent)
    if path.is_symlink() and os.readlink(path) == rel:
        return
    tmp = path.with_name(f".{path.name}.link-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(rel, tmp)
    os.replace(tmp, path)


def _links(lay: Layout, reports: list[str]) -> None:
    """The fixed paths users open, each a link through `current` (made once, then kept)."""
    _link(lay.live, lay.current / lay.live.name)
    lay.reports.mkdir(parents=True, exist_ok=True)
    wanted = {lay.reports / name for name in reports}
    for name in reports:
        (lay.reports / name).parent.mkdir(parents=True, exist_ok=True)
        _link(lay.reports / name, lay.current / "reports" / name)
    for path in lay.reports.rglob("*"):
        ours = os.path.relpath(lay.current / "reports", path.parent)
        if path.is_symlink() and path not in wanted and os.readlink(path).startswith(ours):
            path.unlink()  # a report the new run no longer makes


def _held_by_writer(db: Path) -> bool:
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.Error as exc:
        return isinstance(environment_fault(exc), Busy)
    return False


def remove_old_runs(lay: Layout, log: Log) -> list[str]:
    """Remove every run folder but the live one (call with the run lock held)."""
    live = lay.current.resolve() if lay.current.is_symlink() else None
    removed = []
    for folder in sorted(lay.runs.glob("*")) if lay.runs.is_dir() else []:
        if folder == live or not folder.is_dir():
            continue
        db = folder / lay.live.name
        if not folder.name.endswith(BUILDING) and db.exists() and _held_by_writer(db):
            log(f"  kept {folder}: a read-write session still has its warehouse open")
            continue
        shutil.rmtree(folder)
        removed.append(folder.name)
    return removed


def recover(lay: Layout, log: Log) -> None:
    """Clear what a killed run left behind (call with the run lock held)."""
    for folder in (lay.folder, lay.reports):
        for tmp in folder.rglob(".*.link-*"):  # a link made but not yet renamed into place
            tmp.unlink()
    for name in (lay.live.name + BUILDING, lay.live.name + BUILDING + ".wal"):
        (lay.folder / name).unlink(missing_ok=True)  # ot-eval 0.1's build file
    partial = [r for r in remove_old_runs(lay, log) if r.endswith(BUILDING)]
    if partial:
        log(f"  cleared the partial files of a run that did not finish: runs/{', '.join(partial)}")


@dataclass
class Build:
    """A run being built: its own folder, warehouse file and reports folder."""

    id: str
    dir: Path
    con: duckdb.DuckDBPyConnection

    @property
    def reports(self) -> Path:
        return self.dir / "reports"


def new_run_id() -> str:
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S}.{now.microsecond:06d}Z"


@contextlib.contextmanager
def building(settings: Settings, mode: Mode, log: Log) -> Iterator[Build]:
    """Yield a new run; publish it with its reports if the block succeeds, else remove it.

    mode: fresh (an empty warehouse: a full run or ingest), copy (a copy of the live one: a
    single stage re-run) or link (the live file itself, read-only: re-rendering reports).
    The caller holds the run lock. A failure's message says what is live afterwards.
    """
    lay = layout(settings)
    source = lay.live_db()
    if mode != "fresh" and source is None:
        raise UserError(
            "The warehouse does not exist yet",
            file=lay.live,
            hint="Run `ot-eval ingest` or `ot-eval evaluate` first",
        )
    run_id = new_run_id()
    folder = lay.runs / (run_id + BUILDING)
    published = False
    con: duckdb.DuckDBPyConnection | None = None
    try:
        with private_files():
            (folder / "reports").mkdir(parents=True)
            db = folder / lay.live.name
            if mode == "copy" and source is not None:
                clone_or_copy(source, db)
            elif mode == "link" and source is not None:
                try:
                    os.link(source, db)
                except OSError:
                    clone_or_copy(source, db)
            con = duckdb.connect(str(db), read_only=mode == "link")
            _ACTIVE.append(con)
            configured(con, settings)
            if mode != "link":
                for schema in SCHEMAS:
                    con.execute(f"create schema if not exists {schema}")
            yield Build(run_id, folder, con)
            if mode != "link":
                con.execute("checkpoint")
            _ACTIVE.remove(con)
            con.close()
        reports = sorted(
            str(p.relative_to(folder / "reports"))
            for p in (folder / "reports").rglob("*")
            if p.is_file()
        )
        final = lay.runs / run_id
        with guard_writers(lay):
            os.rename(folder, final)
            _link(lay.current, final)
            published = True
        _fsync_folder(lay.folder)
        _links(lay, reports)
        remove_old_runs(lay, log)
    except BaseException as exc:
        if con is not None:
            if con in _ACTIVE:
                _ACTIVE.remove(con)
            con.close()
        shutil.rmtree(folder, ignore_errors=True)
        if published:
            note_status(
                exc,
                f"Run {run_id} was published (warehouse and reports), but tidying up after it "
                "failed; the next run finishes that",
            )
        else:
            note_status(exc, f"Nothing was replaced: {status(lay)}")
        raise
