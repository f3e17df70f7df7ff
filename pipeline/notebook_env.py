"""What a notebook needs to start: the project's settings and a read-only connection to the
published warehouse. `make notebooks` passes the config in OT_EVAL_CONFIG; opened by hand, a
notebook uses the project's own ot-eval.toml."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipeline.settings import Settings, load_settings
from pipeline.warehouse import connect_read_only

CONFIG_VARIABLE = "OT_EVAL_CONFIG"
PROJECT = Path(__file__).resolve().parent.parent


def settings() -> Settings:
    """The settings of the config in OT_EVAL_CONFIG, else of the project's ot-eval.toml."""
    return load_settings(Path(os.environ.get(CONFIG_VARIABLE, PROJECT / "ot-eval.toml")))


def warehouse() -> duckdb.DuckDBPyConnection:
    """The published warehouse, read-only: a notebook never blocks or changes a run."""
    return connect_read_only(settings())


def offline_plots() -> None:
    """Draw plotly figures offline: plotly.js goes into the notebook once and each figure is a
    div like the reports' — nothing fetched from a CDN (plotly's own notebook renderer links
    MathJax there), so the HTML opens inside a secure environment too."""
    import plotly.graph_objects as go
    import plotly.io as pio
    from IPython.display import HTML, display
    from plotly.io.base_renderers import MimetypeRenderer

    from pipeline.report.figures import figure_div, plotly_library

    class Offline(MimetypeRenderer):
        def to_mimebundle(self, fig_dict: dict[str, object]) -> dict[str, str]:
            return {"text/html": figure_div(go.Figure(fig_dict))}

    pio.renderers["ot_eval_offline"] = Offline()
    pio.renderers.default = "ot_eval_offline"
    display(HTML(f"<script>{plotly_library()}</script>"))
