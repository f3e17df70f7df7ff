"""Municipalities of the built-in sample: the six pilots and 24 comparison municipalities.

Each entry is a *component* as it existed in 2017 (its 2017 code), the municipality it belongs
to today and its approximate population. Codes for later years are derived from the shipped
KLASS change list, so the change list stays the one place that knows about reforms.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Component:
    code_2017: str
    name_2017: str
    municipality: str  # today's name
    population: int
    pilot: bool


COMPONENTS: tuple[Component, ...] = (
    # pilots (populations from DOMAIN.md, split over the pre-2020 components)
    Component("1931", "Lenvik", "Senja", 11_600, True),
    Component("1929", "Berg", "Senja", 850, True),
    Component("1928", "Torsken", "Senja", 850, True),
    Component("1927", "Tranøy", "Senja", 1_500, True),
    Component("1401", "Flora", "Kinn", 11_800, True),
    Component("1439", "Vågsøy", "Kinn", 5_400, True),
    Component("0220", "Asker", "Asker", 61_500, True),
    Component("0627", "Røyken", "Asker", 23_400, True),
    Component("0628", "Hurum", "Asker", 9_500, True),
    Component("1702", "Steinkjer", "Steinkjer", 21_900, True),
    Component("1724", "Verran", "Steinkjer", 2_500, True),
    Component("1867", "Bø", "Bø", 2_600, True),
    Component("1134", "Suldal", "Suldal", 3_800, True),
    # comparison municipalities
    Component("1870", "Sortland", "Sortland", 10_600, False),
    Component("1866", "Hadsel", "Hadsel", 8_100, False),
    Component("1868", "Øksnes", "Øksnes", 4_500, False),
    Component("1871", "Andøy", "Andøy", 4_600, False),
    Component("1851", "Lødingen", "Lødingen", 2_100, False),
    Component("1865", "Vågan", "Vågan", 9_700, False),
    Component("1860", "Vestvågøy", "Vestvågøy", 11_400, False),
    Component("1837", "Meløy", "Meløy", 6_400, False),
    Component("1813", "Brønnøy", "Brønnøy", 7_900, False),
    Component("1824", "Vefsn", "Vefsn", 13_300, False),
    Component("1133", "Hjelmeland", "Hjelmeland", 2_600, False),
    Component("1135", "Sauda", "Sauda", 4_600, False),
    Component("1160", "Vindafjord", "Vindafjord", 8_800, False),
    Component("1146", "Tysvær", "Tysvær", 11_200, False),
    Component("1130", "Strand", "Strand", 12_900, False),
    Component("1114", "Bjerkreim", "Bjerkreim", 2_800, False),
    Component("1924", "Målselv", "Målselv", 6_800, False),
    Component("1922", "Bardu", "Bardu", 4_000, False),
    Component("1925", "Sørreisa", "Sørreisa", 3_500, False),
    Component("1933", "Balsfjord", "Balsfjord", 5_600, False),
    Component("1719", "Levanger", "Levanger", 20_000, False),
    Component("1721", "Verdal", "Verdal", 15_000, False),
    Component("1428", "Askvoll", "Askvoll", 3_000, False),
    Component("1429", "Fjaler", "Fjaler", 2_800, False),
)

PILOT_NAMES = ("Senja", "Kinn", "Asker", "Steinkjer", "Bø", "Suldal")


def load_changes(path: Path) -> list[tuple[str, str, dt.date]]:
    """(old code, new code, date) from a KLASS change-list CSV (semicolon, quoted)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            (row["oldCode"], row["newCode"], dt.date.fromisoformat(row["changeOccurred"]))
            for row in csv.DictReader(fh, delimiter=";")
        ]


def code_on(code: str, day: dt.date, changes: list[tuple[str, str, dt.date]]) -> str:
    """The code a 2017 municipality carries on `day`, following every change up to it."""
    for old, new, when in sorted(changes, key=lambda c: c[2]):
        if old == code and when <= day:
            code = new
    return code
