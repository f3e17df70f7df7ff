"""Difference-in-differences with unit and time fixed effects, and the inference a few-cluster
design needs: `estimate(...)` is the one public entry (notebooks and metrics call it).

The regression is pyfixest's `feols` (the fixest estimator; no hand-written solver), with
every row kept (`fixef_rm="none"`) and every fixed effect counted in K (`k_fixef="full"`:
CRV1 scaled by G/(G−1)·(n−1)/(n−K), t(G−1) intervals — Stata's `regress` with dummies and
`vce(cluster)`; fixest's default, which leaves out effects nested in the clusters, gives
smaller standard errors, the wrong direction with few treated clusters). Inference:

- `iid`, `hc1`, `cluster` (CR1): pyfixest's own standard errors, p-values and intervals.
- `wild`: the wild cluster bootstrap with the null imposed (WCR, Cameron, Gelbach & Miller
  2008; Rademacher or Webb weights) from the `wildboottest` package, on the regression with
  the fixed effects as dummies. pyfixest refuses it with weights, so a weighted model is run
  as OLS on √w-scaled data (WLS = OLS on √w·y, √w·X: same estimate, same cluster scores).
  The interval inverts the bootstrap test (β = r tested as β' = 0 for y − r·d), by bisection
  with the same seed at every r.
- `ri`: randomisation inference (placebo in space, MacKinnon & Webb 2020): the treated units'
  treatment paths are given to every set of comparison units of the same size (all of them
  when there are at most `replications` such assignments, else that many drawn with the
  seed), each fitted on the comparison units alone; p = (1 + #{|t*| ≥ |t|}) / (1 + S) with
  t the cluster-robust t statistic (RI-t); the interval is β̂ ± q·SE with q the matching
  quantile of |t*|. The placebo fits share one fixed-effects projection (Frisch–Waugh–Lovell)
  and are checked against pyfixest in the tests.

A design whose treatment effect is not identified (no treated or no comparison observation,
or a treatment the fixed effects absorb) raises `NotIdentified`, never a number with SE NaN.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

INFERENCE = ("iid", "hc1", "cluster", "wild", "ri")
BOOTSTRAP_WEIGHTS = ("rademacher", "webb")
COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "n_obs",
    "n_clusters",
    "method",
]


class NotIdentified(ValueError):
    """The design cannot identify the treatment effect (said in words)."""


def estimate(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treated: str,
    weights: str | None = None,
    cluster: str | None = None,
    inference: str = "iid",
    *,
    level: float = 0.95,
    seed: int = 20180901,
    replications: int = 9999,
    bootstrap_weights: str = "rademacher",
) -> pd.DataFrame:
    """The DiD (two-way fixed effects) estimate of `treated` on `outcome`, one tidy row:
    term, estimate, std_error, ci_low, ci_high, p_value, n_obs, n_clusters, method.

    `treated` is 1 for a treated unit in a treated period (a fraction for a partly exposed
    period), else 0; `cluster` defaults to `unit`. Rows with a missing value in a used column
    are an error (name them first: nothing is dropped silently)."""
    if inference not in INFERENCE:
        raise ValueError(f"inference must be one of {', '.join(INFERENCE)}, got {inference!r}")
    if bootstrap_weights not in BOOTSTRAP_WEIGHTS:
        raise ValueError(f"bootstrap_weights must be one of {', '.join(BOOTSTRAP_WEIGHTS)}")
    data = _data(frame, outcome, unit, time, treated, weights, cluster or unit)
    _check_identified(data, treated)
    n_clusters = int(data["c"].nunique())
    if inference in ("cluster", "wild", "ri") and n_clusters < 3:
        raise NotIdentified(
            f"{inference} inference needs at least 3 clusters, the data have {n_clusters}"
        )
    fit = _feols(data, "iid" if inference == "iid" else "hetero" if inference == "hc1" else "c")
    est = float(fit.coef()["d"])
    se = float(fit.se()["d"])
    how = f"TWFE DiD ({'WLS' if weights else 'OLS'}, {unit} + {time} fixed effects)"
    if inference in ("iid", "hc1", "cluster"):
        low, high = (float(v) for v in fit.confint(alpha=1 - level).loc["d"])
        p = float(fit.pvalue()["d"])
        name = {
            "iid": "conventional (iid) SE, t(n − K)",
            "hc1": "HC1 robust SE, t(n − K)",
            "cluster": f"CR1 cluster-robust SE by {cluster or unit}, t(G − 1)",
        }[inference]
        method = f"{how}; {name} {level:.0%} CI"
    elif inference == "wild":
        p, low, high = _wild(data, est, se, level, seed, replications, bootstrap_weights)
        method = (
            f"{how}; wild cluster bootstrap by {cluster or unit} (null imposed, "
            f"{bootstrap_weights.capitalize()} weights, {replications} replications, seed "
            f"{seed}); CI by test inversion {level:.0%}"
        )
    else:
        p, low, high, draws, exact = _ri(data, est / se, se, level, seed, replications)
        method = (
            f"{how}; randomisation inference (RI-t, CR1 t by {cluster or unit}): "
            f"{'all' if exact else 'random'} {draws} placebo assignments among comparison "
            f"units{'' if exact else f' (seed {seed})'}; CI β̂ ± q·SE {level:.0%}"
        )
    return pd.DataFrame(
        [[treated, est, se, low, high, p, len(data), n_clusters, method]], columns=COLUMNS
    )


def _data(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treated: str,
    weights: str | None,
    cluster: str,
) -> pd.DataFrame:
    """The used columns under fixed names (y, d, u, t, w, c), in the frame's row order."""
    used = list(
        dict.fromkeys([outcome, treated, unit, time, cluster, *([weights] if weights else [])])
    )
    missing_columns = [c for c in used if c not in frame.columns]
    if missing_columns:
        raise KeyError(f"no column {', '.join(missing_columns)} in the frame")
    holes = frame[used].isna().any(axis=1)
    if holes.any():
        raise ValueError(
            f"{int(holes.sum())} row(s) have a missing value in {', '.join(used)} (first at "
            f"index {frame.index[holes.to_numpy()][0]!r}): drop or fill them before estimating"
        )
    data = pd.DataFrame(
        {
            "y": frame[outcome].astype(float).to_numpy(),
            "d": frame[treated].astype(float).to_numpy(),
            "u": pd.factorize(frame[unit])[0],
            "t": pd.factorize(frame[time])[0],
            "w": frame[weights].astype(float).to_numpy() if weights else 1.0,
            "c": pd.factorize(frame[cluster])[0],
        }
    )
    if weights and (data["w"] <= 0).any():
        raise ValueError(f"weights in {weights!r} must be positive")
    return data


