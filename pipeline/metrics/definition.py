"""What a metrics table estimates, declared once: the metric module computes from it, and
`ot-eval trace`, the reports' notes and the catalogue read the same declaration.

A metric's *units* relation (a mart or intermediate model) holds one row per metric row and
counted unit (a team on a date, a respondent's answer, a person), with the metric's dimension
columns, the flags that put it in the numerator and denominator, and its lineage: the source
rows it was made from (`_source`, `_source_file`, `_source_row`, or a `_lineage` list of them
for units made of several rows). Counting those rows per dimension value is `unit_counts`,
the one piece of code the metric and the trace both run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from pipeline.sqlutil import ident

LINEAGE_SCALAR = ("_source", "_source_file", "_source_row")
LINEAGE_LIST = "_lineage"


@dataclass(frozen=True)
class Part:
    """How the rows of one indicator are estimated: a count, a share (numerator among the
    denominator), a mean of `value` over the denominator, or Cohen's kappa of two codings."""

    estimator: str  # count | share | mean | kappa | did
    numerator: str  # words (Norwegian: the reports show them)
    denominator: str
    value: str | None = None  # the column averaged (mean) or the two codings (kappa: "a,b")
    numerator_flag: str | None = "is_numerator"  # None: every unit
    denominator_flag: str | None = "is_denominator"
    units: str | None = None  # another units relation than the definition's (other unit)
    unit: str | None = None  # what one of those units is, in words
    keys: tuple[str, ...] | None = None  # key columns of those units (default: the definition's)
    # a column of design weights (NULL on every unit: the run weights nothing); a share then
    # also counts Σw, Σw·y, Σw², Σw²·y (pipeline.stats.proportions.Share)
    weight: str | None = None

    def flag(self, which: str) -> str:
        """The SQL condition for the numerator or denominator."""
        column = self.numerator_flag if which == "numerator" else self.denominator_flag
        return "true" if column is None else ident(column)


def counted(numerator: str) -> Part:
    """A part that counts every unit (no denominator, no CI)."""
    return Part("count", numerator, "", numerator_flag=None, denominator_flag=None)


