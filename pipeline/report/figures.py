"""Plotly figures for the evaluation report, one function per metric table."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

PALETTE = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6"]


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


def share_bars(data: pd.DataFrame, x: str, title: str, color: str | None = None) -> go.Figure:
    """Bars of shares with their confidence intervals as error bars."""
    fig = go.Figure()
    groups = [(None, data)] if color is None else list(data.groupby(color, sort=False))
    for i, (name, g) in enumerate(groups):
        fig.add_bar(
            x=g[x],
            y=g["estimate"],
            name=str(name) if name is not None else "",
            marker_color=PALETTE[i % len(PALETTE)],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": g["ci_high"] - g["estimate"],
                "arrayminus": g["estimate"] - g["ci_low"],
            },
            customdata=g[["n", "ci_low", "ci_high"]],
            hovertemplate="%{x}: %{y:.0%} (95 % KI %{customdata[1]:.0%}–"
            "%{customdata[2]:.0%}, n=%{customdata[0]})<extra></extra>",
        )
    fig.update_layout(barmode="group", showlegend=color is not None)
    return _layout(fig, title, percent=True)


def team_bars(data: pd.DataFrame, title: str) -> go.Figure:
    fig = go.Figure()
    for i, (snapshot, g) in enumerate(data.groupby("snapshot_date", sort=True)):
        fig.add_bar(
            x=g["age_band"],
            y=g["estimate"],
            name=str(snapshot),
            marker_color=PALETTE[i % len(PALETTE)],
            text=g["estimate"].astype(int),
            textposition="outside",
        )
    fig.update_layout(barmode="group")
    return _layout(fig, title, "Aldersgruppe", "Aktive team")


def mean_points(data: pd.DataFrame, x: str, title: str, y_title: str) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=data[x],
            y=data["estimate"],
            mode="markers",
            marker={"size": 10, "color": PALETTE[0]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": data["ci_high"] - data["estimate"],
                "arrayminus": data["estimate"] - data["ci_low"],
            },
        )
    )
    return _layout(fig, title, "", y_title)


def trend_lines(
    data: pd.DataFrame, outcome: str, title: str, y_title: str, intervention_year: int
) -> go.Figure:
    """Person-year-weighted mean of an outcome per year, pilot vs comparison."""
    fig = go.Figure()
    for i, (group, g) in enumerate(data.groupby("evaluation_group", sort=True)):
        fig.add_scatter(
            x=g["year"], y=g[outcome], name=group, mode="lines+markers", line={"color": PALETTE[i]}
        )
    fig.add_vline(x=intervention_year + 0.5, line_dash="dot", line_color="grey")
    return _layout(fig, title, "År", y_title)
