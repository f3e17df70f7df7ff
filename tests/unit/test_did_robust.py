"""The imputation DiD: TWFE's answer where TWFE is right, the true average where it is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.stats.did import NotIdentified, estimate
from pipeline.stats.did_robust import imputation, synthetic


def _panel(starts: dict[int, int], periods: int, effect, seed: int = 0, noise: float = 0.0):  # type: ignore[no-untyped-def]
    """Units 0..n−1 with start period starts.get(unit) (none: never treated), unit and time
    effects, `effect(unit, periods since start)` on treated rows, optional noise."""
    rng = np.random.default_rng(seed)
    units = max(starts) + 11  # ten never-treated units after the last treated one
    alpha, gamma = rng.normal(0, 3, units), rng.normal(0, 2, periods)
    rows = []
    for u in range(units):
        for t in range(periods):
            start = starts.get(u)
            on = start is not None and t >= start
            tau = effect(u, t - start) if on else 0.0
            y = 10 + alpha[u] + gamma[t] + tau + noise * rng.normal()
            rows.append((f"k{u:02d}", 2015 + t, y, float(on), tau, 1.0 + (u % 4)))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "d", "tau", "w"])


def test_one_start_date_on_a_balanced_panel_gives_the_twfe_estimate() -> None:
    panel = _panel(dict.fromkeys(range(8), 4), 8, lambda u, e: -2.0, seed=3, noise=1.0)
    twfe = float(estimate(panel, "y", "unit", "year", "d")["estimate"].iloc[0])
    row = imputation(panel, "y", "unit", "year", "d")
    assert float(row["estimate"].iloc[0]) == pytest.approx(twfe, abs=1e-9)
    assert int(row["n_clusters"].iloc[0]) == 18 and int(row["n_obs"].iloc[0]) == 18 * 8
    assert row["ci_low"].iloc[0] < row["estimate"].iloc[0] < row["ci_high"].iloc[0]


def test_staggered_growing_effects_recovered_exactly_where_twfe_is_biased() -> None:
    """Cohorts start in periods 2 and 6, effects grow by 1 a period since start: the average
    effect on the treated rows is known exactly (no noise), TWFE misses it by far."""
    starts = {u: 2 if u < 6 else 6 for u in range(12)}
    panel = _panel(starts, 10, lambda u, e: 1.0 + e, seed=5)
    truth = float(panel.loc[panel["d"] == 1, "tau"].mean())
    row = imputation(panel, "y", "unit", "year", "d")
    assert float(row["estimate"].iloc[0]) == pytest.approx(truth, abs=1e-8)
    twfe = float(estimate(panel, "y", "unit", "year", "d")["estimate"].iloc[0])
    assert abs(twfe - truth) > 1.0


def test_weights_average_the_treated_rows_effects_by_weight() -> None:
    starts = dict.fromkeys(range(8), 3)
    panel = _panel(starts, 7, lambda u, e: float(u), seed=2)  # effect differs by unit
    treated = panel[panel["d"] == 1]
    truth = float(np.average(treated["tau"], weights=treated["w"]))
    row = imputation(panel, "y", "unit", "year", "d", weights="w")
    assert float(row["estimate"].iloc[0]) == pytest.approx(truth, abs=1e-8)
    assert "each unit's mean w" not in row["method"].iloc[0]  # constant within unit here
    varying = panel.assign(w=panel["w"] + 0.01 * (panel["year"] - 2015))
    method = imputation(varying, "y", "unit", "year", "d", weights="w")["method"].iloc[0]
    assert "each unit's mean w" in method


def test_designs_it_does_not_cover_are_refused_with_the_reason() -> None:
    panel = _panel(dict.fromkeys(range(4), 3), 6, lambda u, e: -1.0)
    with pytest.raises(NotIdentified, match="0 or 1"):
        imputation(panel.assign(d=panel["d"] * 0.5), "y", "unit", "year", "d")
    ended = panel.copy()
    ended.loc[(ended["unit"] == "k00") & (ended["year"] == 2020), "d"] = 0.0
    with pytest.raises(NotIdentified, match="stays on"):
        imputation(ended, "y", "unit", "year", "d")
    with pytest.raises(NotIdentified, match="some rows"):
        imputation(panel.assign(d=0.0), "y", "unit", "year", "d")


def test_synthetic_did_recovers_a_constant_effect_on_the_periods_every_unit_has() -> None:
    """No noise, parallel paths: any unit and time weights give the planted −2 exactly. A
    period one unit lacks is left out, and the method text says which periods were used."""
    panel = _panel(dict.fromkeys(range(6), 5), 9, lambda u, e: -2.0, seed=4)
    gap = panel.drop(panel[(panel["unit"] == "k12") & (panel["year"] == 2016)].index)
    row = synthetic(gap, "y", "unit", "year", "d", replications=50)
    assert float(row["estimate"].iloc[0]) == pytest.approx(-2.0, abs=1e-6)
    assert int(row["n_obs"].iloc[0]) == 16 * 8 and int(row["n_clusters"].iloc[0]) == 16
    method = row["method"].iloc[0]
    assert "2015, 2017, 2018" in method and "2016" not in method and "seed 20180901" in method
    noisy = gap.assign(y=gap["y"] + 0.1 * np.sin(np.arange(len(gap))))
    first = synthetic(noisy, "y", "unit", "year", "d", replications=50)
    # seeded placebo draws: the same interval every time
    assert first.equals(synthetic(noisy, "y", "unit", "year", "d", replications=50))


def test_synthetic_did_refuses_staggered_starts_with_the_reason() -> None:
    starts = {u: 2 if u < 3 else 5 for u in range(6)}
    panel = _panel(starts, 8, lambda u, e: -1.0)
    with pytest.raises(NotIdentified, match="one treatment block"):
        synthetic(panel, "y", "unit", "year", "d")
    block = _panel(dict.fromkeys(range(6), 3), 8, lambda u, e: -1.0)
    paused = block.assign(d=np.where(block["year"] == 2019, 0.0, block["d"]))
    with pytest.raises(NotIdentified, match="stops before the last period"):
        synthetic(paused, "y", "unit", "year", "d")
