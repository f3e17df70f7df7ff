"""Quarters, Norwegian numbers and the privacy scan, by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline import privacy
from pipeline.errors import UserError
from pipeline.quarterly import numbers
from pipeline.quarterly.period import Quarter
from pipeline.quarterly.tables import Cell, QTable


def test_quarter_ends_and_comparisons() -> None:
    q = Quarter.parse("2024Q1")
    assert q.end == dt.date(2024, 3, 31) and q.title == "1. kvartal 2024"
    assert [c.label for c in q.compared] == ["2024Q1", "2023Q4", "2023Q1"]
    assert Quarter.parse("2023q4").end == dt.date(2023, 12, 31)
    assert Quarter.of(dt.date(2021, 12, 20)) == Quarter(2021, 4)
    with pytest.raises(UserError, match="2023Q4"):
        Quarter.parse("2023-4")


def test_norwegian_numbers() -> None:
    assert numbers.count(1234) == "1\u202f234"
    assert numbers.decimal(1234.5) == "1\u202f234,5"
    assert numbers.percent(0.3214) == "32\u202f%"
    assert numbers.change(-3) == "\u22123" and numbers.change(5) == "+5"
    assert numbers.change(0) == "0"


def _table(*cells: Cell) -> QTable:
    return QTable("t", "T", "team_counts", ["a", "b"], rows=[[Cell("x"), *cells]])


def test_scan_finds_small_counts_in_cells_and_shares() -> None:
    assert privacy.scan_tables([_table(Cell("7", 7, "count"), Cell("0", 0, "count"))], 5) == []
    assert privacy.scan_tables([_table(Cell("3", 3, "count"))], 5)
    assert privacy.scan_tables([_table(Cell("40 % (2 av 5)", 0.4, "share"))], 5)
    assert privacy.scan_tables([_table(Cell("80 % (8 av 10)", 0.8, "share"))], 5)  # 2 not
    assert privacy.scan_tables([_table(Cell("–", None, "count", True))], 5) == []


def test_scan_finds_keys_free_text_and_birth_dates_but_not_report_dates() -> None:
    texts = {"P000138", "Gå tur med hunden"}
    births = {dt.date(1950, 5, 1), dt.date(2021, 3, 31)}
    allowed = {dt.date(2021, 3, 31)}
    assert privacy.scan_text("x", "Aktive team 31.03.2021: 50", texts, births, allowed) == []
    found = privacy.scan_text("x", "P000138 · Gå tur med hunden · 01.05.1950", texts, births,
                              allowed)  # fmt: skip
    assert len(found) == 3
    assert privacy.scan_text("x", "XP0001389", texts, births, allowed) == []  # not a token
    assert privacy.scan_figure_data("x", '"y":[11,35,null,2]', 5)


def test_rule_reasons_in_bokmal() -> None:
    """Every rule of the two municipality contracts has a Norwegian reason, with the
    contract's own words in brackets."""
    from pipeline.settings import PROJECT
    from pipeline.validate.contracts import load_contract
    from pipeline.validate.reasons_nb import norwegian

    contract = load_contract(PROJECT / "data_contracts" / "team_register.yml")
    texts = {r.name: norwegian(r, contract) for r in contract.rules}
    assert texts["start_date.type"] == "ikke en gyldig dato"
    assert texts["start_date.not_null"].startswith("verdien mangler (")
    assert texts["kommune.kommunenummer_known"] == "ikke et kommunenummer i SSBs klassifikasjon 131"
    assert texts["end_after_start"].startswith("end_date ≥ start_date holder ikke")
    assert "tillatte verdiene: Helse, Omsorg" in texts["coordinator_sector.allowed"]
    dated = contract.with_date_format("%d.%m.%Y")
    start = next(r for r in dated.rules if r.name == "start_date.type")
    assert norwegian(start, dated) == "ikke en gyldig dato i formatet %d.%m.%Y"
    assert not any("does not" in t or "not a " in t.split("(")[0] for t in texts.values())


def test_an_outward_page_with_a_register_key_is_not_written() -> None:
    from pipeline.report.write import scan_page

    forbidden = privacy.Forbidden(privacy.pattern({"P000138"}), frozenset())
    scan_page("evaluation.html", "<td>5530</td>", forbidden)
    with pytest.raises(UserError, match="P000138"):
        scan_page("evaluation.html", "<td>P000138</td>", forbidden)
