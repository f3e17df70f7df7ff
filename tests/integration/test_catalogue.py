"""The catalogue on the sample's warehouse: every table and column of the five schemas carries
a COMMENT, `ot-eval catalogue` writes them all out with their lineage, the run's reports link
the HTML page, and the committed docs/catalogue.md says what the warehouse says."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from pipeline.catalogue.comments import SCHEMAS
from pipeline.settings import load_settings
from tests.conftest import REPO
from tests.runs import cli

pytestmark = pytest.mark.integration


def _warehouse(folder: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(load_settings(folder / "ot-eval.toml").warehouse), read_only=True)


def _columns(folder: Path) -> list[tuple[str, str, str | None]]:
    """(schema.table, column, comment) for every column of the five schemas."""
    with _warehouse(folder) as con:
        return con.execute(
            "select schema_name || '.' || table_name, column_name, comment "
            "from duckdb_columns() where schema_name in ?",
            [list(SCHEMAS)],
        ).fetchall()


def test_every_table_and_column_carries_a_comment(evaluated_fast: Path) -> None:
    with _warehouse(evaluated_fast) as con:
        relations = con.execute(
            "select schema_name, table_name, comment from duckdb_tables() where schema_name in ? "
            "union all select schema_name, view_name, comment from duckdb_views() "
            "where not internal and schema_name in ?",
            [list(SCHEMAS), list(SCHEMAS)],
        ).fetchall()
    columns = _columns(evaluated_fast)
    assert {r[0] for r in relations} == set(SCHEMAS)
    assert len(relations) >= 70 and len(columns) >= 800
    assert [r[:2] for r in relations if not (r[2] or "").strip()] == []
    assert [c[:2] for c in columns if not (c[2] or "").strip()] == []


def test_the_origins_a_build_recorded_are_those_worked_out_again(
    evaluated_fast: Path, tmp_path: Path
) -> None:
    """The catalogue reads each model's column origins from meta.column_origins (written by
    the build); worked out again from the models (a warehouse without that table) they are
    the same, column for column."""
    import shutil

    from pipeline.catalogue.build import catalogue

    settings = load_settings(evaluated_fast / "ot-eval.toml")
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(settings.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        recorded = catalogue(con, settings)
        assert con.execute("select count(*) from meta.column_origins").fetchall()[0][0] > 300
        con.execute("drop table meta.column_origins")
        again = catalogue(con, settings)
    assert recorded == again
    origins = [c.origin for t in recorded for c in t.columns if t.schema != "valid"]
    assert sum(1 for o in origins if o) > 300  # not a comparison of empty lists


def test_the_catalogue_command_lists_everything_with_lineage(
    evaluated_fast: Path, tmp_path: Path
) -> None:
    out = tmp_path / "catalogue.md"
    done = cli(evaluated_fast / "ot-eval.toml", "catalogue", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    found = re.search(r"(\d+) of (\d+) tables and columns described", done.stdout)
    assert found and found[1] == found[2]
    for relation in {c[0] for c in _columns(evaluated_fast)}:
        assert f"### `{relation}`" in text, relation
    # lineage both ways: a mart names what it is built from and the metric it feeds
    part = text.split("### `marts.fct_psfs_person_change`")[1].split("### ")[0]
    assert "Built from: `marts.fct_psfs_activity_change`" in part
    assert "Feeds: `metrics.psfs_change`" in part
    assert "| `mean_change` | DOUBLE | Mean change, last - first" in part
    # a pass-through column names the column it comes from
    assert "| marts.fct_psfs_activity_change.person_id |" in part


def test_the_committed_catalogue_is_current(evaluated_fast: Path) -> None:
    """docs/catalogue.md is what `ot-eval catalogue` writes on the shipped config: a changed
    description without `ot-eval catalogue` run again fails here."""
    committed = (REPO / "docs" / "catalogue.md").read_text(encoding="utf-8")
    described = {}
    relation = None
    for line in committed.splitlines():
        if line.startswith("### `"):
            relation = line.split("`")[1]
        elif relation and line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            described[(relation, cells[0].strip("`"))] = cells[2].replace("\\|", "|")
    stale = [
        (rel, col)
        for rel, col, text in _columns(evaluated_fast)
        if described.get((rel, col)) != " ".join((text or "").split())
    ]
    assert stale == [], f"run `ot-eval catalogue` and commit docs/catalogue.md: {stale[:5]}"


def test_the_run_writes_the_catalogue_page_and_the_index_links_it(evaluated_fast: Path) -> None:
    reports = load_settings(evaluated_fast / "ot-eval.toml").reports_dir
    page = (reports / "catalogue.html").read_text(encoding="utf-8")
    assert 'id="marts-fct-registry-municipality-year"' in page
    assert "Proveniens" in page
    assert 'href="catalogue.html"' in (reports / "index.html").read_text(encoding="utf-8")