def _dummies(data: pd.DataFrame) -> np.ndarray:
    """Unit dummies (all) and time dummies (all but the first): the fixed effects."""
    units = np.eye(int(data["u"].max()) + 1)[data["u"]]
    times = np.eye(int(data["t"].max()) + 1)[data["t"]][:, 1:]
    return np.column_stack([units, times])


def _residualised(data: pd.DataFrame, columns: np.ndarray) -> np.ndarray:
    """√w-scaled columns with the (√w-scaled) fixed effects projected out."""
    sw = np.sqrt(data["w"].to_numpy())[:, None]
    fe = _dummies(data) * sw
    scaled = columns * sw
    return scaled - fe @ np.linalg.lstsq(fe, scaled, rcond=None)[0]


def _check_identified(data: pd.DataFrame, treated: str) -> None:
    d = data["d"].to_numpy()
    if not (d != 0).any():
        raise NotIdentified(f"no observation is treated ({treated} is 0 everywhere)")
    is_treated_unit = data.groupby("u")["d"].transform(lambda s: (s != 0).any())
    if is_treated_unit.all():
        raise NotIdentified("every unit is treated at some time: there is no comparison unit")
    left = _residualised(data, d[:, None])[:, 0]
    if float(left @ left) <= 1e-10 * float(d @ d):
        raise NotIdentified(
            f"{treated} is absorbed by the unit and time fixed effects (it does not vary "
            "within units over time differently from the comparison units)"
        )


def _feols(data: pd.DataFrame, vcov: str) -> Any:
    """pyfixest's fit of y on d with unit and time fixed effects (every row kept)."""
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(
            "y ~ d | u + t",
            data=data,
            vcov={"CRV1": "c"} if vcov == "c" else vcov,
            weights="w",
            fixef_rm="none",
            ssc=pf.ssc(k_fixef="full"),
        )


