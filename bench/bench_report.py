"""reports/bench.html: the bench's figures as a table and a scaling plot (seconds per million
KUHR rows against rows, log axes), offline like every report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from pipeline.provenance import standalone
from pipeline.report.figures import figure_div, plotly_library
from pipeline.report.write import environment

PER_ROW = ("ingest", "validate", "transform")  # stages whose work grows with the KUHR rows


def _stage(name: str, seconds: float, rows: int) -> str:
    """A stage's time, and for the row-bound ones its rate in million KUHR rows a second."""
    if name in PER_ROW and seconds:
        return f"{name} {seconds:.1f} s ({rows / seconds / 1e6:.1f} M/s)"
    return f"{name} {seconds:.1f} s"


def _sample(sample: dict[str, Any] | None) -> str:
    """The generator's time and peak memory (measured apart since the sizes got --rows)."""
    return f"{sample['seconds']:.0f} s, {sample['peak_rss_mb']:,} MB" if sample else "–"


def write_html(report: dict[str, Any], path: Path) -> None:
    rows = []
    lines: dict[str, tuple[list[int], list[float]]] = {"ot-eval": ([], []), "grensen": ([], []),
                                                       "pandas": ([], [])}  # fmt: skip
    for size in report["sizes"]:
        n = size["pipeline"]["kuhr_rows"]
        stages = size["pipeline"]["stages"]
        rows.append(
            {
                "rows": f"{n:,}".replace(",", " "),
                "stages": ", ".join(_stage(k, v, n) for k, v in stages.items()),
                "sample": _sample(size["pipeline"].get("sample")),
                "version": size.get("code_version", report["code_version"]),
                "to_panel": f"{size['pipeline_to_panel_seconds']:.1f}",
                "rate": f"{n / size['pipeline_to_panel_seconds'] / 1e6:.2f}",
                "rss": size["pipeline"]["peak_rss_mb"],
                "bound": f"{size['bound']['seconds']:.2f}",
                "bound_rss": size["bound"]["peak_rss_mb"],
                "pandas": f"{size['pandas']['seconds']:.1f}" if "pandas" in size else "–",
                "pandas_rss": size["pandas"]["peak_rss_mb"] if "pandas" in size else "–",
                "ratio": f"{size['ratio_pipeline_to_bound']:.1f}",
                "pandas_ratio": f"{size['ratio_pandas_to_pipeline']:.2f}"
                if "ratio_pandas_to_pipeline" in size
                else "–",
            }
        )
        for name, seconds in (
            ("ot-eval", size["pipeline_to_panel_seconds"]),
            ("grensen", size["bound"]["seconds"]),
            ("pandas", size.get("pandas", {}).get("seconds")),
        ):
            if seconds is not None:
                lines[name][0].append(n)
                lines[name][1].append(seconds / n * 1e6)
    fig = go.Figure(
        [go.Scatter(x=x, y=y, name=name, mode="lines+markers") for name, (x, y) in lines.items()]
    )
    fig.update_layout(
        title="Sekunder per million KUHR-rader (til panelet)",
        xaxis={"type": "log", "title": "KUHR-rader"},
        yaxis={"type": "log", "title": "s per 10⁶ rader"},
        template="plotly_white",
        height=420,
    )
    prov = standalone("bench", "make bench", code_version=report["code_version"],
                      config_file="ot-eval.toml (per størrelse)",
                      started_at_utc=report["written_at_utc"])  # fmt: skip
    html = (
        environment()
        .get_template("bench.html.j2")
        .render(
            lang="nb",
            title="Ytelse: registerløypa mot grensen og pandas",
            subtitle=f"{report['machine']['cores']} kjerner, {report['machine']['memory_gb']} GB",
            prov=prov,
            rows=rows,
            figure=figure_div(fig),
            plotly_js=plotly_library(),
        )
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
