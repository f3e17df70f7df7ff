"""The totals a weighted staff survey is raked to ([evaluation.survey_weights.survey_staff]
margins): read with the run's other inputs, checked row by row, and handed to the SQL fit
(`int_survey__staff_weights`) as `meta.cfg_survey_margins`."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pipeline.errors import UserError

MARGIN_DIMENSIONS = ("rolle", "kommune")


@dataclass(frozen=True)
class Margin:
    """One raking total: the staff of `group` (a role's label or a kommunenummer) in `wave`."""

    wave: int
    dimension: str  # rolle | kommune
    group: str
    total: Fraction


def read_margins(path: Path) -> tuple[tuple[Margin, ...], str]:
    """The raking totals: a CSV (`;` or `,`) with the columns wave, dimension (rolle or
    kommune), group and total (> 0, decimal point or comma); per wave the role totals and the
    municipality totals must add up to the same staff (compared exactly), else no weights
    can meet both."""
    if not path.is_file():
        raise UserError(
            "The margins file named in [evaluation.survey_weights] is not found", file=path
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError("The margins file is not UTF-8 text", file=path) from exc
    first = text.splitlines()[0] if text.strip() else ""
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if ";" in first else ",")
    header = [h.strip() for h in reader.fieldnames or []]
    if header != ["wave", "dimension", "group", "total"]:
        raise UserError(
            "The margins file has the wrong columns",
            file=path,
            line=1,
            expected="wave;dimension;group;total",
            found=";".join(header) or "(empty file)",
        )
    margins: dict[tuple[int, str, str], Margin] = {}
    for line, rec in enumerate(reader, start=2):
        values = {k.strip(): (v or "").strip() for k, v in rec.items() if k is not None}

        def bad(
            column: str, expected: str, values: dict[str, str] = values, line: int = line
        ) -> UserError:
            return UserError(
                f"The margins file has an unusable {column} on row {line}",
                file=path,
                line=line,
                column=column,
                expected=expected,
                found=repr(values.get(column, "")),
            )

        if None in rec:
            raise bad("total", "four fields per row")
        if not re.fullmatch(r"\d{4}", values["wave"]):
            raise bad("wave", "a survey year such as 2023")
        if values["dimension"] not in MARGIN_DIMENSIONS:
            raise bad("dimension", " or ".join(MARGIN_DIMENSIONS))
        if not values["group"]:
            raise bad("group", "a role's label (rolle) or a kommunenummer (kommune)")
        try:
            total = Fraction(values["total"].replace(",", "."))
        except (ValueError, ZeroDivisionError):
            total = Fraction(-1)
        if total <= 0:
            raise bad("total", "a number above 0")
        key = (int(values["wave"]), values["dimension"], values["group"])
        if key in margins:
            raise bad("group", "each wave, dimension and group once")
        margins[key] = Margin(*key, total)
    if not margins:
        raise UserError(
            "The margins file has no totals", file=path, expected="a row per wave and group"
        )
    by_wave: dict[int, dict[str, Fraction]] = {}
    for m in margins.values():
        sums = by_wave.setdefault(m.wave, dict.fromkeys(MARGIN_DIMENSIONS, Fraction(0)))
        sums[m.dimension] += m.total
    for wave, sums in sorted(by_wave.items()):
        if 0 in sums.values() or sums["rolle"] != sums["kommune"]:
            raise UserError(
                f"The margins of wave {wave} do not describe one staff",
                file=path,
                expected="role totals and municipality totals, adding up to the same number",
                found=f"roles {float(sums['rolle']):g}, municipalities {float(sums['kommune']):g}",
            )
    return tuple(margins.values()), hashlib.sha256(raw).hexdigest()
