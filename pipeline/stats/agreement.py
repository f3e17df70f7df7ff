"""Inter-coder agreement: Cohen's kappa for two coders (statsmodels' implementation)."""

from __future__ import annotations

import numpy as np
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa as _cohens_kappa

from pipeline.stats.proportions import Estimate


def cohens_kappa(coder_a: np.ndarray, coder_b: np.ndarray, level: float = 0.95) -> Estimate:
    """Cohen's kappa for two binary codings of the same units, with its asymptotic CI.

    The CI uses the large-sample standard error of Fleiss, Cohen & Everitt (1969), as
    statsmodels computes it.
    """
    a = np.asarray(coder_a, dtype=bool)
    b = np.asarray(coder_b, dtype=bool)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("both codings need the same, non-zero number of units")
    table = np.array([[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]])
    res = _cohens_kappa(table)
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
