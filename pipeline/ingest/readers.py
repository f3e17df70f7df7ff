"""One reader per file format. Each yields Arrow record batches with `_source_row` added.

`_source_row` is the row as the user sees it in that file's own viewer: the line number in a
CSV (header = line 1), the spreadsheet row in Excel, the case number in SPSS, the 1-based row
in Parquet. Text formats are kept as text: typing is the contract's job, so nothing is lost
on the way in. A row that cannot be split into the header's columns is kept too, with its
columns empty and `_parse_error` saying what was wrong; validation quarantines it.
Parquet is not read here: DuckDB streams it straight from the file (see load.py).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from pipeline.errors import UserError, first_line

BATCH_ROWS = 100_000
SNIFF_BYTES = 1 << 16
DELIMITERS = (";", ",", "\t", "|")
MAGIC = {
    b"PAR1": "parquet",
    b"PK\x03\x04": "xlsx",
    b"$FL2": "sav",
    b"$FL3": "sav",
    b"\xd0\xcf\x11\xe0": "xls (old Excel 97-2003)",
}
WHAT_TO_DO = {
    "csv": "Export the data as CSV (text), or set the source's format to what the file is",
    "xlsx": "Save the workbook as .xlsx (Excel 2007 or later), or set the source's format",
    "sav": "Export an SPSS .sav file, or set the source's format to what the file is",
    "parquet": "Point the source at the Parquet file, or set its format to what the file is",
}


@dataclass
class ReadResult:
    columns: list[str]  # as in the file's header, before mapping
    batches: Iterator[pa.RecordBatch]
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    declared_missing: dict[str, list[str]] = field(default_factory=dict)
    dialect: dict[str, str] = field(default_factory=dict)  # what was detected or configured


def sniff_format(path: Path) -> str:
    """What the file is by its first bytes: parquet, xlsx, sav, xls, csv (text) or empty."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        return "empty"
    for magic, fmt in MAGIC.items():
        if head.startswith(magic):
            return fmt
    return "binary (not text)" if b"\x00" in head else "csv"


def check_format(path: Path, expected: str) -> None:
    found = sniff_format(path)
    if found == "empty":
        raise UserError(
            "The file is empty (0 bytes)",
            file=path,
            expected=f"a {expected} file with a header and data rows",
            found="nothing",
            hint="Check that the export finished, then export again",
        )
    if found != expected:
        raise UserError(
            f"The file is not a {expected} file",
            file=path,
            expected=expected,
            found=found,
            hint=WHAT_TO_DO[expected],
        )


def _position(path: Path, offset: int, delimiter: str | None) -> tuple[int, int]:
    """(line, field) of a byte offset: line 1 is the header, fields count from 0."""
    with path.open("rb") as fh:
        before = fh.read(offset)
    line_start = before.rfind(b"\n") + 1
    field_no = before[line_start:].count(delimiter.encode()) if delimiter else 0
    return before.count(b"\n") + 1, field_no