def _wild(
    data: pd.DataFrame,
    est: float,
    se: float,
    level: float,
    seed: int,
    replications: int,
    kind: str,
) -> tuple[float, float, float]:
    """Wild cluster bootstrap p-value of β = 0 and the interval where β = r is not rejected."""
    sw = np.sqrt(data["w"].to_numpy())
    exog = np.column_stack([data["d"], _dummies(data)]) * sw[:, None]
    clusters = data["c"].to_numpy()
    restriction = np.zeros(exog.shape[1])
    restriction[0] = 1.0

    def p_at(r: float) -> float:
        y = (data["y"].to_numpy() - r * data["d"].to_numpy()) * sw
        return wild_p_value(exog, y, clusters, restriction, replications, seed, kind)

    alpha = 1 - level

    def bound(direction: int) -> float:
        inside, step = est, max(se, 1e-12)
        outside = est + direction * 2 * step
        while p_at(outside) > alpha:  # widen until rejected
            inside, outside = outside, outside + direction * 2 * step
            step *= 2
            if abs(outside - est) > 1e3 * max(se, 1e-12):
                return direction * math.inf
        while abs(outside - inside) > 0.005 * se:
            middle = (inside + outside) / 2
            if p_at(middle) > alpha:
                inside = middle
            else:
                outside = middle
        return (inside + outside) / 2

    return p_at(0.0), bound(-1), bound(+1)


def wild_p_value(
    exog: np.ndarray,
    y: np.ndarray,
    clusters: np.ndarray,
    restriction: np.ndarray,
    replications: int,
    seed: int,
    kind: str,
) -> float:
    """The WCR bootstrap p-value (two-tailed) of restriction·β = 0, the steps of
    `wildboottest.wildboottest` for one parameter, with its CRV1 denominator in NumPy."""
    from wildboottest.wildboottest import WildboottestCL

    class Boot(WildboottestCL):
        def get_denom(self) -> None:
            """The library compiles a numba function anew on every call (0.5 s), and a test
            inversion calls it dozens of times: the same sums, vectorised."""
            groups = range(len(self.bootclustid))
            h = np.array(
                [
                    [
                        self.R
                        @ self.tXXinv
                        @ self.tXgXg_list[g]
                        @ self.tXXinv
                        @ self.scores_mat[:, k]
                        for k in groups
                    ]
                    for g in groups
                ]
            )
            z = self.Cg[:, None] * self.v - h @ self.v
            self.denom = self.ssc * np.sum(z * z, axis=0)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # full enumeration when 2^G < replications
        boot = Boot(X=exog, Y=y, cluster=clusters, R=restriction, B=replications, seed=seed)
        boot.get_scores(bootstrap_type="11", impose_null=True, adj=True, cluster_adj=True)
        boot.get_weights(weights_type=kind)
        boot.get_numer()
        boot.get_denom()
        boot.get_tboot()
        boot.get_vcov()
        boot.get_tstat()
        boot.get_pvalue(pval_type="two-tailed")
    return float(boot.pvalue)


@dataclass(frozen=True)
class _Placebos:
    """The assignments: comparison units (codes) and the treated units' paths by period."""

    units: np.ndarray
    paths: list[np.ndarray]  # one per treated unit: d by period index

    def count(self) -> int:
        k, counts = len(self.paths), _multiplicities(self.paths)
        per_set = math.factorial(k) // math.prod(math.factorial(m) for m in counts)
        return math.comb(len(self.units), k) * per_set

    def all(self) -> Iterator[tuple[int, ...]]:
        """Every assignment: the comparison unit (index) each treated path goes to; paths
        that are the same are interchangeable, so each distinct assignment comes once."""
        labels = _labels(self.paths)
        orders = sorted(set(itertools.permutations(labels)))
        for chosen in itertools.combinations(range(len(self.units)), len(self.paths)):
            for order in orders:  # order[j]: the label of the path unit chosen[j] gets
                slots = {
                    v: [c for c, o in zip(chosen, order, strict=True) if o == v]
                    for v in set(labels)
                }
                yield tuple(slots[v].pop(0) for v in labels)

    def drawn(self, rng: np.random.Generator, draws: int) -> Iterator[tuple[int, ...]]:
        for _ in range(draws):
            yield tuple(rng.choice(len(self.units), len(self.paths), replace=False))


