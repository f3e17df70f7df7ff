"""One reader per file format. Each yields Arrow record batches with `_source_row` added, and
checks, once the batches are exhausted, that it read every row the file holds.

`_source_row` is the row as the user sees it in that file's own viewer: the line number in a
CSV (header = line 1), the spreadsheet row in Excel, the case number in SPSS, the 1-based row
in Parquet. Text formats are kept as text: typing is the contract's job, so nothing is lost
on the way in. A row that cannot be read faithfully (a stray delimiter, a quote never closed,
an Excel error cell, a formula never calculated) is kept too, with `_parse_error` saying what
was wrong; validation quarantines it.

"Rows in" is what the file holds, counted by a second method that does not trust the
reader: the lines of a CSV (`textscan`), the rows of the sheet's XML (`xlsxscan`), the case
count in an SPSS header, the row count in Parquet metadata (load.py). A shortfall stops the
run with the file's name. Parquet is not read here: DuckDB streams it (see load.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.errors import UserError, first_line
from pipeline.ingest.qdpx import read_qdpx
from pipeline.ingest.result import ReadResult, check_every_row_read
from pipeline.ingest.sniff import check_format
from pipeline.ingest.textscan import (
    MAX_OPEN_QUOTE_LINES,
    TextScan,
    line_spans,
    scan,
    text_blocks,
)

BATCH_ROWS = 100_000
DELIMITERS = (";", ",", "\t", "|")
DELIMITER_NAMES = {";": "';' (semicolon)", ",": "',' (comma)", "\t": "a tab", "|": "'|' (pipe)"}
UNNAMED = "_unnamed_"
MERGED_RULE = "row.merged_cells"


def show_delimiter(delimiter: str) -> str:
    return DELIMITER_NAMES.get(delimiter, repr(delimiter))


def detect_delimiter(header: str, configured: str | None) -> str:
    if configured:
        return configured
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _row_numbers(first: int, n: int, skipped: set[int]) -> tuple[np.ndarray, int]:
    """Record numbers for `n` parsed rows starting at `first`, stepping over skipped ones."""
    ahead = sorted(s for s in skipped if s >= first)
    candidates = np.arange(first, first + n + len(ahead), dtype=np.int64)
    if ahead:
        candidates = candidates[~np.isin(candidates, ahead)]
    numbers = candidates[:n]
    return numbers, int(numbers[-1]) + 1 if n else first


def _batch(columns: list[str], arrays: list[Any], rows: Any, errors: Any) -> pa.RecordBatch:
    errors = errors if isinstance(errors, pa.Array) else pa.array(errors, pa.string())
    return pa.RecordBatch.from_arrays(
        [*arrays, pa.array(rows, pa.int64()), errors.cast(pa.string())],
        [*columns, "_source_row", "_parse_error"],
    )


def _bad_rows(columns: list[str], rows: Any, reasons: list[str]) -> pa.RecordBatch:
    nulls = [pa.nulls(len(reasons), pa.string()) for _ in columns]
    return _batch(columns, nulls, rows, reasons)


def _check_header(path: Path, header: list[str], row: int) -> None:
    seen: set[str] = set()
    for number, name in enumerate(header, start=1):
        if not name:
            raise UserError(
                "A column has no name in the header",
                file=path,
                row=row,
                column=f"number {number}",
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


def _named(header: list[str]) -> tuple[list[str], int]:
    """The named columns and how many unnamed ones trail them (a trailing delimiter)."""
    named = list(header)
    while named and not named[-1]:
        named.pop()
    return named, len(header) - len(named)


# -- CSV -------------------------------------------------------------------------------------


class _PatchedText(io.RawIOBase):
    """The file as the parser should see it: every line that leaves a quote open is replaced by
    a marker (one field too many), so that the parser reports that line as one bad row
    instead of running on into the lines after it."""

    def __init__(self, path: Path, encoding: str, lines: set[int], marker: bytes) -> None:
        self._pieces = self._patched(path, encoding, lines, marker)
        self._buffer = b""

    @staticmethod
    def _patched(path: Path, encoding: str, lines: set[int], marker: bytes) -> Iterator[bytes]:
        flagged = np.array(sorted(lines), np.int64)
        seen = 0
        for data, last in text_blocks(path, encoding):
            starts, content_end, _ = line_spans(data, last)
            numbers = np.arange(seen + 1, seen + 1 + len(starts))
            hit = np.flatnonzero(np.isin(numbers, flagged))  # no Python loop over the lines
            position = 0
            for i in hit:
                yield data[position : starts[i]] + marker
                position = int(content_end[i])
            yield data[position:]
            seen += len(starts)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._pieces)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._buffer))
        buffer[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def _first_line(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as fh:
        return fh.readline().rstrip("\r\n")


def _records_by_csv_module(path: Path, encoding: str, delimiter: str) -> int:
    """Rows below the header as Python's own CSV parser counts them (quoted line breaks)."""
    with path.open(encoding=encoding, newline="") as fh:
        return sum(1 for row in csv.reader(fh, delimiter=delimiter) if row) - 1


