"""Inter-coder agreement: Cohen's kappa for two coders (statsmodels), Krippendorff's alpha for
any number of coders with missing codings (the `krippendorff` library), and a percentile
bootstrap that resamples whole clusters (interviews), since the codes of one interview are
not independent of each other."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa as _cohens_kappa

from pipeline.stats.proportions import Estimate


def _table(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]])


def _codings(coder_a: np.ndarray, coder_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(coder_a, dtype=bool)
    b = np.asarray(coder_b, dtype=bool)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("both codings need the same, non-zero number of units")
    return a, b


def kappa_value(coder_a: np.ndarray, coder_b: np.ndarray) -> float:
    """Cohen's kappa of two binary codings of the same units (NaN where undefined)."""
    a, b = _codings(coder_a, coder_b)
    if len(np.unique(np.concatenate([a, b]))) == 1:
        return float("nan")  # one value throughout: chance agreement is 1, kappa undefined
    return float(_cohens_kappa(_table(a, b), return_results=False))  # no variance: 12x faster


def cohens_kappa(coder_a: np.ndarray, coder_b: np.ndarray, level: float = 0.95) -> Estimate:
    """Cohen's kappa for two binary codings of the same units, with its asymptotic CI.

    The CI uses the large-sample standard error of Fleiss, Cohen & Everitt (1969), as
    statsmodels computes it; it assumes independent units.
    """
    a, b = _codings(coder_a, coder_b)
    with np.errstate(invalid="ignore", divide="ignore"):  # its z-test (unused) may be 0/0
        res = _cohens_kappa(_table(a, b))
    z = float(stats.norm.ppf(0.5 + level / 2))
    kappa, se = float(res.kappa), float(res.std_kappa)
    # kappa cannot exceed 1 or fall below -1: the normal interval is cut at those bounds
    return Estimate(
        int(a.size),
        kappa,
        max(-1.0, kappa - z * se),
        min(1.0, kappa + z * se),
        f"Cohen's kappa, asymptotic {level:.0%} CI",
    )


def alpha_nominal(reliability: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) of a coders × units matrix, NaN where a coder gave no
    value; units with fewer than two values do not count (the library's convention).
    NaN when the data hold a single value (no disagreement is possible)."""
    data = np.asarray(reliability, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    if len(values) < 2:
        return float("nan")
    return float(
        krippendorff.alpha(
            reliability_data=data, level_of_measurement="nominal", value_domain=values
        )
    )


def reliability_matrix(
    interviews: Sequence[Any], codes: Sequence[Any], coders: Sequence[Any], coded: Sequence[Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Coders × (interview, code) units, NaN where a coder did not code the interview; and
    the interview of each unit (the cluster a bootstrap resamples)."""
    long = pd.DataFrame({"unit_i": interviews, "unit_c": codes, "coder": coders,
                         "value": np.asarray(coded, dtype=float)})  # fmt: skip
    wide = long.pivot_table(
        index="coder", columns=["unit_i", "unit_c"], values="value", aggfunc="first"
    )
    return wide.to_numpy(dtype=float), wide.columns.get_level_values("unit_i").to_numpy()


def cluster_bootstrap(
    statistic: Callable[[np.ndarray], float],
    clusters: np.ndarray,
    replications: int,
    seed: int,
    level: float = 0.95,
) -> tuple[float, float, int]:
    """Percentile CI of `statistic(units)` (a function of an index array of units) when whole
    clusters are resampled with replacement. Returns (low, high, replications used): a
    replication whose statistic is undefined (NaN) is left out and not counted."""
    labels, cluster_of = np.unique(np.asarray(clusters), return_inverse=True)
    members = [np.flatnonzero(cluster_of == k) for k in range(len(labels))]
    rng = np.random.default_rng(seed)
    values = np.empty(replications)
    for i in range(replications):
        drawn = rng.integers(0, len(labels), len(labels))
        values[i] = statistic(np.concatenate([members[k] for k in drawn]))
    kept = values[~np.isnan(values)]
    if len(kept) == 0:
        return float("nan"), float("nan"), 0
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(kept, [tail, 100 - tail])
    return float(low), float(high), len(kept)
