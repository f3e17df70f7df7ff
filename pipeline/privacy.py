"""The privacy scan: run on every outward file before it is written (the quarterly HTML and
workbook in full; the evaluation and data-quality pages for register keys and free
text), and by the tests on every outward file of a sample run.

An outward HTML page or workbook must hold no person pseudonym, team or coordinator key, birth
date or free text from the registers (PSFS activities are written by the person), and no
count between 1 and the threshold − 1 that is not suppressed — in its tables, in the
"x av n" of a share, or in a figure's data. The page's embedded plotly.js library is not
data and is left out of the text scan.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb

from pipeline.errors import UserError
from pipeline.quarterly.tables import QTable
from pipeline.sqlutil import table_exists

SHARE = re.compile(r"(\d[\d\u202f]*) av (\d[\d\u202f]*)")
FIGURE_Y = re.compile(r'"y":(\[[^\]]*\])')


@dataclass(frozen=True)
class Forbidden:
    """What no outward file may hold, read once per run: the register values as one pattern,
    and the birth dates."""

    texts: re.Pattern[str] | None
    births: frozenset[dt.date]

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> Forbidden:
        texts, births = forbidden(con)
        return cls(pattern(texts), frozenset(births))


def forbidden(con: duckdb.DuckDBPyConnection) -> tuple[set[str], set[dt.date]]:
    """(identifying text: keys and free text from the person-level rows; birth dates)."""
    texts: set[str] = set()
    births: set[dt.date] = set()
    if table_exists(con, "staging", "stg_teams__register"):
        for person, team, coordinator, birth in con.execute(
            "select person_id, team_id, coordinator_id, birth_date from staging.stg_teams__register"
        ).fetchall():
            texts.update(str(v) for v in (person, team, coordinator) if v)
            if birth:
                births.add(birth)
    if table_exists(con, "intermediate", "int_psfs__activity_scores"):
        for person, activity in con.execute(
            "select distinct person_id, activity from intermediate.int_psfs__activity_scores"
        ).fetchall():
            texts.update(str(v) for v in (person, activity) if v)
    return {t.strip() for t in texts if len(t.strip()) >= 3}, births


def pattern(texts: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression matching any of the values as a whole token (longest first), so
    a page is scanned in one pass however many persons the registers hold."""
    values = sorted(set(texts), key=lambda v: (-len(v), v))
    if not values:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, values)) + r")(?!\w)")


def scan_text(
    name: str,
    text: str,
    texts: Iterable[str] | re.Pattern[str] | None,
    births: Iterable[dt.date],
    allowed: set[dt.date],
) -> list[str]:
    """Keys, free text and birth dates in `text` (dates the report itself prints — quarter ends,
    the export date — are allowed)."""
    found = texts if isinstance(texts, re.Pattern) or texts is None else pattern(texts)
    problems = [
        f"{name}: holds the register value {value!r} (a key or free text)"
        for value in sorted(set(found.findall(text) if found else []))
    ]
    for day in births:
        if day in allowed:
            continue  # the report's own dates (quarter ends, export date) are not birth dates
        for shown in (day.isoformat(), day.strftime("%d.%m.%Y")):
            if shown in text:
                problems.append(f"{name}: holds a birth date ({shown})")
    return problems


def _small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def scan_tables(tables: Iterable[QTable], threshold: int) -> list[str]:
    problems = []
    for table in tables:
        for row in table.rows:
            for cell in row:
                shown_count = cell.kind == "count" and isinstance(cell.value, int)
                if shown_count and _small(int(cell.value or 0), threshold):
                    problems.append(f"{table.title}: the count {cell.value} is shown")
                for hits, n in SHARE.findall(cell.text):
                    x, m = (int(v.replace("\u202f", "")) for v in (hits, n))
                    if _small(x, threshold) or _small(m - x, threshold):
                        problems.append(f"{table.title}: the share «{cell.text}» shows a count")
    return problems


def scan_figure_data(name: str, html: str, threshold: int) -> list[str]:
    problems = []
    for found in FIGURE_Y.findall(html):
        for value in json.loads(found):
            whole = isinstance(value, int | float) and float(value).is_integer()
            if whole and _small(int(value), threshold):
                problems.append(f"{name}: a figure draws the count {int(value)}")
    return problems


def scan_workbook(
    name: str,
    sheets: Mapping[str, list[str]],
    texts: Iterable[str] | re.Pattern[str] | None,
    births: Iterable[dt.date],
    allowed: set[dt.date],
) -> list[str]:
    """Every cell of every sheet, as text."""
    found = texts if isinstance(texts, re.Pattern) or texts is None else pattern(texts)
    problems = []
    for sheet, cells in sheets.items():
        problems += scan_text(f"{name} [{sheet}]", "\n".join(cells), found, births, allowed)
    return problems


def refuse(problems: list[str], file: object, what: str) -> None:
    """Stop before an outward file is written when the scan found anything."""
    if problems:
        raise UserError(
            f"The privacy scan stopped {what}: " + "; ".join(problems[:5]),
            file=str(file),
            hint="Nothing was written. This is a fault in ot-eval's disclosure control: "
            "report it with the command you ran",
        )