def _row_problems(batch: pa.RecordBatch, header: list[str], unnamed: int) -> pa.Array:
    """Why a parsed row is still not a row of data: a value in an unnamed column, or the
    header itself repeated (files joined with their headers; with two or more columns, as a
    single column's value may equal its name)."""
    n = batch.num_rows
    reasons: list[str | None] | None = None
    if unnamed:
        for j in range(unnamed):
            column = batch.column(len(header) + j)
            if column.null_count < n:
                reasons = reasons or [None] * n
                for row in np.flatnonzero(pc.is_valid(column).to_numpy(zero_copy_only=False)):
                    reasons[row] = reasons[row] or (
                        f"a value right of the last named column: {column[row].as_py()!r}"
                    )
    same = None
    for k, name in enumerate(header if len(header) > 1 else []):
        equal = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(batch.column(k)), name), False)
        same = equal if same is None else pc.and_(same, equal)
        if not pc.any(same).as_py():  # no row left that could be the header: stop looking
            break
    if same is not None and pc.any(same).as_py():
        reasons = reasons or [None] * n
        for row in np.flatnonzero(same.to_numpy(zero_copy_only=False)):
            reasons[row] = "the header line repeated as a data row (were files joined?)"
    return pa.nulls(n, pa.string()) if reasons is None else pa.array(reasons, pa.string())


@dataclass
class _CsvLayout:
    text: TextScan
    delimiter: str
    header: list[str]
    unnamed: int
    opened: dict[int, str]  # line -> text of lines that leave a quote open
    multiline: bool


def _csv_layout(path: Path, options: dict[str, Any]) -> _CsvLayout:
    """Encoding, delimiter and header of a CSV file, checked before any row is read: no
    header, no data rows or too many unclosed quotes stop here, naming the file."""
    text = scan(path, options.get("encoding"))
    multiline = bool(options.get("multiline_values", False))
    first = _first_line(path, text.encoding)
    delimiter = detect_delimiter(first, options.get("delimiter"))
    parsed = next(csv.reader([first], delimiter=delimiter), [])
    header, unnamed = _named([h.strip() for h in parsed])
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
    if text.records() == 0:
        raise UserError(
            "The file has a header but no data rows",
            file=path,
            row=2,
            expected="at least one data row",
            found="end of file",
            hint="Check that the export finished (an empty extract should not be delivered)",
        )
    opened = {} if multiline else text.open_quote_lines(delimiter)
    if not multiline and len(text.odd_quotes) >= MAX_OPEN_QUOTE_LINES:
        raise UserError(
            "Too many lines leave a quoted value open",
            file=path,
            found=f"{MAX_OPEN_QUOTE_LINES:,} or more such lines",
            hint="If values in this file hold line breaks, set options.multiline_values = true "
            "for the source",
        )
    return _CsvLayout(text, delimiter, header, unnamed, opened, multiline)


