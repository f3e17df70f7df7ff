"""Errors written for the person who reads them: file, row, column, expected, found, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class UserError(Exception):
    """A problem the user can fix (bad config, missing or malformed input).

    The CLI prints `str(error)` as one message and exits non-zero, without a traceback.
    """

    message: str
    file: Path | str | None = None
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
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


def first_line(exc: BaseException) -> str:
    """A library's error without its multi-line context (DuckDB adds the SQL it ran)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class ContractViolation(UserError):
    """A rule with severity 'stop' failed: the run cannot go on."""
