"""The DiD's timing is each pilot's own, and the config's choices reach the estimate: a
partly run first year counted by its exposure, and the years after a pilot ended kept as an
after-exit term of their own; a value the config does not know is refused."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from pipeline import stages
from pipeline.errors import UserError
from pipeline.settings import load_settings
from tests.runs import FAST, project

pytestmark = pytest.mark.integration


def test_exposure_and_a_separate_after_exit_term(tmp_path: Path) -> None:
    config = project(tmp_path / "p", **FAST, partial_years='"exposure"', after_exit='"separate"')
    settings = load_settings(config)
    stages.evaluate(settings, lambda _m: None)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        panel = con.execute(
            "select kommune, year, is_treated, exposure, after_exit, in_estimation "
            "from marts.fct_registry_municipality_year where evaluation_group = 'pilot'"
        ).df()
        did = con.execute("select * from metrics.registry_did").df()
    assert panel.in_estimation.all()
    first = panel[panel.year == 2018]  # every pilot started 2018-09-01: 122 of 365 days
    assert np.allclose(first.is_treated, 122 / 365) and np.allclose(first.exposure, 122 / 365)
    exited = panel[(panel.year == 2022) & panel.kommune.isin(["3203", "5006"])]  # ended 2021
    assert (exited.after_exit == 1.0).all() and (exited.is_treated == 0.0).all()
    synthetic = did[did.estimator == "synthetic"]
    robust, did = did[did.estimator == "imputation"], did[did.estimator == "twfe"]
    per_person_year = did[did.outcome != "readmission_share_67"]
    assert (per_person_year.n == 180).all()  # every municipality-year stays in
    assert (did[did.outcome == "readmission_share_67"].n <= 180).all()  # those with a stay
    assert did.after_exit_estimate.notna().all()
    assert (did.after_exit_ci_low <= did.after_exit_estimate).all()
    assert (did.after_exit_estimate <= did.after_exit_ci_high).all()
    # a partly treated year is a fraction: outside what the imputation estimator covers, and
    # its rows say so instead of giving a number
    assert len(robust) == 6 and robust.estimate.isna().all() and robust.ci_low.isna().all()
    assert robust.method.str.contains("not estimated: .*0 or 1.*partial_years = drop").all()
    assert synthetic.estimate.isna().all()
    assert synthetic.method.str.startswith("not estimated: synthetic DiD needs").all()


def test_an_unknown_timing_choice_is_refused(tmp_path: Path) -> None:
    config = project(tmp_path / "p", partial_years='"half"')
    with pytest.raises(UserError, match="partial_years is unknown") as err:
        load_settings(config)
    assert "drop or exposure" in str(err.value)