def detect_encoding(path: Path, configured: str | None) -> str:
    """The configured encoding (checked), else UTF-8 (with or without BOM), else cp1252/latin-1.

    The whole file is checked, so a bad byte on line 900 000 is found before any row is loaded.
    """
    with path.open("rb") as fh:
        bom = fh.read(3) == codecs.BOM_UTF8
    candidates = [configured] if configured else ["utf-8-sig" if bom else "utf-8", "cp1252"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 0
        try:
            with path.open("rb") as raw:
                while block := raw.read(1 << 22):
                    decoder.decode(block)
                    offset += len(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            if configured:
                bad = offset + exc.start
                line, _ = _position(path, bad, None)
                with path.open("rb") as fh:
                    fh.seek(bad)
                    byte = fh.read(1)
                raise UserError(
                    f"The file cannot be read as {configured}",
                    file=path,
                    row=line,
                    expected=f"text in {configured}",
                    found=f"the byte {byte.hex(' ')} (0x{byte.hex()})",
                    hint="Remove options.encoding to let ot-eval detect it, or set it to the "
                    "file's encoding (Excel and Nettskjema exports on Windows are often "
                    "'cp1252')",
                ) from exc
        except LookupError as exc:
            raise UserError(
                "The configured encoding is unknown",
                file=path,
                found=repr(configured),
                hint="Use e.g. 'utf-8', 'cp1252' or 'latin-1'",
            ) from exc
    return "latin-1"  # cp1252 leaves five bytes undefined; latin-1 reads every byte


def detect_delimiter(header: str, configured: str | None) -> str:
    if configured:
        return configured
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _row_numbers(first: int, n: int, skipped: set[int]) -> tuple[pa.Array, int]:
    """Line numbers for `n` parsed rows starting at `first`, stepping over skipped lines."""
    ahead = sorted(s for s in skipped if s >= first)
    candidates = np.arange(first, first + n + len(ahead), dtype=np.int64)
    if ahead:
        candidates = candidates[~np.isin(candidates, ahead)]
    numbers = candidates[:n]
    return pa.array(numbers), int(numbers[-1]) + 1 if n else first


def _batch(columns: list[str], arrays: list[pa.Array], rows: pa.Array, errors: pa.Array) -> Any:
    return pa.RecordBatch.from_arrays(
        [*arrays, rows, errors], [*columns, "_source_row", "_parse_error"]
    )


def _bad_rows(columns: list[str], bad: list[tuple[int, str]]) -> pa.RecordBatch:
    n = len(bad)
    nulls = [pa.nulls(n, pa.string()) for _ in columns]
    return _batch(
        columns,
        nulls,
        pa.array([b[0] for b in bad], pa.int64()),
        pa.array([b[1] for b in bad], pa.string()),
    )


def read_csv(path: Path, options: dict[str, Any]) -> ReadResult:
    check_format(path, "csv")
    encoding = detect_encoding(path, options.get("encoding"))
    with path.open(encoding=encoding, newline="") as fh:
        first_line = fh.readline()
        has_data = bool(fh.readline().strip())
    delimiter = detect_delimiter(first_line, options.get("delimiter"))
    header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter), [])
    header = [h.strip() for h in header]
    if not any(header):
        raise UserError(
            "The file has no header row",
            file=path,
            row=1,
            expected="column names on the first line",
            found="an empty line",
            hint="Check that the export finished",
        )
    _check_header(path, header, 1)
    if not has_data:
        raise UserError(
            "The file has a header but no data rows",
            file=path,
            row=2,
            expected="at least one data row",
            found="end of file",
            hint="Check that the export finished (an empty extract should not be delivered)",
        )
    with path.open("rb") as tail:
        tail.seek(max(0, path.stat().st_size - 1))
        ends_with_newline = tail.read(1) in (b"\n", b"\r")
    bad: list[tuple[int, str]] = []

    def on_invalid(row: Any) -> str:
        bad.append(
            (
                int(row.number),
                f"{row.actual_columns} fields where the header has {row.expected_columns}: "
                f"{row.text[:200]}",
            )
        )
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding=encoding,
            block_size=1 << 24,
            use_threads=False,
            skip_rows=1,
            column_names=header,
        ),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=True,
            null_values=[""],
        ),
    )

    def batches() -> Iterator[pa.RecordBatch]:
        line = 2  # line 1 is the header
        reported = 0
        for batch in reader:
            skipped = {b[0] for b in bad}
            rows, line = _row_numbers(line, batch.num_rows, skipped)
            yield _batch(header, batch.columns, rows, pa.nulls(batch.num_rows, pa.string()))
            if len(bad) > reported:
                yield _bad_rows(header, bad[reported:])
                reported = len(bad)
        if len(bad) > reported:
            yield _bad_rows(header, bad[reported:])
        if bad and not ends_with_newline and bad[-1][0] >= line - 1:
            raise UserError(
                "The file ends in the middle of a row: it looks cut off",
                file=path,
                row=bad[-1][0],
                expected=f"{len(header)} fields on the last row",
                found=bad[-1][1],
                hint="Export the file again and check that the copy finished",
            )

    dialect = {"encoding": encoding, "delimiter": delimiter}
    return ReadResult(header, batches(), dialect=dialect)


def _check_header(path: Path, header: list[str], row: int) -> None:
    seen: set[str] = set()
    for name in header:
        if not name:
            raise UserError(
                "A column has no name in the header",
                file=path,
                row=row,
                column=f"number {header.index(name) + 1}",
                hint="Give every column a name (or delete the empty column)",
            )
        if name in seen:
            raise UserError(
                "Two columns have the same name in the header",
                file=path,
                row=row,
                column=name,
                hint="Rename one of them",
            )
        seen.add(name)


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _header_row(rows: list[tuple[Any, ...]]) -> int:
    """Index of the header among the first rows: the first row as wide as the widest.

    Title rows above a table ('Teamregister Senja, eksportert 2023-10-04') fill one cell.
    """
    widths = [sum(_cell_text(v) is not None for v in r) for r in rows]
    widest = max(widths, default=0)
    return next(i for i, w in enumerate(widths) if w == widest)


