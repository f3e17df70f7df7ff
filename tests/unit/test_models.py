"""Known answers for the adjusted comparisons: without covariates a saturated logistic model's
average marginal effect is the difference of the two shares with the Wald SE, and a
proportional-odds model on a two-level answer is a logistic regression: odds ratio ad/bc with
Woolf's SE (all by hand). A covariate that does not vary is left out and said so."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from pipeline.stats.models import adjusted_difference, ordinal_odds_ratio


def _two_by_two(a: int, b: int, c: int, d: int) -> pd.DataFrame:
    """a exposed with the outcome, b exposed without, c unexposed with, d unexposed without."""
    rows = [(1, 1)] * a + [(1, 0)] * b + [(0, 1)] * c + [(0, 0)] * d
    return pd.DataFrame(rows, columns=["x", "y"]).assign(region="one")


def test_marginal_effect_without_covariates_is_the_difference_of_shares() -> None:
    # 30/50 vs 20/50: difference 0.20, SE sqrt(0.6·0.4/50 + 0.4·0.6/50) = 0.09798
    result = adjusted_difference(_two_by_two(30, 20, 20, 30), "y", "x", ["region"])
    e = result.estimate
    assert e.estimate == pytest.approx(0.20, abs=1e-6)
    se = math.sqrt(0.6 * 0.4 / 50 + 0.4 * 0.6 / 50)
    assert (e.ci_high - e.ci_low) / (2 * 1.959964) == pytest.approx(se, rel=1e-4)
    assert "region: one value only, left out" in e.method
    assert 0.03 < result.p_value < 0.05  # Wald z = ln(2.25) / 0.4082 = 1.99


def test_ordinal_model_on_two_levels_is_woolfs_odds_ratio() -> None:
    # OR = (30·30)/(20·20) = 2.25; SE(log OR) = sqrt(1/30 + 1/20 + 1/20 + 1/30) = 0.40825
    result = ordinal_odds_ratio(_two_by_two(30, 20, 20, 30), "y", "x", ["region"])
    e = result.estimate
    assert e.estimate == pytest.approx(2.25, rel=1e-4)
    se = math.sqrt(1 / 30 + 1 / 20 + 1 / 20 + 1 / 30)
    assert math.log(e.ci_high / e.ci_low) / (2 * 1.959964) == pytest.approx(se, rel=1e-3)


def test_ordinal_model_matches_statsmodels_logit_with_a_covariate() -> None:
    # a two-level answer: the cumulative logit is statsmodels' Logit (reference), same slope
    rng = np.random.default_rng(5)
    n = 400
    x = rng.integers(0, 2, n)
    group = rng.choice(["a", "b", "c"], n)
    lin = -0.3 + 0.8 * x + np.where(group == "b", 0.5, 0.0) - np.where(group == "c", 0.4, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    data = pd.DataFrame({"x": x, "y": y, "group": group})
    design = pd.get_dummies(data["group"], prefix="group", drop_first=True, dtype=float)
    reference = sm.Logit(y, sm.add_constant(pd.concat([data[["x"]], design], axis=1))).fit(disp=0)
    result = ordinal_odds_ratio(data, "y", "x", ["group"])
    assert math.log(result.estimate.estimate) == pytest.approx(reference.params["x"], rel=1e-4)
    assert result.p_value == pytest.approx(reference.pvalues["x"], rel=1e-3)


def test_adjustment_removes_planted_confounding() -> None:
    # exact expected frequencies (no sampling noise): relatives (40 %) more often exposed
    # (85 % vs 60 %) and less often with the outcome; logit P(y) = x − relative. The true
    # average marginal effect is expit(1) − expit(0) = expit(0) − expit(−1) = 0.2311 for both
    # groups; the crude difference of shares is smaller
    rows = []
    for relative, p_rel in ((1, 0.4), (0, 0.6)):
        for x, p_x in ((1, 0.85 if relative else 0.6), (0, 0.15 if relative else 0.4)):
            cell = round(10_000 * p_rel * p_x)
            p_y = 1 / (1 + math.exp(-(x - relative)))
            hits = round(cell * p_y)
            rows += [(x, 1, relative)] * hits + [(x, 0, relative)] * (cell - hits)
    data = pd.DataFrame(rows, columns=["x", "y", "relative"])
    adjusted = adjusted_difference(data, "y", "x", ["relative"]).estimate
    true_ame = 1 / (1 + math.exp(-1)) - 0.5
    assert adjusted.estimate == pytest.approx(true_ame, abs=1e-3)
    crude = data.groupby("x").y.mean()
    assert crude[1] - crude[0] < adjusted.ci_low  # the crude difference is biased below it


def test_a_model_that_cannot_be_fitted_says_why() -> None:
    perfect = _two_by_two(20, 0, 0, 20)  # the exposure predicts the outcome perfectly
    result = adjusted_difference(perfect, "y", "x", [])
    assert math.isnan(result.estimate.estimate)
    assert "could not be fitted" in result.estimate.method
