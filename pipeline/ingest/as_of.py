"""A register's "as of" date: the day it was exported. A register exported in 2021 knows
nothing about 2023, so no count is made for a date after it.

Found, in this order: the config (`[sources.X] as_of = 2024-01-05`, or a table of file name to
date), a date in the file name (`teamregister_senja_2024-01-05.xlsx`), or a date after
«eksportert», «per» or «pr.» in the text above an Excel sheet's header («Oversikt
oppfølgingsteam – Senja kommune, eksportert 2024-01-05»). ISO dates and dd.mm.yyyy are read.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

DATE = r"(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})"
IN_NAME = re.compile(DATE)
IN_TITLE = re.compile(r"(?:eksportert|per|pr\.)\s*(?:den\s*)?" + DATE, re.IGNORECASE)


def _date(text: str) -> dt.date | None:
    try:
        if "-" in text:
            return dt.date.fromisoformat(text)
        day, month, year = (int(x) for x in text.split("."))
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_as_of(configured: Any, path: Path, preamble: str) -> tuple[dt.date | None, str]:
    """(date, where it came from) for one file; (None, "") if nothing states it."""
    if isinstance(configured, dt.date):
        return configured, "config"
    if isinstance(configured, dict) and path.name in configured:
        return configured[path.name], "config"
    found = IN_NAME.search(path.name)
    if found and (day := _date(found.group(1))):
        return day, "file name"
    found = IN_TITLE.search(preamble)
    if found and (day := _date(found.group(1))):
        return day, "text above the header"
    return None, ""
