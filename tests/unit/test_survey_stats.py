"""Known answers for the survey statistics: chi-square and Cramér's V (a textbook table and a
published CI), Holm's adjustment and the change between two proportions (by hand)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.stats.contingency import cramers_v, crosstab, independence
from pipeline.stats.multiple import holm
from pipeline.stats.proportions import change_test


def test_chi_square_on_agrestis_party_identification_table() -> None:
    # Agresti, An Introduction to Categorical Data Analysis (2nd ed., 2007), Table 2.5:
    # gender × party identification; printed X² = 30.1, df = 2
    table = np.array([[762, 327, 468], [484, 239, 477]])
    result = independence(table)
    assert round(result.statistic, 1) == 30.1
    assert result.df == 2 and result.p_value < 0.001
    assert result.estimate.estimate == pytest.approx(math.sqrt(result.statistic / 2757))
    assert result.estimate.n == 2757


def test_cramers_v_ci_matches_statpsychs_published_example() -> None:
    # statpsych::ci.cramer(.05, 19.21, 2, 3, 200): Estimate 0.3099, LL 0.1601, UL 0.4417
    v = cramers_v(19.21, 200, 2, 3)
    assert round(v.estimate, 4) == 0.3099
    assert round(v.ci_low, 4) == 0.1601
    assert round(v.ci_high, 4) == 0.4417


def test_cramers_v_lower_bound_is_zero_when_the_test_is_not_significant() -> None:
    result = independence(np.array([[20, 15], [19, 26]]))
    assert result.p_value > 0.05 and result.estimate.ci_low == 0.0
    assert result.estimate.ci_low <= result.estimate.estimate < result.estimate.ci_high
    # a statistic in the central distribution's lower tail: the interval still holds V
    tiny = independence(np.array([[20, 21], [19, 20]])).estimate
    assert tiny.ci_low == 0.0 and tiny.ci_high == tiny.estimate


def test_a_table_with_one_answer_has_nothing_to_test() -> None:
    table = crosstab(["Leder", "Leder", "Koordinator"], ["Ja", "Ja", "Ja"])
    assert table.shape == (2, 1)
    result = independence(table)
    assert math.isnan(result.p_value) and math.isnan(result.estimate.estimate)


def test_holm_by_hand_with_a_missing_p_value() -> None:
    # sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → running max 0.06
    got = holm([0.01, 0.04, 0.03, None, 0.005])
    assert got[:3] == pytest.approx([0.03, 0.06, 0.06]) and got[4] == pytest.approx(0.02)
    assert math.isnan(got[3])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])  # 0.5·2 capped at 1; running max


def test_change_between_two_proportions_by_hand() -> None:
    c = change_test(50, 100, 20, 100)
    assert c.estimate.estimate == pytest.approx(0.3)
    assert c.effect_size == pytest.approx(2 * math.asin(math.sqrt(0.5)) - 2 * math.asin(
        math.sqrt(0.2)))  # fmt: skip
    # the score test of no difference is Pearson's X² times (N − 1)/N (Miettinen–Nurminen)
    pooled = 70 / 200
    x2 = (0.3**2) / (pooled * (1 - pooled) * (1 / 100 + 1 / 100))
    expected = float(__import__("scipy").stats.chi2.sf(x2 * 199 / 200, 1))
    assert c.p_value == pytest.approx(expected, rel=1e-6)
    assert c.estimate.ci_low < 0.3 < c.estimate.ci_high
    assert change_test(0, 10, 0, 12).p_value == 1.0  # nothing to test: no evidence
