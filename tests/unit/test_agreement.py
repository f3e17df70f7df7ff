"""Known answers for coder agreement: Krippendorff's alpha on the published 2011 example and a
hand-computed two-coder case, kappa where it is undefined, and the cluster bootstrap (whole
interviews resampled: a cluster of identical units carries one unit's information)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.stats.agreement import (
    alpha_nominal,
    cluster_bootstrap,
    kappa_value,
    reliability_matrix,
)

NAN = np.nan


def test_alpha_on_krippendorffs_2011_reliability_data() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C:
    # 4 observers × 12 units with missing values; printed nominal alpha = 0.743
    data = np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
            [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
        ]
    )
    assert round(alpha_nominal(data), 3) == 0.743


def test_alpha_two_coders_binary_by_hand() -> None:
    # 10 units, coders disagree on 2: n = 20 values, n_0 = n_1 = 10, d = 2 disagreeing units
    # alpha = 1 - (n - 1) * d / (n_0 * n_1) = 1 - 19 * 2 / 100 = 0.62
    a = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 1], dtype=float)
    b = np.array([1, 1, 1, 1, 0, 0, 0, 0, 1, 0], dtype=float)
    assert alpha_nominal(np.vstack([a, b])) == pytest.approx(0.62)
    # kappa on the same codings: p_o = 0.8, p_e = 0.5 -> 0.6, a different statistic
    assert kappa_value(a, b) == pytest.approx(0.6)


def test_agreement_is_undefined_without_variation() -> None:
    same = np.zeros(5, dtype=bool)
    assert np.isnan(kappa_value(same, same))
    assert np.isnan(alpha_nominal(np.zeros((2, 5))))


def test_reliability_matrix_marks_a_coder_who_did_not_code_as_missing() -> None:
    matrix, clusters = reliability_matrix(
        ["i1", "i1", "i2", "i1", "i1"], ["k1", "k2", "k1", "k1", "k2"],
        ["A", "A", "A", "B", "B"], [True, False, True, True, True],
    )  # fmt: skip
    assert matrix.shape == (2, 3)  # coders A, B × units (i1,k1), (i1,k2), (i2,k1)
    assert np.isnan(matrix[1, 2]) and matrix[0, 1] == 0 and matrix[1, 1] == 1
    assert list(clusters) == ["i1", "i1", "i2"]


def test_cluster_bootstrap_counts_clusters_not_units() -> None:
    # 10 clusters of 50 identical values: the mean is as uncertain as a mean of 10 values,
    # so resampling clusters gives a much wider interval than resampling the 500 units
    rng = np.random.default_rng(1)
    cluster_values = rng.normal(size=10)
    values = np.repeat(cluster_values, 50)
    clusters = np.repeat(np.arange(10), 50)

    def mean(i: np.ndarray) -> float:
        return float(values[i].mean())

    low, high, used = cluster_bootstrap(mean, clusters, 2000, seed=7)
    naive_low, naive_high, _ = cluster_bootstrap(mean, np.arange(500), 2000, seed=7)
    assert used == 2000
    assert (high - low) > 4 * (naive_high - naive_low)
    # about ±1.96 standard errors of a mean of 10 values
    se = cluster_values.std(ddof=1) / np.sqrt(10)
    assert (high - low) == pytest.approx(2 * 1.96 * se, rel=0.25)
    assert cluster_bootstrap(mean, clusters, 2000, seed=7) == (low, high, used)


def test_cluster_bootstrap_leaves_out_undefined_replications() -> None:
    values = np.array([0.0, 0.0, 1.0, 1.0])

    def only_when_mixed(i: np.ndarray) -> float:
        v = values[i]
        return float(v.mean()) if 0 < v.mean() < 1 else float("nan")

    low, high, used = cluster_bootstrap(only_when_mixed, np.array([1, 1, 2, 2]), 400, seed=3)
    assert 0 < used < 400 and low == high == 0.5