def read_csv(path: Path, options: dict[str, Any]) -> ReadResult:
    """Stream a CSV file through pyarrow in batches; every line is accounted for: read, or a
    bad row kept with its reason, and the total checked against an independent count."""
    check_format(path, "csv")
    layout = _csv_layout(path, options)
    text, delimiter, header, unnamed = (
        layout.text, layout.delimiter, layout.header, layout.unnamed
    )  # fmt: skip
    opened, multiline = layout.opened, layout.multiline
    names = header + [f"{UNNAMED}{j + 1}" for j in range(unnamed)]
    marker = delimiter * len(names)  # one field more than the header: always a bad row
    result = ReadResult(header, iter(()), dialect={"encoding": text.encoding,
                                                   "delimiter": delimiter},
                        expected=text.records(), sha256=text.sha256)  # fmt: skip
    bad: list[tuple[int, str]] = []

    def on_invalid(row: Any) -> str:
        number = int(row.number)
        if opened and row.text == marker:
            line = int(text.line_of(np.array([number]))[0])
            reason = (
                "a quote opened on this line is not closed on it (the parser would read the "
                f"lines after it into one value): {opened.get(line, '')[:200]}"
            )
        else:
            reason = (
                f"{row.actual_columns} fields where the header has {row.expected_columns}: "
                f"{row.text[:200]}"
            )
        bad.append((number, reason))
        return "skip"

    source: Any = path
    encoding = text.encoding
    if opened:  # the patched text is the file's bytes (UTF-16 arrives as UTF-8)
        source = _PatchedText(path, text.encoding, set(opened), marker.encode())
        encoding = text.encoding if text.encoding in ("cp1252", "latin-1") else "utf8"
    reader = pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(
            encoding=encoding,
            block_size=1 << 24,
            use_threads=False,
            skip_rows=1,
            column_names=names,
        ),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            null_values=[""],
        ),
    )

    def lines(records: np.ndarray) -> np.ndarray:
        return records if multiline else text.line_of(records)

    def batches() -> Iterator[pa.RecordBatch]:
        record = 2  # record 1 is the header
        reported = 0
        total = 0
        for batch in reader:
            numbers, record = _row_numbers(record, batch.num_rows, {b[0] for b in bad})
            problems = _row_problems(batch, header, unnamed)
            yield _batch(header, batch.columns[: len(header)], lines(numbers), problems)
            total += batch.num_rows
            if len(bad) > reported:
                new, reported = bad[reported:], len(bad)
                yield _bad_rows(header, lines(np.array([b[0] for b in new])), [b[1] for b in new])
                total += len(new)
        if len(bad) > reported:
            new = bad[reported:]
            yield _bad_rows(header, lines(np.array([b[0] for b in new])), [b[1] for b in new])
            total += len(new)
        if bad and not text.ends_with_newline and bad[-1][0] == text.records() + 1:
            raise UserError(
                "The file ends in the middle of a row: it looks cut off",
                file=path,
                row=int(lines(np.array([bad[-1][0]]))[0]),
                expected=f"{len(header)} fields on the last row",
                found=bad[-1][1],
                hint="Export the file again and check that the copy finished",
            )
        if multiline:
            expected = _records_by_csv_module(path, text.encoding, delimiter)
            how = "records below the header, by Python's csv module"
        else:
            expected = text.records()
            empty = int(np.count_nonzero(text.empty > 1))
            how = f"non-empty lines below the header ({empty:,} empty line(s) hold no row)"
        check_every_row_read(
            path,
            expected,
            how,
            total,
            "Please report this with the file's structure (not its data); meanwhile check the "
            "file for quotes that span lines (options.multiline_values)",
        )
        result.rows_in_file, result.counted_by = expected, how

    result.batches = batches()
    return result


# -- Excel -----------------------------------------------------------------------------------


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


def _header_row(rows: list[list[Any]]) -> int:
    """Index of the header among the first rows: the first row as wide as the widest.

    Title rows above a table ('Teamregister Senja, eksportert 2023-10-04') fill one cell.
    """
    widths = [sum(_cell_text(v) is not None for v in r) for r in rows]
    widest = max(widths, default=0)
    return next(i for i, w in enumerate(widths) if w == widest)


