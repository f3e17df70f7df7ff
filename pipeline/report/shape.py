"""Declared report sections -> template data: rows as formatted text, figures as Plotly divs,
and for every table its metric's definition and an `ot-eval trace` command for a shown row.
No HTML is written here: the templates' one table macro renders it."""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go

from pipeline.metrics.run import METRICS
from pipeline.report import figures
from pipeline.report.sections import FOCUS, SNAPSHOTS, Col, Figure, Section, Table
from pipeline.settings import Settings
from pipeline.sqlutil import ident

NUMERIC = ("count", "share", "number")


def share(x: float) -> str:
    return "–" if pd.isna(x) else f"{100 * x:.1f} %".replace(".", ",")


def number(x: float, digits: int = 2) -> str:
    return "–" if pd.isna(x) else f"{x:.{digits}f}".replace(".", ",").replace("-", "−")


def count(value: Any) -> str:
    return f"{int(value):,}".replace(",", "\u202f")


def _resolve(value: Any, settings: Settings) -> Any:
    if value == FOCUS:
        return settings.report.municipality
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
        keep = data[column].isin(value) if isinstance(value, list) else data[column] == value
        data = data[keep]
    if "kommune" in data.columns:
        data = data.assign(kommune_navn=data["kommune"].map(names).fillna(data["kommune"]))
    return data


def _cell(row: pd.Series, col: Col, fmt: str) -> str:
    shown: Callable[[float], str] = share if fmt == "share" else number
    if col.key == "ci":
        return f"{shown(row['ci_low'])} – {shown(row['ci_high'])}"
    if col.key == "estimate":
        return shown(row["estimate"])
    if col.fmt == "count":
        return count(row[col.key])
    return str(row[col.key])


def trace_command(metric: str, row: pd.Series) -> str:
    dims = METRICS[metric].definition.dims
    return shlex.join(["ot-eval", "trace", metric, *(f"{d}={row[d]}" for d in dims)])


def table_data(
    con: duckdb.DuckDBPyConnection, settings: Settings, t: Table, names: dict[str, str]
) -> dict[str, Any]:
    data = fetch(con, f"metrics.{t.metric}", dict(t.where), settings, names)
    return {
        "metric": t.metric,
        "columns": [
            {"title": c.title, "numeric": c.fmt in NUMERIC or c.key in ("estimate", "ci")}
            for c in t.columns
        ],
        "rows": [[_cell(r, c, t.fmt) for c in t.columns] for _, r in data.iterrows()],
        "definition": METRICS[t.metric].definition.describe(),
        "trace": trace_command(t.metric, data.iloc[0]) if len(data) else "",
    }


def _div(fig: go.Figure) -> str:
    """The figure as a div; its id is derived from its content, so the same data give the
    same bytes (Plotly would draw a random id)."""
    div_id = "fig-" + hashlib.sha256(fig.to_json().encode()).hexdigest()[:16]
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )


def figure_data(
    con: duckdb.DuckDBPyConnection, settings: Settings, f: Figure, names: dict[str, str]
) -> dict[str, Any]:
    data = fetch(con, f.relation, dict(f.where), settings, names)
    focus = settings.report.municipality
    title = f.title.format(kommune_navn=names.get(focus, focus))
    draw = getattr(figures, f.kind)
    fig = draw(data, x=f.x, y=f.y, title=title, color=f.color, y_title=f.y_title,
               marker=settings.evaluation.intervention_date.year + 0.5)  # fmt: skip
    return {"html": _div(fig), "relation": f.relation}


def section_data(
    con: duckdb.DuckDBPyConnection, settings: Settings, s: Section, names: dict[str, str]
) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "note": s.note,
        "figures": [figure_data(con, settings, f, names) for f in s.figures],
        "tables": [table_data(con, settings, t, names) for t in s.tables],
    }
