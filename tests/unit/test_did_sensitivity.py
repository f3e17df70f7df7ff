"""HonestDiD bounds on hand-computable panels: a planted linear pre-trend removed by the
smoothness restriction, the relative-magnitude set by hand, and the refusals."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline.stats.did import NotIdentified, event_fit
from pipeline.stats.did_sensitivity import honest

EFFECT, TREND = -3.0, 0.5  # planted effect; the treated units' differential trend per period


def _panel(noise: float, seed: int = 0) -> pd.DataFrame:
    """30 units over 2010–2017, units 0–5 start in 2015 (event times −5…2, reference −1)
    and drift TREND a period from the comparison units all along."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(30):
        level = rng.normal(0, 2)
        for year in range(2010, 2018):
            treated = u < 6
            y = (
                level
                + 0.1 * (year - 2010)
                + (TREND * (year - 2014) if treated else 0.0)
                + (EFFECT if treated and year >= 2015 else 0.0)
                + noise * rng.normal()
            )
            rows.append((f"k{u:02d}", year, y, year - 2015 if treated else np.nan, 1 + u % 3))
    return pd.DataFrame(rows, columns=["unit", "year", "y", "rel", "w"])


def _row(frame: pd.DataFrame, weights: str | None = None, **kwargs) -> pd.Series:  # type: ignore[no-untyped-def]
    return honest(event_fit(frame, "y", "unit", "year", "rel", weights=weights), **kwargs).iloc[0]


def test_smoothness_zero_continues_the_linear_pre_trend_to_the_planted_effect() -> None:
    row = _row(_panel(noise=0.001))
    # the event study's post mean carries the drift (mean of 0.5, 1.0, 1.5 = 1.0) ...
    assert row["estimate"] == pytest.approx(EFFECT + 2 * TREND, abs=0.01)
    # ... the bounds take it out: the interval is the planted effect, narrowly
    assert row["ci_low"] == pytest.approx(EFFECT, abs=0.01)
    assert row["ci_high"] == pytest.approx(EFFECT, abs=0.01)
    assert np.isnan(row["p_value"]) and row["n_clusters"] == 30 and row["n_obs"] == 240
    assert "smoothness restriction, M = 0" in row["method"]


def test_relative_magnitude_gives_the_hand_computed_set_and_breakdown() -> None:
    """Pre-period steps are all TREND, so each post step may be up to M̄·TREND from 0:
    δ0, δ1, δ2 within ±M̄·(0.5, 1.0, 1.5), their mean within ±M̄·1.0; the estimate −2.0
    keeps its sign until M̄ = 2."""
    row = _row(_panel(noise=0.001), restriction="relative_magnitude", m=1.0)
    assert row["ci_low"] == pytest.approx(-3.0, abs=0.01)
    assert row["ci_high"] == pytest.approx(-1.0, abs=0.01)
    breakdown = re.search(r"breakdown M̄ ≈ ([0-9.]+)", row["method"])
    assert breakdown is not None and float(breakdown.group(1)) == pytest.approx(2.0, abs=0.02)
    assert "not the paper's ARP interval" in row["method"]


def test_relative_magnitude_zero_is_the_event_study_interval_with_t_of_g_minus_one() -> None:
    """M̄ = 0 allows no violation: the interval is estimate ± t(G − 1)·SE, weighted or not."""
    frame = _panel(noise=1.0, seed=4)
    for weights in (None, "w"):
        row = _row(frame, restriction="relative_magnitude", m=0, weights=weights)
        half = stats.t.ppf(0.975, 29) * row["std_error"]
        assert row["ci_low"] == pytest.approx(row["estimate"] - half, rel=1e-9)
        assert row["ci_high"] == pytest.approx(row["estimate"] + half, rel=1e-9)


def test_a_wider_bound_widens_the_interval() -> None:
    frame = _panel(noise=1.0, seed=5)
    for restriction, bounds in (("smoothness", (0.0, 0.1)), ("relative_magnitude", (0, 0.5, 1))):
        rows = [_row(frame, restriction=restriction, m=m) for m in bounds]
        widths = [row["ci_high"] - row["ci_low"] for row in rows]
        assert widths == sorted(widths) and len(set(widths)) == len(widths)
        assert len({row["estimate"] for row in rows}) == 1  # the event study does not move


def test_refusals_say_what_is_missing() -> None:
    frame = _panel(noise=1.0)
    with pytest.raises(NotIdentified, match="no event time before the reference"):
        _row(frame[frame["year"] >= 2014])
    with pytest.raises(NotIdentified, match=r"event time\(s\) \[0\] missing"):
        _row(frame[frame["year"] != 2015])
    with pytest.raises(ValueError, match="restriction must be one of"):
        _row(frame, restriction="combined")
