"""A calendar quarter ("2023Q4"): its last day, the quarters it is compared with, and how the
report names it."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from pipeline.errors import UserError

PATTERN = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        found = PATTERN.match(text.strip())
        if not found:
            raise UserError(
                f"Not a quarter: {text!r}",
                hint="Write the year and quarter as 2023Q4 (Q1 = January–March)",
            )
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def title(self) -> str:
        return f"{self.q}. kvartal {self.year}"

    @property
    def end(self) -> dt.date:
        month = 3 * self.q
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def shift(self, quarters: int) -> Quarter:
        index = self.year * 4 + (self.q - 1) + quarters
        return Quarter(index // 4, index % 4 + 1)

    @property
    def compared(self) -> tuple[Quarter, Quarter, Quarter]:
        """This quarter, the previous one and the same quarter a year earlier."""
        return (self, self.shift(-1), self.shift(-4))


def norwegian_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")
