"""Numbers as a Norwegian report prints them: 1 234,5 · 32 % · +5 / −3 · 04.10.2023."""

from __future__ import annotations

import math

THIN = "\u202f"  # narrow no-break space: the thousands separator
MINUS = "\u2212"


def _plain(value: float, digits: int) -> str:
    text = f"{abs(value):,.{digits}f}".replace(",", THIN).replace(".", ",")
    return (MINUS if value < 0 and text.strip("0,") else "") + text


def count(value: int) -> str:
    return _plain(value, 0)


def decimal(value: float, digits: int = 1) -> str:
    return _plain(value, digits)


def percent(value: float) -> str:
    """A share (0–1) as a whole per cent: 0.3214 -> «32 %»."""
    return f"{_plain(100 * value, 0)}{THIN}%"


def change(value: float, digits: int = 0) -> str:
    """A difference with its sign: +5, −3, 0."""
    if value == 0:
        return "0"
    sign = "+" if value > 0 else MINUS
    return sign + _plain(abs(value), digits)


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
