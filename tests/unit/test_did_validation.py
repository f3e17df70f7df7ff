"""The simulated registry panels plant what they say, and the inference check measures it."""

from __future__ import annotations

import dataclasses

import numpy as np

from pipeline.sample.panels import Design, municipalities, simulated_panel
from pipeline.sample.registries import PILOT_LAST_YEAR
from pipeline.stats.did import estimate
from pipeline.stats.did_validation import METHODS, Plan, simulate, summarise


def _mean_estimate(design: Design, draws: int) -> tuple[float, float]:
    """Mean TWFE estimate over `draws` panels and its Monte Carlo standard error."""
    estimates = []
    for k in range(draws):
        panel = simulated_panel(np.random.default_rng([11, k]), design)
        row = estimate(panel, "rate", "kommune", "year", "is_treated", weights="person_years")
        estimates.append(float(row["estimate"].iloc[0]))
    values = np.array(estimates)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(draws))


def test_the_panel_has_the_samples_municipalities_and_the_configs_years() -> None:
    panel = simulated_panel(np.random.default_rng(1), Design())
    munis = municipalities()
    assert munis.shape[0] == 30 and int(munis["pilot"].sum()) == 6
    pilots = set(munis.loc[munis["pilot"], "kommune"])
    rows = panel[panel["kommune"].isin(pilots)]
    assert 2018 not in set(rows["year"])  # the partly run first year is out
    for name, last in PILOT_LAST_YEAR.items():
        years = set(rows.loc[rows["kommune"] == name, "year"])
        assert max(years) == min(last, 2022)  # years after the pilot ended are out
        treated = set(rows.loc[(rows["kommune"] == name) & (rows["is_treated"] == 1), "year"])
        assert treated == set(range(2019, min(last, 2022) + 1))
    assert len(panel) == 30 * 6 - 6 - 2  # 2018 for six pilots, 2022 for Asker, Steinkjer
    assert (panel.loc[~panel["kommune"].isin(pilots), "is_treated"] == 0).all()


def test_the_planted_effect_is_recovered_on_average_and_a_pre_trend_biases_it() -> None:
    mean, mcse = _mean_estimate(Design(), 150)
    assert abs(mean - (-12.0)) < 3 * mcse
    # a differential trend of +10 per 1,000 a year: post years lie 2–3.5 years after the
    # pre year on average, so TWFE moves up by about 25–35 (the estimator cannot tell)
    biased, _ = _mean_estimate(Design(pre_trend_per_1000=10.0), 150)
    assert 20 < biased - mean < 40


def test_validation_measures_every_method_and_is_the_same_in_parallel() -> None:
    plan = Plan(replications=12, draws=99)
    one = simulate(plan, jobs=1)
    two = simulate(plan, jobs=2)
    assert one.equals(two)
    summary = summarise(one)
    assert list(summary["inference"]) == list(METHODS)
    assert (summary["replications"] == 12).all()
    for column in ("coverage", "rejection", "power"):
        assert all(0 <= float(v) <= 1 for v in summary[column])
    # the three kinds of inference share one fit: the same point estimates
    assert summary["mean_estimate"].nunique() == 1
    # with no planted effect the estimates centre on 0 (sd about 6 per panel, 12 panels)
    null = summarise(simulate(dataclasses.replace(plan, design=Design(effect_per_1000=0.0)), 1))
    assert null["mean_estimate"].abs().max() < 6


def test_a_p_value_equal_to_alpha_rejects_in_exact_arithmetic() -> None:
    import pandas as pd

    from pipeline.stats.did_validation import _rejects

    # 50/1000 is 0.05000000000000000277 as a float: above 1/20 unless recovered exactly
    p = pd.Series([50 / 1000, 51 / 1000, 49 / 999, 0.0500000003, 0.04999999])
    assert _rejects(p) == [True, False, True, False, True]
