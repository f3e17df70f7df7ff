"""What every reader returns: the file's columns, its rows as Arrow batches, and (once the
batches are exhausted) how many rows the file holds, counted by a second method."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from pipeline.errors import UserError


@dataclass
class ReadResult:
    columns: list[str]  # as in the file's header, before mapping
    batches: Iterator[pa.RecordBatch]
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    declared_missing: dict[str, list[str]] = field(default_factory=dict)
    dialect: dict[str, str] = field(default_factory=dict)  # what was detected or configured
    # set when the batches are exhausted: rows the file holds, counted independently
    rows_in_file: int | None = None
    counted_by: str = ""
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # row, rule, note (warn)
    expected: int | None = None  # rows the file is thought to hold before reading (progress)
    sha256: str | None = None  # the file's hash, if the reader took it on its way through


def check_every_row_read(path: Path, in_file: int, how: str, read: int, hint: str) -> None:
    """Stop, naming the file, if the reader returned other than the rows the file holds."""
    if read != in_file:
        raise UserError(
            "Rows were lost between the file and the reader",
            file=path,
            expected=f"{in_file:,} rows ({how})",
            found=f"{read:,} rows read",
            hint=hint,
        )