def _pick_sheet(path: Path, book: Any, sheet: str | None) -> Any:
    """The named sheet, else the first visible one (a hidden sheet is never guessed)."""

    def shown(ws: Any) -> str:
        state = getattr(ws, "sheet_state", "visible")
        return f"'{ws.title}'" + ("" if state == "visible" else f" ({state})")

    if sheet is None:
        visible = [
            ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"
        ]
        if not visible:
            raise UserError(
                "The workbook has no visible sheet",
                file=path,
                found="sheets " + ", ".join(shown(ws) for ws in book.worksheets),
                hint="Set options.sheet for this source to the sheet that holds the data",
            )
        return visible[0]
    if sheet not in book.sheetnames:
        raise UserError(
            "The workbook has no sheet with that name",
            file=path,
            expected=f"sheet '{sheet}'",
            found="sheets " + ", ".join(shown(ws) for ws in book.worksheets),
            hint="Set options.sheet for this source to the sheet that holds the data",
        )
    return book[sheet]


@dataclass
class _Merges:
    """Merged ranges below the header: every cell takes the value of the range's first cell."""

    fill: dict[int, list[tuple[int, tuple[int, int]]]]  # row -> [(column, first cell)]
    first: set[tuple[int, int]]
    values: dict[tuple[int, int], Any] = field(default_factory=dict)

    @classmethod
    def below(cls, merged: list[tuple[int, int, int, int]], header_row: int) -> _Merges:
        fill: dict[int, list[tuple[int, tuple[int, int]]]] = {}
        first = set()
        for c1, r1, c2, r2 in merged:
            if r1 <= header_row:
                continue  # titles and header cells: not data
            first.add((r1, c1))
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        fill.setdefault(r, []).append((c, (r1, c1)))
        return cls(fill, first)


def _damaged(path: Path, exc: BaseException) -> UserError:
    return UserError(
        f"The workbook cannot be read: {type(exc).__name__}: {first_line(exc)}",
        file=path,
        expected="a complete .xlsx workbook",
        hint="The file may be damaged or cut off: open it in Excel and save it again",
    )


