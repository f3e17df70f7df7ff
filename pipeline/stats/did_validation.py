"""Does the DiD's inference hold on the sample's design? Over simulated municipality-year
panels (`pipeline.sample.panels`): coverage of the 95 % interval with the planted effect,
rejections at 5 % with no effect, power against the planted effect, and the minimum
detectable effect — per kind of inference the registry metric reports."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import stats

from pipeline.sample.panels import Design, simulated_panel
from pipeline.stats.did import estimate

METHODS = ("cluster", "wild", "ri")
# the interval the report and the closing figures lead with: it must cover 93–97 % and
# reject at most 6 % under no effect (checked here, on the sample's design)
DEFAULT_METHOD = "wild"
COVERAGE_BAND = (Fraction(93, 100), Fraction(97, 100))
MAX_REJECTION = Fraction(6, 100)
LEVEL = 0.95
ALPHA = Fraction(1, 20)  # 1 − LEVEL, exactly
MIN_REPLICATIONS = 200  # fewer cannot tell 95 % from 92 % (Monte Carlo error 1.5 points)


@dataclass(frozen=True)
class Plan:
    replications: int = 200  # panels per scenario
    seed: int = 20180901
    draws: int = 999  # bootstrap replications / placebo assignments per fit
    design: Design = field(default_factory=Design)


def _one(plan: Plan, rep: int) -> list[dict]:
    """Replication `rep`: a panel with the planted effect and one without, each estimated
    with every kind of inference."""
    rows = []
    for k, (scenario, effect) in enumerate(
        (("effect", plan.design.effect_per_1000), ("null", 0.0))
    ):
        rng = np.random.default_rng([plan.seed, rep, k])
        panel = simulated_panel(rng, replace(plan.design, effect_per_1000=effect))
        table = estimate(
            panel,
            "rate",
            "kommune",
            "year",
            "is_treated",
            weights="person_years",
            inference=list(METHODS),
            seed=plan.seed + rep,
            replications=plan.draws,
            bootstrap_weights="webb",
            level=LEVEL,
        )
        for r in table.to_dict("records"):
            rows.append(
                {
                    "replication": rep,
                    "scenario": scenario,
                    "truth": effect,
                    **{c: r[c] for c in ("inference", "estimate", "ci_low", "ci_high")},
                    "p_value": r["p_value"],
                }
            )
    return rows


def simulate(plan: Plan, jobs: int | None = None) -> pd.DataFrame:
    """Every replication's estimates (the same rows for the same plan, whatever `jobs`)."""
    jobs = jobs or os.cpu_count() or 1
    reps = range(plan.replications)
    if jobs == 1:
        parts = [_one(plan, r) for r in reps]
    else:
        with ProcessPoolExecutor(jobs) as pool:
            parts = list(pool.map(_one, [plan] * len(reps), reps, chunksize=4))
    return pd.DataFrame([row for part in parts for row in part])


def _rejects(p_values: pd.Series) -> list[bool]:
    """p ≤ α, in exact arithmetic: a bootstrap or randomisation p-value is a ratio of counts
    (50/1,000 must reject at 5 %), recovered from its float before the comparison."""
    return [Fraction(float(p)).limit_denominator(10**9) <= ALPHA for p in p_values]


def _share(hits: Sequence[bool]) -> tuple[Fraction, float]:
    """The share as an exact fraction, and its Monte Carlo standard error."""
    n = len(hits)
    share = Fraction(int(sum(hits)), n)
    return share, float(np.sqrt(float(share) * (1 - float(share)) / n))


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Per kind of inference: coverage (planted effect inside the interval), rejection at
    5 % with no effect, power at the planted effect, bias, sd, mean interval width and the
    minimum detectable effect at 80 % power, (z₀.₉₇₅ + z₀.₈₀) × sd of the estimate."""
    out = []
    z = float(stats.norm.ppf(0.975) + stats.norm.ppf(0.80))
    for method in METHODS:
        planted = runs[(runs["inference"] == method) & (runs["scenario"] == "effect")]
        null = runs[(runs["inference"] == method) & (runs["scenario"] == "null")]
        truth = float(planted["truth"].iloc[0])
        covered = (planted["ci_low"] <= truth) & (truth <= planted["ci_high"])
        coverage, coverage_se = _share(list(covered))
        rejection, rejection_se = _share(_rejects(null["p_value"]))
        power, _ = _share(_rejects(planted["p_value"]))
        sd = float(null["estimate"].std(ddof=1))
        out.append(
            {
                "inference": method,
                "replications": len(planted),
                "truth": truth,
                "coverage": coverage,
                "coverage_mcse": coverage_se,
                "rejection": rejection,
                "rejection_mcse": rejection_se,
                "power": power,
                "mean_estimate": float(planted["estimate"].mean()),
                "bias": float(planted["estimate"].mean()) - truth,
                "sd": sd,
                "mean_width": float((planted["ci_high"] - planted["ci_low"]).mean()),
                "mde": z * sd,
                "meets_band": (
                    COVERAGE_BAND[0] <= coverage <= COVERAGE_BAND[1] and rejection <= MAX_REJECTION
                ),
            }
        )
    return pd.DataFrame(out)
