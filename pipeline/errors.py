"""Errors written for the person who reads them: file, row, column, expected, found, what to do.

Exit codes (documented in README): 2 a problem the user can fix (config, input, environment),
3 a fault in ot-eval, 4 a run that completed but quarantined more than allowed, 75 busy
(another run or a read-write session holds the warehouse), 130/143 interrupted.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass
class UserError(Exception):
    """A problem the user can fix (bad config, missing or malformed input, a full disk).

    The CLI prints `str(error)` as one message and exits non-zero, without a traceback.
    """

    message: str
    file: Path | str | None = None
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    line: int | None = None  # a line of a text file that is not data (the config)

    exit_code = 2

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = self.message
        if where:
            text = f"{text} ({', '.join(where)})"
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.found is not None:
            text += f", found {self.found}"
        if self.hint:
            text += f". {self.hint}"
        return " ".join(text.split())  # one line, however the parts were written


class ContractViolation(UserError):
    """A rule with severity 'stop' failed: the run cannot go on."""


class MachineFault(UserError):
    """A fault of the machine (disk full, permission, read-only file system), said as such."""


class Busy(MachineFault):
    """Another run, or a read-write session, holds the warehouse: try again later."""

    exit_code = 75


class Interrupted(BaseException):
    """SIGTERM, turned into an exception so that every cleanup runs as for Ctrl-C."""


def first_line(exc: BaseException) -> str:
    """A library's error without its multi-line context (DuckDB adds the SQL it ran)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


# What the operating system said, what it means here, and what to do about it.
_OS_FAULTS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: (
        "The disk is full",
        "Free space on that disk (or point [paths] at a disk with room) and run again",
    ),
    errno.EDQUOT: (
        "The disk quota is used up",
        "Free space within your quota (or point [paths] elsewhere) and run again",
    ),
    errno.EACCES: (
        "Permission denied",
        "Give your user write access to that folder, or point the config key that names it "
        "([paths] or [sample] dir) at a folder you can write",
    ),
    errno.EPERM: (
        "The operation is not permitted",
        "Check the folder's owner and permissions, or point [paths] at a folder you own",
    ),
    errno.EROFS: (
        "The file system is read-only",
        "Point [paths] (warehouse, reports) and [sample] dir at a writable disk",
    ),
    errno.EMFILE: ("Too many open files", "Close other programs or raise `ulimit -n`"),
    errno.ENOMEM: ("Out of memory", "Close other programs or use a machine with more memory"),
}
# DuckDB and pyarrow report OS faults as text: the same faults, recognised by their wording.
_TEXT_FAULTS: tuple[tuple[str, int], ...] = (
    ("no space left on device", errno.ENOSPC),
    ("disk quota exceeded", errno.EDQUOT),
    ("read-only file system", errno.EROFS),
    ("permission denied", errno.EACCES),
    ("operation not permitted", errno.EPERM),
    ("too many open files", errno.EMFILE),
)
_QUOTED_PATH = re.compile(r"\"(/[^\"]+)\"|'(/[^']+)'")
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def environment_fault(exc: BaseException) -> UserError | None:
    """The user error to show for a failure: a fault of the machine (disk full, permission,
    read-only file system, lock) found anywhere in its chain of causes wins over the message
    that wrapped it (a full disk is not a damaged input file); else the UserError itself;
    None for anything else, which is a fault in ot-eval.
    """
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, MachineFault):  # already said as such (perhaps with more detail)
            return link
        fault = None if isinstance(link, UserError) else _machine_fault(link)
        if fault is not None:
            return fault
        link = link.__cause__ or link.__context__
    return exc if isinstance(exc, UserError) else None


def _machine_fault(exc: BaseException) -> UserError | None:
    import duckdb

    text = str(exc)
    if isinstance(exc, duckdb.Error):
        holder = _LOCK_HOLDER.search(text)
        if holder:
            return Busy(
                "Another program has the warehouse open for writing",
                file=_path_in(text),
                found=f"process {holder.group(2)} ({holder.group(1)})",
                hint="Close that session (analysts: open the warehouse read-only, "
                "`duckdb.connect(path, read_only=True)`), then run again",
            )
        if isinstance(exc, duckdb.OutOfMemoryException):
            return MachineFault(
                f"DuckDB ran out of memory: {first_line(exc)}",
                hint="Raise [duckdb] memory_limit in the config (large steps spill to "
                "[duckdb] temp_directory when it is reached), close other programs, or use a "
                "machine with more memory",
            )
    code = exc.errno if isinstance(exc, OSError) and exc.errno in _OS_FAULTS else None
    if (code is None and isinstance(exc, OSError | duckdb.Error | MemoryError)) or (
        code is None and type(exc).__module__.startswith("pyarrow")
    ):
        lowered = text.lower()
        code = next((c for words, c in _TEXT_FAULTS if words in lowered), None)
        if code is None and isinstance(exc, MemoryError):
            code = errno.ENOMEM
    if code is None:
        return None
    message, hint = _OS_FAULTS[code]
    path = getattr(exc, "filename", None) or _path_in(text)
    return MachineFault(message, file=path, found=first_line(exc), hint=hint)


def _path_in(text: str) -> str | None:
    match = _QUOTED_PATH.search(text)
    return (match.group(1) or match.group(2)) if match else None
