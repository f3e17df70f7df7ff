"""Plotly figures for the reports. Every kind takes the same keywords (the section declares
them): the rows to draw, x, y, title, color (a column that splits the series), y_title and
marker (an x position to mark, the intervention)."""

from __future__ import annotations

import functools
import hashlib

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]


@functools.cache
def plotly_library() -> str:
    """plotly.js, embedded once in each page (read once per process: 4.8 MB)."""
    return str(plotly.offline.get_plotlyjs())


def figure_div(fig: go.Figure) -> str:
    """The figure as a div, without plotly.js or MathJax (the page carries plotly.js once and
    fetches nothing). Its id is derived from its content, so the same data give the same bytes
    (Plotly would draw a random id)."""
    div_id = "fig-" + hashlib.sha256(fig.to_json().encode()).hexdigest()[:16]
    return str(
        fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            div_id=div_id,
            config={"displaylogo": False, "responsive": True},
        )
    )


def _layout(
    fig: go.Figure, title: str, x_title: str = "", y_title: str = "", percent: bool = False
) -> go.Figure:
    fig.update_layout(
        title=title,
        template="plotly_white",
        height=420,
        margin={"l": 60, "r": 20, "t": 60, "b": 80},
        legend={"orientation": "h", "y": -0.2},
        xaxis_title=x_title,
        yaxis_title=y_title,
    )
    if percent:
        fig.update_yaxes(tickformat=".0%", range=[0, 1])
    return fig


def _error_bars(g: pd.DataFrame, y: str) -> dict[str, object]:
    return {
        "type": "data",
        "symmetric": False,
        "array": g["ci_high"] - g[y],
        "arrayminus": g[y] - g["ci_low"],
    }


def share_bars(
    data: pd.DataFrame, *, x: str, y: str, title: str, color: str | None, **_: object
) -> go.Figure:
    """Bars of shares with their confidence intervals as error bars."""
    fig = go.Figure()
    groups = [(None, data)] if color is None else list(data.groupby(color, sort=False))
    for i, (name, g) in enumerate(groups):
        fig.add_bar(
            x=g[x],
            y=g[y],
            name=str(name) if name is not None else "",
            marker_color=PALETTE[i % len(PALETTE)],
            error_y=_error_bars(g, y),
            customdata=g[["n", "ci_low", "ci_high"]],
            hovertemplate="%{x}: %{y:.0%} (95 % KI %{customdata[1]:.0%}–"
            "%{customdata[2]:.0%}, n=%{customdata[0]})<extra></extra>",
        )
    fig.update_layout(barmode="group", showlegend=color is not None)
    return _layout(fig, title, percent=True)


def stacked_bars(
    data: pd.DataFrame, *, x: str, y: str, title: str, color: str | None, **_: object
) -> go.Figure:
    """A response distribution: one stacked bar per group and wave (two-level axis), one
    segment per answer in the questionnaire's order."""
    answer = color or "answer"
    data = data.sort_values(["answer_order", x, "wave"])
    fig = go.Figure()
    for i, (name, g) in enumerate(data.groupby(answer, sort=False)):
        fig.add_bar(
            x=[g[x].astype(str).tolist(), g["wave"].astype(str).tolist()],
            y=g[y],
            name=str(name),
            marker_color=PALETTE[i % len(PALETTE)],
            customdata=g[["n"]],
            hovertemplate="%{x}: %{y:.0%} (n=%{customdata[0]})<extra>" + str(name) + "</extra>",
        )
    fig.update_layout(barmode="stack")
    return _layout(fig, title, percent=True)


def team_bars(
    data: pd.DataFrame, *, x: str, y: str, title: str, y_title: str, **_: object
) -> go.Figure:
    """Counts per x (age band), one bar series per snapshot date."""
    fig = go.Figure()
    for i, (snapshot, g) in enumerate(data.groupby("snapshot_date", sort=True)):
        fig.add_bar(
            x=g[x],
            y=[None if pd.isna(v) else float(v) for v in g[y]],  # suppressed: no bar
            name=str(snapshot),
            marker_color=PALETTE[i % len(PALETTE)],
            text=[("–" if pd.isna(v) else str(int(v))) for v in g[y]],  # – : suppressed
            textposition="outside",
        )
    fig.update_layout(barmode="group")
    return _layout(fig, title, "Aldersgruppe", y_title)


def _points(data: pd.DataFrame, x: str, y: str, **extra: object) -> go.Scatter:
    """Estimates as points with their confidence intervals as error bars."""
    return go.Scatter(
        x=data[x],
        y=data[y],
        mode="markers",
        marker={"size": 10, "color": PALETTE[0]},
        error_y=_error_bars(data, y),
        **extra,
    )


