"""One reader per file format. Each yields Arrow record batches with `_source_row` added.

`_source_row` is the row as the user sees it in that file's own viewer: the line number in a
CSV (header = line 1), the spreadsheet row in Excel, the case number in SPSS, the 1-based row
in Parquet. Text formats are kept as text: typing is the contract's job, so nothing is lost
on the way in.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.errors import UserError

BATCH_ROWS = 200_000


@dataclass
class ReadResult:
    batches: Iterator[pa.RecordBatch]
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)


def _with_row_numbers(batch: pa.RecordBatch, first: int) -> pa.RecordBatch:
    rows = pa.array(range(first, first + batch.num_rows), pa.int64())
    return pa.RecordBatch.from_arrays([*batch.columns, rows], [*batch.schema.names, "_source_row"])


def read_csv(path: Path, options: dict[str, Any]) -> ReadResult:
    encoding = options.get("encoding", "utf-8")
    delimiter = options.get("delimiter", ";")
    try:
        with path.open(encoding=encoding, newline="") as fh:
            header = next(csv.reader(fh, delimiter=delimiter), None)
    except UnicodeDecodeError as exc:
        raise UserError(
            "The file cannot be read with the configured encoding",
            file=path,
            expected=encoding,
            found=f"byte {exc.object[exc.start]:#x}",
            hint="Set options.encoding for this source (e.g. 'cp1252')",
        ) from exc
    if not header:
        raise UserError(
            "The file is empty: no header row",
            file=path,
            row=1,
            hint="Check that the export finished",
        )
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=True,
            null_values=[""],
        ),
    )

    def batches() -> Iterator[pa.RecordBatch]:
        line = 2  # line 1 is the header
        try:
            for batch in reader:
                yield _with_row_numbers(batch, line)
                line += batch.num_rows
        except pa.ArrowInvalid as exc:
            raise UserError(
                f"The CSV cannot be parsed: {exc}",
                file=path,
                row=line,
                hint="Check the delimiter and that every row has as many fields as the header",
            ) from exc

    return ReadResult(batches())


def _cell_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, options: dict[str, Any]) -> ReadResult:
    sheet = options.get("sheet", 0)
    header_row = int(options.get("header_row", 1))  # 1-based spreadsheet row of the header
    try:
        frame = pd.read_excel(
            path, sheet_name=sheet, header=header_row - 1, dtype=object, engine="openpyxl"
        )
    except ValueError as exc:
        raise UserError(
            f"The workbook cannot be read: {exc}",
            file=path,
            expected=f"sheet {sheet!r}",
            hint="Set options.sheet",
        ) from exc
    columns = {str(c): [_cell_text(v) for v in frame[c]] for c in frame.columns}
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    batch = table.combine_chunks().to_batches()
    first = header_row + 1
    return ReadResult(iter([_with_row_numbers(b, first) for b in batch] or []))


def read_sav(path: Path, options: dict[str, Any]) -> ReadResult:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=True)
    except Exception as exc:  # pyreadstat raises its own untyped errors
        raise UserError(
            f"The SPSS file cannot be read: {exc}", file=path, expected="an SPSS .sav file"
        ) from exc
    for col in frame.columns:  # whole-number codes stay integers, so '1' stays '1'
        values = frame[col]
        if values.dtype.kind == "f" and values.dropna().apply(float.is_integer).all():
            frame[col] = values.astype("Int64")
    labels = {
        var: {
            _cell_text(code) or "": str(text)
            for code, text in meta.variable_value_labels[var].items()
        }
        for var in meta.variable_value_labels
    }
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return ReadResult(iter([_with_row_numbers(b, 1) for b in table.to_batches()]), labels)


def read_parquet(path: Path, options: dict[str, Any]) -> ReadResult:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise UserError(
            f"The Parquet file cannot be read: {exc}", file=path, expected="a Parquet file"
        ) from exc

    def batches() -> Iterator[pa.RecordBatch]:
        first = 1
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            yield _with_row_numbers(batch, first)
            first += batch.num_rows

    return ReadResult(batches())


READERS = {"csv": read_csv, "xlsx": read_xlsx, "sav": read_sav, "parquet": read_parquet}
