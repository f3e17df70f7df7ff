"""Faults of the machine are told apart from faults in the input and bugs in ot-eval."""

from __future__ import annotations

import errno

import duckdb
import pytest

from pipeline.errors import Busy, UserError, environment_fault


def test_os_errors_become_user_errors_naming_path_and_remedy() -> None:
    fault = environment_fault(OSError(errno.ENOSPC, "No space left on device", "/data/w.duckdb"))
    assert fault is not None and fault.exit_code == 2
    assert str(fault).startswith("The disk is full (file /data/w.duckdb)") and "Free space" in str(
        fault
    )
    fault = environment_fault(PermissionError(errno.EACCES, "Permission denied", "/srv/x"))
    assert fault is not None and "Permission denied (file /srv/x)" in str(fault)
    fault = environment_fault(OSError(errno.EROFS, "Read-only file system", "/mnt/r"))
    assert fault is not None and "read-only" in str(fault)


def test_duckdb_and_pyarrow_faults_are_recognised_by_their_wording() -> None:
    text = 'IO Error: Could not write file "/w/runs/a/ot_eval.duckdb.wal": No space left on device'
    fault = environment_fault(duckdb.IOException(text))
    assert fault is not None and "/w/runs/a/ot_eval.duckdb.wal" in str(fault)
    lock = (
        'IO Error: Could not set lock on file "/w/ot_eval.duckdb": Conflicting lock is held in '
        "/usr/bin/python3 (PID 4242). See also https://duckdb.org/docs"
    )
    busy = environment_fault(duckdb.IOException(lock))
    assert isinstance(busy, Busy) and busy.exit_code == 75 and "process 4242" in str(busy)


def test_a_machine_fault_wins_over_the_message_that_wrapped_it() -> None:
    """A full disk while loading a Parquet file is not a damaged Parquet file."""
    try:
        try:
            raise duckdb.IOException('Could not write file "/w/x.wal": No space left on device')
        except duckdb.Error as exc:
            raise UserError("The Parquet file cannot be loaded", file="in.parquet") from exc
    except UserError as wrapped:
        fault = environment_fault(wrapped)
    assert fault is not None and str(fault).startswith("The disk is full (file /w/x.wal)")


@pytest.mark.parametrize("exc", [ValueError("bug"), KeyError("x"), RuntimeError("no")])
def test_bugs_are_not_blamed_on_the_machine(exc: Exception) -> None:
    assert environment_fault(exc) is None


def test_a_user_error_stays_itself() -> None:
    error = UserError("The file is empty", file="a.csv", line=3)
    assert (
        environment_fault(error) is error and str(error) == "The file is empty (file a.csv, line 3)"
    )
