"""The DuckDB warehouse: one file, built beside the live one and swapped in on success.

A crash mid-run leaves the live warehouse untouched (the half-built file is removed), and a
lock file stops two runs from writing at once. Readers open the live file read-only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipeline.errors import UserError

SCHEMAS = ("raw", "quarantine", "valid", "staging", "intermediate", "marts", "metrics", "meta")


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise UserError(
            "The warehouse does not exist yet",
            file=path,
            hint="Run `ot-eval evaluate` (or `make evaluate`) first",
        )
    return duckdb.connect(str(path), read_only=True)


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(path.suffix + ".lock"), "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UserError(
                "Another ot-eval run is writing this warehouse",
                file=path,
                hint="Wait for it to finish",
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def building(path: Path, fresh: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a new copy of the warehouse; swap it in if the block succeeds.

    fresh=True starts from an empty file (a full run); otherwise from a copy of the live one
    (a single stage re-run).
    """
    with _lock(path):
        tmp = path.with_name(path.name + ".building")
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        if not fresh:
            if not path.exists():
                raise UserError(
                    "The warehouse does not exist yet",
                    file=path,
                    hint="Run `ot-eval ingest` or `ot-eval evaluate` first",
                )
            shutil.copyfile(path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            for schema in SCHEMAS:
                con.execute(f"create schema if not exists {schema}")
            yield con
            con.execute("checkpoint")
            con.close()
            os.replace(tmp, path)
        except BaseException:
            con.close()
            tmp.unlink(missing_ok=True)
            raise
