"""Known-answer tests for pipeline.stats (hand-computed and published textbook values)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.stats.agreement import cohens_kappa
from pipeline.stats.means import mean_t
from pipeline.stats.proportions import difference_newcombe, wilson


def test_wilson_hand_computed() -> None:
    # p = 0.4, z = 1.96: centre (0.4 + z²/40)/(1 + z²/20), half-width z·sqrt(pq/n + z²/4n²)/(1+z²/n)
    e = wilson(8, 20)
    assert e.estimate == pytest.approx(0.4)
    assert e.ci_low == pytest.approx(0.2188, abs=1e-4)
    assert e.ci_high == pytest.approx(0.6134, abs=1e-4)
    assert e.n == 20


def test_wilson_at_the_edges_stays_in_0_1() -> None:
    zero, full = wilson(0, 10), wilson(10, 10)
    assert zero.ci_low == pytest.approx(0.0, abs=1e-12) and 0.25 < zero.ci_high < 0.35
    assert full.ci_high == pytest.approx(1.0) and 0.65 < full.ci_low < 0.75


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_newcombe_matches_newcombe_1998_example() -> None:
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339
    e = difference_newcombe(56, 70, 48, 80)
    assert e.estimate == pytest.approx(0.2)
    assert e.ci_low == pytest.approx(0.0524, abs=5e-4)
    assert e.ci_high == pytest.approx(0.3339, abs=5e-4)


def test_mean_t_hand_computed() -> None:
    # mean 2.5, s = 1.2910, se = 0.6455, t(0.975; 3) = 3.1824
    e = mean_t([1.0, 2.0, 3.0, 4.0])
    assert (e.estimate, e.n) == (2.5, 4)
    assert e.ci_low == pytest.approx(0.4457, abs=1e-4)
    assert e.ci_high == pytest.approx(4.5543, abs=1e-4)


def test_cohens_kappa_textbook_table() -> None:
    # 2x2 table [[20, 5], [10, 15]]: p_o = 0.70, p_e = 0.50, kappa = 0.40
    a = np.array([1] * 20 + [1] * 5 + [0] * 10 + [0] * 15, bool)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15, bool)
    e = cohens_kappa(a, b)
    assert e.estimate == pytest.approx(0.40)
    assert e.ci_low < 0.40 < e.ci_high
    assert e.n == 50


def test_cohens_kappa_perfect_agreement_ci_capped_at_one() -> None:
    a = np.array([1, 0, 1, 0, 1, 1, 0, 0], bool)
    e = cohens_kappa(a, a)
    assert e.estimate == pytest.approx(1.0) and e.ci_high <= 1.0


def test_wilcoxon_signed_rank_matches_the_textbook_example() -> None:
    """Darwin's Zea mays differences (Fisher 1935), scipy's documented example: T = 24,
    exact two-sided p = 0.041259765625."""
    from pipeline.stats.means import wilcoxon_signed_rank

    d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    assert wilcoxon_signed_rank(d) == pytest.approx(0.041259765625, abs=1e-12)
    assert np.isnan(wilcoxon_signed_rank([0.0, 0.0]))


def test_wilcoxon_with_ties_or_zeros_gives_scipys_exact_permutation_p_value() -> None:
    """The ranks-once permutation test is scipy's own test, not an approximation of it: the
    same p-value to the last bit on tied and zero-laden samples of every size up to 13, and
    scipy's choice (exact without ties, asymptotic above 13) beyond."""
    from scipy import stats

    from pipeline.stats.means import wilcoxon_signed_rank

    rng = np.random.default_rng(7)
    for size in range(1, 16):
        for scale in (1.0, 0.5):
            x = rng.integers(-3, 4, size).astype(float) * scale
            if not x.any():
                x[0] = scale
            assert wilcoxon_signed_rank(x) == float(stats.wilcoxon(x).pvalue), x
    # hand-computed: changes 1, 1, −1 (ties), ranks 2, 2, 2; R+ = 4 in the 8 sign flips:
    # R+ ∈ {0, 2, 2, 2, 4, 4, 4, 6}, P(R+ ≥ 4) = 4/8, two-sided p = 2·min(4/8, 7/8) = 1
    assert wilcoxon_signed_rank([1.0, 1.0, -1.0]) == 1.0
    # 1, 1, 1: R+ = 6 only under no flip, p = 2 · 1/8
    assert wilcoxon_signed_rank([1.0, 1.0, 1.0]) == 0.25


def test_bootstrap_mean_interval_covers_a_planted_mean_and_is_reproducible() -> None:
    """Planted mean 2 (n = 400, sd 1.5): the BCa interval lies close to the t interval, covers
    2 in at least 90 of 100 seeded samples, and the same data give the same interval."""
    from pipeline.stats.means import mean_bootstrap, mean_t

    covered = 0
    for seed in range(100):
        x = np.random.default_rng(seed).normal(2.0, 1.5, 400)
        b = mean_bootstrap(x, resamples=999)
        covered += b.ci_low <= 2.0 <= b.ci_high
        if seed == 0:
            t = mean_t(x)
            assert abs(b.ci_low - t.ci_low) < 0.03 and abs(b.ci_high - t.ci_high) < 0.03
            assert mean_bootstrap(x, resamples=999) == b
    assert covered >= 90


def test_median_ci_is_the_order_statistic_interval() -> None:
    """n = 20 at 95 %: the 6th and 15th smallest values (Conover's table); n = 5: too few for
    a 95 % interval."""
    from pipeline.stats.means import median_ci

    e = median_ci(list(range(1, 21)))
    assert (e.estimate, e.ci_low, e.ci_high) == (10.5, 6.0, 15.0)
    small = median_ci([3, 1, 2, 5, 4])
    assert small.estimate == 3 and np.isnan(small.ci_low)
