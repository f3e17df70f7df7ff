"""Declared report sections -> template data: rows as formatted text, figures as Plotly divs,
and for every table its metric's definition and an `ot-eval trace` command for a shown row.
No HTML is written here: the templates' one table macro renders it."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pandas as pd

from pipeline.disclosure import TOTAL, protect_by_row, with_totals
from pipeline.metrics.definition import Change
from pipeline.metrics.run import METRICS
from pipeline.metrics.weighting import note, weighting
from pipeline.report import figures
from pipeline.report.sections import (
    CHANGES,
    FOCUS,
    QUARTER,
    SNAPSHOTS,
    Col,
    Figure,
    Joint,
    Section,
    Table,
)
from pipeline.settings import Settings
from pipeline.sqlutil import ident

NUMERIC = ("count", "share", "number", "p")


def share(x: float) -> str:
    return "–" if pd.isna(x) else f"{100 * x:.1f} %".replace(".", ",")


def number(x: float, digits: int = 2) -> str:
    if pd.isna(x):
        return "–"
    text = f"{x:.{digits}f}"
    if float(text) == 0:  # -0.001 shown as 0,00, not −0,00
        text = f"{0:.{digits}f}"
    return text.replace(".", ",").replace("-", "−")


def points(x: float) -> str:
    """A difference of two shares, in percentage points: «+15,5 pp», «−10,0 pp»."""
    return "–" if pd.isna(x) else f"{number(100 * x, 1) if x < 0 else '+' + number(100 * x, 1)} pp"


def p_value(x: float) -> str:
    """A p-value as a reader expects it: three decimals, «< 0,001» below that."""
    if pd.isna(x):
        return "–"
    return "< 0,001" if x < 0.001 else f"{x:.3f}".replace(".", ",")


def count(value: Any) -> str:
    return f"{int(value):,}".replace(",", "\u202f")


def _resolve(value: Any, settings: Settings) -> Any:
    if value == FOCUS:
        return settings.report.municipality
    if value == QUARTER:
        return settings.report.quarter
    if value == SNAPSHOTS:
        return [d.isoformat() for d in settings.evaluation.team_snapshots]
    return value


def fetch(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    where: dict[str, Any],
    settings: Settings,
    names: dict[str, str],
) -> pd.DataFrame:
    """The rows of `relation` the declaration picks, with municipality names and dates as
    text (2023-10-04, not a timestamp)."""
    data = con.execute(f"select * from {ident(*relation.split('.'))}").df()
    if "snapshot_date" in data.columns:
        day = pd.to_datetime(data["snapshot_date"]).dt.strftime("%Y-%m-%d")
        data = data.assign(snapshot_date=day)
    for column, wanted in where.items():
        value = _resolve(wanted, settings)
        if value == CHANGES:
            keep = data[column].astype(str).str.startswith(Change.prefix)
        elif isinstance(value, list):
            keep = data[column].isin(value)
        else:
            keep = data[column] == value
        data = data[keep]
    if "kommune" in data.columns:
        data = data.assign(kommune_navn=data["kommune"].map(names).fillna(data["kommune"]))
    if "answer_order" in data.columns:  # answers in the questionnaire's order, not by name
        order = ["wave", "indicator", "dimension", "group", "answer_order"]
        data = data.sort_values([c for c in order if c in data.columns], kind="stable")
    if {"dimension", "group"} <= set(data.columns):  # a breakdown by municipality: its name
        by_kommune = data["dimension"] == "kommune"
        named = data["group"].where(~by_kommune, data["group"].map(names).fillna(data["group"]))
        data = data.assign(group_navn=named)
    return data


def _cell(row: pd.Series, col: Col, fmt: str) -> str:
    shown: Callable[[float], str] = {"share": share, "points": points}.get(fmt, number)
    if col.key == "ci":
        if pd.isna(row["ci_low"]) and pd.isna(row["ci_high"]):
            return "–"  # no interval (a row the method could not estimate)
        return f"{shown(row['ci_low'])} – {shown(row['ci_high'])}"
    if col.key == "estimate":
        return shown(row["estimate"])
    if col.fmt == "count":
        return count(row[col.key])
    if col.fmt == "p":
        return p_value(row[col.key])
    if col.fmt == "number":
        return number(row[col.key])
    return str(row[col.key])


def trace_command(metric: str, row: pd.Series) -> str:
    dims = METRICS[metric].definition.dims
    return shlex.join(["ot-eval", "trace", metric, *(f"{d}={row[d]}" for d in dims)])


def protected(data: pd.DataFrame, pivot: tuple[str, str], settings: Settings) -> pd.DataFrame:
    """Counts of a rows × columns table with totals: for an outward report small counts are
    suppressed row by row (primary and secondary, `pipeline.disclosure.protect_by_row`: each
    municipality's row exactly as its quarterly report hides it); internal: all shown."""
    rows, cols = pivot
    if settings.report.audience == "internal":
        cells = with_totals(data, [rows, cols], "n")
        return cells.assign(status="safe", shown=cells["n"].astype("Int64"))
    return protect_by_row(data, [rows, cols], "n", settings.report.suppression_threshold)


def _protected_parts(
    data: pd.DataFrame, pivot: tuple[str, str], split_by: str | None, settings: Settings
) -> Iterator[tuple[Any, pd.DataFrame, pd.DataFrame, dict[tuple[str, str], Any]]]:
    """Per value of split_by: (value, its rows, the protected cells with totals, and what is
    shown per (row, column) — None where suppressed). Tables and figures both read this."""
    rows, cols = pivot
    groups = data.groupby(split_by, sort=True) if split_by else [("", data)]
    for value, part in groups:
        cells = protected(part, pivot, settings)
        yield value, part, cells, {(r[rows], r[cols]): r["shown"] for r in cells.to_dict("records")}


def _pivot_tables(
    data: pd.DataFrame, t: Table, settings: Settings, base: dict[str, Any]
) -> list[dict[str, Any]]:
    """One table per value of split_by: rows × columns with totals, «–» where suppressed."""
    assert t.pivot is not None
    rows, cols = t.pivot
    out = []
    for value, part, cells, shown in _protected_parts(data, t.pivot, t.split_by, settings):
        order = [*dict.fromkeys(part[cols]), TOTAL]
        lines = [*dict.fromkeys(part[rows]), TOTAL]
        out.append(
            base
            | {
                "caption": f"{value}" if t.split_by else "",
                "columns": [{"title": t.columns[0].title, "numeric": False}]
                + [{"title": "I alt" if c == TOTAL else c, "numeric": True} for c in order],
                "rows": [
                    ["I alt" if r == TOTAL else r] + [_shown(shown.get((r, c))) for c in order]
                    for r in lines
                ],
                "suppressed": bool(cells["shown"].isna().any()),
            }
        )
    return out


def _row_format(t: Table, row: pd.Series) -> str:
    """A share table's difference rows (a derived value such as «Endring 2019–2023») are in
    percentage points, not per cent."""
    d = METRICS[t.metric].definition
    if t.fmt == "share" and any(d.made_of(dim, row[dim]) for dim in d.derived if dim in row):
        return "points"
    return t.fmt


def _small(row: pd.Series, col: Col, settings: Settings) -> str | None:
    """«–» for the n, estimate and CI of a row made of fewer units than the threshold, in an
    outward report (a share of 1 of 3 names people)."""
    if settings.report.audience != "outward" or col.key not in ("n", "estimate", "ci"):
        return None
    return "–" if 0 < int(row["n"]) < settings.report.suppression_threshold else None


def _shown(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else count(value)


def table_data(
    con: duckdb.DuckDBPyConnection, settings: Settings, t: Table, names: dict[str, str]
) -> list[dict[str, Any]]:
    """Template data for a declared table (a count pivot gives one table per split value)."""
    data = fetch(con, f"metrics.{t.metric}", dict(t.where), settings, names)
    base = {
        "metric": t.metric,
        "sources": [f"metrics.{t.metric}"],
        "definition": METRICS[t.metric].definition.describe(),
        "trace": trace_command(t.metric, data.iloc[0]) if len(data) else "",
        "threshold": settings.report.suppression_threshold,
    }
    if t.pivot:
        return _pivot_tables(data, t, settings, base)
    outward = settings.report.audience == "outward"
    threshold = settings.report.suppression_threshold
    small = (data["n"] > 0) & (data["n"] < threshold) if len(data) else pd.Series([], dtype=bool)
    return [
        {
            "metric": t.metric,
            "columns": [
                {"title": c.title, "numeric": c.fmt in NUMERIC or c.key in ("estimate", "ci")}
                for c in t.columns
            ],
            "rows": [
                [_small(r, c, settings) or _cell(r, c, _row_format(t, r)) for c in t.columns]
                for _, r in data.iterrows()
            ],
            "caption": "",
            "suppressed": outward and bool(small.any()),
        }
        | base
    ]


def figure_data(
    con: duckdb.DuckDBPyConnection, settings: Settings, f: Figure, names: dict[str, str]
) -> dict[str, Any]:
    where = dict(f.where)
    focus_only = where.pop("kommune", None)
    data = fetch(con, f.relation, where, settings, names)
    if f.pivot:  # draw what the protected table publishes, never a suppressed count
        data = _protected_long(data, f, settings)
    elif settings.report.audience == "outward" and "n" in data.columns:
        # a share of fewer units than the threshold is not drawn, as the table hides it
        data = data[~data["n"].between(1, settings.report.suppression_threshold - 1)]
    if focus_only is not None:
        wanted = _resolve(focus_only, settings)
        data = data[data["kommune"] == wanted]
    focus = settings.report.municipality
    title = f.title.format(kommune_navn=names.get(focus, focus))
    draw = getattr(figures, f.kind)
    fig = draw(data, x=f.x, y=f.y, title=title, color=f.color, y_title=f.y_title,
               marker=settings.evaluation.intervention_date.year + 0.5)  # fmt: skip
    return {"html": figures.figure_div(fig), "relation": f.relation}


def _protected_long(data: pd.DataFrame, f: Figure, settings: Settings) -> pd.DataFrame:
    """The figure's counts as the outward table shows them: a suppressed cell has no value."""
    assert f.pivot is not None
    rows, cols = f.pivot
    parts = []
    for _, part, _cells, shown in _protected_parts(data, f.pivot, f.split_by, settings):
        values = [shown.get((a, b)) for a, b in zip(part[rows], part[cols], strict=True)]
        parts.append(part.assign(n=pd.Series(values, index=part.index, dtype="Float64")))
    return pd.concat(parts, ignore_index=True) if parts else data


def joint_data(
    con: duckdb.DuckDBPyConnection, settings: Settings, j: Joint, names: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A joint display: per municipality, each side's row (n, share, CI) as a dot plot and
    a table; a side's share of fewer units than the threshold is neither drawn nor shown in
    an outward report. The definitions and trace commands of both tables go with it."""
    sides = []
    for side in j.sides:
        data = fetch(con, f"metrics.{side.metric}", dict(side.where), settings, names)
        sides.append(data.assign(side=side.title).set_index("group", drop=False))
    kommuner = sorted({k for d in sides for k in d.index}, key=lambda k: names.get(k, k))
    outward = settings.report.audience == "outward"
    threshold = settings.report.suppression_threshold
    rows, suppressed = [], False
    for k in kommuner:
        line = [names.get(k, k)]
        for d in sides:
            if k not in d.index:
                line += ["–", "–", "–"]
                continue
            r = d.loc[k]
            small = _small(r, Col("n", ""), settings) is not None
            suppressed |= small
            line += (
                ["–"] * 3
                if small
                else [count(r["n"]), share(r["estimate"]), _cell(r, Col("ci", ""), "share")]
            )
        rows.append(line)
    columns = [{"title": "Kommune", "numeric": False}] + [
        {"title": f"{side.title}: {c}", "numeric": True}
        for side in j.sides
        for c in ("n", "andel", "95 % KI")
    ]
    drawn = pd.concat(sides, ignore_index=True)
    if outward:
        drawn = drawn[~drawn["n"].between(1, threshold - 1)]
    fig = figures.joint_points(drawn, x="group_navn", y="estimate", title=j.title, color="side")
    table = {
        "metric": " og ".join(side.metric for side in j.sides),
        "sources": [f"metrics.{side.metric}" for side in j.sides],
        "columns": columns,
        "rows": rows,
        "caption": j.title,
        "suppressed": suppressed,
        "threshold": threshold,
        "definition": [
            (f"{side.title} – {head}", text)
            for side in j.sides
            for head, text in METRICS[side.metric].definition.describe()
        ],
        "trace": "\n".join(
            trace_command(side.metric, d.iloc[0])
            for side, d in zip(j.sides, sides, strict=True)
            if len(d)
        ),
    }
    return {
        "html": figures.figure_div(fig),
        "relation": ", ".join(f"metrics.{x.metric}" for x in j.sides),
    }, table


def section_data(
    con: duckdb.DuckDBPyConnection, settings: Settings, s: Section, names: dict[str, str]
) -> dict[str, Any]:
    joints = [joint_data(con, settings, j, names) for j in s.joints]
    return {
        "id": s.id,
        "title": s.title,
        "note": f"{s.note} {note(weighting(con, s.survey))}" if s.survey else s.note,
        "figures": [figure_data(con, settings, f, names) for f in s.figures]
        + [f for f, _ in joints],
        "tables": [one for t in s.tables for one in table_data(con, settings, t, names)]
        + [t for _, t in joints],
    }
