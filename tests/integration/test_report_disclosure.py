"""The outward evaluation report publishes no team count below the threshold, in its tables
or in its figures' data; an internal report shows them and says so in its header."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline import stages
from pipeline.settings import load_settings
from tests.conftest import Run
from tests.runs import evaluated_copy

pytestmark = pytest.mark.integration


def _values(y: object) -> list[float | None]:
    """A Plotly array: a JSON list, or typed binary data ({"dtype", "bdata"})."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
    assert isinstance(y, list)
    return y


def _team_section(html: str) -> str:
    start = html.index('<section id="team"')
    return html[start : html.index("</section>", start)]


def test_outward_report_hides_small_team_counts(pipeline_run: Run) -> None:
    html = (pipeline_run.settings.reports_dir / "evaluation.html").read_text("utf-8")
    team = _team_section(html)
    cells = re.findall(r'<td class="num">([^<]*)</td>', team)
    shown = [int(c.replace("\u202f", "")) for c in cells if c not in ("–", "")]
    assert cells and "–" in cells
    assert not [n for n in shown if 0 < n < pipeline_run.settings.report.suppression_threshold]
    for payload in re.findall(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*\{", team, re.S):
        for trace in json.loads(payload):
            ys = [y for y in _values(trace.get("y", [])) if y is not None and y == y]
            assert ys and not [y for y in ys if 0 < y < 5], trace.get("name")
    assert "Intern rapport" not in html


def test_internal_report_shows_small_counts_and_says_so(
    evaluated_fast: Path, tmp_path: Path
) -> None:
    config = evaluated_copy(evaluated_fast, tmp_path / "p")
    config.write_text(
        config.read_text("utf-8").replace('audience = "outward"', 'audience = "internal"'),
        encoding="utf-8",
    )
    settings = load_settings(config)
    stages.report(settings, lambda _m: None)
    html = (settings.reports_dir / "evaluation.html").read_text("utf-8")
    assert "Intern rapport" in html
    assert "–" not in re.findall(r'<td class="num">([^<]*)</td>', _team_section(html))
