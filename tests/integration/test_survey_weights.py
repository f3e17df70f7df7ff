"""Weighted staff and user surveys through the whole pipeline on the sample: raking meets
every margin and keeps the sample's role × municipality interactions (what characterises the
iterative proportional fit), the weighted share recovers the planted population share that
the unweighted one misses, a design-weight column gives Σw·y/Σw computed straight from the
SPSS file, `ot-eval trace` reproduces a weighted row, and a margin that cannot be met stops
the run naming the wave and group."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyreadstat
import pytest

from pipeline import stages, trace
from pipeline.errors import UserError
from pipeline.metrics.survey_staff import ANCHORING
from pipeline.settings import load_settings
from tests.runs import FAST, project

pytestmark = pytest.mark.integration


def _weighted(folder: Path, block: str, margins: str | None = None) -> Path:
    config = project(folder, **FAST)
    if margins is not None:
        (folder / "margins.csv").write_text(margins, encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[[evaluation.pilots]]", block + "\n[[evaluation.pilots]]", 1))
    return config


def _on_sample_of(raked: Path, tmp_path: Path, block: str, margins: str | None = None) -> Path:
    """A weighted project reading the raked project's sample (not writing its own)."""
    config = _weighted(tmp_path / "p", block, margins)
    text = config.read_text(encoding="utf-8").replace("enabled = true", "enabled = false")
    sample = raked.parent / "data/sample"
    config.write_text(text.replace('"data/sample/', f'"{sample}/'), encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def raked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("raked")
    block = "[evaluation.survey_weights.survey_staff]\n"
    block += 'margins = "data/sample/survey_staff_margins.csv"\n'
    config = _weighted(folder, block)
    settings = load_settings(config)
    stages.evaluate(settings, lambda _m: None)
    return config


def _connect(config: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(load_settings(config).warehouse), read_only=True)


def test_raking_meets_every_margin_and_keeps_the_interactions(raked: Path) -> None:
    margins = pd.read_csv(raked.parent / "data/sample/survey_staff_margins.csv", sep=";")
    with _connect(raked) as con:
        cells = con.execute(
            "select a.wave, a.role, a.kommune, count(*) as n, sum(w.weight) as weight "
            "from (select distinct respondent_id, wave, role, kommune "
            "      from marts.fct_survey_staff_answers) as a "
            "join intermediate.int_survey__staff_weights as w using (respondent_id) "
            "group by all"
        ).df()
    for dim, col in (("rolle", "role"), ("kommune", "kommune")):
        reached = cells.groupby(["wave", col])["weight"].sum()
        for m in margins[margins.dimension == dim].itertuples():
            assert reached[(m.wave, str(m.group))] == pytest.approx(m.total, rel=1e-6)
    # every respondent of a cell has one weight, and log(weight / n) is additive in role and
    # municipality: the raked table keeps the sample's odds ratios
    for _, g in cells.groupby("wave"):
        factor = np.log(g.weight / g.n).to_numpy()
        design = pd.get_dummies(g[["role", "kommune"]], drop_first=True).to_numpy(float)
        design = np.column_stack([np.ones(len(g)), design])
        fitted = design @ np.linalg.lstsq(design, factor, rcond=None)[0]
        assert np.abs(fitted - factor).max() < 1e-6


def test_weighted_share_recovers_the_planted_population_share(raked: Path) -> None:
    truth = json.loads((raked.parent / "data/sample/truth.json").read_text(encoding="utf-8"))
    planted = truth["survey_staff"]["population_not_involved_by_wave"]
    with _connect(raked) as con:
        rows = con.execute(
            "select wave, estimate, ci_low, ci_high, method, n from metrics.anchoring_by_role "
            "where indicator = 'involvert' and dimension = 'alle' and answer = 'Nei' "
            "and wave in ('2019', '2021', '2023') order by wave"
        ).fetchall()
        unweighted = dict(
            con.execute(
                "select cast(wave as varchar), avg((answer_label = 'Nei')::int) "
                "from marts.fct_survey_staff_answers where item = 'involvert' and is_valid "
                "group by 1"
            ).fetchall()
        )
        tests = con.execute("select count(*) from metrics.survey_tests").fetchone()
    assert len(rows) == 3
    for wave, estimate, low, high, method, n in rows:
        assert low <= planted[wave] <= high, (wave, planted[wave], low, high)
        assert "design-weighted" in method and n > 0
        assert abs(estimate - planted[wave]) < abs(unweighted[wave] - planted[wave])
    assert tests == (0,)  # no chi-square on weighted answers (no Rao–Scott): none at all


def test_trace_reproduces_weighted_rows(raked: Path) -> None:
    with _connect(raked) as con:
        for wave in ("2023", "Endring 2019–2023"):
            selectors = {
                "wave": wave,
                "indicator": "involvert",
                "label": "Involvert i eller informert om pilotprosjektet",
                "dimension": "rolle",
                "group": "Leder",
                "answer": "Nei",
                "answer_order": "2",
                "base": "gyldige svar",
            }
            t = trace.trace(con, ANCHORING, selectors, rows=False, limit=None)
            assert t.reproduced == pytest.approx(float(t.metric_row["estimate"]), rel=1e-12)
            assert "sum_w" in t.detail.columns


def test_report_says_the_staff_figures_are_weighted(raked: Path) -> None:
    html = (load_settings(raked).reports_dir / "evaluation.html").read_text(encoding="utf-8")
    assert "Tallene er vektet (raket til antall ansatte per rolle" in html
    assert "Khikvadrattestene mellom grupper er ikke beregnet med vekter" in html
    assert "Ingen tall er vektet" not in html and html.count("Tallene er uvektede") == 1


def test_design_weight_column_gives_the_weighted_share_of_the_file(
    raked: Path, tmp_path: Path
) -> None:
    block = '[evaluation.survey_weights.survey_staff]\ncolumn = "vekt"\n'
    config = _on_sample_of(raked, tmp_path, block)
    stages.evaluate(load_settings(config), lambda _m: None)
    raw, _ = pyreadstat.read_sav(str(raked.parent / "data/sample/survey_staff.sav"))
    valid = raw[raw.wave.eq(2023) & raw.involvert.isin([1, 2])]
    expected = (valid.vekt * valid.involvert.eq(2)).sum() / valid.vekt.sum()
    with _connect(config) as con:
        (estimate,) = con.execute(
            "select estimate from metrics.anchoring_by_role where indicator = 'involvert' "
            "and dimension = 'alle' and answer = 'Nei' and wave = '2023'"
        ).fetchone()
    assert estimate == pytest.approx(expected, rel=1e-12)


def test_a_margin_without_respondents_stops_the_run_naming_it(raked: Path, tmp_path: Path) -> None:
    margins = (raked.parent / "data/sample/survey_staff_margins.csv").read_text(encoding="utf-8")
    margins = margins.replace("2021;rolle;Leder;", "2021;rolle;Styreleder;")
    block = '[evaluation.survey_weights.survey_staff]\nmargins = "margins.csv"\n'
    config = _on_sample_of(raked, tmp_path, block, margins)
    with pytest.raises(UserError) as err:
        stages.evaluate(load_settings(config), lambda _m: None)
    message = str(err.value)
    assert "int_survey__staff_weights" in message
    assert "wave 2021: rolle «Leder» has respondents but no total" in message
    assert "wave 2021: rolle «Styreleder» has a total" in message


def test_a_weighted_survey_whose_file_lacks_the_column_stops_naming_it(
    raked: Path, tmp_path: Path
) -> None:
    block = '[evaluation.survey_weights.survey_users]\ncolumn = "Vekt"\n'
    config = _on_sample_of(raked, tmp_path, block)
    with pytest.raises(UserError) as err:
        stages.evaluate(load_settings(config), lambda _m: None)
    message = str(err.value)
    assert "survey_users.xlsx" in message and "vekt" in message.lower(), message
