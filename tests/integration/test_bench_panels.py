"""The bench compares like with like: on the sample's files (with their planted defects) the
bound's hand-written query and the pandas baseline give exactly the panel the pipeline built.
Only correctness here; times are `make bench`'s business."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.settings import load_settings
from tests.conftest import REPO

pytestmark = pytest.mark.integration
sys.path.insert(0, str(REPO / "bench"))

from registry_bench import PANEL, baseline, bound, inputs  # noqa: E402


def test_bound_and_pandas_give_the_pipelines_panel(evaluated_fast: Path) -> None:
    config = evaluated_fast / "ot-eval.toml"
    args = inputs(config)
    with duckdb.connect(str(load_settings(config).warehouse), read_only=True) as con:
        pipeline = con.execute(
            f"select {', '.join(PANEL)} from marts.fct_registry_municipality_year "
            "order by kommune, year"
        ).df()
    low = bound(args)[PANEL]
    assert len(low) == len(pipeline) > 100
    types = low.dtypes.to_dict()
    pd.testing.assert_frame_equal(pipeline.astype(types), low)
    pd.testing.assert_frame_equal(baseline(args)[PANEL].astype(types), low)


def test_the_bench_page_shows_every_measured_size(tmp_path: Path) -> None:
    """reports/bench.html from the committed results: a row per size with its ratio."""
    import json

    from bench_report import write_html

    report = json.loads((REPO / "bench" / "results.json").read_text(encoding="utf-8"))
    write_html(report, tmp_path / "bench.html")
    html = (tmp_path / "bench.html").read_text(encoding="utf-8")
    for size in report["sizes"]:
        assert f"{size['pipeline']['kuhr_rows']:,}".replace(",", " ") in html
        assert f"{size['ratio_pipeline_to_bound']:.1f}" in html
    assert "memory_limit = 3GB" in html
    # a page made outside a run has no input files or contracts: no empty tables for them
    assert "<th>Datakontrakt</th>" not in html and "<th>Rader lest</th>" not in html
