"""Column names each format accepts, and what was renamed.

Stata (.dta): ASCII letters, digits and _, not starting with a digit, at most 32 characters,
no reserved word (nor a string type, str1 ... strL). SPSS (.sav): at most 64 bytes, starting
with a letter (or @), then letters, digits and . _ $ # @, not ending with . or _, no reserved
word. Names are unique without case.
Parquet, CSV and Excel keep every name as it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

STATA_RESERVED = {
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
    "_n", "_N", "_pi", "_pred", "_rc", "_skip", "using", "with",
}  # fmt: skip
SPSS_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
LIMIT = {"dta": 32, "sav": 64}
NORWEGIAN = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "AE", "Ø": "O", "Å": "A"})


def legal_names(columns: Sequence[str], fmt: str) -> dict[str, str]:
    """Every column's name in the file: itself where the format allows it, else a legal and
    unique (case-insensitively) name close to it."""
    if fmt not in LIMIT:
        return {c: c for c in columns}
    out: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        base = _legal(column, fmt)
        name, i = base, 1
        while name.lower() in taken:
            i += 1
            suffix = f"_{i}"
            name = base[: LIMIT[fmt] - len(suffix)] + suffix
        taken.add(name.lower())
        out[column] = name
    return out


def renamed(names: dict[str, str]) -> list[tuple[str, str]]:
    return [(old, new) for old, new in names.items() if old != new]


def _legal(column: str, fmt: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", column.translate(NORWEGIAN))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    if fmt == "dta":
        name = re.sub(r"[^A-Za-z0-9_]", "_", ascii_name)
        if not name or name[0].isdigit():
            name = "v" + name
        name = name[: LIMIT["dta"]]
        reserved = name in STATA_RESERVED or re.fullmatch(r"str(\d+|L)", name)
        return "v" + name[: LIMIT["dta"] - 1] if reserved else name
    name = re.sub(r"[^A-Za-z0-9._$#@]", "_", ascii_name)
    if not name or not (name[0].isalpha() or name[0] == "@"):
        name = "v" + name.lstrip("_")
    name = name[: LIMIT["sav"]].rstrip("._") or "v"
    return "v" + name if name.lower() in SPSS_RESERVED else name