def mean_points(
    data: pd.DataFrame, *, x: str, y: str, title: str, y_title: str, **_: object
) -> go.Figure:
    """Means with their confidence intervals."""
    return _layout(go.Figure(_points(data, x, y)), title, "", y_title)


def trend_lines(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    color: str | None,
    y_title: str,
    marker: float,
    **_: object,
) -> go.Figure:
    """One line per group over x, with a dotted line at `marker` (the intervention)."""
    fig = go.Figure()
    groups = [("", data)] if color is None else list(data.groupby(color, sort=True))
    for i, (group, g) in enumerate(groups):
        fig.add_scatter(
            x=g[x], y=g[y], name=str(group), mode="lines+markers", line={"color": PALETTE[i]}
        )
    fig.add_vline(x=marker, line_dash="dot", line_color="grey")
    return _layout(fig, title, "År", y_title)


def event_points(
    data: pd.DataFrame, *, x: str, y: str, title: str, y_title: str, **_: object
) -> go.Figure:
    """Event-study coefficients by event time with their CIs, a line at no effect and one
    between the reference year and the start; rows whose x is not a time (the joint
    pre-trend test) are not coefficients and are left out."""
    times = pd.to_numeric(data[x], errors="coerce")
    data = data.assign(**{x: times}).dropna(subset=[x]).sort_values(x)
    fig = go.Figure(_points(data, x, y))
    fig.add_hline(y=0, line_dash="dot", line_color="grey")
    fig.add_vline(x=-0.5, line_dash="dot", line_color="grey")
    return _layout(fig, title, "År fra pilotens start", y_title)


def heat_map(data: pd.DataFrame, *, x: str, y: str, title: str, color: str | None,
             **_: object) -> go.Figure:  # fmt: skip
    """Shares as a grid: rows = `color` (codes, grouped by theme), columns = x
    (municipalities), the share written in each cell; a hidden share is an empty cell."""
    rows = color or "code"
    order = data.sort_values(["theme", rows])
    grid = order.pivot_table(index=["theme", rows], columns=x, values=y, sort=False)
    labels = [f"{code} ({theme})" for theme, code in grid.index]
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[str(c) for c in grid.columns],
            y=labels,
            zmin=0,
            zmax=1,
            colorscale="Blues",
            text=[
                ["" if pd.isna(v) else f"{100 * v:.0f} %" for v in line] for line in grid.to_numpy()
            ],
            texttemplate="%{text}",
            hovertemplate="%{y}, %{x}: %{z:.0%}<extra></extra>",
            colorbar={"tickformat": ".0%"},
        )
    )
    fig = _layout(fig, title)
    fig.update_layout(height=max(420, 28 * len(labels) + 140), margin={"l": 320})
    fig.update_yaxes(autorange="reversed")
    return fig


def joint_points(data: pd.DataFrame, *, x: str, y: str, title: str, color: str | None,
                 **_: object) -> go.Figure:  # fmt: skip
    """Shares with their CIs per x (municipality), one series per `color` (the survey side
    and the interview side), side by side."""
    fig = go.Figure()
    groups = list(data.groupby(color, sort=False)) if color else [("", data)]
    for i, (name, g) in enumerate(groups):
        fig.add_scatter(
            x=g[x],
            y=g[y],
            name=str(name),
            mode="markers",
            marker={
                "size": 11,
                "color": PALETTE[i % len(PALETTE)],
                "symbol": ["circle", "diamond", "square"][i % 3],
            },
            error_y=_error_bars(g, y),
            customdata=g[["n", "ci_low", "ci_high"]],
            hovertemplate="%{x}: %{y:.0%} (95 % KI %{customdata[1]:.0%}–"
            "%{customdata[2]:.0%}, n=%{customdata[0]})<extra>" + str(name) + "</extra>",
        )
    fig.update_layout(scattermode="group")
    return _layout(fig, title, percent=True)


def change_points(
    data: pd.DataFrame, *, x: str, y: str, title: str, y_title: str, **_: object
) -> go.Figure:
    """Changes between two waves with their CIs, a line at no change; one point per x."""
    fig = go.Figure(
        _points(
            data,
            x,
            y,
            customdata=data[["n", "ci_low", "ci_high"]],
            hovertemplate="%{x}: %{y:+.1%} (95 % KI %{customdata[1]:+.1%} til "
            "%{customdata[2]:+.1%}, n=%{customdata[0]})<extra></extra>",
        )
    )
    fig.add_hline(y=0, line_dash="dot", line_color="grey")
    fig = _layout(fig, title, "", y_title)
    fig.update_yaxes(tickformat="+.0%")
    return fig