def read_xlsx(path: Path, options: dict[str, Any]) -> ReadResult:
    import zipfile

    import openpyxl

    check_format(path, "xlsx")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UserError(
            f"The workbook cannot be opened: {first_line(exc)}",
            file=path,
            expected="an .xlsx workbook",
            hint="The file may be damaged or cut off: open it in Excel and save it again",
        ) from exc
    sheet = options.get("sheet")
    if sheet is None:
        ws = book.worksheets[0]
    elif sheet not in book.sheetnames:
        raise UserError(
            "The workbook has no sheet with that name",
            file=path,
            expected=f"sheet '{sheet}'",
            found="sheets " + ", ".join(f"'{s}'" for s in book.sheetnames),
            hint="Set options.sheet for this source to the sheet that holds the data",
        )
    else:
        ws = book[sheet]
    rows = ws.iter_rows(min_row=1, values_only=True)
    configured = options.get("header_row")
    head: list[tuple[Any, ...]] = []
    for row in rows:
        head.append(row)
        if len(head) >= (int(configured) if configured else 30):
            break
    if not head or not any(_cell_text(v) for r in head for v in r):
        raise UserError(
            "The sheet is empty",
            file=path,
            expected=f"a header and data rows on sheet '{ws.title}'",
            found="no cells with values",
            hint="Check options.sheet and that the export finished",
        )
    index = int(configured) - 1 if configured else _header_row(head)
    header_cells = list(head[index])
    while header_cells and _cell_text(header_cells[-1]) is None:
        header_cells.pop()
    header = [_cell_text(v) or "" for v in header_cells]
    _check_header(path, header, index + 1)
    width = len(header)

    def data_rows() -> Iterator[tuple[int, tuple[Any, ...]]]:
        number = index + 1
        for row in head[index + 1 :]:
            number += 1
            yield number, row
        for row in rows:
            number += 1
            yield number, row

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            yield from _chunks(header, width, data_rows())
        finally:
            book.close()

    dialect = {"sheet": ws.title, "header_row": str(index + 1)}
    return ReadResult(header, batches(), dialect=dialect)


def _chunks(
    header: list[str], width: int, rows: Iterator[tuple[int, tuple[Any, ...]]]
) -> Iterator[pa.RecordBatch]:
    """Spreadsheet rows to batches; empty rows are skipped, cells beyond the header flagged."""
    cols: list[list[str | None]] = [[] for _ in header]
    numbers: list[int] = []
    errors: list[str | None] = []
    for number, row in rows:
        cells = [_cell_text(v) for v in row]
        if not any(c is not None for c in cells):
            continue
        extra = [c for c in cells[width:] if c is not None]
        if extra:
            for col in cols:
                col.append(None)
            errors.append(
                f"{len(extra)} filled cell(s) right of the last named column: "
                + ", ".join(extra[:5])
            )
        else:
            cells += [None] * (width - len(cells))
            for col, value in zip(cols, cells[:width], strict=True):
                col.append(value)
            errors.append(None)
        numbers.append(number)
        if len(numbers) >= BATCH_ROWS:
            yield _batch(
                header,
                [pa.array(c, pa.string()) for c in cols],
                pa.array(numbers, pa.int64()),
                pa.array(errors, pa.string()),
            )
            cols, numbers, errors = [[] for _ in header], [], []
    if numbers:
        yield _batch(
            header,
            [pa.array(c, pa.string()) for c in cols],
            pa.array(numbers, pa.int64()),
            pa.array(errors, pa.string()),
        )


def read_sav(path: Path, options: dict[str, Any]) -> ReadResult:
    """SPSS in chunks: codes as read, value labels and declared user-missing codes kept."""
    import pyreadstat

    check_format(path, "sav")
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True)
    except Exception as exc:  # pyreadstat raises its own untyped errors
        raise UserError(
            f"The SPSS file cannot be read: {first_line(exc)}",
            file=path,
            expected="an SPSS .sav file",
            hint="The file may be damaged or cut off: export it again from SPSS",
        ) from exc
    labels = {
        var: {_cell_text(code) or "": str(text) for code, text in value_labels.items()}
        for var, value_labels in meta.variable_value_labels.items()
    }
    missing: dict[str, list[str]] = {}
    for var, ranges in (meta.missing_ranges or {}).items():
        for r in ranges:
            lo, hi = r["lo"], r["hi"]  # type: ignore[index]
            if isinstance(lo, int | float) and isinstance(hi, int | float) and hi - lo <= 100:
                values = [_cell_text(float(v)) for v in range(int(lo), int(hi) + 1)]
            else:
                values = [_cell_text(lo)]
            missing.setdefault(var, []).extend(v for v in values if v is not None)
    columns = list(meta.column_names)

    def batches() -> Iterator[pa.RecordBatch]:
        first = 1
        try:
            chunks = pyreadstat.read_file_in_chunks(
                pyreadstat.read_sav, str(path), chunksize=BATCH_ROWS, user_missing=True
            )
            for frame, _ in chunks:
                arrays = [
                    pa.array([_cell_text(v) for v in frame[c].tolist()], pa.string())
                    for c in columns
                ]
                n = len(frame)
                yield _batch(
                    columns,
                    arrays,
                    pa.array(range(first, first + n), pa.int64()),
                    pa.nulls(n, pa.string()),
                )
                first += n
        except Exception as exc:  # pyreadstat's errors are untyped
            if isinstance(exc, UserError):
                raise
            raise UserError(
                f"The SPSS file cannot be read past case {first - 1}: {first_line(exc)}",
                file=path,
                row=first,
                hint="The file may be cut off: export it again from SPSS",
            ) from exc

    return ReadResult(columns, batches(), labels, missing, {"encoding": meta.file_encoding or ""})


Reader = Callable[[Path, dict[str, Any]], ReadResult]
READERS: dict[str, Reader] = {"csv": read_csv, "xlsx": read_xlsx, "sav": read_sav}
