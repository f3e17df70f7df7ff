"""Property-based tests of every reader (hypothesis): whatever the bytes, a reader returns the
file's rows, all of them, or stops with one UserError; never a traceback, never a lost row.

Examples are derandomised so that CI sees the same cases on every run; raise
OT_EVAL_HYPOTHESIS_EXAMPLES to search wider by hand.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.errors import UserError
from pipeline.ingest.readers import READERS, ReadResult
from pipeline.sample.pinned import write_sav

EXAMPLES = int(os.environ.get("OT_EVAL_HYPOTHESIS_EXAMPLES", "60"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Values as people type them: Norwegian letters, quotes, delimiters, spaces, line breaks.
PIECES = st.sampled_from([*"abcæøåÆØÅé 0123;,|\t\"'-.", "\n", "\r\n", "🙂"])
VALUE = st.lists(PIECES, max_size=12).map("".join)
NAME = st.text(st.sampled_from(list("abcdefæøå_")), min_size=1, max_size=8)


def consume(result: ReadResult) -> list[dict[str, Any]]:
    """All rows a reader yields (data rows and rows it flags as unreadable)."""
    rows = []
    for batch in result.batches:
        rows += batch.to_pylist()
    return rows


def all_rows_or_one_clear_error(
    path: Path, fmt: str, options: dict[str, Any] | None = None
) -> None:
    """The allowed outcomes: every row the file holds (by the reader's independent count), or
    a UserError, when opening or while reading. Anything else fails the test."""
    try:
        result = READERS[fmt](path, options or {})
        got = consume(result)
    except UserError:
        return
    assert result.rows_in_file == len(got)


@st.composite
def tables(draw: Any) -> tuple[list[str], list[list[str]]]:
    names = draw(st.lists(NAME, min_size=1, max_size=5, unique=True))
    rows = draw(st.lists(st.lists(VALUE, min_size=len(names), max_size=len(names)), max_size=8))
    return names, rows


@PROPERTY
@given(
    table=tables(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_any_table_written_as_csv_reads_back_exactly(
    tmp_path: Path, table: tuple[list[str], list[list[str]]], encoding: str, delimiter: str,
    newline: str,
) -> None:  # fmt: skip
    names, rows = table
    assume(rows)
    assume(len(names) == 1 or names not in rows)  # a repeated header is quarantined (by design)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows([names, *rows])
    text = buffer.getvalue()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)  # cp1252 has no emoji
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    breaks = any("\n" in v or "\r" in v for row in rows for v in row)
    options = {"delimiter": delimiter, "encoding": encoding, "multiline_values": breaks}
    result = READERS["csv"](path, options)
    got = consume(result)
    assert result.rows_in_file == len(rows) == len(got)
    assert result.sha256 == hashlib.sha256(data).hexdigest()  # taken in the text pass, BOM too
    assert [r["_parse_error"] for r in got] == [None] * len(rows)
    expected = [[v if v != "" else None for v in row] for row in rows]
    assert [[r[n] for n in names] for r in got] == expected


@PROPERTY
@given(data=st.binary(max_size=400), fmt=st.sampled_from(["csv", "xlsx", "sav"]))
def test_arbitrary_bytes_give_rows_or_one_clear_error(
    tmp_path: Path, data: bytes, fmt: str
) -> None:
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(data)
    all_rows_or_one_clear_error(path, fmt)


def _valid_files(folder: Path) -> dict[str, bytes]:
    """One small valid file per format, with Norwegian letters, to be damaged by the tests."""
    frame = pd.DataFrame({"navn": ["Bø", "Tromsø", "Ærøy"], "kode": [1.0, 2.0, 3.0]})
    write_sav(frame, folder / "v.sav", variable_value_labels={"kode": {1: "Ja", 2: "Nei"}})
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["navn", "kode"], ["Bø", 1], ["Tromsø", 2], ["Ærøy", 3]):
        sheet.append(row)
    book.save(folder / "v.xlsx")
    pq.write_table(pa.Table.from_pandas(frame), folder / "v.parquet")
    frame.to_csv(folder / "v.csv", sep=";", index=False)
    return {fmt: (folder / f"v.{fmt}").read_bytes() for fmt in ("sav", "xlsx", "parquet", "csv")}


@PROPERTY
@given(
    fmt=st.sampled_from(["csv", "xlsx", "sav", "parquet"]),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=4),
)
def test_damaged_files_give_rows_or_one_clear_error(
    tmp_path: Path, fmt: str, cut: float, flips: list[tuple[float, int]]
) -> None:
    original = _valid_files(tmp_path)[fmt]
    data = bytearray(original[: max(1, int(len(original) * cut))] if cut < 1 else original)
    for where, byte in flips:
        data[min(len(data) - 1, int(len(data) * where))] = byte
    path = tmp_path / f"damaged.{fmt}"
    path.write_bytes(bytes(data))
    if fmt == "parquet":
        _ingest_parquet(tmp_path, path)
    else:
        all_rows_or_one_clear_error(path, fmt)


QDPX = Path(__file__).parents[1] / "corpus" / "files" / "qdpx_codings_that_cannot_be_placed.qdpx"


@PROPERTY
@given(
    part=st.sampled_from(["sources", "codings", "codes"]),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(
        st.tuples(st.floats(0.0, 1.0), st.sampled_from(list('<>/=" x\x00é'.encode()))), max_size=4
    ),
)
def test_damaged_refi_qda_projects_give_rows_or_one_clear_error(
    tmp_path: Path, part: str, cut: float, flips: list[tuple[float, int]]
) -> None:
    """The project XML inside a .qdpx cut short or with characters changed: every element
    of the part as a row, or one clear error naming what is wrong."""
    with zipfile.ZipFile(QDPX) as z:
        original = z.read("project.qde")
    data = bytearray(original[: max(1, int(len(original) * cut))] if cut < 1 else original)
    for where, byte in flips:
        data[min(len(data) - 1, int(len(data) * where))] = byte
    path = tmp_path / "damaged.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", bytes(data))
    all_rows_or_one_clear_error(path, "qdpx", {"part": part})


def _ingest_parquet(folder: Path, path: Path) -> None:
    """Parquet goes through DuckDB (ingest): every row its metadata states, or a UserError."""
    from pipeline.ingest import ingest_source
    from pipeline.settings import load_settings

    config = folder / "c.toml"
    config.write_text(
        "[evaluation]\nintervention_date = 2018-09-01\n[sources.registry_persons]\n"
        f'path = "{path.name}"\nformat = "parquet"\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    con = duckdb.connect()
    for schema in ("raw", "meta"):
        con.execute(f"create schema {schema}")
    try:
        rows = ingest_source(con, settings, settings.sources["registry_persons"])
    except UserError:
        return
    counted = con.execute("select sum(num_rows) from parquet_file_metadata(?)", [str(path)])
    assert rows == counted.fetchone()[0]  # type: ignore[index]


def test_norwegian_letters_survive_every_reader(tmp_path: Path) -> None:
    """æ ø å round trip: CSV in each encoding, Excel, SPSS (values and labels), Parquet."""
    _valid_files(tmp_path)
    for encoding in ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes("navn;kode\nBø;1\nTromsø;2\nÆrøy;3\n".encode(encoding))
        result = READERS["csv"](path, {})
        assert [r["navn"] for r in consume(result)] == ["Bø", "Tromsø", "Ærøy"], encoding
    for fmt in ("xlsx", "sav"):
        result = READERS[fmt](tmp_path / f"v.{fmt}", {})
        assert [r["navn"] for r in consume(result)] == ["Bø", "Tromsø", "Ærøy"], fmt
    labels = READERS["sav"](tmp_path / "v.sav", {}).value_labels
    assert labels["kode"] == {"1": "Ja", "2": "Nei"}
    con = duckdb.connect()
    names = con.execute("select navn from read_parquet(?)", [str(tmp_path / "v.parquet")])
    assert [r[0] for r in names.fetchall()] == ["Bø", "Tromsø", "Ærøy"]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_file_name_with_norwegian_letters_is_kept(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "teamregister_tromsø_bø.csv"
    path.write_bytes("navn;kode\nÅse;1\n".encode(encoding))
    assert [r["navn"] for r in consume(READERS["csv"](path, {}))] == ["Åse"]