@dataclass(frozen=True)
class Change:
    """Derived values «Endring A–B» of a dimension, for any two values A and B: the change
    from A to B, made of the values (B, A) — later first, as a difference is later − earlier."""

    prefix: str = "Endring "

    def label(self, first: str, last: str) -> str:
        return f"{self.prefix}{first}–{last}"

    def get(self, value: str, default: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
        found = re.fullmatch(re.escape(self.prefix) + r"(.+)–(.+)", value)
        return (found[2], found[1]) if found else default


@dataclass(frozen=True)
class Definition:
    table: str  # metrics.<table>
    title: str
    units: str  # schema.relation
    unit: str  # what one unit is, in words
    dims: tuple[str, ...]  # key columns of the metric table, matched on `units` by name
    filters: str
    method: str
    parts: Mapping[str, Part]  # "" = every row; else keyed by the value of `part_by`
    keys: tuple[str, ...]  # unit columns the trace shows
    part_by: str | None = None  # a dimension that selects the part (not a column of `units`)
    totals: Mapping[str, str] = field(default_factory=dict)  # dim -> value that means "all"
    # the combinations of matched dimensions counted (others show their total value); default:
    # all of them, and for each total dimension the others without it
    groupings: tuple[tuple[str, ...], ...] | None = None
    # dim -> derived values (a difference) and the values each is made of, first minus second
    derived: Mapping[str, Mapping[str, tuple[str, ...]] | Change] = field(default_factory=dict)
    # column -> value: the units relation holds several tables' units; this one reads these
    scope: Mapping[str, str] = field(default_factory=dict)
    # dimensions that do not select units: every row rests on all of them (an event-study
    # coefficient is fitted on the whole panel)
    free: tuple[str, ...] = ()

    def made_of(self, dim: str, value: Any) -> tuple[str, ...] | None:
        """The values a derived dimension value is made of (None: not derived)."""
        derived = self.derived.get(dim)
        return derived.get(str(value)) if derived is not None else None

    def part(self, dims: Mapping[str, Any]) -> Part:
        key = str(dims.get(self.part_by, "")) if self.part_by else ""
        if key not in self.parts:
            raise KeyError(key)
        return self.parts[key]

    @property
    def matched(self) -> tuple[str, ...]:
        """Dimensions that are columns of the units relation."""
        return tuple(d for d in self.dims if d != self.part_by and d not in self.free)

    def describe(self) -> list[tuple[str, str]]:
        """The definition in words, as (heading, text) pairs."""
        out = [("Enhet", f"{self.unit} ({self.units})")]
        for key, p in self.parts.items():
            prefix = f"{key}: " if key else ""
            if p.units:
                out.append(("Enhet", f"{prefix}{p.unit} ({p.units})"))
            if p.estimator == "count":
                out.append(("Teller", prefix + p.numerator))
            else:
                out += [("Teller", prefix + p.numerator), ("Nevner", prefix + p.denominator)]
        return [*out, ("Utvalg", self.filters), ("Metode", self.method)]


def unit_filter(d: Definition, dims: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """SQL condition (and parameters) selecting the units of one metric row: every matched
    dimension equal, but a total ("Alle") matches every value, and a derived value (a
    difference) matches the values it is made of."""
    conditions = [f"{ident(c)} = ?" for c in d.scope]
    params: list[Any] = list(d.scope.values())
    for dim in d.matched:
        if dim not in dims:
            continue
        value = dims[dim]
        if d.totals.get(dim) == str(value):
            continue
        made_of = d.made_of(dim, value)
        if made_of:
            conditions.append(f"cast({ident(dim)} as varchar) in ?")
            params.append(list(made_of))
        else:
            conditions.append(f"cast({ident(dim)} as varchar) = ?")
            params.append(str(value))
    return " and ".join(conditions) or "true", params


def relation(d: Definition, part: str = "") -> str:
    """The units relation of a part (default: the definition's), quoted for SQL."""
    return ident(*(d.parts[part].units or d.units).split("."))


def unit_counts(
    con: duckdb.DuckDBPyConnection,
    d: Definition,
    part: str = "",
    where: tuple[str, list[Any]] = ("true", []),
) -> pd.DataFrame:
    """Per value of the matched dimensions (and each total): n (units in the denominator),
    hits (units in the numerator), a weighted part's weight sums (sum_w, sum_wy, sum_w2,
    sum_w2y) and, for a mean or kappa, the values in a fixed order."""
    p = d.parts[part]
    matched = [ident(c) for c in d.matched]
    if d.groupings is not None:
        groups = [tuple(g) for g in d.groupings]
    else:
        groups = [tuple(d.matched), *(tuple(c for c in d.matched if c != t) for t in d.totals)]
    sets = ", ".join("(" + ", ".join(ident(c) for c in g) + ")" for g in groups)
    dims_out = ", ".join(
        f"coalesce(cast({ident(c)} as varchar), ?) as {ident(c)}" if c in d.totals else ident(c)
        for c in d.matched
    )
    params: list[Any] = [d.totals[c] for c in d.matched if c in d.totals]
    den, num = p.flag("denominator"), p.flag("numerator")
    scope = " and ".join([where[0], *(f"{ident(c)} = ?" for c in d.scope)])
    lists = ""
    order = ", ".join(ident(k) for k in (p.keys or d.keys))
    if p.weight:  # summed in the keys' order: the same float sums on every run
        w = ident(p.weight)
        lists = "".join(
            f", list_sum(list({term} order by {order}) filter ({cond})) as {name}"
            for name, term, cond in (
                ("sum_w", w, den),
                ("sum_wy", w, f"{num} and {den}"),
                ("sum_w2", f"{w} * {w}", den),
                ("sum_w2y", f"{w} * {w}", f"{num} and {den}"),
            )
        )
    if p.value:
        lists += "".join(
            f", list({ident(v)} order by {order}) filter ({den}) as {ident(v)}"
            for v in p.value.split(",")
        )
    sql = (
        f"select {dims_out}, count(*) filter ({den}) as n, "
        f"count(*) filter ({num} and {den}) as hits{lists} "
        f"from {relation(d, part)} where {scope} group by grouping sets ({sets}) "
        f"order by {', '.join(str(i + 1) for i in range(len(matched)))}"
    )
    return con.execute(sql, [*params, *where[1], *d.scope.values()]).df()
