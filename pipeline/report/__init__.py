"""Reports: self-contained static HTML (Plotly inlined once, no CDN) with provenance."""

from pipeline.report.write import write_reports

__all__ = ["write_reports"]
