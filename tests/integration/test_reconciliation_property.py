"""Rows in = rows accepted + rows quarantined, where "rows in" is what the file holds, counted
here by the test itself, whatever defects the rows carry (hypothesis)."""

from __future__ import annotations

import os

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main

pytestmark = pytest.mark.integration
HEADER = "person;kommunenr;samtale_nr;dato;skala;aktivitet_1;poeng_1"
GOOD = "{p};5530;1;2023-01-10;0=kan ikke utføre;Gå på ski;3"
DEFECTS = {  # a defective line and whether it is a row of the file
    "good": (GOOD, True),
    "date": ("{p};5530;1;2023-02-30;0=kan ikke utføre;Gå;3", True),
    "score": ("{p};5530;1;2023-01-10;0=kan ikke utføre;Gå;11", True),
    "extra_field": (GOOD + ";x", True),
    "missing_field": ("{p};5530;1;2023-01-10;0=kan ikke utføre;Gå", True),
    "stray_quote": ('{p};5530;1;2023-01-10;0=kan ikke utføre;"Gå;3', True),
    "quoted_ok": ('{p};5530;1;2023-01-10;0=kan ikke utføre;"Gå; og sykle";3', True),
    "spaces": ("   ", True),  # not empty: a row that holds nothing readable
    "blank": ("", False),  # an empty line holds no row
}


@settings(
    max_examples=int(os.environ.get("OT_EVAL_HYPOTHESIS_EXAMPLES", "25")),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.lists(st.sampled_from(sorted(DEFECTS)), min_size=1, max_size=25),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_every_row_of_the_file_is_accepted_or_quarantined(
    tmp_path_factory: pytest.TempPathFactory, kinds: list[str], newline: str
) -> None:
    folder = tmp_path_factory.mktemp("reconcile")
    lines = [DEFECTS[k][0].format(p=f"P{i}") for i, k in enumerate(kinds)]
    (folder / "psfs.csv").write_text(newline.join([HEADER, *lines]) + newline, encoding="utf-8")
    config = folder / "c.toml"
    config.write_text(
        '[evaluation]\nintervention_date = 2018-09-01\n[validation]\nengine = "sql"\n'
        '[sources.psfs_forms]\npath = "psfs.csv"\nformat = "csv"\n',
        encoding="utf-8",
    )
    rows_in_file = sum(DEFECTS[k][1] for k in kinds)  # counted here, not by ot-eval
    if rows_in_file == 0:  # a header and blank lines: an empty delivery stops the run
        assert main(["ingest", "--config", str(config)]) == 2
        return
    assert main(["ingest", "--config", str(config)]) == 0
    assert main(["validate", "--config", str(config), "--accept-quarantine"]) == 0
    good = {i + 2 for i, k in enumerate(kinds) if k in ("good", "quoted_ok")}
    with duckdb.connect(str(folder / "warehouse" / "ot_eval.duckdb"), read_only=True) as con:
        counts = con.execute(
            "select rows_in_file, rows_read, rows_accepted, rows_quarantined "
            "from meta.reconciliation where source = 'psfs_forms'"
        ).fetchone()
        accepted = {
            r[0] for r in con.execute("select _source_row from valid.psfs_forms").fetchall()
        }
    assert counts is not None
    assert counts[0] == counts[1] == rows_in_file == counts[2] + counts[3]
    assert accepted == good  # line numbers: the header is line 1, a row's line is its own