def _guarded_rows(path: Path, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """openpyxl's rows; whatever a damaged zip or XML makes it raise becomes one UserError."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # zlib, XML, zip and openpyxl errors: the file, not ot-eval
            raise _damaged(path, exc) from exc
        yield row


def read_xlsx(path: Path, options: dict[str, Any]) -> ReadResult:
    import openpyxl
    from openpyxl.utils.cell import get_column_letter

    from pipeline.ingest.xlsxscan import scan_sheet

    check_format(path, "xlsx")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook can make openpyxl raise almost anything
        raise _damaged(path, exc) from exc
    ws = _pick_sheet(path, book, options.get("sheet"))
    try:
        ws.reset_dimensions()  # the stored dimension may be smaller than the data: read it all
        sheet_scan = scan_sheet(path, ws.title)
    except Exception as exc:
        raise _damaged(path, exc) from exc
    rows = _guarded_rows(path, ws.iter_rows(min_row=1))
    configured = options.get("header_row")
    head: list[tuple[Any, ...]] = []
    for row in rows:
        head.append(row)
        if len(head) >= (int(configured) if configured else 30):
            break
    values = [[getattr(c, "value", None) for c in r] for r in head]
    if not head or not any(_cell_text(v) for r in values for v in r):
        raise UserError(
            "The sheet is empty",
            file=path,
            expected=f"a header and data rows on sheet '{ws.title}'",
            found="no cells with values",
            hint="Check options.sheet and that the export finished",
        )
    index = int(configured) - 1 if configured else _header_row(values)
    header_cells = list(values[index])
    while header_cells and _cell_text(header_cells[-1]) is None:
        header_cells.pop()
    header = [_cell_text(v) or "" for v in header_cells]
    _check_header(path, header, index + 1)
    width = len(header)
    merges = _Merges.below(sheet_scan.merged, index + 1)
    above = " ".join(t for r in values[:index] for v in r if (t := _cell_text(v)))
    dialect = {"sheet": ws.title, "header_row": str(index + 1), "preamble": above}
    result = ReadResult(header, iter(()), dialect=dialect)

    def data_rows() -> Iterator[tuple[int, tuple[Any, ...]]]:
        number = index + 1
        for row in head[index + 1 :]:
            number += 1
            yield number, row
        for row in rows:
            number += 1
            yield number, row

    def prepared() -> Iterator[tuple[int, list[str | None], str | None]]:
        """(row, cells as text, why the row cannot be read) for every row that holds data."""
        for number, row in data_rows():
            cells = [getattr(c, "value", None) for c in row]
            for c, value in enumerate(cells, start=1):
                if (number, c) in merges.first:
                    merges.values[(number, c)] = value
            texts = [_cell_text(v) for v in cells]
            uncalculated = sheet_scan.uncalculated.get(number)
            if not any(t is not None for t in texts) and not uncalculated:
                continue  # an empty row holds no data (merged cells do not make it a row)
            for c, first_cell in merges.fill.get(number, []):
                texts += [None] * (c - len(texts))
                texts[c - 1] = _cell_text(merges.values.get(first_cell))
                if c <= width:
                    anchor = f"{get_column_letter(first_cell[1])}{first_cell[0]}"
                    result.notes.append(
                        (number, MERGED_RULE, f"{header[c - 1]} copied from merged cell {anchor}")
                    )
            problem = _sheet_row_problem(row, texts, header, uncalculated)
            texts = texts[:width] + [None] * (width - len(texts))
            yield number, ([None] * width if problem else texts), problem

    def batches() -> Iterator[pa.RecordBatch]:
        total = 0
        try:
            chunk: list[tuple[int, list[str | None], str | None]] = []
            for item in prepared():
                chunk.append(item)
                if len(chunk) >= BATCH_ROWS:
                    yield _rows_batch(header, chunk)
                    total += len(chunk)
                    chunk = []
            if chunk:
                yield _rows_batch(header, chunk)
                total += len(chunk)
        finally:
            book.close()
        expected = sum(1 for r in sheet_scan.rows if r > index + 1)
        how = f"rows with a value below the header, from the XML of sheet '{ws.title}'"
        check_every_row_read(
            path,
            expected,
            how,
            total,
            "Open the workbook in Excel and save it again, or export the sheet as CSV",
        )
        result.rows_in_file, result.counted_by = expected, how

    result.batches = batches()
    return result


def _sheet_row_problem(
    row: tuple[Any, ...], texts: list[str | None], header: list[str], uncalculated: Any
) -> str | None:
    """Why a sheet row cannot be read faithfully (None if it can): an Excel error value, a
    formula never calculated, or filled cells right of the last named column."""
    from openpyxl.utils.cell import get_column_letter

    width = len(header)
    errors = [
        f"{header[c] if c < width else get_column_letter(c + 1)}={cell.value}"
        for c, cell in enumerate(row)
        if getattr(cell, "data_type", None) == "e"
    ]
    extra = [t for t in texts[width:] if t is not None]
    if errors:
        return "an Excel error value in the cell: " + ", ".join(errors)
    if uncalculated:
        return (
            f"cell {', '.join(uncalculated)} holds a formula Excel never calculated (no "
            "stored value): open the workbook in Excel and save it again"
        )
    if extra:
        return f"{len(extra)} filled cell(s) right of the last named column: " + ", ".join(
            extra[:5]
        )
    return None


def _rows_batch(
    header: list[str], chunk: list[tuple[int, list[str | None], str | None]]
) -> pa.RecordBatch:
    columns = [
        pa.array([cells[i] for _, cells, _ in chunk], pa.string()) for i in range(len(header))
    ]
    return _batch(header, columns, [n for n, _, _ in chunk], [p for _, _, p in chunk])


# -- SPSS ------------------------------------------------------------------------------------


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
    stated = meta.number_rows if meta.number_rows is not None and meta.number_rows >= 0 else None
    result = ReadResult(columns, iter(()), labels, missing, {"encoding": meta.file_encoding or ""})

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
                yield _batch(columns, arrays, np.arange(first, first + n), pa.nulls(n))
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
        if stated is None:
            result.rows_in_file = first - 1
            result.counted_by = "not stated in the file's header: the cases read"
            return
        how = "cases stated in the file's header"
        hint = "The file may be damaged: export it again from SPSS"
        check_every_row_read(path, stated, how, first - 1, hint)
        result.rows_in_file, result.counted_by = stated, how

    result.batches = batches()
    return result


Reader = Callable[[Path, dict[str, Any]], ReadResult]
READERS: dict[str, Reader] = {
    "csv": read_csv, "xlsx": read_xlsx, "sav": read_sav, "qdpx": read_qdpx,
}  # fmt: skip
__all__ = ["READERS", "ReadResult", "check_every_row_read"]
