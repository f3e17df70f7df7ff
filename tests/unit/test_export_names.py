"""Names each format accepts: Stata's and SPSS's rules, unique without case, Norwegian
letters spelled out, and nothing renamed for the formats that take any name."""

from __future__ import annotations

import re

from pipeline.export.names import legal_names, renamed

COLUMNS = ["_source_file", "group", "kjønn", "1st", "with", "x" * 70, "X" * 70, "by", "x.",
           "innmateHast", "_n", "str10", "år"]  # fmt: skip


def test_stata_names() -> None:
    names = legal_names(COLUMNS, "dta")
    for new in names.values():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", new), new
    assert names["_source_file"] == "_source_file" and names["group"] == "group"
    assert names["kjønn"] == "kjonn" and names["år"] == "ar"
    assert names["1st"] == "v1st" and names["with"] == "vwith" and names["_n"] == "v_n"
    assert names["str10"] == "vstr10"  # str1 ... str2045 are Stata's string types
    assert names["x" * 70] == "x" * 32 and names["X" * 70] == "X" * 30 + "_2"  # no case clash
    assert len({n.lower() for n in names.values()}) == len(COLUMNS)


def test_spss_names() -> None:
    names = legal_names(COLUMNS, "sav")
    for new in names.values():
        assert re.fullmatch(r"[A-Za-z@][A-Za-z0-9._$#@]{0,63}", new), new
        assert not new.endswith((".", "_")), new
    assert names["_source_file"] == "vsource_file" and names["by"] == "vby"
    assert names["x."] == "x" and names["innmateHast"] == "innmateHast"
    assert len({n.lower() for n in names.values()}) == len(COLUMNS)
    assert ("_source_file", "vsource_file") in renamed(names)


def test_parquet_csv_and_excel_keep_every_name() -> None:
    for fmt in ("parquet", "csv", "xlsx"):
        assert renamed(legal_names(COLUMNS, fmt)) == []