def _labels(paths: list[np.ndarray]) -> list[int]:
    """The same label for identical paths (their order among each other does not matter)."""
    seen: dict[bytes, int] = {}
    return [seen.setdefault(p.tobytes(), len(seen)) for p in paths]


def _multiplicities(paths: list[np.ndarray]) -> list[int]:
    labels = _labels(paths)
    return [labels.count(v) for v in set(labels)]


def _ri(
    data: pd.DataFrame, t_actual: float, se: float, level: float, seed: int, replications: int
) -> tuple[float, float, float, int, bool]:
    """RI-t p-value and interval; the number of assignments and whether it was all of them."""
    is_treated_unit = data.groupby("u")["d"].transform(lambda s: (s != 0).any()).to_numpy()
    periods = int(data["t"].max()) + 1
    paths = []
    for u in np.unique(data.loc[is_treated_unit, "u"]):
        rows = data[data["u"] == u]
        path = np.zeros(periods)
        path[rows["t"].to_numpy()] = rows["d"].to_numpy()
        paths.append(path)
    controls = data[~is_treated_unit].reset_index(drop=True)
    control_units = np.unique(controls["u"])
    placebos = _Placebos(control_units, paths)
    total = placebos.count()
    exact = total <= replications
    chosen = placebos.all() if exact else placebos.drawn(np.random.default_rng(seed), replications)
    position = {u: i for i, u in enumerate(control_units)}
    unit_index = controls["u"].map(position).to_numpy()
    t_index = controls["t"].to_numpy()
    y_tilde = _residualised(controls, controls[["y"]].to_numpy())[:, 0]
    clusters = pd.factorize(controls["c"])[0]
    size = max(1, 2_000_000 // max(len(controls), 1))
    scale = None
    t_stats: list[np.ndarray] = []
    while batch := list(itertools.islice(chosen, size)):
        d = np.zeros((len(controls), len(batch)))
        for j, assignment in enumerate(batch):
            for path, target in zip(paths, assignment, strict=True):
                rows = unit_index == target
                d[rows, j] = path[t_index[rows]]
        if scale is None:
            scale = _cr1_scale(controls, clusters, d)
        t_stats.append(_t_statistics(controls, clusters, y_tilde, d, scale))
    t_star = np.abs(np.concatenate(t_stats))
    t_star = t_star[np.isfinite(t_star)]
    p = float((1 + np.sum(t_star >= abs(t_actual) - 1e-12)) / (1 + t_star.size))
    rank = min(math.ceil(level * (t_star.size + 1)), t_star.size)
    q = float(np.sort(t_star)[rank - 1])
    est = t_actual * se
    return p, est - q * se, est + q * se, int(t_star.size), exact


def _t_statistics(
    data: pd.DataFrame, clusters: np.ndarray, y_tilde: np.ndarray, d: np.ndarray, scale: float
) -> np.ndarray:
    """CR1 t statistics of many placebo treatments at once (columns of d), by FWL."""
    d_tilde = _residualised(data, d)
    ss = np.einsum("ij,ij->j", d_tilde, d_tilde)
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = d_tilde.T @ y_tilde / ss
        resid = y_tilde[:, None] - d_tilde * beta
        scores = np.zeros((int(clusters.max()) + 1, d.shape[1]))
        np.add.at(scores, clusters, d_tilde * resid)
        variance = scale * np.einsum("ij,ij->j", scores, scores) / ss**2
        return beta / np.sqrt(variance)


def _cr1_scale(data: pd.DataFrame, clusters: np.ndarray, d: np.ndarray) -> float:
    """The small-sample factor pyfixest applies to a CRV1 variance on these data, read off
    its fit of the first placebo that varies (so every placebo t follows the conventions of
    the actual t exactly)."""
    y_tilde = _residualised(data, data[["y"]].to_numpy())[:, 0]
    raw = _t_statistics(data, clusters, y_tilde, d, 1.0)
    j = int(np.flatnonzero(np.isfinite(raw))[0])
    fit = _feols(data.assign(d=d[:, j]), "c")
    return float((raw[j] / (float(fit.coef()["d"]) / float(fit.se()["d"]))) ** 2)
